/**
 * Drops two indexes of webhook deliveries that nothing reads since queues (0004): `webhook_deliveries_due`
 * (state, next_attempt_at), which found due deliveries before queue rows did, and `webhook_deliveries_queue`
 * (endpoint_id, directory_id, event_seq), which the partial index of unfinished deliveries replaced for finding
 * a queue's head. Each delivery's row is written twice (sending, then its outcome), and on PostgreSQL, where a
 * change of `state` adds an entry to every index of the table, each index cost two entries per delivery.
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, _t: ColumnTypes): Promise<void> {
  await db.schema.dropIndex('webhook_deliveries_due').ifExists().execute();
  await db.schema.dropIndex('webhook_deliveries_queue').ifExists().execute();
}
