/**
 * Outcomes of a send: what an attempt's answer means for its delivery (succeeded, pending until a retry, or
 * failed, perhaps disabling the endpoint), and recording it together with the queue moving on.
 */
import { newId } from '../ids.ts';
import { chunks } from '../store/chunks.ts';
import { now } from '../store/codec.ts';
import type { Executor, WebhookDeliveriesTable } from '../store/db.ts';
import { isDue, leasesOf, takeHeads, type Job } from './claims.ts';
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
  state: 'text',
  last_status: 'integer',
  last_error: 'text',
  last_attempt_at: 'timestamp',
  attempts: 'integer',
  next_attempt_at: 'timestamp',
  first_attempt_at: 'timestamp',
  updated_at: 'timestamp',
} as const;

const QUEUE_COLUMNS = { endpoint_id: 'key', directory_key: 'key', next_attempt_at: 'timestamp', locked_until: 'timestamp' } as const;

/**
 * Records many outcomes and moves their queues on, in one transaction of a few statements whatever their number
 * (group commit: the outcomes that arrived while the previous batch was written). Returns the next deliveries
 * of the queues that go on, already claimed. The queue rows are locked first, in lock order, so a concurrent
 * fan-out adding to these queues either commits before (and its deliveries are seen here) or waits and then
 * marks the queues due itself: a queue is never left idle with deliveries in it.
 */
export function recordOutcomes(store: DispatchStore, finished: Finished[], leaseMs: number): Promise<Job[]> {
  const at = now();
  return store.db.transaction().execute(async (db) => {
    const leases = await leasesOf(db, store.dialect, finished.map((f) => f.job.claim));
    // A queue gone with its endpoint took its deliveries along: nothing is left to record.
    const live = finished.filter((f) => leases.has(keyOf(f.job.claim.queue)));
    await writeOutcomes(db, store.dialect, live, at);
    // Another worker took a queue over after our lease ran out: it moves that queue on, not us.
    const ours = live.filter((f) => leases.get(keyOf(f.job.claim.queue)) === f.job.claim.lease);
    const parked: Record<string, unknown>[] = [];
    const moving: Finished[] = [];
    for (const f of ours) {
      if (f.outcome.retryAt) parked.push({ ...f.job.claim.queue, next_attempt_at: f.outcome.retryAt, locked_until: null });
      else moving.push(f);
    }
    const heads = await headsOf(db, moving.map((f) => f.job.claim.queue));
    const next: Head[] = [];
    for (const f of moving) {
      const head = heads.get(keyOf(f.job.claim.queue));
      if (head && isDue(head, at) && f.mayContinue && head.endpoint.status === 'enabled') next.push(head);
      else parked.push({ ...f.job.claim.queue, next_attempt_at: head ? (head.delivery.next_attempt_at ?? at) : null, locked_until: null });
    }
    await updateFrom(db, store.dialect, 'webhook_queues', ['endpoint_id', 'directory_key'], QUEUE_COLUMNS, 'next_attempt_at = v.next_attempt_at, locked_until = v.locked_until', parked);
    return takeHeads(db, next, leaseUntil(leaseMs), at);
  });
}

/** The attempts, the deliveries' new states, and the endpoints disabled if an outcome says so. */
async function writeOutcomes(db: Executor, dialect: DispatchStore['dialect'], finished: Finished[], at: string): Promise<void> {
  const attempts = finished.flatMap((f) => (f.outcome.attempt ? [{ id: newId('webhook_attempt'), delivery_id: f.job.claim.deliveryId, ...f.outcome.attempt }] : []));
  for (const chunk of chunks(attempts, ATTEMPT_CHUNK)) await db.insertInto('webhook_attempts').values(chunk).execute();
  const rows = finished.map(({ job, outcome }) => ({
    id: job.claim.deliveryId,
    state: outcome.state,
    last_status: outcome.status,
    last_error: outcome.error,
    last_attempt_at: outcome.attempt?.attempted_at ?? at,
    attempts: outcome.attempt ? 1 : 0,
    next_attempt_at: outcome.retryAt ?? null,
    first_attempt_at: outcome.firstAttemptAt ?? null,
    updated_at: at,
  }));
  const d = 'webhook_deliveries';
  await updateFrom(
    db,
    dialect,
    d,
    ['id'],
    DELIVERY_COLUMNS,
    `state = v.state, last_status = v.last_status, last_error = v.last_error, last_attempt_at = v.last_attempt_at,
     attempt_count = ${d}.attempt_count + v.attempts, next_attempt_at = v.next_attempt_at,
     first_attempt_at = coalesce(v.first_attempt_at, ${d}.first_attempt_at), locked_until = null, updated_at = v.updated_at`,
    rows,
  );
  const disabled = new Map(finished.flatMap((f) => (f.outcome.disable ? [[f.job.claim.queue.endpoint_id, f.outcome.disable] as const] : [])));
  for (const [id, reason] of disabled) await db.updateTable('webhook_endpoints').set({ status: 'disabled', disabled_reason: reason, updated_at: at }).where('id', '=', id).execute();
}
