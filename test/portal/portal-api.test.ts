/**
 * The portal's API (docs/portal.md § Portal API, § Sessions and CSRF): one organization per session, 404 for
 * anything outside it; sessions end when idle, at their absolute end and on logout; every change needs the
 * CSRF token and an allowed Origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, createTestApp, type TestApp } from '../support/harness.ts';
import { as, auditEntries, createOrg, open, portalBrowser, setCookies, setupLink, type Browser } from './support.ts';

let t: TestApp;
let org: string;
let other: string;
let admin: Browser;
beforeAll(async () => {
  t = await createTestApp();
  org = await createOrg(t, 'Acme', ['acme.com', 'acme.io']);
  other = await createOrg(t, 'Other', ['other.com']);
  admin = await portalBrowser(t, org);
});
afterAll(() => t.close());

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

/** Sets columns of the session behind a browser's cookie (its id hash is the only way to it). */
async function ageSession(browser: Browser, values: { last_seen_at?: string; expires_at?: string }) {
  const { hashSecret } = await import('../../src/secrets.ts');
  const secret = browser.cookie.split('=')[1]!;
  await t.store.db.updateTable('sessions').set(values).where('id_hash', '=', hashSecret(secret)).execute();
}

describe('the session', () => {
  it('GET /portal/api/session: the organization, the CSRF token, the expiry and the link’s URLs', async () => {
    const link = await setupLink(t, org, { return_url: 'https://app.example.com/back', success_url: 'https://app.example.com/done' });
    const res = await open(t, link);
    const cookie = setCookies(res)[0]!.split(';')[0]!;
    const session = await t.app.inject({ method: 'GET', url: '/portal/api/session', headers: { cookie } });
    expect(session.statusCode).toBe(200);
    expect(session.headers['cache-control']).toBe('no-store');
    const body = session.json();
    expect(body).toEqual({
      object: 'portal_session',
      organization: { id: org, name: 'Acme', domains: ['acme.com', 'acme.io'] },
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expires_at: expect.any(String),
      return_url: 'https://app.example.com/back',
      success_url: 'https://app.example.com/done',
      features: { google_consent: false },
    });
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(7.9 * 3_600_000);
    expect(Date.parse(body.expires_at) - Date.now()).toBeLessThanOrEqual(8 * 3_600_000);
  });

  it('an invite session has no return or success URL', async () => {
    const invite = (await t.api('POST', '/portal/invites', { organization: org })).json();
    const cookie = setCookies(await open(t, invite.link))[0]!.split(';')[0]!;
    const session = (await t.app.inject({ method: 'GET', url: '/portal/api/session', headers: { cookie } })).json();
    expect(session).toMatchObject({ return_url: null, success_url: null });
  });

  it.each([
    ['no cookie', {}],
    ['an unknown secret', { cookie: `guestlist_portal=${'A'.repeat(43)}` }],
    ['a tampered secret', { cookie: 'TAMPER' }],
    ['a malformed secret', { cookie: 'guestlist_portal=../../etc' }],
    ['an empty value', { cookie: 'guestlist_portal=' }],
    ['the console cookie', { cookie: 'CONSOLE' }],
    ['an API key', { authorization: 'Bearer sk_test_0123456789abcdefghijklmnop' }],
  ])('answers 401 {message, code:"unauthorized"} to %s', async (_name, headers: Record<string, string>) => {
    const secret = admin.cookie.split('=')[1]!;
    const tampered = `guestlist_portal=${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const { consoleBrowser } = await import('./support.ts');
    const cookie = headers.cookie === 'TAMPER' ? tampered : headers.cookie === 'CONSOLE' ? (await consoleBrowser(t)).cookie : headers.cookie;
    for (const url of ['/portal/api/session', '/portal/api/directories']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { ...headers, ...(cookie ? { cookie } : {}) } });
      expect(res.statusCode, url).toBe(401);
      expect(res.json()).toEqual({ message: expect.any(String), code: 'unauthorized' });
    }
  });

  it('ends after 60 idle minutes', async () => {
    const browser = await portalBrowser(t, org);
    await ageSession(browser, { last_seen_at: new Date(Date.now() - 59 * 60_000).toISOString() });
    expect((await as(t, browser, 'GET', '/portal/api/session')).statusCode).toBe(200);
    // That request restarted the idle clock; an hour without one ends the session.
    await ageSession(browser, { last_seen_at: new Date(Date.now() - 61 * 60_000).toISOString() });
    expect((await as(t, browser, 'GET', '/portal/api/session')).statusCode).toBe(401);
  });

  it('ends 8 hours after it started, however busy', async () => {
    const browser = await portalBrowser(t, org);
    await ageSession(browser, { expires_at: new Date(Date.now() + 1000).toISOString() });
    expect((await as(t, browser, 'GET', '/portal/api/session')).statusCode).toBe(200);
    await ageSession(browser, { expires_at: hoursAgo(0.001) });
    expect((await as(t, browser, 'GET', '/portal/api/session')).statusCode).toBe(401);
  });

  it('logout: 204, the cookie cleared, the session over, the audit entry written', async () => {
    const browser = await portalBrowser(t, org);
    const res = await as(t, browser, 'POST', '/portal/api/logout');
    expect(res.statusCode).toBe(204);
    const [cleared] = setCookies(res);
    expect(cleared).toMatch(/^guestlist_portal=; /);
    expect(cleared).toContain('Max-Age=0');
    expect(cleared).toContain('Path=/portal');
    expect((await as(t, browser, 'GET', '/portal/api/session')).statusCode).toBe(401);
    const [entry] = await auditEntries(t, 'portal.session.ended');
    expect(entry).toMatchObject({ actor: { type: 'portal', id: expect.stringMatching(/^session_/) }, organization_id: org });
    expect(entry!.target).toEqual({ type: 'session', id: entry!.actor.id });
  });
});

describe('CSRF', () => {
  it('refuses a change without the token, with a wrong one, or from another origin: 403 csrf_failed', async () => {
    const cases: [string, Parameters<typeof as>[5]][] = [
      ['no token', { csrf: false }],
      ['a wrong token', { csrf: false, headers: { 'x-csrf-token': 'A'.repeat(43) } }],
      ['an empty token', { csrf: false, headers: { 'x-csrf-token': '' } }],
      ['another origin', { headers: { origin: 'https://evil.example' } }],
      ['a look-alike origin', { headers: { origin: 'https://guestlist.example.com.evil.example' } }],
      ['the public host over another scheme and port', { headers: { origin: 'https://guestlist.example.com:8443' } }],
      ['origin null', { headers: { origin: 'null' } }],
    ];
    for (const [name, options] of cases) {
      const res = await as(t, admin, 'POST', '/portal/api/directories', { type: 'okta scim v2.0' }, options);
      expect(res.statusCode, name).toBe(403);
      expect(res.json(), name).toEqual({ message: expect.any(String), code: 'csrf_failed' });
    }
    const logout = await as(t, admin, 'POST', '/portal/api/logout', undefined, { csrf: false });
    expect(logout.statusCode).toBe(403);
    // Nothing was made, and the session lives on.
    expect((await as(t, admin, 'GET', '/portal/api/directories')).json().data).toEqual([]);
  });

  it('lets a change through with the token, from the public origin or the request’s own host', async () => {
    const fromPublic = await as(t, admin, 'POST', '/portal/api/directories', { type: 'okta scim v2.0' }, { headers: { origin: PUBLIC_URL } });
    expect(fromPublic.statusCode, fromPublic.body).toBe(201);
    const fromHost = await as(t, admin, 'POST', '/portal/api/directories', { type: 'okta scim v2.0' }, { headers: { origin: 'http://internal:8080', host: 'internal:8080' } });
    expect(fromHost.statusCode, fromHost.body).toBe(201);
    for (const dir of [fromPublic.json(), fromHost.json()]) expect((await as(t, admin, 'DELETE', `/portal/api/directories/${dir.id}`)).statusCode).toBe(202);
  });

  it('needs no token to read', async () => {
    expect((await as(t, admin, 'GET', '/portal/api/directories', undefined, { csrf: false, headers: { origin: 'https://evil.example' } })).statusCode).toBe(200);
  });
});

describe('directories', () => {
  let dirId: string;

  it('creates a directory: 201, the PortalDirectory and its bearer token, shown once', async () => {
    const res = await as(t, admin, 'POST', '/portal/api/directories', { type: 'azure scim v2.0', name: 'Entra' });
    expect(res.statusCode, res.body).toBe(201);
    const dir = res.json();
    dirId = dir.id;
    expect(dir).toMatchObject({
      object: 'directory',
      organization_id: org,
      type: 'azure scim v2.0',
      state: 'unlinked',
      name: 'Entra',
      scim_base_url: `${PUBLIC_URL}/scim/v2/${dir.id}?aadOptscim062020`,
      metadata: { users: { active: 0, inactive: 0 }, groups: 0 },
      bearer_token: expect.stringMatching(/^gl_scim_/),
      last_request_at: null,
      last_sync_at: null,
    });
    expect(dir.tokens).toEqual([{ id: dir.bearer_token_id, token_suffix: dir.bearer_token.slice(-4), created_at: expect.any(String), last_used_at: null }]);
    const read = await as(t, admin, 'GET', `/portal/api/directories/${dir.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).not.toHaveProperty('bearer_token');
    expect(read.body).not.toContain(dir.bearer_token);
    // The token works at the SCIM endpoint, as one made through the management API does.
    expect((await t.scim('GET', `/scim/v2/${dir.id}/Users`, dir.bearer_token)).statusCode).toBe(200);
    const [entry] = await auditEntries(t, 'directory.created');
    expect(entry).toMatchObject({ actor: { type: 'portal' }, target: { type: 'directory', id: dir.id }, organization_id: org });
  });

  it("shows the directory's SCIM requests and the times of its last request and last sync", async () => {
    const dir = (await as(t, admin, 'POST', '/portal/api/directories', { type: 'okta scim v2.0', name: 'Logged' })).json();
    const scim = (method: string, path: string, body?: unknown, token = dir.bearer_token) =>
      t.scim(method, `/scim/v2/${dir.id}${path}`, token, body, body === undefined ? {} : { 'content-type': 'application/scim+json' });
    expect((await scim('GET', '/Users?filter=userName%20eq%20%22ana@acme.com%22')).statusCode).toBe(200);
    const read = async () => (await as(t, admin, 'GET', `/portal/api/directories/${dir.id}`)).json();
    await t.app.scimRequestLog.flush();
    const afterRead = await read();
    expect(afterRead.last_request_at).toEqual(expect.any(String));
    expect(afterRead.last_sync_at).toBeNull();
    await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ana@acme.com', password: 'Pa55-word!' });
    await scim('GET', '/Users', undefined, 'gl_scim_wrong');
    await t.app.scimRequestLog.flush();
    expect((await read()).last_sync_at).toEqual(expect.any(String));

    const log = await as(t, admin, 'GET', `/portal/api/directories/${dir.id}/scim_requests`);
    expect(log.statusCode, log.body).toBe(200);
    const entries = log.json().data;
    expect(entries.map((e: { method: string; status: number }) => `${e.method} ${e.status}`)).toEqual(['GET 401', 'POST 201', 'GET 200']);
    expect(entries[1].request_body).toMatchObject({ userName: 'ana@acme.com', password: '[REDACTED]' });
    const errors = (await as(t, admin, 'GET', `/portal/api/directories/${dir.id}/scim_requests?status=4xx`)).json().data;
    expect(errors).toHaveLength(1);
    expect((await as(t, admin, 'GET', `/portal/api/directories/${dir.id}/scim_requests?status=teapot`)).statusCode).toBe(422);
    await as(t, admin, 'DELETE', `/portal/api/directories/${dir.id}`);
  });

  it("does not show another organization's request log", async () => {
    const theirs = (await t.api('POST', '/directories', { organization_id: other, type: 'okta scim v2.0' })).json();
    const res = await as(t, admin, 'GET', `/portal/api/directories/${theirs.id}/scim_requests`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('names a directory after the organization and the IdP by default; non-Entra URLs carry no flag', async () => {
    const dir = (await as(t, admin, 'POST', '/portal/api/directories', { type: 'okta scim v2.0' })).json();
    expect(dir).toMatchObject({ name: 'Acme Okta', domain: 'acme.com', scim_base_url: `${PUBLIC_URL}/scim/v2/${dir.id}` });
    await as(t, admin, 'DELETE', `/portal/api/directories/${dir.id}`);
  });

  it.each([
    ['an unknown type', { type: 'okta' }, 422],
    ['no type', {}, 422],
    ['a blank name', { type: 'okta scim v2.0', name: '' }, 422],
    ['a 300-character name', { type: 'okta scim v2.0', name: 'n'.repeat(300) }, 422],
    ['a numeric type', { type: 5 }, 422],
    ['a NUL in the name', { type: 'okta scim v2.0', name: 'a\u0000b' }, 400],
    ['a lone surrogate in the name', { type: 'okta scim v2.0', name: 'a\ud800b' }, 400],
    ['a 100 kB type', { type: 'x'.repeat(100_000) }, 422],
    ['not JSON', '{"type":', 400],
    ['an array', [], 422],
  ])('refuses %s with a 4xx {message, code}', async (_name, body, status) => {
    const res = await as(t, admin, 'POST', '/portal/api/directories', body);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toMatchObject({ message: expect.any(String), code: expect.any(String) });
  });

  it('lists only the organization’s directories', async () => {
    const theirs = (await t.api('POST', '/directories', { organization_id: other, type: 'okta scim v2.0' })).json();
    const list = await as(t, admin, 'GET', '/portal/api/directories');
    expect(list.statusCode).toBe(200);
    expect(list.json().object).toBe('list');
    const ids = list.json().data.map((d: { id: string }) => d.id);
    expect(ids).toContain(dirId);
    expect(ids).not.toContain(theirs.id);
    for (const d of list.json().data) expect(d.organization_id).toBe(org);
  });

  it('answers 404 for another organization’s directory, on every route, and changes nothing', async () => {
    const theirs = (await t.api('POST', '/directories', { organization_id: other, type: 'okta scim v2.0' })).json();
    const attempts: [string, string][] = [
      ['GET', `/portal/api/directories/${theirs.id}`],
      ['DELETE', `/portal/api/directories/${theirs.id}`],
      ['POST', `/portal/api/directories/${theirs.id}/tokens`],
      ['DELETE', `/portal/api/directories/${theirs.id}/tokens/${theirs.bearer_token_id}`],
    ];
    for (const [method, url] of attempts) {
      const res = await as(t, admin, method, url);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toMatchObject({ code: 'entity_not_found' });
    }
    const still = (await t.api('GET', `/directories/${theirs.id}/tokens`)).json().data;
    expect(still).toEqual([expect.objectContaining({ id: theirs.bearer_token_id, state: 'active' })]);
  });

  it('answers 404 for unknown and malformed ids', async () => {
    for (const id of ['directory_01J00000000000000000000000', 'nope', 'a%00b', '%F0%9F%98%80', 'x'.repeat(90)]) {
      const res = await as(t, admin, 'GET', `/portal/api/directories/${id}`);
      expect(res.statusCode, id.slice(0, 30)).toBe(404);
      expect(res.json()).toMatchObject({ code: 'entity_not_found' });
    }
  });

  it('tokens: a second one (201, shown once), 409 token_limit at three, revoke (200), all audited', async () => {
    const second = await as(t, admin, 'POST', `/portal/api/directories/${dirId}/tokens`);
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json()).toMatchObject({ object: 'directory_token', id: expect.stringMatching(/^directory_token_/), token: expect.stringMatching(/^gl_scim_/), token_suffix: expect.any(String), created_at: expect.any(String) });
    const third = await as(t, admin, 'POST', `/portal/api/directories/${dirId}/tokens`);
    expect(third.statusCode).toBe(409);
    expect(third.json()).toMatchObject({ code: 'token_limit', message: expect.any(String) });
    const revoked = await as(t, admin, 'DELETE', `/portal/api/directories/${dirId}/tokens/${second.json().id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ object: 'directory_token', id: second.json().id, state: 'revoked', revoked_at: expect.any(String) });
    expect((await t.scim('GET', `/scim/v2/${dirId}/Users`, second.json().token)).statusCode).toBe(401);
    const dir = (await as(t, admin, 'GET', `/portal/api/directories/${dirId}`)).json();
    expect(dir.tokens.map((tk: { id: string }) => tk.id)).not.toContain(second.json().id);
    expect((await as(t, admin, 'DELETE', `/portal/api/directories/${dirId}/tokens/directory_token_nope`)).statusCode).toBe(404);
    expect((await auditEntries(t, 'directory_token.created'))[0]).toMatchObject({ actor: { type: 'portal' }, target: { type: 'directory_token', id: second.json().id }, organization_id: org });
    expect((await auditEntries(t, 'directory_token.revoked'))[0]).toMatchObject({ actor: { type: 'portal' }, target: { type: 'directory_token', id: second.json().id }, organization_id: org });
  });

  it('disconnect: 202, the directory deleted with dsync.deleted, audited', async () => {
    const res = await as(t, admin, 'DELETE', `/portal/api/directories/${dirId}`);
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    expect((await t.api('GET', `/directories/${dirId}`)).statusCode).toBe(404);
    const events = (await t.api('GET', `/events?directory_id=${dirId}&events=dsync.deleted`)).json().data;
    expect(events).toHaveLength(1);
    expect((await as(t, admin, 'DELETE', `/portal/api/directories/${dirId}`)).statusCode).toBe(404);
    expect((await auditEntries(t, 'directory.deleted'))[0]).toMatchObject({ actor: { type: 'portal' }, target: { type: 'directory', id: dirId }, organization_id: org });
  });
});
