import { describe, expect, it } from 'vitest';
import { idFloor, isId, newId, printableId, ulid } from './ids.ts';

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

describe('isId', () => {
  const id = newId('directory_user');

  it('accepts only our ids of that kind', () => {
    expect(isId(id, 'directory_user')).toBe(true);
    expect(isId(id, 'directory_group')).toBe(false);
    expect(isId(id.toLowerCase(), 'directory_user')).toBe(false);
    expect(isId(`${id}A`, 'directory_user')).toBe(false);
    expect(isId(id.slice(0, -1), 'directory_user')).toBe(false);
    expect(isId(`${id.slice(0, -1)}U`, 'directory_user')).toBe(false);
  });

  it('refuses NUL, control characters, lone surrogates, absurd lengths and non-strings', () => {
    for (const bad of ['\u0000', `${id.slice(0, -1)}\u0000`, `${id.slice(0, -1)}\u0001`, `${id.slice(0, -1)}\uD800`, id.repeat(400), 'x'.repeat(10_000), '', 'directory_user_']) {
      expect(isId(bad, 'directory_user')).toBe(false);
    }
    expect(isId(undefined, 'directory_user')).toBe(false);
    expect(isId(42, 'directory_user')).toBe(false);
  });

  it('quotes a would-be id printably and briefly', () => {
    expect(printableId('a\u0000b\uD800')).toBe('a?b?');
    expect(printableId('x'.repeat(10_000))).toBe(`${'x'.repeat(64)}…`);
    expect(printableId(id)).toBe(id);
  });
});

describe('idFloor', () => {
  it('sorts below every id made at or after its time, and above every id made before', () => {
    const at = Date.now() + 30_000;
    const floor = idFloor('scim_request', at);
    expect(`scim_request_${ulid(at - 1_000)}` < floor).toBe(true);
    expect(`scim_request_${ulid(at + 1_000)}` > floor).toBe(true);
    expect(floor).toMatch(/^scim_request_[0-9A-Z]{10}0{16}$/);
    expect(isId(floor, 'scim_request')).toBe(true);
  });
});
