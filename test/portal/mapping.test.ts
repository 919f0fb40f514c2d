/**
 * The IT admin's mapping routes in the portal (docs/portal.md § Portal API, docs/mapping.md): the operator's
 * definitions read only, a directory of the session's organization mapped (with CSRF, audited), another
 * organization's directory answering 404 as an unknown one, the groups to map and the users with warnings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/harness.ts';
import { as, auditEntries, createOrg, portalBrowser, type Browser } from './support.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
let t: TestApp;
let admin: Browser;
let mine: { id: string; bearer_token: string };
let theirs: { id: string };
let group: string;

beforeAll(async () => {
  t = await createTestApp();
  const org = await createOrg(t, 'Acme', ['acme.com']);
  const other = await createOrg(t, 'Other', ['other.com']);
  admin = await portalBrowser(t, org);
  mine = (await t.api('POST', '/directories', { organization_id: org, type: 'azure scim v2.0' })).json();
  theirs = (await t.api('POST', '/directories', { organization_id: other, type: 'okta scim v2.0' })).json();
  await t.api('POST', '/custom_attributes', { name: 'department', type: 'string', required: true, description: 'Your team' });
  await t.api('POST', '/custom_attributes', { name: 'cost_center', type: 'string' });
  await t.api('POST', '/roles', { slug: 'member', name: 'Member', priority: 0 });
  await t.api('POST', '/roles', { slug: 'admin', name: 'Admin', priority: 10 });
  const scim = (path: string, body: unknown) => t.scim('POST', `/scim/v2/${mine.id}${path}`, mine.bearer_token, body, { 'content-type': 'application/scim+json' });
  const ana = (await scim('/Users', { userName: 'ana@acme.com', [ENTERPRISE]: { department: 'Eng', costCenter: 'c-1' } })).json();
  await scim('/Users', { userName: 'bob@acme.com' });
  group = (await scim('/Groups', { displayName: 'Admins', members: [{ value: ana.id }] })).json().id;
});
afterAll(() => t.close());

describe('the portal maps its own directories', () => {
  it('reads the operator\'s definitions', async () => {
    const attributes = await as(t, admin, 'GET', '/portal/api/custom_attributes');
    expect(attributes.json().data.map((a: any) => a.name)).toEqual(['department', 'cost_center']);
    const roles = await as(t, admin, 'GET', '/portal/api/roles');
    expect(roles.json().data.map((r: any) => [r.slug, r.default])).toEqual([['admin', false], ['member', true]]);
    // Read only: the definitions are the operator's.
    expect((await as(t, admin, 'POST', '/portal/api/custom_attributes', { name: 'x', type: 'string' })).statusCode).toBe(404);
  });

  it('explores, previews and saves an attribute mapping, audited', async () => {
    const paths = (await as(t, admin, 'GET', `/portal/api/directories/${mine.id}/attribute_paths`)).json();
    expect(paths.data.find((p: any) => p.path === `${ENTERPRISE}:costCenter`)).toMatchObject({ users: 1, samples: ['c-1'] });
    const mappings = [{ attribute: 'cost_center', source: `${ENTERPRISE}:costCenter`, transforms: ['uppercase'] }];
    const preview = (await as(t, admin, 'POST', `/portal/api/directories/${mine.id}/attribute_mapping/preview`, { mappings })).json();
    expect(preview.data.map((p: any) => p.custom_attributes.cost_center).sort()).toEqual(['C-1', null]);
    expect((await as(t, admin, 'PUT', `/portal/api/directories/${mine.id}/attribute_mapping`, { mappings }, { csrf: false })).statusCode).toBe(403);
    const saved = await as(t, admin, 'PUT', `/portal/api/directories/${mine.id}/attribute_mapping`, { mappings });
    expect(saved.statusCode, saved.body).toBe(200);
    await t.app.mappingJobs.settle();
    const users = (await as(t, admin, 'GET', `/portal/api/directories/${mine.id}/users?warnings=true`)).json();
    expect(users.data.map((u: any) => [u.email, u.warnings])).toEqual([['bob@acme.com', [{ attribute: 'department', code: 'missing_required' }]]]);
    expect(users.data[0]).not.toHaveProperty('raw_attributes');
    expect((await auditEntries(t, 'attribute_mapping.updated'))[0]).toMatchObject({ actor: { type: 'portal' }, target: { type: 'directory', id: mine.id } });
  });

  it('maps a group to a role', async () => {
    const groups = (await as(t, admin, 'GET', `/portal/api/directories/${mine.id}/groups?search=adm`)).json();
    expect(groups.data).toEqual([{ object: 'directory_group', id: group, name: 'Admins', member_count: 1 }]);
    const res = await as(t, admin, 'PUT', `/portal/api/directories/${mine.id}/role_mapping`, { mappings: [{ group_id: group, role: 'admin' }] });
    expect(res.statusCode, res.body).toBe(200);
    const users = (await as(t, admin, 'GET', `/portal/api/directories/${mine.id}/users`)).json();
    expect(Object.fromEntries(users.data.map((u: any) => [u.email, u.role.slug]))).toEqual({ 'ana@acme.com': 'admin', 'bob@acme.com': 'member' });
  });

  it('another organization\'s directory is not there', async () => {
    for (const [method, path, body] of [
      ['GET', 'attribute_mapping'],
      ['PUT', 'attribute_mapping', { mappings: [] }],
      ['POST', 'attribute_mapping/preview', { mappings: [] }],
      ['GET', 'attribute_paths'],
      ['GET', 'role_mapping'],
      ['PUT', 'role_mapping', { mappings: [] }],
      ['GET', 'groups'],
      ['GET', 'users'],
    ] as const) {
      const res = await as(t, admin, method, `/portal/api/directories/${theirs.id}/${path}`, body);
      expect(res.statusCode, `${method} ${path}`).toBe(404);
    }
  });
});
