/**
 * Portal links (docs/portal.md § Links): generate_link and invites through the management API, and what
 * opening one does — a session cookie and `303 /portal/`, or `303 /portal/?error=link_invalid` and no cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/secrets.ts';
import { PUBLIC_URL, createTestApp, type TestApp } from '../support/harness.ts';
import { as, auditEntries, cookieOf, createOrg, open, portalBrowser, setCookies, setupLink, tokenOf } from './support.ts';

let t: TestApp;
let org: string;
beforeAll(async () => {
  t = await createTestApp();
  org = await createOrg(t);
});
afterAll(() => t.close());

const INVALID = '/portal/?error=link_invalid';

function expectRefused(res: Awaited<ReturnType<typeof open>>) {
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe(INVALID);
  expect(setCookies(res)).toEqual([]);
}

describe('POST /portal/generate_link', () => {
  it('answers 201 {link} under the public URL; only the token hash is stored', async () => {
    const res = await t.api('POST', '/portal/generate_link', { organization: org, intent: 'dsync', return_url: 'https://app.example.com/back', success_url: 'http://localhost:3000/done' });
    expect(res.statusCode).toBe(201);
    expect(Object.keys(res.json())).toEqual(['link']);
    const token = tokenOf(res.json().link);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await t.store.db.selectFrom('portal_links').selectAll().where('token_hash', '=', hashSecret(token)).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ organization_id: org, kind: 'setup', return_url: 'https://app.example.com/back', success_url: 'http://localhost:3000/done', used_at: null });
    expect(row.id).toMatch(/^portal_link_/);
    expect(JSON.stringify(row)).not.toContain(token);
    const ttl = Date.parse(row.expires_at) - Date.parse(row.created_at);
    expect(ttl).toBe(5 * 60_000);
  });

  it.each([
    ['an unknown organization', { organization: 'org_01J00000000000000000000000', intent: 'dsync' }, 'organization', 'not_found'],
    ['no organization', { intent: 'dsync' }, 'organization', 'required'],
    ['another intent', { organization: 'ORG', intent: 'sso' }, 'intent', 'invalid'],
    ['a relative return_url', { organization: 'ORG', intent: 'dsync', return_url: '/settings' }, 'return_url', 'invalid'],
    ['a javascript: success_url', { organization: 'ORG', intent: 'dsync', success_url: 'javascript:alert(1)' }, 'success_url', 'invalid'],
    ['a return_url with credentials', { organization: 'ORG', intent: 'dsync', return_url: 'https://u:p@app.example.com/' }, 'return_url', 'invalid'],
    ['a 3000-character return_url', { organization: 'ORG', intent: 'dsync', return_url: `https://a.example/${'x'.repeat(3000)}` }, 'return_url', 'invalid'],
    ['a numeric organization', { organization: 7, intent: 'dsync' }, 'organization', 'invalid'],
    ['a 100 kB organization id', { organization: 'o'.repeat(100_000), intent: 'dsync' }, 'organization', 'invalid'],
  ])('refuses %s with 422 naming the field', async (_name, body, field, code) => {
    const res = await t.api('POST', '/portal/generate_link', JSON.parse(JSON.stringify(body).replace('"ORG"', JSON.stringify(org))));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ code: 'validation_error', message: expect.any(String) });
    expect(res.json().errors[0]).toMatchObject({ field, code });
  });

  it('takes a request without intent as dsync (WorkOS Node SDK 11 may omit it)', async () => {
    const res = await t.api('POST', '/portal/generate_link', { organization: org });
    expect(res.statusCode).toBe(201);
    expect((await open(t, res.json().link)).headers.location).toBe('/portal/');
  });

  it('refuses a NUL in the organization id with 400, and bad JSON with 400', async () => {
    const nul = await t.api('POST', '/portal/generate_link', { organization: 'org_\u0000', intent: 'dsync' });
    expect(nul.statusCode).toBe(400);
    expect(nul.json()).toMatchObject({ code: 'invalid_request' });
    const bad = await t.api('POST', '/portal/generate_link', '{"organization":');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalid_json' });
  });

  it('needs the API key', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/portal/generate_link', payload: { organization: org, intent: 'dsync' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('GET /portal/link/{token}', () => {
  it('starts a session: 303 /portal/, an HttpOnly SameSite=Lax Secure cookie on /portal, no-store, no referrer', async () => {
    const res = await open(t, await setupLink(t, org));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/portal/');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const [cookie] = setCookies(res);
    expect(cookie).toMatch(/^guestlist_portal=[A-Za-z0-9_-]{43}; /);
    const attributes = cookie!.split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/portal', 'HttpOnly', 'SameSite=Lax', 'Secure', 'Max-Age=28800']));
    // The cookie's secret is stored as a hash only.
    const secret = cookieOf(res).split('=')[1]!;
    const session = await t.store.db.selectFrom('sessions').selectAll().where('id_hash', '=', hashSecret(secret)).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ kind: 'portal', organization_id: org, ended_at: null });
    expect(JSON.stringify(session)).not.toContain(secret);
  });

  it('opens a setup link once: the second open is refused', async () => {
    const link = await setupLink(t, org);
    expect((await open(t, link)).statusCode).toBe(303);
    expectRefused(await open(t, link));
  });

  it('opens a setup link once when many open it at the same time', async () => {
    const link = await setupLink(t, org);
    const results = await Promise.all(Array.from({ length: 12 }, () => open(t, link)));
    const opened = results.filter((r) => r.headers.location === '/portal/');
    expect(opened).toHaveLength(1);
    for (const r of results.filter((r) => r !== opened[0])) expectRefused(r);
    const token = tokenOf(link);
    const row = await t.store.db.selectFrom('portal_links').select('id').where('token_hash', '=', hashSecret(token)).executeTakeFirstOrThrow();
    const sessions = await t.store.db.selectFrom('sessions').select('id').where('link_id', '=', row.id).execute();
    expect(sessions).toHaveLength(1);
  });

  it('refuses an expired setup link', async () => {
    const link = await setupLink(t, org);
    await t.store.db.updateTable('portal_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('token_hash', '=', hashSecret(tokenOf(link))).execute();
    expectRefused(await open(t, link));
  });

  it('does not use a setup link up on HEAD (link checkers)', async () => {
    const link = await setupLink(t, org);
    const head = await t.app.inject({ method: 'HEAD', url: new URL(link).pathname });
    expect(head.statusCode).toBe(404);
    expect((await open(t, link)).headers.location).toBe('/portal/');
  });

  it.each([
    ['unknown', 'A'.repeat(43)],
    ['too short', 'abc'],
    ['too long', 'A'.repeat(99)],
    ['with a NUL', `${'A'.repeat(42)}%00`],
    ['with a quote', `${'A'.repeat(42)}%22`],
  ])('refuses an %s token without a cookie', async (_name, token) => {
    expectRefused(await t.app.inject({ method: 'GET', url: `/portal/link/${token}` }));
  });

  it("answers a path past the router's longest parameter with 404 {message, code}, and no cookie", async () => {
    // Too long for `:token`, it falls to the pages' wildcard, which leaves /portal/link/ paths alone.
    const res = await t.app.inject({ method: 'GET', url: `/portal/link/${'A'.repeat(5000)}` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ message: expect.any(String), code: 'not_found' });
    expect(setCookies(res)).toEqual([]);
  });

  it('records portal.session.started with the link as target', async () => {
    const link = await setupLink(t, org);
    const res = await open(t, link, { 'user-agent': 'Mozilla/5.0 test' });
    const [entry] = await auditEntries(t, 'portal.session.started');
    expect(entry).toMatchObject({
      object: 'audit_log',
      actor: { type: 'portal', id: expect.stringMatching(/^session_/) },
      target: { type: 'portal_link', id: expect.stringMatching(/^portal_link_/) },
      organization_id: org,
      ip: '127.0.0.1',
      user_agent: 'Mozilla/5.0 test',
    });
    expect(res.statusCode).toBe(303);
    const generated = await auditEntries(t, 'portal.link.generated');
    expect(generated[0]).toMatchObject({ actor: { type: 'api_key' }, target: { type: 'organization', id: org }, organization_id: org });
  });
});

describe('invites', () => {
  it('creates an invite (default 30 days) whose link opens the portal many times', async () => {
    const res = await t.api('POST', '/portal/invites', { organization: org });
    expect(res.statusCode).toBe(201);
    const invite = res.json();
    expect(invite).toMatchObject({ object: 'portal_invite', organization_id: org, revoked_at: null, link: expect.stringContaining(`${PUBLIC_URL}/portal/link/`) });
    expect(invite.id).toMatch(/^portal_invite_/);
    expect(Math.round((Date.parse(invite.expires_at) - Date.parse(invite.created_at)) / 86_400_000)).toBe(30);
    for (let i = 0; i < 3; i++) expect((await open(t, invite.link)).headers.location).toBe('/portal/');
    const [entry] = await auditEntries(t, 'portal.session.started');
    expect(entry).toMatchObject({ target: { type: 'portal_invite', id: invite.id } });
  });

  it('takes expires_in_days from 1 to 90', async () => {
    const week = (await t.api('POST', '/portal/invites', { organization: org, expires_in_days: 7 })).json();
    expect(Math.round((Date.parse(week.expires_at) - Date.parse(week.created_at)) / 86_400_000)).toBe(7);
    for (const days of [0, 91, 1.5, '7', null]) {
      const res = await t.api('POST', '/portal/invites', { organization: org, expires_in_days: days });
      expect(res.statusCode, String(days)).toBe(422);
      expect(res.json().errors[0]).toMatchObject({ field: 'expires_in_days' });
    }
    const unknown = await t.api('POST', '/portal/invites', { organization: 'org_nope' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0]).toMatchObject({ field: 'organization', code: 'not_found' });
  });

  it('lists invites newest first without their links, by organization, with cursors', async () => {
    const other = await createOrg(t, 'Other', []);
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await t.api('POST', '/portal/invites', { organization: other })).json());
    const list = (await t.api('GET', `/portal/invites?organization_id=${other}`)).json();
    expect(list.object).toBe('list');
    expect(list.data.map((i: { id: string }) => i.id)).toEqual(made.map((i) => i.id).reverse());
    expect(list.data[0]).not.toHaveProperty('link');
    expect(JSON.stringify(list)).not.toContain(tokenOf(made[0].link));
    const page = (await t.api('GET', `/portal/invites?organization_id=${other}&limit=2`)).json();
    expect(page.data).toHaveLength(2);
    const next = (await t.api('GET', `/portal/invites?organization_id=${other}&limit=2&after=${page.list_metadata.after}`)).json();
    expect(next.data.map((i: { id: string }) => i.id)).toEqual([made[0].id]);
    expect((await t.api('GET', '/portal/invites?limit=0')).statusCode).toBe(422);
  });

  it('revoking ends the sessions it started and refuses the link; revoking again keeps the first time', async () => {
    const invite = (await t.api('POST', '/portal/invites', { organization: org })).json();
    const cookie = cookieOf(await open(t, invite.link));
    expect((await t.app.inject({ method: 'GET', url: '/portal/api/session', headers: { cookie } })).statusCode).toBe(200);
    const revoked = await t.api('DELETE', `/portal/invites/${invite.id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: invite.id, revoked_at: expect.any(String) });
    expect(revoked.json()).not.toHaveProperty('link');
    expect((await t.app.inject({ method: 'GET', url: '/portal/api/session', headers: { cookie } })).statusCode).toBe(401);
    expectRefused(await open(t, invite.link));
    const again = await t.api('DELETE', `/portal/invites/${invite.id}`);
    expect(again.json().revoked_at).toBe(revoked.json().revoked_at);
    const [entry] = await auditEntries(t, 'portal.invite.revoked');
    expect(entry).toMatchObject({ actor: { type: 'api_key' }, target: { type: 'portal_invite', id: invite.id }, organization_id: org });
  });

  it('refuses an expired invite', async () => {
    const invite = (await t.api('POST', '/portal/invites', { organization: org })).json();
    await t.store.db.updateTable('portal_links').set({ expires_at: new Date(Date.now() - 1).toISOString() }).where('id', '=', invite.id).execute();
    expectRefused(await open(t, invite.link));
  });

  it('revokes only invites: 404 for an unknown id, a setup link or garbage', async () => {
    const setup = await t.store.db.selectFrom('portal_links').select('id').where('kind', '=', 'setup').executeTakeFirstOrThrow();
    for (const id of ['portal_invite_01J00000000000000000000000', setup.id, 'x'.repeat(90), 'a%00b']) {
      const res = await t.api('DELETE', `/portal/invites/${id}`);
      expect(res.statusCode, id.slice(0, 40)).toBe(404);
      expect(res.json()).toMatchObject({ code: 'entity_not_found' });
    }
    // Past Fastify's longest path parameter: 414, in the same shape.
    const long = await t.api('DELETE', `/portal/invites/${'x'.repeat(5000)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ code: 'bad_request', message: expect.any(String) });
  });
});

describe('deleting the organization', () => {
  it('takes its links and sessions with it, and keeps its audit entries', async () => {
    const gone = await createOrg(t, 'Gone', []);
    const browser = await portalBrowser(t, gone);
    const invite = (await t.api('POST', '/portal/invites', { organization: gone })).json();
    expect((await t.api('DELETE', `/organizations/${gone}`)).statusCode).toBe(204);
    expect((await as(t, browser, 'GET', '/portal/api/session')).statusCode).toBe(401);
    expectRefused(await open(t, invite.link));
    expect(await t.store.db.selectFrom('portal_links').select('id').where('organization_id', '=', gone).execute()).toEqual([]);
    expect(await t.store.db.selectFrom('sessions').select('id').where('organization_id', '=', gone).execute()).toEqual([]);
    const history = (await t.api('GET', `/audit_logs?organization_id=${gone}&limit=100`)).json().data.map((e: { action: string }) => e.action);
    expect(history).toEqual(['organization.deleted', 'portal.invite.created', 'portal.session.started', 'portal.link.generated', 'organization.created']);
  });
});
