/**
 * One row per (endpoint, directory) delivery queue, so a worker finds due work by reading queues, not by
 * scanning the delivery backlog: `next_attempt_at` is when the queue's head may be sent (null when the queue
 * is empty), `locked_until` the lease of the worker sending it. A partial index holds only unfinished
 * deliveries, so finding a queue's head costs the same after a million delivered events as after one.
 * `directory_key` is the directory id, or '' for an event without one.
 */
import { sql, type Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('webhook_queues')
    .addColumn('endpoint_id', t.key, (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('directory_key', t.key, (c) => c.notNull())
    .addColumn('next_attempt_at', t.timestamp)
    .addColumn('locked_until', t.timestamp)
    .addPrimaryKeyConstraint('webhook_queues_pk', ['endpoint_id', 'directory_key'])
    .execute();
  await db.schema.createIndex('webhook_queues_due').on('webhook_queues').column('next_attempt_at').execute();
  await db.schema
    .createIndex('webhook_deliveries_unfinished')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'directory_id', 'event_seq'])
    .where(sql.ref('state'), 'in', ['pending', 'sending'])
    .execute();
  // Queues for deliveries already waiting (due at once; the dispatcher re-reads each head's own time).
  await sql`
    insert into webhook_queues (endpoint_id, directory_key, next_attempt_at, locked_until)
    select endpoint_id, coalesce(directory_id, ''), min(coalesce(next_attempt_at, created_at)), null
    from webhook_deliveries where state in ('pending', 'sending')
    group by endpoint_id, coalesce(directory_id, '')`.execute(db);
}
