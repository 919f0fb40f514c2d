/**
 * Outcomes of a send: what an attempt's answer means for its delivery (succeeded, pending until a retry, or
 * failed, perhaps disabling the endpoint), and recording it together with the queue moving on.
 */
import { newId } from '../ids.ts';
import { now } from '../store/codec.ts';
import type { Executor, WebhookDeliveriesTable } from '../store/db.ts';
import { continueRun, holdsLease, type Claim } from './claims.ts';
import type { Posted } from './post-event.ts';
import { setQueue, type DispatchStore } from './queues.ts';
import { nextRetryAt, type RetryDelays } from './retry-policy.ts';
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

/**
 * Records an attempt's outcome and moves the queue on, in one transaction; returns the queue's next delivery
 * when it is due and this run may go on (`mayContinue`). The queue row is locked first, so a concurrent
 * fan-out adding to this queue either commits before (and its deliveries are seen here) or waits and then
 * marks the queue due itself: a queue is never left idle with deliveries in it.
 */
export function recordOutcome(store: DispatchStore, claim: Claim, outcome: Outcome, mayContinue: boolean, leaseMs: number): Promise<Claim | undefined> {
  const at = now();
  return store.db.transaction().execute(async (db) => {
    const ours = await holdsLease(db, store.dialect, claim);
    await writeOutcome(db, claim, outcome, at);
    // Another worker took the queue over after our lease ran out: it moves the queue on, not us.
    if (!ours) return undefined;
    if (outcome.retryAt) {
      await setQueue(db, claim.queue, { next_attempt_at: outcome.retryAt, locked_until: null });
      return undefined;
    }
    return continueRun(db, claim.queue, at, mayContinue && !outcome.disable, leaseMs);
  });
}

/** The attempt, the delivery's new state, and the endpoint disabled if the outcome says so. */
async function writeOutcome(db: Executor, claim: Claim, outcome: Outcome, at: string): Promise<void> {
  if (outcome.attempt) await db.insertInto('webhook_attempts').values({ id: newId('webhook_attempt'), delivery_id: claim.deliveryId, ...outcome.attempt }).execute();
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      state: outcome.state,
      last_status: outcome.status,
      last_error: outcome.error,
      last_attempt_at: outcome.attempt?.attempted_at ?? at,
      attempt_count: outcome.attempt ? eb('attempt_count', '+', 1) : eb.ref('attempt_count'),
      next_attempt_at: outcome.retryAt ?? null,
      ...(outcome.firstAttemptAt ? { first_attempt_at: outcome.firstAttemptAt } : {}),
      locked_until: null,
      updated_at: at,
    }))
    .where('id', '=', claim.deliveryId)
    .execute();
  if (outcome.disable) await db.updateTable('webhook_endpoints').set({ status: 'disabled', disabled_reason: outcome.disable, updated_at: at }).where('id', '=', claim.queue.endpoint_id).execute();
}
