/**
 * Issue 16's "done when", as the host app sees it through the official WorkOS Node SDK, unchanged: the operator
 * defines `department`, `cost_center` and two roles; a directory is mapped (attributes with a transform, a group
 * to a role); the IdP provisions; the app reads the mapped values and roles with `directorySync.getUser` and
 * `listUsers`, and the events with `events.listEvents`. (The IT admin's side of it, in the portal, is
 * test/browser/mapping.test.ts.)
 */
import { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE } from '../scim/helpers.ts';
import { TEST_API_KEY, type TestApp } from '../support/harness.ts';
import { idp, listen, type Server } from './support.ts';

let server: Server;
let t: TestApp;
let workos: WorkOS;
let dirId: string;
let orgId: string;
let ada: string;
let bob: string;

const api = async (method: string, url: string, body?: unknown) => {
  const res = await t.api(method, url, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
};

beforeAll(async () => {
  server = await listen();
  t = server.t;
  workos = new WorkOS(TEST_API_KEY, { apiHostname: '127.0.0.1', port: server.port, https: false, maxRetries: 0 });
  orgId = (await api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).id;
  const dir = await api('POST', '/directories', { organization_id: orgId, type: 'azure scim v2.0' });
  dirId = dir.id;
  await api('POST', '/custom_attributes', { name: 'department', type: 'string', required: true });
  await api('POST', '/custom_attributes', { name: 'cost_center', type: 'string' });
  await api('POST', '/roles', { slug: 'member', name: 'Member', priority: 0 });
  await api('POST', '/roles', { slug: 'admin', name: 'Admin', priority: 10 });
  await api('PUT', `/directories/${dirId}/attribute_mapping`, {
    mappings: [{ attribute: 'cost_center', source: `${ENTERPRISE}:costCenter`, transforms: ['trim', 'uppercase'] }],
  });
  const scim = idp(t, dirId, dir.bearer_token);
  ada = await scim.createUser('ada@acme.com', { [ENTERPRISE]: { department: 'R&D', costCenter: ' cc-7 ' }, emails: [{ value: 'ada@acme.com', type: 'work', primary: true }] });
  bob = await scim.createUser('bob@acme.com', { emails: [{ value: 'bob@acme.com', type: 'work', primary: true }] });
  const admins = await scim.createGroup('Admins', [ada]);
  await api('PUT', `/directories/${dirId}/role_mapping`, { mappings: [{ group_id: admins, role: 'admin' }] });
}, 60_000);
afterAll(() => server.close());

describe('the app reads the mapping through the WorkOS Node SDK', () => {
  it('getUser: custom attributes and role', async () => {
    const user = await workos.directorySync.getUser(ada);
    expect(user.customAttributes).toMatchObject({ department: 'R&D', cost_center: 'CC-7' });
    expect(user.role).toEqual({ slug: 'admin' });
    // `roles` (not in this SDK version's type) as the API answers it: every role of the user's groups.
    expect((await api('GET', `/directory_users/${ada}`)).roles).toEqual([{ slug: 'admin' }]);
  });

  it('listUsers: the default role, and a required attribute missing is null (listed in warnings by the API)', async () => {
    const list = await workos.directorySync.listUsers({ directory: dirId });
    const byEmail = new Map(list.data.map((u) => [u.email, u]));
    expect(byEmail.get('bob@acme.com')?.role).toEqual({ slug: 'member' });
    expect(byEmail.get('bob@acme.com')?.customAttributes).toMatchObject({ department: null, cost_center: null });
    const raw = await api('GET', `/directory_users/${bob}`);
    expect(raw.warnings).toEqual([{ attribute: 'department', code: 'missing_required' }]);
  });

  it('events: the role change arrives as dsync.user.updated with the previous role', async () => {
    const events = await workos.events.listEvents({ events: ['dsync.user.updated'], organizationId: orgId });
    const roleChange = events.data.find((e) => (e.data as { id?: string }).id === ada && 'role' in ((e.data as { previousAttributes?: object }).previousAttributes ?? {}));
    expect(roleChange).toBeDefined();
    expect((roleChange!.data as { role?: unknown }).role).toEqual({ slug: 'admin' });
    expect((roleChange!.data as { previousAttributes: { role: unknown } }).previousAttributes.role).toEqual({ slug: 'member' });
  });
});
