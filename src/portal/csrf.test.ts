import { describe, expect, it } from 'vitest';
import { csrfProblem, csrfToken, originAllowed, tokensEqual } from './csrf.ts';

const PUBLIC = 'https://sync.example.com';
const KEY = 'k'.repeat(32);

describe('csrfToken', () => {
  it('is fixed per session secret and key, and differs across either', () => {
    const a = csrfToken(KEY, 'secret-a');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfToken(KEY, 'secret-a')).toBe(a);
    expect(csrfToken(KEY, 'secret-b')).not.toBe(a);
    expect(csrfToken('j'.repeat(32), 'secret-a')).not.toBe(a);
  });
});

describe('tokensEqual', () => {
  it('matches only the same token, whatever the lengths', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('abc', '')).toBe(false);
    expect(tokensEqual('abc', undefined)).toBe(false);
  });
});

describe('originAllowed', () => {
  it.each([
    [undefined, 'any', true],
    ['https://sync.example.com', 'other', true],
    ['https://SYNC.example.com:443', 'other', true],
    ['http://sync.example.com', 'other', false],
    ['https://sync.example.com:8443', 'other', false],
    ['https://sync.example.com.evil.test', 'other', false],
    ['http://10.0.0.5:8080', '10.0.0.5:8080', true],
    ['http://10.0.0.5:8081', '10.0.0.5:8080', false],
    ['null', 'null', false],
    ['not a url', 'sync.example.com', false],
    ['file:///etc/passwd', '', false],
  ])('Origin %s with Host %s: %s', (origin, host, allowed) => {
    expect(originAllowed(origin, PUBLIC, host)).toBe(allowed);
  });
});

describe('csrfProblem', () => {
  const request = { origin: undefined, host: 'sync.example.com', token: 'good' };
  it('lets safe methods through', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) expect(csrfProblem({ ...request, method, token: undefined, origin: 'https://evil.test' }, 'good', PUBLIC)).toBeUndefined();
  });
  it('needs the token and an allowed origin on every other method', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND']) {
      expect(csrfProblem({ ...request, method }, 'good', PUBLIC)).toBeUndefined();
      expect(csrfProblem({ ...request, method, token: undefined }, 'good', PUBLIC)).toMatch(/X-CSRF-Token/);
      expect(csrfProblem({ ...request, method, token: 'bad' }, 'good', PUBLIC)).toMatch(/X-CSRF-Token/);
      expect(csrfProblem({ ...request, method, origin: 'https://evil.test' }, 'good', PUBLIC)).toMatch(/origin/);
    }
  });
});
