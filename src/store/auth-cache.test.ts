import { describe, expect, it } from 'vitest';
import { AuthCache } from './auth-cache.ts';

describe('AuthCache', () => {
  it('keeps an authentication for its TTL, then reads the database again', () => {
    let now = 0;
    const cache = new AuthCache<string>(1000, 10, () => now);
    cache.set('d1', 'h1', 'ok');
    expect(cache.get('d1', 'h1')).toBe('ok');
    expect(cache.get('d1', 'h2')).toBeUndefined();
    now = 999;
    expect(cache.get('d1', 'h1')).toBe('ok');
    now = 1000;
    expect(cache.get('d1', 'h1')).toBeUndefined();
  });

  it('forgets every token of a directory at once, and only that directory', () => {
    const cache = new AuthCache<string>(1000, 10);
    cache.set('d1', 'h1', 'a');
    cache.set('d1', 'h2', 'b');
    cache.set('d2', 'h1', 'c');
    cache.forget('d1');
    expect(cache.get('d1', 'h1')).toBeUndefined();
    expect(cache.get('d1', 'h2')).toBeUndefined();
    expect(cache.get('d2', 'h1')).toBe('c');
  });

  it('never holds more than its capacity, and a TTL of 0 keeps nothing', () => {
    const cache = new AuthCache<number>(1000, 3);
    for (let i = 0; i < 10; i++) cache.set(`d${i}`, 'h', i);
    const held = Array.from({ length: 10 }, (_, i) => cache.get(`d${i}`, 'h')).filter((v) => v !== undefined);
    expect(held.length).toBeLessThanOrEqual(3);
    expect(cache.get('d9', 'h')).toBe(9);
    const off = new AuthCache<number>(0, 3);
    off.set('d', 'h', 1);
    expect(off.get('d', 'h')).toBeUndefined();
  });
});
