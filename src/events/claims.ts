/**
 * Claims: a worker leases due queues and marks their head deliveries `sending`. For each (endpoint, directory),
 * only the oldest unfinished delivery is due, so an endpoint gets one directory's events one at a time, in log
 * order; other directories and endpoints are not held back. A worker that dies mid-send loses the lease, and
 * the delivery is sent again (at-least-once).
 *
 * Claims are taken in batches: one transaction leases many queues and reads their heads, with each head's event
 * and endpoint, in one statement, so a claim costs a handful of round trips however many queues it takes.
 */
import { now } from '../store/codec.ts';
import type { Executor } from '../store/db.ts';
import { headsOf, isOneOf, keyOf, setQueue, type DispatchStore, type Head, type QueueKey } from './queues.ts';
import { leaseUntil } from './retry-policy.ts';

export interface Claim {
  deliveryId: string;
  queue: QueueKey;
  /** The lease written on the queue; completing checks it is still ours. */
  lease: string;
}

/** A claimed head and everything its send needs. */
export interface Job {
  claim: Claim;
  head: Head;
}

/** A head is due unless it waits out a backoff (a pending delivery with a later next attempt). */
export const isDue = (head: Head, at: string): boolean => !(head.delivery.state === 'pending' && head.delivery.next_attempt_at !== null && head.delivery.next_attempt_at > at);

/**
 * Leases up to `limit` due queues of enabled endpoints and returns each one's head delivery, marked sending.
 * On PostgreSQL the queues are locked `FOR UPDATE SKIP LOCKED`, so concurrent workers split the queues
 * between them instead of waiting; a queue is leased to one worker at a time, so one (endpoint, directory)
 * never has two deliveries in flight.
 */
export function claimDueDeliveries(store: DispatchStore, limit: number, leaseMs: number): Promise<Job[]> {
  return store.db.transaction().execute(async (db) => {
    const at = now();
    let due = db
      .selectFrom('webhook_queues as q')
      .innerJoin('webhook_endpoints as we', 'we.id', 'q.endpoint_id')
      .select(['q.endpoint_id', 'q.directory_key'])
      .where('we.status', '=', 'enabled')
      .where('q.next_attempt_at', '<=', at)
      .where((eb) => eb.or([eb('q.locked_until', 'is', null), eb('q.locked_until', '<', at)]))
      .orderBy('q.next_attempt_at')
      .limit(limit);
    if (store.dialect === 'postgres') due = due.forUpdate('q').skipLocked();
    const queues = await due.execute();
    if (queues.length === 0) return [];
    const heads = await headsOf(db, store.dialect, queues);
    const taken: Head[] = [];
    for (const queue of queues) {
      const head = heads.get(keyOf(queue));
      if (head && isDue(head, at)) taken.push(head);
      // Empty, or its head is waiting out a backoff: record when it is really due.
      else await setQueue(db, queue, { next_attempt_at: head ? head.delivery.next_attempt_at : null, locked_until: null });
    }
    return takeHeads(db, store.dialect, taken, leaseUntil(leaseMs), at);
  });
}

/** Leases the heads' queues and marks the heads sending: two statements for the lot. */
async function takeHeads(db: Executor, dialect: DispatchStore['dialect'], heads: Head[], lease: string, at: string): Promise<Job[]> {
  if (heads.length === 0) return [];
  await db.updateTable('webhook_queues').set({ locked_until: lease }).where(isOneOf(dialect, heads.map((h) => h.queue))).execute();
  await db
    .updateTable('webhook_deliveries')
    .set({ state: 'sending', locked_until: lease, updated_at: at })
    .where('id', 'in', heads.map((h) => h.delivery.id))
    .execute();
  return heads.map((head) => ({ claim: { deliveryId: head.delivery.id, queue: head.queue, lease }, head: { ...head, delivery: { ...head.delivery, state: 'sending' } } }));
}

/**
 * The queues among `queues` (in the order given) that are empty and held by no one, up to `limit`: whatever
 * deliveries a fan-out adds to them, the first is their head, and the fan-out can claim it in its own
 * transaction. Locked (on PostgreSQL, in lock order) until the transaction ends.
 */
export async function idleQueues(db: Executor, dialect: DispatchStore['dialect'], queues: QueueKey[], limit: number, at: string): Promise<Set<string>> {
  const idle = new Set<string>();
  if (limit <= 0 || queues.length === 0) return idle;
  let existing = db.selectFrom('webhook_queues').select(['endpoint_id', 'directory_key', 'next_attempt_at', 'locked_until']).where(isOneOf(dialect, queues)).orderBy('endpoint_id').orderBy('directory_key');
  if (dialect === 'postgres') existing = existing.forUpdate();
  const rows = new Map((await existing.execute()).map((q) => [keyOf(q), q]));
  for (const queue of queues) {
    const row = rows.get(keyOf(queue));
    // No next attempt: no unfinished delivery (a queue with one always has a time).
    if (!row || (row.next_attempt_at === null && (row.locked_until === null || row.locked_until < at))) idle.add(keyOf(queue));
    if (idle.size >= limit) break;
  }
  return idle;
}

/**
 * Locks the claims' queue rows (on PostgreSQL, in lock order) until the transaction ends, and returns the
 * leases on them: a claim is still its worker's while its queue's lease is the one it took. A queue missing
 * from the answer was deleted with its endpoint.
 */
export async function leasesOf(db: Executor, dialect: DispatchStore['dialect'], claims: Claim[]): Promise<Map<string, string | null>> {
  let locked = db
    .selectFrom('webhook_queues')
    .select(['endpoint_id', 'directory_key', 'locked_until'])
    .where(isOneOf(dialect, claims.map((c) => c.queue)))
    .orderBy('endpoint_id')
    .orderBy('directory_key');
  if (dialect === 'postgres') locked = locked.forUpdate();
  return new Map((await locked.execute()).map((q) => [keyOf(q), q.locked_until]));
}

/**
 * Gives a claimed queue back untouched (its endpoint was disabled meanwhile, or just now for a secret it cannot
 * decrypt): due at once, but only claimed again once the endpoint is re-enabled.
 */
export async function release(store: DispatchStore, claim: Claim): Promise<void> {
  const at = now();
  await store.db.transaction().execute(async (db) => {
    await db.updateTable('webhook_deliveries').set({ state: 'pending', locked_until: null, updated_at: at }).where('id', '=', claim.deliveryId).where('state', '=', 'sending').execute();
    await setQueue(db, claim.queue, { next_attempt_at: at, locked_until: null });
  });
}
