/**
 * Google Workspace by admin consent (API.md §8, docs/sources.md): the portal sends a super admin to Google's
 * consent screen for the operator's OAuth client with the three read-only directory scopes; Google sends them
 * back with a code, exchanged once for a refresh token, which becomes the directory's connection.
 *
 * `state` ties the round trip to one directory and one portal session for ten minutes: an HMAC over both (a key
 * derived from GUESTLIST_SECRET_KEY for this purpose alone), so a callback carrying another session's state, a
 * changed directory or an old state is refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey } from '../events/crypto.ts';
import { GOOGLE_SCOPES, SourceAuthError, SourceUnavailableError } from './connectors/index.ts';
import type { GoogleConsentConnection } from './connection.ts';

const PURPOSE = 'guestlist/google-consent-state/v1';
const STATE_TTL_MS = 10 * 60_000;

export interface ConsentState {
  directoryId: string;
  sessionId: string;
  expiresAt: number;
}

const mac = (payload: string, secretKey: string) => createHmac('sha256', deriveKey(secretKey, PURPOSE)).update(payload).digest('base64url');

export function signState(state: Omit<ConsentState, 'expiresAt'>, secretKey: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ d: state.directoryId, s: state.sessionId, e: now + STATE_TTL_MS })).toString('base64url');
  return `${payload}.${mac(payload, secretKey)}`;
}

/** The state's directory, if it is ours, unchanged, unexpired and of this session; else undefined. */
export function verifyState(state: string, sessionId: string, secretKey: string, now = Date.now()): string | undefined {
  const [payload, given, extra] = state.split('.');
  if (!payload || !given || extra !== undefined || given.length > 64) return undefined;
  const expected = Buffer.from(mac(payload, secretKey));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  try {
    const { d, s, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { d?: unknown; s?: unknown; e?: unknown };
    if (typeof d !== 'string' || s !== sessionId || typeof e !== 'number' || e < now) return undefined;
    return d;
  } catch {
    return undefined;
  }
}

export interface ConsentClient {
  id: string;
  secret: string;
}

/** Google's consent screen for this directory: offline access (a refresh token), consent asked every time. */
export function authorizationUrl(authUrl: string, client: ConsentClient, redirectUri: string, state: string): string {
  const url = new URL(authUrl);
  url.search = new URLSearchParams({
    client_id: client.id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: GOOGLE_SCOPES.join(' '),
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'false',
    state,
  }).toString();
  return url.toString();
}

/** Exchanges the code Google sent back for the connection (its refresh token). */
export async function exchangeCode(tokenUrl: string, client: ConsentClient, redirectUri: string, code: string, fetchFn: typeof fetch = fetch): Promise<GoogleConsentConnection> {
  let res: Response;
  try {
    res = await fetchFn(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: client.id, client_secret: client.secret, redirect_uri: redirectUri }).toString(),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new SourceUnavailableError(`Google's token endpoint could not be reached: ${(error as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { refresh_token?: unknown; scope?: unknown; error?: unknown; error_description?: unknown };
  if (res.status >= 500) throw new SourceUnavailableError(`Google's token endpoint answered ${res.status}.`);
  if (!res.ok || typeof body.refresh_token !== 'string') {
    const why = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : `status ${res.status}, no refresh token`;
    throw new SourceAuthError(`Google refused the consent: ${why}`);
  }
  const granted = typeof body.scope === 'string' ? body.scope : GOOGLE_SCOPES.join(' ');
  const missing = GOOGLE_SCOPES.filter((s) => !granted.split(/\s+/).includes(s));
  if (missing.length > 0) throw new SourceAuthError(`The consent did not grant ${missing.join(', ')}: every box on Google's consent screen must stay ticked.`);
  return { kind: 'oauth', refresh_token: body.refresh_token, granted_scopes: granted };
}
