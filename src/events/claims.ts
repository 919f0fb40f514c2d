/**
 * Claims: a worker leases a due queue and marks its head delivery `sending`. For each (endpoint, directory),
 * only the oldest unfinished delivery is due, so an endpoint gets one directory's events one at a time, in log
 * order; other directories and endpoints are not held back. A worker that dies mid-send loses the lease, and
 * the delivery is sent again (at-least-once).
 */
import { now } from '../store/codec.ts';
import type { Executor } from '../store/db.ts';
import { queueHead, setQueue, type DispatchStore, type QueueKey } from './queues.ts';
import { leaseUntil } from './retry-policy.ts';

export interface Claim {
  deliveryId: string;
  queue: QueueKey;
  /** The lease written on the queue; completing checks it is still ours. */
  lease: string;
}

/**
 * Leases up to `limit` due queues of enabled endpoints and returns each one's head delivery, marked sending.
 * On PostgreSQL the queues are locked `FOR UPDATE SKIP LOCKED`, so concurrent workers split the queues
 * between them instead of waiting; a queue is leased to one worker at a time, so one (endpoint, directory)
 * never has two deliveries in flight.
 */
export function claimDueDeliveries(store: DispatchStore, limit: number, leaseMs: number): Promise<Claim[]> {
  const at = now();
  const lease = leaseUntil(leaseMs);
  return store.db.transaction().execute(async (db) => {
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
    const claims: Claim[] = [];
    for (const queue of await due.execute()) {
      const head = await queueHead(db, queue);
      if (!head || (head.state === 'pending' && head.next_attempt_at !== null && head.next_attempt_at > at)) {
        // Empty, or its head is waiting out a backoff: record when it is really due.
        await setQueue(db, queue, { next_attempt_at: head ? head.next_attempt_at : null, locked_until: null });
        continue;
      }
      claims.push(await takeHead(db, queue, head.id, lease, at));
    }
    return claims;
  });
}

/** Leases a queue and marks its head delivery sending. */
async function takeHead(db: Executor, queue: QueueKey, deliveryId: string, lease: string, at: string): Promise<Claim> {
  await setQueue(db, queue, { locked_until: lease });
  await db.updateTable('webhook_deliveries').set({ state: 'sending', locked_until: lease, updated_at: at }).where('id', '=', deliveryId).execute();
  return { deliveryId, queue, lease };
}

/**
 * Locks a claim's queue row (on PostgreSQL) until the transaction ends, and tells whether the lease on it is
 * still this claim's: false once another worker took the queue over after the lease ran out.
 */
export async function holdsLease(db: Executor, dialect: DispatchStore['dialect'], claim: Claim): Promise<boolean> {
  let locked = db.selectFrom('webhook_queues').select('locked_until').where('endpoint_id', '=', claim.queue.endpoint_id).where('directory_key', '=', claim.queue.directory_key);
  if (dialect === 'postgres') locked = locked.forUpdate();
  const queue = await locked.executeTakeFirst();
  return queue !== undefined && queue.locked_until === claim.lease;
}

/**
 * Once a held queue's delivery is done: claims its next delivery when that is due and the run may go on
 * (`mayContinue`), sparing a transaction; otherwise gives the queue back, due when its new head is.
 */
export async function continueRun(db: Executor, queue: QueueKey, at: string, mayContinue: boolean, leaseMs: number): Promise<Claim | undefined> {
  const next = await queueHead(db, queue);
  const due = next && (next.next_attempt_at === null || next.next_attempt_at <= at);
  if (next && due && mayContinue) return takeHead(db, queue, next.id, leaseUntil(leaseMs), at);
  await setQueue(db, queue, { next_attempt_at: next ? (next.next_attempt_at ?? at) : null, locked_until: null });
  return undefined;
}

/**
 * Gives a claimed queue back untouched (its endpoint was disabled meanwhile, or just now for a secret it cannot
 * decrypt): due at once, but only claimed again once the endpoint is re-enabled.
 */
export async function release(store: DispatchStore, claim: Claim): Promise<undefined> {
  const at = now();
  await store.db.transaction().execute(async (db) => {
    await db.updateTable('webhook_deliveries').set({ state: 'pending', locked_until: null, updated_at: at }).where('id', '=', claim.deliveryId).where('state', '=', 'sending').execute();
    await setQueue(db, claim.queue, { next_attempt_at: at, locked_until: null });
  });
  return undefined;
}
