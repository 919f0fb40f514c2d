/**
 * The audit log: every change declares its action (checked over every route the app serves), entries are
 * written after a 2xx and only then, a failed write never fails the change, and `GET /audit_logs` pages them
 * newest first with its filters.
 */
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { auditDeclarations, auditRoutes } from '../../src/http/audit.ts';
import { apiKeyVerifier } from '../../src/http/management/index.ts';
import { hashSecret } from '../../src/secrets.ts';
import { PUBLIC_URL, TEST_API_KEY, TEST_SECRET_KEY, createTestApp, createTestDatabase, type TestApp } from '../support/harness.ts';
import { auditEntries, createOrg } from './support.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const MUTATING = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** `METHOD /path` of every route served, read from printRoutes' tree (as test/http/openapi.test.ts does). */
function servedRoutes(app: FastifyInstance): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    stack.length = match[1]!.length / 4;
    stack.push(match[2]!);
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) routes.push(`${method} ${stack.join('')}`);
  }
  return routes;
}

describe('declarations', () => {
  it('every route that changes something, in every scope but SCIM, declares an audit action', () => {
    const declared = auditDeclarations(t.app);
    const changing = servedRoutes(t.app).filter((r) => MUTATING.includes(r.split(' ')[0]!) && !r.includes(' /scim/v2/'));
    // The walk did find the management API, the portal and the console.
    expect(changing).toEqual(expect.arrayContaining(['POST /organizations', 'DELETE /portal/invites/:id', 'POST /portal/api/directories', 'POST /console/api/login']));
    expect(changing.length).toBeGreaterThanOrEqual(23);
    const undeclared = changing.filter((r) => !/^[a-z_]+(\.[a-z_]+)+$/.test(declared.get(r) ?? ''));
    expect(undeclared, 'declare config.audit on these routes').toEqual([]);
    expect(declared.get('POST /webhook_endpoints/:id/rotate_secret')).toBe('webhook_endpoint.secret_rotated');
  });

  it('a scope refuses, at registration, a change without a declaration', async () => {
    const db = await createTestDatabase();
    const app = Fastify();
    try {
      void app.register(async (scope) => {
        auditRoutes(scope, app, db.store);
        scope.get('/reads', async () => ({}));
        scope.post('/writes', async () => ({}));
      });
      await expect(app.ready()).rejects.toThrow(/POST \/writes changes something but declares no audit action/);
    } finally {
      await app.close().catch(() => {});
      await db.drop();
    }
  });
});

describe('entries', () => {
  it('records management changes with the API key as actor, their targets and organizations', async () => {
    const org = await createOrg(t, 'Audited', []);
    const dir = (await t.api('POST', '/directories', { organization_id: org, type: 'okta scim v2.0' })).json();
    const token = (await t.api('POST', `/directories/${dir.id}/tokens`)).json();
    await t.api('DELETE', `/directories/${dir.id}/tokens/${token.id}`);
    await t.api('PATCH', `/directories/${dir.id}`, { name: 'Renamed' });
    await t.api('DELETE', `/directories/${dir.id}`);
    const endpoint = (await t.api('POST', '/webhook_endpoints', { endpoint_url: 'https://hooks.example.com/x', events: ['dsync.user.created'] })).json();
    await t.api('PATCH', `/webhook_endpoints/${endpoint.id}`, { status: 'disabled' });
    await t.api('POST', `/webhook_endpoints/${endpoint.id}/rotate_secret`);
    await t.api('DELETE', `/webhook_endpoints/${endpoint.id}`);

    const byOrg = (await t.api('GET', `/audit_logs?organization_id=${org}&limit=100`)).json().data;
    expect(byOrg.map((e: Record<string, any>) => [e.action, e.target.type, e.target.id])).toEqual([
      ['directory.deleted', 'directory', dir.id],
      ['directory.updated', 'directory', dir.id],
      ['directory_token.revoked', 'directory_token', token.id],
      ['directory_token.created', 'directory_token', token.id],
      ['directory.created', 'directory', dir.id],
      ['organization.created', 'organization', org],
    ]);
    for (const e of byOrg) expect(e).toMatchObject({ object: 'audit_log', actor: { type: 'api_key' }, organization_id: org, ip: '127.0.0.1', created_at: expect.any(String) });
    const hooks = ['webhook_endpoint.deleted', 'webhook_endpoint.secret_rotated', 'webhook_endpoint.updated', 'webhook_endpoint.created'];
    for (const action of hooks) {
      expect((await auditEntries(t, action))[0], action).toMatchObject({ target: { type: 'webhook_endpoint', id: endpoint.id }, organization_id: null });
    }
  });

  it('records nothing for a refused or failed change, nor for reads', async () => {
    const count = async () => (await t.api('GET', '/audit_logs?limit=100')).json().data.length;
    const before = await count();
    await t.api('POST', '/organizations', { name: '' });
    await t.api('DELETE', '/organizations/org_01J00000000000000000000000');
    await t.api('PUT', '/organizations/org_nope', { name: 'x' });
    await t.app.inject({ method: 'POST', url: '/organizations', payload: { name: 'no key' } });
    await t.api('GET', '/organizations');
    await t.api('POST', '/directories', { organization_id: 'org_nope', type: 'okta scim v2.0' });
    expect(await count()).toBe(before);
  });

  it('keeps the User-Agent short and free of control characters', async () => {
    const res = await t.api('POST', '/organizations', { name: 'UA' }, { 'user-agent': `agent\t${'u'.repeat(2000)}` });
    const [entry] = await auditEntries(t, 'organization.created');
    expect(entry!.target.id).toBe(res.json().id);
    expect(entry!.user_agent).toHaveLength(512);
    expect(entry!.user_agent).toMatch(/^agentu+$/);
  });
});

describe('a failed write', () => {
  it('is logged and leaves the change answered as it was', async () => {
    const db = await createTestDatabase();
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const app = await buildApp({
      config: loadConfig({ GUESTLIST_API_KEY: TEST_API_KEY, GUESTLIST_PUBLIC_URL: PUBLIC_URL }),
      store: db.store,
      logger,
      secretKey: TEST_SECRET_KEY,
      apiKeys: apiKeyVerifier([hashSecret(TEST_API_KEY)]),
    });
    try {
      await db.store.db.schema.dropTable('audit_logs').execute();
      const res = await app.inject({ method: 'POST', url: '/organizations', headers: { authorization: `Bearer ${TEST_API_KEY}` }, payload: { name: 'Still made' } });
      expect(res.statusCode).toBe(201);
      const read = await app.inject({ method: 'GET', url: `/organizations/${res.json().id}`, headers: { authorization: `Bearer ${TEST_API_KEY}` } });
      expect(read.statusCode).toBe(200);
      expect(lines.some((l) => l.includes('audit log entry not written') && l.includes('organization.created'))).toBe(true);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});

describe('GET /audit_logs', () => {
  it('pages newest first with before and after, filters by action and organization', async () => {
    const org = await createOrg(t, 'Paged', []);
    for (let i = 0; i < 4; i++) await t.api('PUT', `/organizations/${org}`, { name: `Paged ${i}` });
    const all = (await t.api('GET', `/audit_logs?organization_id=${org}&action=organization.updated`)).json();
    expect(all.data).toHaveLength(4);
    const ids = all.data.map((e: { id: string }) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    const first = (await t.api('GET', `/audit_logs?organization_id=${org}&action=organization.updated&limit=3`)).json();
    expect(first.data.map((e: { id: string }) => e.id)).toEqual(ids.slice(0, 3));
    const next = (await t.api('GET', `/audit_logs?organization_id=${org}&action=organization.updated&limit=3&after=${first.list_metadata.after}`)).json();
    expect(next.data.map((e: { id: string }) => e.id)).toEqual(ids.slice(3));
    expect(next.list_metadata.after).toBeNull();
    const back = (await t.api('GET', `/audit_logs?organization_id=${org}&action=organization.updated&before=${ids[3]}`)).json();
    expect(back.data.map((e: { id: string }) => e.id)).toEqual(ids.slice(0, 3));
    const asc = (await t.api('GET', `/audit_logs?organization_id=${org}&action=organization.updated&order=asc`)).json();
    expect(asc.data.map((e: { id: string }) => e.id)).toEqual([...ids].reverse());
    expect((await t.api('GET', '/audit_logs?action=nothing.happened')).json().data).toEqual([]);
  });

  it.each([
    ['limit=0', 422],
    ['limit=abc', 422],
    ['order=sideways', 422],
    ['action=a%00b', 400],
    [`organization_id=${'o'.repeat(10_000)}`, 200],
    ['before=%F0%9F%98%80', 200],
  ])('answers ?%s with %i', async (query, status) => {
    const res = await t.api('GET', `/audit_logs?${query}`);
    expect(res.statusCode, res.body).toBe(status);
    if (status >= 400) expect(res.json()).toMatchObject({ message: expect.any(String), code: expect.any(String) });
  });

  it('needs the API key or a console session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/audit_logs' })).statusCode).toBe(401);
  });
});
