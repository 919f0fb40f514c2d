/**
 * API.md §7 on a real app and database: custom attributes filled by the directory type's defaults and by an
 * explicit mapping, re-evaluation in the background with events only for the users that changed, warnings,
 * roles from groups (conflicting groups, the default, membership changes in the same transaction), and the
 * refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entraUser, googleUser, oktaUser } from '../../src/mapping/fixtures.ts';
import { createDirectory } from '../support/harness.ts';
import { ENTERPRISE, scimClient, type ScimClient } from '../scim/helpers.ts';

let c: ScimClient;

beforeAll(async () => {
  c = await scimClient();
});
afterAll(() => c.close());

const api = async (method: string, url: string, body?: unknown, status = 200) => {
  const res = await c.t.api(method, url, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.body ? res.json() : undefined;
};
const user = (id: string) => api('GET', `/directory_users/${id}`);
const settle = () => c.t.app.mappingJobs.settle();
let seen = 0;
/** The events since the last call, of the given types. */
async function newEvents(...types: string[]): Promise<any[]> {
  const all = (await api('GET', `/events?directory_id=${c.directoryId}&limit=100&order=asc`)).data as any[];
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh.filter((e) => types.length === 0 || types.includes(e.event));
}
/** Drops the SCIM fields a fixture carries that a create must not (id, meta), keeps the IdP's shape. */
const body = ({ id: _id, meta: _meta, ...rest }: Record<string, unknown>) => rest;

describe('custom attributes', () => {
  let ana: any;
  let bob: any;

  it('defines attributes; the directory type fills well-known names by default', async () => {
    ana = await c.createUser('ana@acme.com', { [ENTERPRISE]: { department: 'Engineering', costCenter: 'CC-100' }, emails: [{ value: 'ana@acme.com', type: 'work', primary: true }] });
    bob = await c.createUser('bob@acme.com', { [ENTERPRISE]: { department: 'Sales' } });
    await newEvents();
    const dept = await api('POST', '/custom_attributes', { name: 'department', type: 'string', required: true, description: 'Team' }, 201);
    expect(dept).toMatchObject({ object: 'custom_attribute', name: 'department', type: 'string', required: true, description: 'Team' });
    await api('POST', '/custom_attributes', { name: 'cost_center', type: 'string' }, 201);
    await settle();
    expect((await user(ana.id)).custom_attributes).toMatchObject({ department: 'Engineering', cost_center: 'CC-100', department_name: 'Engineering' });
    const b = await user(bob.id);
    expect(b.custom_attributes).toMatchObject({ department: 'Sales', cost_center: null });
    expect(b.warnings).toEqual([]);
    // Each user changed once per definition: one dsync.user.updated each, with the previous values.
    const updated = await newEvents('dsync.user.updated');
    expect(updated.length).toBeGreaterThanOrEqual(2);
    const last = updated.filter((e) => e.data.id === ana.id).at(-1);
    expect(last.data.custom_attributes.cost_center).toBe('CC-100');
    expect(last.data.previous_attributes).toHaveProperty('custom_attributes');
  });

  it('a required attribute missing is a warning, never a refusal', async () => {
    const carl = await c.createUser('carl@acme.com');
    const read = await user(carl.id);
    expect(read.custom_attributes.department).toBeNull();
    expect(read.warnings).toEqual([{ attribute: 'department', code: 'missing_required' }]);
    const flagged = await api('GET', `/directory_users?directory=${c.directoryId}&warnings=true`);
    expect(flagged.data.map((u: any) => u.id)).toEqual([carl.id]);
    await newEvents();
  });

  it('a mapping change re-evaluates every user, with events only for those whose values changed', async () => {
    const put = await api('PUT', `/directories/${c.directoryId}/attribute_mapping`, {
      mappings: [{ attribute: 'cost_center', source: `${ENTERPRISE}:department`, transforms: ['uppercase', { map: { ENGINEERING: 'R&D' }, default: 'OTHER' }] }],
    });
    expect(put).toMatchObject({ object: 'attribute_mapping', directory_id: c.directoryId });
    expect(['reevaluating', 'current']).toContain(put.state);
    await settle();
    const after = await api('GET', `/directories/${c.directoryId}/attribute_mapping`);
    expect(after.state).toBe('current');
    expect(after.progress).toMatchObject({ done: 3, total: 3, changed: 2 });
    expect(after.mappings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ attribute: 'department', origin: 'default' }),
        expect.objectContaining({ attribute: 'cost_center', origin: 'custom' }),
      ]),
    );
    expect((await user(ana.id)).custom_attributes.cost_center).toBe('R&D');
    expect((await user(bob.id)).custom_attributes.cost_center).toBe('OTHER');
    // carl has no department: the map's default applies to known values only, so his stays null.
    const events = await newEvents('dsync.user.updated');
    expect(events.map((e) => e.data.id).sort()).toEqual([ana.id, bob.id].sort());
    expect(events.find((e) => e.data.id === ana.id).data.previous_attributes.custom_attributes.cost_center).toBe('CC-100');
    // The same mapping again: nothing to do, no event.
    await api('PUT', `/directories/${c.directoryId}/attribute_mapping`, {
      mappings: [{ attribute: 'cost_center', source: `${ENTERPRISE}:department`, transforms: ['uppercase', { map: { ENGINEERING: 'R&D' }, default: 'OTHER' }] }],
    });
    await settle();
    expect(await newEvents('dsync.user.updated')).toEqual([]);
  });

  it('a SCIM write evaluates the mapping in its own transaction', async () => {
    const res = await c.patch(`/Users/${bob.id}`, [{ op: 'replace', path: `${ENTERPRISE}:department`, value: 'Engineering' }]);
    expect(res.statusCode, res.body).toBe(200);
    const [event] = await newEvents('dsync.user.updated');
    expect(event.data.custom_attributes).toMatchObject({ department: 'Engineering', cost_center: 'R&D' });
    expect(event.data.previous_attributes.custom_attributes).toMatchObject({ department: 'Sales', cost_center: 'OTHER' });
  });

  it('previews a mapping on the newest users without saving it', async () => {
    const preview = await api('POST', `/directories/${c.directoryId}/attribute_mapping/preview`, {
      mappings: [{ attribute: 'cost_center', source: { constant: 'X' } }],
    });
    expect(preview.data).toHaveLength(3);
    expect(preview.data.every((p: any) => p.custom_attributes.cost_center === 'X')).toBe(true);
    expect((await user(ana.id)).custom_attributes.cost_center).toBe('R&D');
  });

  it('explores the attribute paths the users carry', async () => {
    const paths = await api('GET', `/directories/${c.directoryId}/attribute_paths`);
    expect(paths.scanned).toBe(3);
    const dept = paths.data.find((p: any) => p.path === `${ENTERPRISE}:department`);
    expect(dept).toMatchObject({ users: 2 });
    expect(dept.samples).toEqual(expect.arrayContaining(['Engineering']));
    expect(paths.data.find((p: any) => p.path === 'userName')).toMatchObject({ users: 3 });
  });

  it('refuses malformed mappings and definitions with field errors', async () => {
    const bad = await c.t.api('PUT', `/directories/${c.directoryId}/attribute_mapping`, {
      mappings: [{ attribute: 'nope', source: 'userName' }, { attribute: 'department', source: 'emails[type eq' }],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['mappings[0].attribute', 'mappings[1].source']));
    const nul = await c.t.api('PUT', `/directories/${c.directoryId}/attribute_mapping`, { mappings: [{ attribute: 'department', source: { constant: 'a\u0000b' } }] });
    expect(nul.statusCode).toBe(400);
    expect((await c.t.api('POST', '/custom_attributes', { name: 'Bad Name', type: 'string' })).statusCode).toBe(422);
    expect((await c.t.api('POST', '/custom_attributes', { name: 'x', type: 'date' })).statusCode).toBe(422);
    expect((await c.t.api('POST', '/custom_attributes', { name: 'department', type: 'string' })).statusCode).toBe(409);
    expect((await c.t.api('GET', '/directories/directory_01ARZ3NDEKTSV4RRFFQ69G5FAV/attribute_mapping')).statusCode).toBe(404);
    expect((await c.t.api('DELETE', '/custom_attributes/custom_attribute_01ARZ3NDEKTSV4RRFFQ69G5FAV')).statusCode).toBe(404);
  });
});

describe('roles', () => {
  let d: { id: string; bearer_token: string };
  const scim = (method: string, path: string, b?: unknown) =>
    c.t.scim(method, `/scim/v2/${d.id}${path}`, d.bearer_token, b, { 'content-type': 'application/scim+json' });
  const roleOf = async (id: string) => {
    const u = await user(id);
    return { role: u.role.slug, roles: u.roles.map((r: any) => r.slug) };
  };
  let u1: string;
  let u2: string;
  let admins: string;
  let support: string;

  it('the first role is the default; every user gets it', async () => {
    d = await createDirectory(c.t);
    u1 = (await scim('POST', '/Users', { userName: 'u1@acme.com' })).json().id;
    u2 = (await scim('POST', '/Users', { userName: 'u2@acme.com' })).json().id;
    expect(await roleOf(u1)).toEqual({ role: 'member', roles: ['member'] });
    const member = await api('POST', '/roles', { slug: 'member', name: 'Member', priority: 0 }, 201);
    expect(member.default).toBe(true);
    await api('POST', '/roles', { slug: 'admin', name: 'Admin', priority: 10 }, 201);
    await api('POST', '/roles', { slug: 'support', name: 'Support', priority: 5 }, 201);
    await settle();
    expect((await api('GET', '/roles')).data.map((r: any) => r.slug)).toEqual(['admin', 'support', 'member']);
    expect(await roleOf(u1)).toEqual({ role: 'member', roles: ['member'] });
  });

  it('maps groups to roles: the highest priority wins, roles lists them all', async () => {
    admins = (await scim('POST', '/Groups', { displayName: 'Admins', members: [{ value: u1 }] })).json().id;
    support = (await scim('POST', '/Groups', { displayName: 'Support', members: [{ value: u1 }, { value: u2 }] })).json().id;
    const mapping = await api('PUT', `/directories/${d.id}/role_mapping`, {
      mappings: [
        { group_id: admins, role: 'admin' },
        { group_id: support, role: 'support' },
      ],
    });
    expect(mapping.mappings).toHaveLength(2);
    // Same transaction as the change: no waiting.
    expect(await roleOf(u1)).toEqual({ role: 'admin', roles: ['admin', 'support'] });
    expect(await roleOf(u2)).toEqual({ role: 'support', roles: ['support'] });
    const events = (await api('GET', `/events?directory_id=${d.id}&events=dsync.user.updated&limit=100&order=asc`)).data;
    const forU1 = events.filter((e: any) => e.data.id === u1).at(-1);
    expect(forU1.data.previous_attributes).toMatchObject({ role: { slug: 'member' }, roles: [{ slug: 'member' }] });
  });

  it('a membership change moves roles in the same transaction, after its membership event', async () => {
    const before = (await api('GET', `/events?directory_id=${d.id}&limit=100&order=asc`)).data.length;
    const res = await scim('PATCH', `/Groups/${admins}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: `members[value eq "${u1}"]` }],
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect(await roleOf(u1)).toEqual({ role: 'support', roles: ['support'] });
    const fresh = (await api('GET', `/events?directory_id=${d.id}&limit=100&order=asc`)).data.slice(before);
    expect(fresh.map((e: any) => e.event)).toEqual(['dsync.group.user_removed', 'dsync.user.updated']);
    expect(fresh[1].data.previous_attributes.role).toEqual({ slug: 'admin' });
    // A change in a group that maps to no role moves nobody's role and emits no user event.
    const plain = (await scim('POST', '/Groups', { displayName: 'Plain', members: [{ value: u2 }] })).json().id;
    const events = (await api('GET', `/events?directory_id=${d.id}&limit=100&order=asc`)).data.slice(before + 2);
    expect(events.map((e: any) => e.event)).toEqual(['dsync.group.created', 'dsync.group.user_added']);
    expect(plain).toBeTruthy();
  });

  it('deleting a mapped group, or changing the default, resolves roles again', async () => {
    expect((await scim('DELETE', `/Groups/${support}`)).statusCode).toBe(204);
    expect(await roleOf(u1)).toEqual({ role: 'member', roles: ['member'] });
    expect((await api('GET', `/directories/${d.id}/role_mapping`)).mappings).toEqual([{ group_id: admins, role: 'admin' }]);
    await api('PATCH', '/roles/support', { default: true });
    await settle();
    expect(await roleOf(u2)).toEqual({ role: 'support', roles: ['support'] });
    expect((await api('GET', '/roles')).data.filter((r: any) => r.default).map((r: any) => r.slug)).toEqual(['support']);
  });

  it('refuses what would break the rules', async () => {
    expect((await c.t.api('PUT', `/directories/${d.id}/role_mapping`, { mappings: [{ group_id: admins, role: 'nope' }] })).statusCode).toBe(422);
    expect((await c.t.api('PUT', `/directories/${d.id}/role_mapping`, { mappings: [{ group_id: 'directory_group_01ARZ3NDEKTSV4RRFFQ69G5FAV', role: 'admin' }] })).statusCode).toBe(422);
    expect((await c.t.api('PUT', `/directories/${d.id}/role_mapping`, { mappings: [{ group_id: admins, role: 'admin' }, { group_id: admins, role: 'member' }] })).statusCode).toBe(422);
    // Another directory's group is not this directory's.
    expect((await c.t.api('PUT', `/directories/${c.directoryId}/role_mapping`, { mappings: [{ group_id: admins, role: 'admin' }] })).statusCode).toBe(422);
    expect((await c.t.api('DELETE', '/roles/support')).statusCode).toBe(409);
    expect((await c.t.api('PATCH', '/roles/support', { default: false })).statusCode).toBe(422);
    expect((await c.t.api('POST', '/roles', { slug: 'admin', name: 'Again', priority: 1 })).statusCode).toBe(409);
    expect((await c.t.api('PATCH', '/roles/ghost', { name: 'x' })).statusCode).toBe(404);
    expect((await c.t.api('DELETE', '/roles/admin')).statusCode).toBe(204);
  });
});

describe('IdP-shaped users (the replay fixtures)', () => {
  it('maps Entra, Okta and Google-shaped users by each directory type\'s defaults', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['azure scim v2.0', entraUser],
      ['okta scim v2.0', oktaUser],
      ['gsuite directory', googleUser],
    ];
    for (const [type, fixture] of cases) {
      const dir = await createDirectory(c.t, type === 'gsuite directory' ? 'generic scim v2.0' : type);
      const res = await c.t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, body(fixture), { 'content-type': 'application/scim+json' });
      expect(res.statusCode, res.body).toBe(201);
      const u = await user(res.json().id);
      const enterprise = (fixture as any)[ENTERPRISE] ?? {};
      expect(u.custom_attributes.department, type).toBe(enterprise.department ?? null);
    }
  });
});
