/**
 * Webhook delivery queues, one per (endpoint, directory): the head is the oldest unfinished delivery, and the
 * queue row says when it is due and which worker holds it (see migration 0004).
 */
import { sql } from 'kysely';
import type { Executor } from '../store/db.ts';
import type { KyselyStore } from '../store/kysely-store.ts';

export type QueueKey = { endpoint_id: string; directory_key: string };

/**
 * What the dispatch steps run on: the database, not a transaction, since each opens its own with
 * `db.transaction()` (not `store.transaction`, which tells commit listeners, the dispatcher itself, and
 * would wake it forever); and the dialect, since only PostgreSQL locks rows with FOR UPDATE.
 */
export type DispatchStore = Pick<KyselyStore, 'db' | 'dialect'>;

/** The queue of an endpoint's deliveries of a directory's events ('' for events without a directory). */
export function queueOf(endpointId: string, directoryId: string | null): QueueKey {
  return { endpoint_id: endpointId, directory_key: directoryId ?? '' };
}

/** The oldest unfinished delivery of a queue (read through the partial index of unfinished deliveries). */
export function queueHead(db: Executor, queue: QueueKey) {
  return db
    .selectFrom('webhook_deliveries')
    .select(['id', 'state', 'next_attempt_at'])
    .where('endpoint_id', '=', queue.endpoint_id)
    .where((eb) => (queue.directory_key === '' ? eb('directory_id', 'is', null) : eb('directory_id', '=', queue.directory_key)))
    // Literal, not bound: only a query repeating the partial index's own predicate may use that index.
    .where(sql<boolean>`state in ('pending', 'sending')`)
    .orderBy('event_seq')
    .limit(1)
    .executeTakeFirst();
}

export function setQueue(db: Executor, queue: QueueKey, values: { next_attempt_at?: string | null; locked_until?: string | null }) {
  return db.updateTable('webhook_queues').set(values).where('endpoint_id', '=', queue.endpoint_id).where('directory_key', '=', queue.directory_key).execute();
}

/** A new queue, due at `at`; the callers decide what an existing one keeps. */
function insertQueue(db: Executor, queue: QueueKey, at: string) {
  return db.insertInto('webhook_queues').values({ ...queue, next_attempt_at: at, locked_until: null });
}

/** Makes a queue due now unless it already has a time (its head's); creates it if new. */
export function markDue(db: Executor, queue: QueueKey, at: string) {
  return insertQueue(db, queue, at)
    .onConflict((oc) => oc.columns(['endpoint_id', 'directory_key']).doUpdateSet((eb) => ({ next_attempt_at: eb.fn.coalesce('webhook_queues.next_attempt_at', eb.ref('excluded.next_attempt_at')) })))
    .execute();
}

/** Makes a queue due now, even if it had a later time; the dispatcher re-reads its head's own time. */
export function setQueueDue(db: Executor, queue: QueueKey, at: string) {
  return insertQueue(db, queue, at)
    .onConflict((oc) => oc.columns(['endpoint_id', 'directory_key']).doUpdateSet({ next_attempt_at: at }))
    .execute();
}
