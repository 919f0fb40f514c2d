import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit.ts';

describe('FailureLimiter', () => {
  it('blocks after max failures within the window, and lets go as they leave it', () => {
    const limiter = new FailureLimiter(3, 60_000);
    for (const t of [0, 10_000, 20_000]) {
      expect(limiter.blocked('a', t)).toBe(false);
      limiter.fail('a', t);
    }
    expect(limiter.blocked('a', 20_001)).toBe(true);
    expect(limiter.blocked('b', 20_001)).toBe(false);
    expect(limiter.blocked('a', 59_999)).toBe(true);
    expect(limiter.blocked('a', 60_000)).toBe(false); // the first failure has left the window
  });

  it('forgets the least recently failed addresses beyond its size', () => {
    const limiter = new FailureLimiter(1, 60_000, 2);
    limiter.fail('a', 0);
    limiter.fail('b', 1);
    limiter.fail('a', 2); // a is now the most recent
    limiter.fail('c', 3);
    expect(limiter.blocked('a', 4)).toBe(true);
    expect(limiter.blocked('b', 4)).toBe(false);
    expect(limiter.blocked('c', 4)).toBe(true);
  });
});
