/**
 * Gap-free event order. Event sequence numbers are taken from one counter row, updated as the last step of
 * every write transaction: the row lock is held only until commit, so numbers are handed out in commit order
 * and a reader paging by `seq` can never see a later number before an earlier one commits.
 * Pruned events leave a tombstone (id → seq), so a reader whose cursor was pruned can still resume.
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('event_counter')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', t.bigint, (c) => c.notNull())
    .execute();
  const max = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  await db.insertInto('event_counter').values({ id: 1, seq: Number(max?.seq ?? 0) }).execute();

  await db.schema
    .createTable('event_tombstones')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('seq', t.bigint, (c) => c.notNull())
    .addColumn('pruned_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_event').on('events').columns(['event', 'seq']).execute();
}
