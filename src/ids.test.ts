import { describe, expect, it } from 'vitest';
import { isId, newId, ulid } from './ids.ts';

describe('ids', () => {
  it('are prefixed 26-character ULIDs', () => {
    const id = newId('directory');
    expect(id).toMatch(/^directory_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId(id, 'directory')).toBe(true);
    expect(isId(id, 'org')).toBe(false);
    expect(isId('directory_user_' + id.slice(10), 'directory')).toBe(false);
  });

  it('strictly increase within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => ulid(Date.now()));
    const sorted = [...ids].sort();
    expect(new Set(ids).size).toBe(1000);
    expect(ids).toEqual(sorted);
  });

  it('sort by time across milliseconds', () => {
    // Later than any id made so far in this process, so the clock is not held back by monotonicity.
    const a = ulid(Date.now() + 10_000);
    const b = ulid(Date.now() + 20_000);
    expect(a < b).toBe(true);
    expect(a.slice(0, 10) < b.slice(0, 10)).toBe(true);
  });
});
