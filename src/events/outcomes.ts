/**
 * Outcomes of a send: what an attempt's answer means for its delivery (succeeded, pending until a retry, or
 * failed, perhaps disabling the endpoint), and recording it together with the queue moving on.
 */
import { newId } from '../ids.ts';
import { chunks } from '../store/chunks.ts';
import { now } from '../store/codec.ts';
import type { Executor, WebhookDeliveriesTable } from '../store/db.ts';
import { isDue, leasesOf, type Job } from './claims.ts';
import { updateFrom } from './json-rows.ts';
import type { Posted } from './post-event.ts';
import { headsOf, keyOf, type DispatchStore, type Head } from './queues.ts';
import { leaseUntil, nextRetryAt, type RetryDelays } from './retry-policy.ts';
import { DISABLED_REASONS, type AttemptRecord } from './webhooks-store.ts';

export interface Outcome {
  state: 'succeeded' | 'failed' | 'pending';
  status: number | null;
  error: string | null;
  /** The attempt made; none when nothing was sent. */
  attempt?: AttemptRecord;
  /** Disables the endpoint, with this reason. */
  disable?: string;
  firstAttemptAt?: string;
  retryAt?: string;
}

/** Attempts per INSERT statement (six columns each: far under both databases' parameter limits). */
const ATTEMPT_CHUNK = 500;

/** The delivery's event was pruned before it could be sent. */
export const EVENT_GONE: Outcome = { state: 'failed', status: null, error: 'event no longer retained' };

/**
 * What an attempt's answer means: a 2xx succeeds; a 410 fails and disables the endpoint; anything else is
 * retried, until the retry window since the delivery's first attempt is over.
 */
export function outcomeOf(
  posted: Posted,
  attempt: AttemptRecord,
  delivery: Pick<WebhookDeliveriesTable, 'first_attempt_at' | 'attempt_count'>,
  delays: RetryDelays,
): Outcome {
  const { status, error } = posted;
  if (status !== null && status >= 200 && status < 300) return { state: 'succeeded', status, error: null, attempt };
  if (status === 410) return { state: 'failed', status: 410, error: 'endpoint answered 410 Gone; endpoint disabled', attempt, disable: DISABLED_REASONS.gone };
  const first = delivery.first_attempt_at ?? attempt.attempted_at;
  const retryAt = nextRetryAt(first, delivery.attempt_count + 1, posted.retryAfterMs, delays);
  if (retryAt === undefined) return { state: 'failed', status, error, attempt };
  return { state: 'pending', status, error, attempt, firstAttemptAt: first, retryAt };
}

/** A sent (or unsendable) head and what came of it. */
export interface Finished {
  job: Job;
  outcome: Outcome;
  /** Whether its queue may go on to its next delivery in this run. */
  mayContinue: boolean;
}

const DELIVERY_COLUMNS = {
  id: 'key',
  sending: 'integer',
  state: 'text',
  last_status: 'integer',
  last_error: 'text',
  last_attempt_at: 'timestamp',
  attempts: 'integer',
  next_attempt_at: 'timestamp',
  first_attempt_at: 'timestamp',
  locked_until: 'timestamp',
  updated_at: 'timestamp',
} as const;

/**
 * One statement for both kinds of delivery row: a finished send takes its outcome; a next head (`sending` = 1)
 * only its state and lease, keeping its last answer and retry time.
 */
const D = 'webhook_deliveries';
const DELIVERY_SET = `state = v.state,
  last_status = case when v.sending = 1 then ${D}.last_status else v.last_status end,
  last_error = case when v.sending = 1 then ${D}.last_error else v.last_error end,
  last_attempt_at = coalesce(v.last_attempt_at, ${D}.last_attempt_at),
  attempt_count = ${D}.attempt_count + v.attempts,
  next_attempt_at = case when v.sending = 1 then ${D}.next_attempt_at else v.next_attempt_at end,
  first_attempt_at = coalesce(v.first_attempt_at, ${D}.first_attempt_at),
  locked_until = v.locked_until,
  updated_at = v.updated_at`;

const QUEUE_COLUMNS = { endpoint_id: 'key', directory_key: 'key', next_attempt_at: 'timestamp', locked_until: 'timestamp' } as const;

/**
 * Records many outcomes and moves their queues on, in one transaction of five statements whatever their number
 * (group commit: the outcomes that arrived while the previous batch was written). Returns the next deliveries
 * of the queues that go on, already claimed. The queue rows are locked first, in lock order, so a concurrent
 * fan-out adding to these queues either commits before (and its deliveries are seen here) or waits and then
 * marks the queues due itself: a queue is never left idle with deliveries in it.
 */
export function recordOutcomes(store: DispatchStore, finished: Finished[], leaseMs: number): Promise<Job[]> {
  return store.db.transaction().execute(async (db) => {
    // Taken once the transaction has begun: it may have waited for the connection, or on SQLite for the lock.
    const at = now();
    const lease = leaseUntil(leaseMs);
    const leases = await leasesOf(db, store.dialect, finished.map((f) => f.job.claim));
    // A queue gone with its endpoint took its deliveries along: nothing is left to record.
    const live = finished.filter((f) => leases.has(keyOf(f.job.claim.queue)));
    // Another worker took a queue over after our lease ran out: it moves that queue on, not us.
    const ours = live.filter((f) => leases.get(keyOf(f.job.claim.queue)) === f.job.claim.lease);
    const disabling = new Map(live.flatMap((f) => (f.outcome.disable ? [[f.job.claim.queue.endpoint_id, f.outcome.disable] as const] : [])));
    const queues: Record<string, unknown>[] = [];
    const moving: Finished[] = [];
    for (const f of ours) {
      if (f.outcome.retryAt) queues.push({ ...f.job.claim.queue, next_attempt_at: f.outcome.retryAt, locked_until: null });
      else moving.push(f);
    }
    // Every moving delivery is finished (succeeded or failed): its queue's next head is the one after it.
    const heads = await headsOf(db, store.dialect, moving.map((f) => f.job.claim.queue), moving.map((f) => f.job.claim.deliveryId));
    // Due as of now, not as of the transaction's start: a fan-out this transaction waited for (on the queue's
    // lock) stamped its new deliveries with a later time, and a head counted as not due yet would leave its
    // queue due and unclaimed until the dispatcher's poll.
    const dueAt = now();
    const next: Head[] = [];
    for (const f of moving) {
      const head = heads.get(keyOf(f.job.claim.queue));
      const goesOn = head && isDue(head, dueAt) && f.mayContinue && head.endpoint.status === 'enabled' && !disabling.has(head.endpoint.id);
      if (goesOn) next.push(head);
      queues.push({ ...f.job.claim.queue, next_attempt_at: head ? (head.delivery.next_attempt_at ?? at) : null, locked_until: goesOn ? lease : null });
    }
    await writeAttempts(db, live);
    await updateFrom(db, store.dialect, D, ['id'], DELIVERY_COLUMNS, DELIVERY_SET, [...live.map((f) => outcomeRow(f, at)), ...next.map((h) => sendingRow(h, lease, at))]);
    await updateFrom(db, store.dialect, 'webhook_queues', ['endpoint_id', 'directory_key'], QUEUE_COLUMNS, 'next_attempt_at = v.next_attempt_at, locked_until = v.locked_until', queues);
    for (const [id, reason] of disabling) await db.updateTable('webhook_endpoints').set({ status: 'disabled', disabled_reason: reason, updated_at: at }).where('id', '=', id).execute();
    return next.map((head) => ({ claim: { deliveryId: head.delivery.id, queue: head.queue, lease }, head: { ...head, delivery: { ...head.delivery, state: 'sending' } } }));
  });
}

async function writeAttempts(db: Executor, finished: Finished[]): Promise<void> {
  const attempts = finished.flatMap((f) => (f.outcome.attempt ? [{ id: newId('webhook_attempt'), delivery_id: f.job.claim.deliveryId, ...f.outcome.attempt }] : []));
  for (const chunk of chunks(attempts, ATTEMPT_CHUNK)) await db.insertInto('webhook_attempts').values(chunk).execute();
}

/** A finished send's delivery row: its outcome, its lease gone. */
function outcomeRow({ job, outcome }: Finished, at: string): Record<string, unknown> {
  return {
    id: job.claim.deliveryId,
    sending: 0,
    state: outcome.state,
    last_status: outcome.status,
    last_error: outcome.error,
    last_attempt_at: outcome.attempt?.attempted_at ?? at,
    attempts: outcome.attempt ? 1 : 0,
    next_attempt_at: outcome.retryAt ?? null,
    first_attempt_at: outcome.firstAttemptAt ?? null,
    locked_until: null,
    updated_at: at,
  };
}

/** A next head's delivery row: sending, under the queue's new lease. */
function sendingRow(head: Head, lease: string, at: string): Record<string, unknown> {
  return { id: head.delivery.id, sending: 1, state: 'sending', attempts: 0, locked_until: lease, updated_at: at };
}
