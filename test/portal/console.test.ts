/**
 * The operator console (docs/portal.md § Sessions and CSRF): sign-in with the API key or
 * GUESTLIST_ADMIN_PASSWORD, limited per address; the session cookie as a second way into the whole
 * management API, with CSRF on changes and `operator` as the audited actor.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { apiKeyVerifier } from '../../src/http/management/index.ts';
import { hashSecret } from '../../src/secrets.ts';
import { PUBLIC_URL, TEST_API_KEY, TEST_SECRET_KEY, createTestApp, createTestDatabase, type TestApp } from '../support/harness.ts';
import { as, auditEntries, consoleBrowser, createOrg, portalBrowser, setCookies, type Browser } from './support.ts';

const PASSWORD = 'correct horse battery staple';

let t: TestApp;
let operator: Browser;
beforeAll(async () => {
  t = await createTestApp({ GUESTLIST_ADMIN_PASSWORD: PASSWORD });
  operator = await consoleBrowser(t);
});
afterAll(() => t.close());

const login = (app: TestApp, payload: unknown, headers: Record<string, string> = {}, remoteAddress?: string) =>
  app.app.inject({
    method: 'POST',
    url: '/console/api/login',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    ...(remoteAddress ? { remoteAddress } : {}),
  });

async function setSession(browser: Browser, values: { last_seen_at?: string; expires_at?: string }) {
  await t.store.db.updateTable('sessions').set(values).where('id_hash', '=', hashSecret(browser.cookie.split('=')[1]!)).execute();
}

describe('sign-in', () => {
  it('with the API key: 200 console_session and an HttpOnly SameSite=Lax Secure cookie on / for 12 hours', async () => {
    const res = await login(t, { api_key: TEST_API_KEY });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ object: 'console_session', csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_at: expect.any(String) });
    expect(res.headers['cache-control']).toBe('no-store');
    const [cookie] = setCookies(res);
    expect(cookie).toMatch(/^guestlist_console=[A-Za-z0-9_-]{43}; /);
    expect(cookie!.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=43200', 'Path=/', 'SameSite=Lax', 'Secure']);
    const [entry] = await auditEntries(t, 'console.signed_in');
    expect(entry).toMatchObject({ actor: { type: 'operator', id: expect.stringMatching(/^session_/) }, organization_id: null, ip: '127.0.0.1' });
    expect(entry!.target).toEqual({ type: 'session', id: entry!.actor.id });
  });

  it('with GUESTLIST_ADMIN_PASSWORD', async () => {
    const res = await login(t, { password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const cookie = setCookies(res)[0]!.split(';')[0]!;
    expect((await t.app.inject({ method: 'GET', url: '/console/api/session', headers: { cookie } })).json()).toMatchObject({ object: 'console_session', csrf_token: res.json().csrf_token });
  });

  it('refuses wrong credentials with 401 invalid_credentials, each audited as console.sign_in_failed', async () => {
    const before = (await auditEntries(t, 'console.sign_in_failed')).length;
    for (const body of [{ api_key: 'sk_wrong_0123456789abcdefghijklmnop' }, { password: 'wrong password here' }, { api_key: '' }, { password: `${PASSWORD} ` }]) {
      const res = await login(t, body, {}, '10.0.0.1');
      expect(res.statusCode, JSON.stringify(body)).toBe(401);
      expect(res.json()).toEqual({ message: expect.any(String), code: 'invalid_credentials' });
      expect(setCookies(res)).toEqual([]);
    }
    const failed = await auditEntries(t, 'console.sign_in_failed');
    expect(failed.length - before).toBe(4);
    expect(failed[0]).toMatchObject({ actor: { type: 'operator' }, target: { type: 'session', id: null }, ip: '10.0.0.1' });
    expect(failed[0]!.actor).not.toHaveProperty('id');
  });

  it.each([
    ['both api_key and password', { api_key: TEST_API_KEY, password: PASSWORD }, 422],
    ['neither', {}, 422],
    ['a numeric key', { api_key: 5 }, 422],
    ['a 2000-character key', { api_key: 'k'.repeat(2000) }, 422],
    ['a NUL in the password', { password: 'a\u0000b' }, 400],
    ['not JSON', '{"api_key":', 400],
  ])('refuses %s with a 4xx {message, code}, not as a failed sign-in', async (_name, body, status) => {
    const res = await login(t, body, {}, '10.0.0.2');
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toMatchObject({ message: expect.any(String), code: expect.any(String) });
  });

  it('refuses a sign-in posted from another origin', async () => {
    const res = await login(t, { api_key: TEST_API_KEY }, { origin: 'https://evil.example' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'csrf_failed' });
    expect((await login(t, { api_key: TEST_API_KEY }, { origin: PUBLIC_URL })).statusCode).toBe(200);
  });

  it('answers 429 rate_limited after 10 failures a minute from one address, even to the right key; other addresses go on', async () => {
    const limited = await createTestApp();
    try {
      for (let i = 0; i < 10; i++) expect((await login(limited, { api_key: `sk_wrong_${i}_0123456789abcdefghij` }, {}, '192.0.2.7')).statusCode).toBe(401);
      const blocked = await login(limited, { api_key: TEST_API_KEY }, {}, '192.0.2.7');
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toEqual({ message: expect.any(String), code: 'rate_limited' });
      expect(blocked.headers['retry-after']).toBe('60');
      expect(setCookies(blocked)).toEqual([]);
      expect((await login(limited, { api_key: TEST_API_KEY }, {}, '192.0.2.8')).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('refuses a password when GUESTLIST_ADMIN_PASSWORD is unset', async () => {
    const plain = await createTestApp();
    try {
      for (const password of [PASSWORD, '', 'undefined']) {
        const res = await login(plain, { password });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ code: 'invalid_credentials', message: expect.stringContaining('GUESTLIST_ADMIN_PASSWORD') });
      }
      expect((await login(plain, { api_key: TEST_API_KEY })).statusCode).toBe(200);
    } finally {
      await plain.close();
    }
  });

  it('sets no Secure flag when the public URL is http', async () => {
    const local = await createTestApp({ GUESTLIST_PUBLIC_URL: 'http://localhost:8080' });
    try {
      const [cookie] = setCookies(await login(local, { api_key: TEST_API_KEY }));
      expect(cookie).toContain('HttpOnly');
      expect(cookie).not.toContain('Secure');
    } finally {
      await local.close();
    }
  });
});

describe('the session', () => {
  it('GET /console/api/session answers the session, or 401', async () => {
    const res = await as(t, operator, 'GET', '/console/api/session');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ object: 'console_session', csrf_token: operator.csrf });
    expect((await t.app.inject({ method: 'GET', url: '/console/api/session' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/console/api/session', headers: { cookie: `guestlist_console=${'A'.repeat(43)}` } })).statusCode).toBe(401);
  });

  it('a portal session is no console session, even with its secret in the console cookie', async () => {
    const org = await createOrg(t, 'Portal Org', []);
    const admin = await portalBrowser(t, org);
    const disguised = { cookie: `guestlist_console=${admin.cookie.split('=')[1]}`, csrf: admin.csrf };
    expect((await as(t, disguised, 'GET', '/console/api/session')).statusCode).toBe(401);
    expect((await as(t, disguised, 'GET', '/organizations')).statusCode).toBe(401);
  });

  it('ends after 60 idle minutes, and 12 hours after it started', async () => {
    const idle = await consoleBrowser(t);
    await setSession(idle, { last_seen_at: new Date(Date.now() - 61 * 60_000).toISOString() });
    expect((await as(t, idle, 'GET', '/organizations')).statusCode).toBe(401);
    const old = await consoleBrowser(t);
    const [row] = await t.store.db.selectFrom('sessions').select(['created_at', 'expires_at']).where('id_hash', '=', hashSecret(old.cookie.split('=')[1]!)).execute();
    expect(Date.parse(row!.expires_at) - Date.parse(row!.created_at)).toBe(12 * 3_600_000);
    await setSession(old, { expires_at: new Date(Date.now() - 1).toISOString() });
    expect((await as(t, old, 'GET', '/organizations')).statusCode).toBe(401);
  });

  it('ends when the API key or the admin password changes, and survives a restart with the same ones', async () => {
    const db = await createTestDatabase();
    const OTHER_KEY = 'sk_test_another_key_0123456789abcdef';
    const start = (env: Record<string, string>, key = TEST_API_KEY) =>
      buildApp({ config: loadConfig({ GUESTLIST_PUBLIC_URL: PUBLIC_URL, ...env }), store: db.store, logger: pino({ level: 'silent' }), secretKey: TEST_SECRET_KEY, apiKeys: apiKeyVerifier([hashSecret(key)]) });
    const apps = [await start({ GUESTLIST_ADMIN_PASSWORD: PASSWORD }), await start({ GUESTLIST_ADMIN_PASSWORD: PASSWORD }), await start({ GUESTLIST_ADMIN_PASSWORD: `${PASSWORD}!` }), await start({ GUESTLIST_ADMIN_PASSWORD: PASSWORD }, OTHER_KEY), await start({})];
    try {
      const signedIn = await apps[0]!.inject({ method: 'POST', url: '/console/api/login', payload: { password: PASSWORD } });
      const cookie = setCookies(signedIn)[0]!.split(';')[0]!;
      const statuses = await Promise.all(apps.map(async (app) => (await app.inject({ method: 'GET', url: '/organizations', headers: { cookie } })).statusCode));
      expect(statuses).toEqual([200, 200, 401, 401, 401]);
    } finally {
      for (const app of apps) await app.close();
      await db.drop();
    }
  });

  it('logout: 204, the cookie cleared on /, the session over', async () => {
    const browser = await consoleBrowser(t);
    expect((await as(t, browser, 'POST', '/console/api/logout', undefined, { csrf: false })).statusCode).toBe(403);
    const res = await as(t, browser, 'POST', '/console/api/logout');
    expect(res.statusCode).toBe(204);
    expect(setCookies(res)[0]).toMatch(/^guestlist_console=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax; Secure$/);
    expect((await as(t, browser, 'GET', '/organizations')).statusCode).toBe(401);
    expect((await auditEntries(t, 'console.signed_out'))[0]).toMatchObject({ actor: { type: 'operator' }, target: { type: 'session' } });
  });
});

describe('the management API through the console session', () => {
  it('reads without a CSRF token', async () => {
    const res = await as(t, operator, 'GET', '/organizations', undefined, { csrf: false });
    expect(res.statusCode).toBe(200);
    expect(res.json().object).toBe('list');
    expect((await as(t, operator, 'GET', '/audit_logs', undefined, { csrf: false })).statusCode).toBe(200);
  });

  it('refuses changes without the token, with a wrong one or from another origin (403 csrf_failed), before reading the body', async () => {
    const before = (await t.api('GET', '/organizations?limit=100')).json().data.length;
    const attempts: [string, Parameters<typeof as>[5], unknown][] = [
      ['no token', { csrf: false }, { name: 'X' }],
      ['a wrong token', { csrf: false, headers: { 'x-csrf-token': `${operator.csrf.slice(0, -1)}x` } }, { name: 'X' }],
      ['another origin', { headers: { origin: 'https://evil.example' } }, { name: 'X' }],
      ['no token and a broken body', { csrf: false }, '{"name":'],
    ];
    for (const [name, options, body] of attempts) {
      const res = await as(t, operator, 'POST', '/organizations', body, options);
      expect(res.statusCode, name).toBe(403);
      expect(res.json()).toEqual({ message: expect.any(String), code: 'csrf_failed' });
    }
    expect((await t.api('GET', '/organizations?limit=100')).json().data.length).toBe(before);
  });

  it('changes with the token, each audited with the operator as actor', async () => {
    const created = await as(t, operator, 'POST', '/organizations', { name: 'Console Org' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await as(t, operator, 'PUT', `/organizations/${id}`, { name: 'Console Org 2' })).statusCode).toBe(200);
    const dir = await as(t, operator, 'POST', '/directories', { organization_id: id, type: 'okta scim v2.0' });
    expect(dir.statusCode).toBe(201);
    expect((await as(t, operator, 'DELETE', `/directories/${dir.json().id}`)).statusCode).toBe(204);
    expect((await as(t, operator, 'DELETE', `/organizations/${id}`)).statusCode).toBe(204);
    const session = (await auditEntries(t, 'console.signed_in')).at(-1)!.actor.id;
    const entries = (await t.api('GET', `/audit_logs?organization_id=${id}`)).json().data;
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['organization.deleted', 'directory.deleted', 'directory.created', 'organization.updated', 'organization.created']);
    for (const e of entries) expect(e.actor, e.action).toEqual({ type: 'operator', id: session });
  });

  it('judges a request with an Authorization header by it alone, as before', async () => {
    const wrong = await as(t, operator, 'GET', '/organizations', undefined, { headers: { authorization: 'Bearer sk_wrong_0123456789abcdefghijkl' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ message: 'Invalid API key.', code: 'unauthorized' });
    const empty = await as(t, operator, 'GET', '/organizations', undefined, { headers: { authorization: '' } });
    expect(empty.statusCode).toBe(401);
    const keyed = await as(t, operator, 'POST', '/organizations', { name: 'Keyed' }, { csrf: false, headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    expect(keyed.statusCode).toBe(201);
    const [entry] = await auditEntries(t, 'organization.created');
    expect(entry).toMatchObject({ actor: { type: 'api_key' }, target: { id: keyed.json().id } });
    expect(entry!.actor).not.toHaveProperty('id');
  });

  it('answers 401 to a request with neither key nor session, as before', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/organizations', headers: { cookie: 'other=1' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ message: 'Missing API key: send Authorization: Bearer <GUESTLIST_API_KEY>.', code: 'unauthorized' });
  });
});
