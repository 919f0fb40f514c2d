import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../store/portal.ts';
import { SESSION_POLICIES, credentialsCurrent, isSessionSecret, needsTouch, sessionLive } from './sessions.ts';

const START = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(START + minutes * 60_000);

function session(kind: 'portal' | 'console', lastSeenMinutes = 0, ended: string | null = null): SessionRecord {
  return {
    id: 'session_x',
    kind,
    organization_id: null,
    link_id: null,
    created_at: at(0).toISOString(),
    last_seen_at: at(lastSeenMinutes).toISOString(),
    expires_at: new Date(START + SESSION_POLICIES[kind].absoluteMs).toISOString(),
    ended_at: ended,
    credential_epoch: kind === 'console' ? 'epoch-1' : null,
  };
}

describe('sessionLive', () => {
  it('ends 60 idle minutes after the last request', () => {
    expect(sessionLive(session('portal'), at(59))).toBe(true);
    expect(sessionLive(session('portal'), at(60))).toBe(false);
    expect(sessionLive(session('portal', 100), at(159))).toBe(true);
  });

  it('ends at the absolute end however recent the last request: 8 hours (portal), 12 hours (console)', () => {
    expect(sessionLive(session('portal', 479), at(479))).toBe(true);
    expect(sessionLive(session('portal', 480), at(480))).toBe(false);
    expect(sessionLive(session('console', 480), at(480))).toBe(true);
    expect(sessionLive(session('console', 720), at(720))).toBe(false);
  });

  it('ends when ended', () => {
    expect(sessionLive(session('console', 0, at(1).toISOString()), at(2))).toBe(false);
  });
});

describe('credentialsCurrent', () => {
  it('ends console sessions started under other credentials; portal sessions do not depend on them', () => {
    expect(credentialsCurrent(session('console'), 'epoch-1')).toBe(true);
    expect(credentialsCurrent(session('console'), 'epoch-2')).toBe(false);
    expect(credentialsCurrent(session('console'), null)).toBe(false);
    expect(credentialsCurrent(session('portal'), 'epoch-2')).toBe(true);
  });
});

describe('needsTouch', () => {
  it('writes last_seen_at at most once a minute', () => {
    expect(needsTouch(session('portal', 10), at(10.5))).toBe(false);
    expect(needsTouch(session('portal', 10), at(11))).toBe(true);
  });
});

describe('isSessionSecret', () => {
  it('takes only 43 base64url characters', () => {
    expect(isSessionSecret('A'.repeat(43))).toBe(true);
    for (const value of [undefined, '', 'A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}=`, `${'A'.repeat(42)}\u0000`]) expect(isSessionSecret(value)).toBe(false);
  });
});
