import { describe, expect, it } from 'vitest';
import { outcomeOf } from './outcomes.ts';
import { RETRY_WINDOW_MS, nextRetryAt } from './retry-policy.ts';

const delays = { baseMs: 1000, maxMs: 10_000 };
const attemptAt = (ms: number) => ({ attempted_at: new Date(ms).toISOString(), status: 500, error: 'HTTP 500', duration_ms: 3 });

describe('outcomeOf', () => {
  const fresh = { first_attempt_at: null, attempt_count: 0 };

  it('a 2xx succeeds', () => {
    const attempt = { ...attemptAt(Date.now()), status: 204, error: null };
    expect(outcomeOf({ status: 204, error: null }, attempt, fresh, delays)).toEqual({ state: 'succeeded', status: 204, error: null, attempt });
  });

  it('a 410 fails and disables the endpoint', () => {
    const attempt = { ...attemptAt(Date.now()), status: 410, error: 'HTTP 410' };
    expect(outcomeOf({ status: 410, error: 'HTTP 410' }, attempt, fresh, delays)).toMatchObject({ state: 'failed', status: 410, disable: 'gone' });
  });

  it('anything else is retried, the first attempt starting the window, Retry-After honoured when longer', () => {
    const start = Date.now();
    const attempt = attemptAt(start);
    const outcome = outcomeOf({ status: 503, error: 'HTTP 503', retryAfterMs: 60_000 }, attempt, fresh, delays);
    expect(outcome).toMatchObject({ state: 'pending', status: 503, error: 'HTTP 503', firstAttemptAt: attempt.attempted_at });
    expect(Date.parse(outcome.retryAt!) - start).toBeGreaterThanOrEqual(60_000);
  });

  it('fails once the retry window since the first attempt is over', () => {
    const first = new Date(Date.now() - RETRY_WINDOW_MS).toISOString();
    const outcome = outcomeOf({ status: null, error: 'timed out' }, attemptAt(Date.now()), { first_attempt_at: first, attempt_count: 40 }, delays);
    expect(outcome).toMatchObject({ state: 'failed', status: null, error: 'timed out' });
    expect(outcome.retryAt).toBeUndefined();
  });
});

describe('nextRetryAt', () => {
  it('waits the backoff of this attempt (±20%), capped', () => {
    const at = Date.parse('2030-01-01T00:00:00.000Z');
    const first = new Date(at).toISOString();
    const wait = (attempt: number) => Date.parse(nextRetryAt(first, attempt, undefined, delays, at)!) - at;
    expect(wait(1)).toBeGreaterThanOrEqual(800);
    expect(wait(1)).toBeLessThanOrEqual(1200);
    expect(wait(3)).toBeGreaterThanOrEqual(3200);
    expect(wait(3)).toBeLessThanOrEqual(4800);
    expect(wait(30)).toBeLessThanOrEqual(12_000);
  });
});
