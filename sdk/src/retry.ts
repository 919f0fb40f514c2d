/**
 * When a failed request is sent again, and after how long.
 *
 * - 429 is retried for every method: the server refused the request before doing anything.
 * - 5xx, time-outs and network failures are retried only for GET, PUT, PATCH and DELETE. Every PUT and PATCH
 *   of this API sets values (never increments), so repeating one lands in the same state. A POST whose outcome
 *   is unknown is never repeated: create would make a second object, `tokens.create` a second token,
 *   `rotate_secret` a second rotation (losing the secret of the first) and `resend` could answer 404 for a
 *   delivery the first attempt re-queued.
 * - The wait is `Retry-After` when the server sends one (seconds or an HTTP date), else exponential backoff
 *   with jitter. A `Retry-After` longer than MAX_RETRY_AFTER_MS is not waited out: the error is thrown with
 *   `retryAfterMs` so the caller decides.
 */
import { GuestlistError } from './errors.js';

export const BASE_DELAY_MS = 500;
export const MAX_DELAY_MS = 8_000;
export const MAX_RETRY_AFTER_MS = 60_000;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** `Retry-After` as milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Attempt n (1-based) waits between half and all of base·2^(n−1), capped: spread so clients do not retry in step. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** May this failure be retried at all, whatever the count? */
export function isRetryable(method: string, error: GuestlistError): boolean {
  if (error.status === 429) return true;
  if (!IDEMPOTENT.has(method)) return false;
  return error.status === undefined ? error.code === 'connection_error' || error.code === 'timeout' : RETRYABLE_STATUS.has(error.status);
}

/** How long to wait before retry number `attempt` (1-based), or undefined to give up and throw. */
export function retryDelay(method: string, error: GuestlistError, attempt: number, maxRetries: number): number | undefined {
  if (attempt > maxRetries || !isRetryable(method, error)) return undefined;
  if (error.retryAfterMs === undefined) return backoffMs(attempt);
  return error.retryAfterMs <= MAX_RETRY_AFTER_MS ? error.retryAfterMs : undefined;
}
