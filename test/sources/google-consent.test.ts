/**
 * Google Workspace by admin consent in the portal, against the fake Google (which issues an authorization code
 * on consent and exchanges it once, for its redirect URI, for a refresh token), on both databases: the consent
 * URL, the callback storing the connection and syncing, and what is refused: another session's or a tampered
 * state, a code used twice, a declined consent, and no OAuth client configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleFake, type GoogleFake } from '../fakes/google.ts';
import { as, createOrg, portalBrowser, type Browser } from '../portal/support.ts';
import { PUBLIC_URL, createTestApp, type TestApp } from '../support/harness.ts';

const SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
];
let google: GoogleFake;
let t: TestApp;
let admin: Browser;
let other: Browser;
let dirId: string;

beforeAll(async () => {
  google = await startGoogleFake();
  t = await createTestApp({
    GUESTLIST_GOOGLE_API_URL: google.url,
    GUESTLIST_GOOGLE_TOKEN_URL: google.tokenUrl,
    GUESTLIST_GOOGLE_AUTH_URL: 'https://accounts.google.example/o/oauth2/v2/auth',
    GUESTLIST_GOOGLE_CLIENT_ID: google.oauth.clientId,
    GUESTLIST_GOOGLE_CLIENT_SECRET: google.oauth.clientSecret,
  });
  google.data.addUser({ primaryEmail: 'ada@example.com', name: { givenName: 'Ada', familyName: 'Lovelace' } });
  const org = await createOrg(t, 'Example', ['example.com']);
  admin = await portalBrowser(t, org);
  other = await portalBrowser(t, org);
  const created = await as(t, admin, 'POST', '/portal/api/directories', { type: 'gsuite directory' });
  expect(created.statusCode, created.body).toBe(201);
  dirId = created.json().id;
});
afterAll(async () => {
  await t?.close();
  await google?.close();
});

const callback = (browser: Browser, query: Record<string, string>) =>
  t.app.inject({ method: 'GET', url: `/portal/google/callback?${new URLSearchParams(query)}`, headers: { cookie: browser.cookie } });

async function authorize(browser: Browser): Promise<URL> {
  const res = await as(t, browser, 'GET', `/portal/api/directories/${dirId}/google/authorize`);
  expect(res.statusCode, res.body).toBe(200);
  return new URL(res.json().url);
}

describe('Google admin consent', () => {
  it('the portal says consent is available, and gives Google\'s consent URL for the operator\'s client', async () => {
    expect((await as(t, admin, 'GET', '/portal/api/session')).json().features).toEqual({ google_consent: true });
    const url = await authorize(admin);
    expect(url.origin + url.pathname).toBe('https://accounts.google.example/o/oauth2/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: google.oauth.clientId,
      redirect_uri: `${PUBLIC_URL}/portal/google/callback`,
      response_type: 'code',
      access_type: 'offline',
      prompt: 'consent',
      scope: SCOPES.join(' '),
    });
  });

  it('refuses a state from another session, a tampered one, and a declined consent', async () => {
    const url = await authorize(admin);
    const state = url.searchParams.get('state')!;
    const code = google.consent(url.searchParams.get('redirect_uri')!, SCOPES);
    const foreign = await callback(other, { state, code });
    expect(foreign.statusCode).toBe(303);
    expect(foreign.headers.location).toBe('/portal/?error=consent_invalid');
    const [payload, mac] = state.split('.');
    const tampered = await callback(admin, { state: `${payload}x.${mac}`, code });
    expect(tampered.headers.location).toBe('/portal/?error=consent_invalid');
    const declined = await callback(admin, { state, error: 'access_denied' });
    expect(declined.headers.location).toBe(`/portal/directories/${dirId}?google=declined`);
    expect((await as(t, admin, 'GET', `/portal/api/directories/${dirId}/connection`)).json().configured).toBe(false);
  });

  it('the callback stores the connection (never its token) and the first sync reads the directory', async () => {
    const url = await authorize(admin);
    const code = google.consent(url.searchParams.get('redirect_uri')!, SCOPES);
    const res = await callback(admin, { state: url.searchParams.get('state')!, code });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/portal/directories/${dirId}?google=connected`);
    const connection = (await as(t, admin, 'GET', `/portal/api/directories/${dirId}/connection`)).json();
    expect(connection).toMatchObject({ configured: true, summary: { method: 'oauth_consent' } });
    expect(JSON.stringify(connection)).not.toContain(google.oauth.refreshToken);
    await t.app.directorySyncs.settle();
    const [sync] = (await as(t, admin, 'GET', `/portal/api/directories/${dirId}/syncs`)).json().data;
    expect(sync.state, sync.error).toBe('succeeded');
    const users = (await t.api('GET', `/directory_users?directory=${dirId}`)).json().data.map((u: any) => u.email);
    expect(users).toContain('ada@example.com');
    // The code is spent: the same callback again is refused by Google, and the connection stays.
    const again = await callback(admin, { state: url.searchParams.get('state')!, code });
    expect(again.headers.location).toBe(`/portal/directories/${dirId}?google=refused`);
  });

  it('a revoked consent marks the directory invalid_credentials and deletes nothing', async () => {
    google.faults.revokeGrant();
    await as(t, admin, 'POST', `/portal/api/directories/${dirId}/sync`);
    await t.app.directorySyncs.settle();
    expect((await t.api('GET', `/directories/${dirId}`)).json().state).toBe('invalid_credentials');
    expect((await t.api('GET', `/directory_users?directory=${dirId}`)).json().data.length).toBeGreaterThan(0);
    google.faults.restoreGrant();
  });

  it('without an OAuth client configured there is no consent to ask for', async () => {
    const plain = await createTestApp();
    try {
      const org = await createOrg(plain, 'Plain', ['plain.com']);
      const browser = await portalBrowser(plain, org);
      const dir = (await as(plain, browser, 'POST', '/portal/api/directories', { type: 'gsuite directory' })).json();
      expect((await as(plain, browser, 'GET', '/portal/api/session')).json().features).toEqual({ google_consent: false });
      const res = await as(plain, browser, 'GET', `/portal/api/directories/${dir.id}/google/authorize`);
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('consent_not_configured');
    } finally {
      await plain.close();
    }
  });
});
