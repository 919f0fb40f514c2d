/**
 * Browser sessions of the portal (an IT admin, one organization) and the console (the operator). The cookie
 * carries a random 32-byte secret; the database holds its SHA-256 only. A session ends when idle too long,
 * at its absolute end, on logout, or (portal) when the invite that started it is revoked.
 */
import { newId } from '../ids.ts';
import { hashSecret, randomSecret } from '../secrets.ts';
import type { Executor } from '../store/db.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import * as rows from '../store/portal.ts';
import type { SessionKind, SessionRecord } from '../store/portal.ts';
import { systemClock, type Clock } from './clock.ts';
import { csrfToken } from './csrf.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const SESSION_POLICIES: Record<SessionKind, { idleMs: number; absoluteMs: number }> = {
  portal: { idleMs: 60 * MINUTE, absoluteMs: 8 * HOUR },
  console: { idleMs: 60 * MINUTE, absoluteMs: 12 * HOUR },
};

/** `last_seen_at` is written at most this often: idleness is measured in minutes, requests come by the second. */
export const TOUCH_EVERY_MS = MINUTE;

/** 32 random bytes, base64url: the only form a session secret takes. Anything else is not looked up. */
const SECRET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export const isSessionSecret = (value: string | undefined): value is string => value !== undefined && SECRET_FORMAT.test(value);

/** Whether a console session was started under the credentials in force (portal sessions hang on their link instead). */
export const credentialsCurrent = (session: SessionRecord, epoch: string | null) => session.kind !== 'console' || session.credential_epoch === epoch;

/** Whether the session may still be used at `at`. */
export function sessionLive(session: SessionRecord, at: Date): boolean {
  const now = at.getTime();
  const idle = now - Date.parse(session.last_seen_at) >= SESSION_POLICIES[session.kind].idleMs;
  return session.ended_at === null && now < Date.parse(session.expires_at) && !idle;
}

export const needsTouch = (session: SessionRecord, at: Date) => at.getTime() - Date.parse(session.last_seen_at) >= TOUCH_EVERY_MS;

/** A session as a request sees it: its row, and the CSRF token its page must send. */
export interface ActiveSession extends SessionRecord {
  csrf_token: string;
}

export interface NewSession {
  session: ActiveSession;
  /** The cookie's value: shown to the browser once, never stored. */
  secret: string;
}

export interface SessionOptions {
  clock?: Clock;
  /** The console's credential digest (credentials.ts): console sessions started under another one are over. */
  credentialEpoch?: string;
}

export class Sessions {
  private readonly clock: Clock;
  private readonly epoch: string | null;

  constructor(
    private readonly store: KyselyStore,
    private readonly secretKey: string,
    options: SessionOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.epoch = options.credentialEpoch ?? null;
  }

  /** Starts a session; `db` is the transaction that opened its link, if any. */
  async start(kind: SessionKind, scope: { organization_id?: string; link_id?: string }, db: Executor = this.store.db): Promise<NewSession> {
    const at = this.clock();
    const secret = randomSecret('');
    const record: SessionRecord = {
      id: newId('session'),
      kind,
      organization_id: scope.organization_id ?? null,
      link_id: scope.link_id ?? null,
      created_at: at.toISOString(),
      last_seen_at: at.toISOString(),
      expires_at: new Date(at.getTime() + SESSION_POLICIES[kind].absoluteMs).toISOString(),
      ended_at: null,
      credential_epoch: kind === 'console' ? this.epoch : null,
    };
    await rows.insertSession(db, { ...record, id_hash: hashSecret(secret) });
    return { session: this.active(record, secret), secret };
  }

  /** The live session the cookie's secret names, its idle clock restarted; undefined otherwise. */
  async authenticate(kind: SessionKind, secret: string | undefined): Promise<ActiveSession | undefined> {
    if (!isSessionSecret(secret)) return undefined;
    const session = await rows.findSession(this.store.db, hashSecret(secret), kind);
    const at = this.clock();
    if (!session || !sessionLive(session, at) || !credentialsCurrent(session, this.epoch)) return undefined;
    if (needsTouch(session, at)) await rows.touchSession(this.store.db, session.id, at.toISOString());
    return this.active(session, secret);
  }

  async end(id: string): Promise<void> {
    await rows.endSession(this.store.db, id, this.clock().toISOString());
  }

  /** Drops sessions that ended for good a day ago (a day's grace keeps the recent ones for inspection). */
  async prune(): Promise<void> {
    await rows.pruneSessions(this.store.db, new Date(this.clock().getTime() - 24 * HOUR).toISOString());
  }

  private active(session: SessionRecord, secret: string): ActiveSession {
    return { ...session, csrf_token: csrfToken(this.secretKey, secret) };
  }
}
