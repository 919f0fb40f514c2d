import { describe, expect, it } from 'vitest';
import { abortableSleep, backoff, parseRetryAfter, requestJson, resolveHttp, classifyByStatus } from './http.ts';
import { SourceAuthError, SourceResponseError, SourceUnavailableError } from './types.ts';

describe('the connectors\' retrying request', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    const http = { ...resolveHttp({ baseDelayMs: 1000, maxDelayMs: 8000 }) };
    http.random = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((a) => backoff(http, a))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    http.random = () => 0;
    expect([1, 2, 3].map((a) => backoff(http, a))).toEqual([500, 1000, 2000]);
  });

  it('classifies: auth at once, other at once, transient retried', async () => {
    const delays: number[] = [];
    const http = resolveHttp({ sleep: async (ms) => void delays.push(ms), maxAttempts: 3 });
    const answer = (status: number) => async () => new Response('nope', { status });
    await expect(requestJson(http, 'x', answer(401), classifyByStatus)).rejects.toBeInstanceOf(SourceAuthError);
    await expect(requestJson(http, 'x', answer(400), classifyByStatus)).rejects.toBeInstanceOf(SourceResponseError);
    expect(delays).toEqual([]);
    await expect(requestJson(http, 'x', answer(502), classifyByStatus)).rejects.toBeInstanceOf(SourceUnavailableError);
    expect(delays).toHaveLength(2);
  });

  it('the default sleep ends early, rejecting, when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = abortableSleep(10_000, controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 10);
    await expect(sleeping).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a maxAttempts below 1', () => {
    expect(() => resolveHttp({ maxAttempts: 0 })).toThrow(RangeError);
  });
});
