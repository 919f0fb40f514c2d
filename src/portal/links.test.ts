import { describe, expect, it } from 'vitest';
import type { LinkRecord } from '../store/portal.ts';
import { linkProblem, redirectUrlProblem } from './links.ts';

const link = (over: Partial<LinkRecord>): LinkRecord => ({
  id: 'portal_link_x',
  organization_id: 'org_x',
  kind: 'setup',
  return_url: null,
  success_url: null,
  expires_at: '2026-01-01T00:05:00.000Z',
  used_at: null,
  revoked_at: null,
  created_at: '2026-01-01T00:00:00.000Z',
  ...over,
});
const at = (iso: string) => new Date(iso);

describe('linkProblem', () => {
  it('opens a fresh link until it expires', () => {
    expect(linkProblem(link({}), at('2026-01-01T00:04:59.999Z'))).toBeUndefined();
    expect(linkProblem(link({}), at('2026-01-01T00:05:00.000Z'))).toBe('expired');
  });
  it('opens a setup link once, an invite many times', () => {
    expect(linkProblem(link({ used_at: '2026-01-01T00:01:00.000Z' }), at('2026-01-01T00:02:00.000Z'))).toBe('used');
    expect(linkProblem(link({ kind: 'invite', used_at: '2026-01-01T00:01:00.000Z' }), at('2026-01-01T00:02:00.000Z'))).toBeUndefined();
  });
  it('refuses a revoked link first', () => {
    expect(linkProblem(link({ kind: 'invite', revoked_at: '2026-01-01T00:01:00.000Z' }), at('2026-01-01T00:09:00.000Z'))).toBe('revoked');
  });
});

describe('redirectUrlProblem', () => {
  it.each([
    ['https://app.example.com/settings?x=1', undefined],
    ['http://localhost:3000/', undefined],
    ['/settings', 'must be an absolute URL'],
    ['//evil.example/', 'must be an absolute URL'],
    ['javascript:alert(1)', 'must be an http or https URL'],
    ['data:text/html,hi', 'must be an http or https URL'],
    ['https://user:pw@app.example.com/', 'must not carry credentials'],
  ])('%s: %s', (url, problem) => {
    expect(redirectUrlProblem(url)).toBe(problem);
  });
});
