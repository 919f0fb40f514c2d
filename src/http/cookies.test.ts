import { describe, expect, it } from 'vitest';
import { readCookie, secureCookies } from './cookies.ts';

describe('readCookie', () => {
  it.each([
    ['guestlist_console=abc', 'abc'],
    ['a=1; guestlist_console=abc; b=2', 'abc'],
    ['a=1;guestlist_console=abc', 'abc'],
    ['guestlist_console="abc"', 'abc'],
    ['guestlist_console=abc; guestlist_console=def', 'abc'],
    ['guestlist_console=', ''],
    ['xguestlist_console=abc', undefined],
    ['guestlist_consolex=abc', undefined],
    ['guestlist_console', undefined],
    ['=abc', undefined],
    ['', undefined],
  ])('%s → %s', (header, value) => {
    expect(readCookie(header, 'guestlist_console')).toBe(value);
  });

  it('reads no header as no cookie', () => {
    expect(readCookie(undefined, 'x')).toBeUndefined();
  });
});

describe('secureCookies', () => {
  it('is on for an https public URL only', () => {
    expect(secureCookies('https://sync.example.com')).toBe(true);
    expect(secureCookies('http://localhost:8080')).toBe(false);
  });
});
