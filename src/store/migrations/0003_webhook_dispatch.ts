/**
 * Webhook dispatch state: a delivery being sent is leased until `locked_until` (a crashed worker's lease
 * expires and another resumes it), `first_attempt_at` bounds the retry window, and `dispatch_state` holds the
 * fan-out cursor (the last event sequence turned into deliveries).
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema.alterTable('webhook_deliveries').addColumn('locked_until', t.timestamp).execute();
  await db.schema.alterTable('webhook_deliveries').addColumn('first_attempt_at', t.timestamp).execute();
  await db.schema
    .createTable('dispatch_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('fanout_seq', t.bigint, (c) => c.notNull())
    .execute();
  const max = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  await db.insertInto('dispatch_state').values({ id: 1, fanout_seq: Number(max?.seq ?? 0) }).execute();
  await db.schema.createIndex('webhook_deliveries_endpoint_created').on('webhook_deliveries').columns(['endpoint_id', 'created_at']).execute();
}
