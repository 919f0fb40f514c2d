/**
 * When webhook deliveries are tried again, and the time limits around a send: failures retry with exponential
 * backoff and jitter, honouring Retry-After, for three days from the first attempt.
 */

/** How long a failing delivery is retried, from its first attempt, before it is marked failed. */
export const RETRY_WINDOW_MS = 3 * 24 * 3600 * 1000;
/** How long a claimed queue stays leased to one worker; a worker that dies mid-send loses it after this. */
export const LEASE_MS = 60_000;
/** How long a receiver may take to answer. */
export const TIMEOUT_MS = 10_000;
/** Backoff: 5 s, doubling, at most an hour. */
export const BASE_DELAY_MS = 5_000;
export const MAX_DELAY_MS = 3_600_000;

export interface RetryDelays {
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff with ±20% jitter: base·2^(n−1), capped. */
export function backoff(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, at = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - at);
}

/**
 * When to try a delivery again after its `attempt`-th attempt failed: after the backoff, or later if the
 * receiver asked for longer; undefined once the retry window since its first attempt is over.
 */
export function nextRetryAt(firstAttemptAt: string, attempt: number, askedMs: number | undefined, delays: RetryDelays, at = Date.now()): string | undefined {
  if (at - Date.parse(firstAttemptAt) >= RETRY_WINDOW_MS) return undefined;
  const wait = Math.max(backoff(attempt, delays.baseMs, delays.maxMs), askedMs ?? 0);
  return new Date(at + wait).toISOString();
}

/** The end of a lease taken now. */
export function leaseUntil(leaseMs: number): string {
  return new Date(Date.now() + leaseMs).toISOString();
}
