import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, GROUP, PATCH_OP, USER, scimClient, type ScimClient } from '../scim/helpers.ts';

let c: ScimClient;
let boss: Record<string, any>;
let ana: Record<string, any>;
let eng: Record<string, any>;

beforeAll(async () => {
  c = await scimClient();
  boss = await c.createUser('boss@acme.com', { externalId: 'ext-boss', emails: [{ value: 'Boss@Acme.com', type: 'work' }], name: { givenName: 'Bo', familyName: 'Ss' } });
  ana = await c.createUser('ana.lima@acme.onmicrosoft.com', {
    externalId: 'aad-ana',
    name: { givenName: 'Ana', familyName: 'Lima', formatted: 'Ana Lima' },
    displayName: 'Ana L.',
    title: 'Engineer',
    userType: 'Employee',
    emails: [
      { value: 'ana@home.net', type: 'home' },
      { value: 'ana.lima@acme.com', type: 'work' },
    ],
    addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Lisbon', postalCode: '1000', country: 'PT', primary: true }],
    roles: [{ value: '{"id":"r1","value":"Admin","displayName":"Administrator"}', primary: true }, { value: 'Viewer' }],
    [ENTERPRISE]: { department: 'R&D', division: 'Cloud', costCenter: 'CC-1', employeeNumber: '42', organization: 'Acme', manager: { value: boss.id } },
  });
  eng = await c.createGroup('Engineering', { externalId: 'grp-eng', members: [{ value: ana.id }, { value: boss.id }] });
  await c.createGroup('No External Id', { members: [{ value: ana.id }] });
});
afterAll(() => c.close());

const api = (url: string) => c.t.api('GET', url);

describe('Directory Users', () => {
  it('normalizes a user the WorkOS way', async () => {
    const res = await api(`/directory_users/${ana.id}`);
    expect(res.statusCode).toBe(200);
    const user = res.json();
    const dir = (await api(`/directories/${c.directoryId}`)).json();
    expect(user).toMatchObject({
      object: 'directory_user',
      id: ana.id,
      idp_id: 'aad-ana',
      directory_id: c.directoryId,
      organization_id: dir.organization_id,
      email: 'ana.lima@acme.com',
      // Exactly one email is primary: the one `email` names (none was marked, so the first work one).
      emails: [
        { primary: false, type: 'home', value: 'ana@home.net' },
        { primary: true, type: 'work', value: 'ana.lima@acme.com' },
      ],
      job_title: 'Engineer',
      first_name: 'Ana',
      last_name: 'Lima',
      name: 'Ana Lima',
      username: 'ana.lima@acme.onmicrosoft.com',
      state: 'active',
      role: { slug: 'Admin' },
      roles: [{ slug: 'Admin' }, { slug: 'Viewer' }],
      version: 3,
    });
    expect(user.custom_attributes).toEqual({
      job_title: 'Engineer',
      department_name: 'R&D',
      division_name: 'Cloud',
      cost_center_name: 'CC-1',
      employee_number: '42',
      employee_type: 'Employee',
      manager_email: 'Boss@Acme.com',
      organization: 'Acme',
      username: 'ana.lima@acme.onmicrosoft.com',
      addresses: [{ primary: true, type: 'work', formatted: null, street_address: '1 Main St', locality: 'Lisbon', region: null, postal_code: '1000', country: 'PT' }],
      emails: user.emails,
    });
    expect(user.raw_attributes).toMatchObject({ id: ana.id, userName: 'ana.lima@acme.onmicrosoft.com', meta: { resourceType: 'User' } });
    expect(user.groups.map((g: { name: string }) => g.name).sort()).toEqual(['Engineering', 'No External Id']);
    // Each group with its own member count (Engineering: Ana and the boss; No External Id: Ana).
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect([...user.groups].sort(byName)).toEqual([
      expect.objectContaining({ object: 'directory_group', name: 'Engineering', member_count: 2 }),
      expect.objectContaining({ object: 'directory_group', name: 'No External Id', member_count: 1 }),
    ]);
  });

  it('uses the SCIM id as idp_id without an externalId, and the primary email first', async () => {
    const bare = await c.createUser('bare@acme.com', { emails: [{ value: 'x@acme.com', type: 'other' }, { value: 'p@acme.com', type: 'home', primary: true }] });
    const user = (await api(`/directory_users/${bare.id}`)).json();
    expect(user).toMatchObject({ idp_id: bare.id, email: 'p@acme.com', first_name: null, role: { slug: 'member' } });
    expect((await api(`/directory_users?directory=${c.directoryId}&idp_id=${bare.id}`)).json().data.map((u: { id: string }) => u.id)).toEqual([bare.id]);
  });

  it('lists by directory with filters and cursors both ways', async () => {
    const all = (await api(`/directory_users?directory=${c.directoryId}&limit=100`)).json();
    expect(all.object).toBe('list');
    const ids = all.data.map((u: { id: string }) => u.id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect((await api(`/directory_users?directory=${c.directoryId}&email=ANA.LIMA@acme.com`)).json().data.map((u: { id: string }) => u.id)).toEqual([ana.id]);
    expect((await api(`/directory_users?directory=${c.directoryId}&idp_id=aad-ana`)).json().data.map((u: { id: string }) => u.id)).toEqual([ana.id]);
    expect((await api(`/directory_users?group=${eng.id}&order=asc`)).json().data.map((u: { id: string }) => u.id)).toEqual([boss.id, ana.id]);
    const first = (await api(`/directory_users?directory=${c.directoryId}&limit=1&order=asc`)).json();
    expect(first.data[0].id).toBe(boss.id);
    const second = (await api(`/directory_users?directory=${c.directoryId}&limit=1&order=asc&after=${first.list_metadata.after}`)).json();
    expect(second.data[0].id).toBe(ana.id);
    const back = (await api(`/directory_users?directory=${c.directoryId}&limit=1&order=asc&before=${second.list_metadata.before}`)).json();
    expect(back.data[0].id).toBe(boss.id);
  });

  it('requires directory or group, and 404s unknown ids', async () => {
    const res = await api('/directory_users');
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('validation_error');
    expect((await api('/directory_users/directory_user_nope')).statusCode).toBe(404);
  });
});

describe('Directory Groups', () => {
  it('normalizes groups with member_count and idp_id', async () => {
    const group = (await api(`/directory_groups/${eng.id}`)).json();
    expect(group).toMatchObject({ object: 'directory_group', id: eng.id, idp_id: 'grp-eng', name: 'Engineering', member_count: 2, directory_id: c.directoryId, version: 1 });
    expect(group.raw_attributes).toMatchObject({ id: eng.id, displayName: 'Engineering' });
    const list = (await api(`/directory_groups?directory=${c.directoryId}&order=asc`)).json();
    expect(list.data.map((g: { idp_id: string }) => g.idp_id)).toEqual(['grp-eng', 'No External Id']);
    expect((await api(`/directory_groups?user=${boss.id}`)).json().data.map((g: { id: string }) => g.id)).toEqual([eng.id]);
    expect((await api('/directory_groups')).statusCode).toBe(422);
    expect((await api('/directory_groups/directory_group_nope')).statusCode).toBe(404);
  });
});

describe('lifecycle', () => {
  it('Entra: a UPN userName differing from mail is found three ways; "False" deactivates to inactive', async () => {
    const created = await c.req('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: 'b7a1c3e2',
      userName: 'jdoe@contoso.onmicrosoft.com',
      active: 'True',
      emails: [{ primary: 'True', type: 'work', value: 'john.doe@contoso.com' }],
      name: { givenName: 'John', familyName: 'Doe' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    for (const filter of ['userName eq "jdoe@contoso.onmicrosoft.com"', 'externalId eq "b7a1c3e2"', 'emails[type eq "work"].value eq "john.doe@contoso.com"']) {
      const found = (await c.req('GET', `/Users?filter=${encodeURIComponent(filter)}`)).json();
      expect(found.Resources.map((r: { id: string }) => r.id), filter).toEqual([id]);
    }
    const patch = await c.req('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(patch.statusCode).toBe(200);
    const user = (await api(`/directory_users/${id}`)).json();
    expect(user).toMatchObject({ id, state: 'inactive', email: 'john.doe@contoso.com', username: 'jdoe@contoso.onmicrosoft.com' });
    const reactivated = await c.req('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(reactivated.json().id).toBe(id);
    expect((await api(`/directory_users/${id}`)).json().state).toBe('active');
  });

  it('policy delete: deactivation deletes the user and its memberships; a return is a new user', async () => {
    const fresh = await scimClient();
    try {
      await fresh.t.api('PATCH', `/directories/${fresh.directoryId}`, { settings: { inactive_users: 'delete' } });
      const user = await fresh.createUser('leaver@acme.com', { externalId: 'L1' });
      const group = await fresh.createGroup('Team', { members: [{ value: user.id }] });
      const res = await fresh.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'active', value: false }]);
      expect(res.statusCode).toBe(200);
      expect((await fresh.req('GET', `/Users/${user.id}`)).statusCode).toBe(404);
      expect((await fresh.t.api('GET', `/directory_users/${user.id}`)).statusCode).toBe(404);
      expect((await fresh.t.api('GET', `/directory_groups/${group.id}`)).json()).toMatchObject({ member_count: 0, version: 2 });
      expect((await fresh.t.api('GET', `/directories/${fresh.directoryId}`)).json().metadata).toEqual({ users: { active: 0, inactive: 0 }, groups: 1 });
      const back = await fresh.createUser('leaver@acme.com', { externalId: 'L1' });
      expect(back.id).not.toBe(user.id);
    } finally {
      await fresh.close();
    }
  });
});

describe('WorkOS shapes of Directory Users', () => {
  let w: ScimClient;
  beforeAll(async () => {
    w = await scimClient();
  });
  afterAll(() => w.close());
  const get = async (url: string) => {
    const res = await w.t.api('GET', url);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('every user in a list carries its groups, as the full Directory Groups the API serves', async () => {
    const [a, b, loner] = [await w.createUser('a@acme.com'), await w.createUser('b@acme.com'), await w.createUser('loner@acme.com')];
    const g1 = await w.createGroup('G1', { members: [{ value: a.id }, { value: b.id }] });
    const g2 = await w.createGroup('G2', { members: [{ value: a.id }] });
    const group = async (id: string) => get(`/directory_groups/${id}`);
    for (const list of [await get(`/directory_users?directory=${w.directoryId}&order=asc`), await get(`/directory_users?group=${g1.id}&order=asc`)]) {
      for (const user of list.data) {
        const expected = (await get(`/directory_groups?user=${user.id}&order=asc`)).data;
        expect(user.groups, user.username).toEqual(expected);
      }
    }
    const users = (await get(`/directory_users?directory=${w.directoryId}&order=asc`)).data;
    expect(users.map((u: { id: string }) => u.id)).toEqual([a.id, b.id, loner.id]);
    expect(users[0].groups).toEqual([await group(g1.id), await group(g2.id)]);
    expect(users[1].groups).toEqual([await group(g1.id)]);
    expect(users[2].groups).toEqual([]);
    expect((await get(`/directory_users/${a.id}`)).groups).toEqual(users[0].groups);
  });

  it('a user with no emails and an email address for userName has it as email: API, events, filter, manager', async () => {
    const late = await w.createUser('late@example.com');
    const user = await get(`/directory_users/${late.id}`);
    expect(user).toMatchObject({ email: 'late@example.com', emails: [], username: 'late@example.com' });
    const created = (await get(`/events?directory_id=${w.directoryId}&events=dsync.user.created&limit=100`)).data.find((e: { data: { id: string } }) => e.data.id === late.id);
    expect(created.data.email).toBe('late@example.com');
    expect((await get(`/directory_users?directory=${w.directoryId}&email=LATE@example.com`)).data.map((u: { id: string }) => u.id)).toEqual([late.id]);
    // Not an email address: no email. Emails present: they decide, and the userName does not match the filter.
    const handle = await w.createUser('jdoe');
    expect((await get(`/directory_users/${handle.id}`)).email).toBeNull();
    expect((await get(`/directory_users?directory=${w.directoryId}&email=jdoe`)).data).toEqual([]);
    const both = await w.createUser('upn@acme.onmicrosoft.com', { emails: [{ value: 'mail@acme.com', type: 'work' }] });
    expect((await get(`/directory_users/${both.id}`)).email).toBe('mail@acme.com');
    expect((await get(`/directory_users?directory=${w.directoryId}&email=upn@acme.onmicrosoft.com`)).data).toEqual([]);
    const report = await w.createUser('report@example.com', { [ENTERPRISE]: { manager: { value: late.id } } });
    expect((await get(`/directory_users/${report.id}`)).custom_attributes.manager_email).toBe('late@example.com');
  });

  it('exactly one email is primary, the one email names; job_title is top-level too', async () => {
    const two = await w.createUser('two@acme.com', {
      title: 'Lead',
      emails: [{ value: 'x@acme.com', type: 'home' }, { value: 'y@acme.com', type: 'other' }],
    });
    const user = await get(`/directory_users/${two.id}`);
    // None marked and none `work`: the first is `email`, and the one marked primary.
    expect(user).toMatchObject({ email: 'x@acme.com', job_title: 'Lead', emails: [{ primary: true, value: 'x@acme.com' }, { primary: false, value: 'y@acme.com' }] });
    const marked = await w.createUser('marked@acme.com', { emails: [{ value: 'w@acme.com', type: 'work' }, { value: 'p@acme.com', type: 'home', primary: true }] });
    expect((await get(`/directory_users/${marked.id}`)).emails.map((e: { primary: boolean }) => e.primary)).toEqual([false, true]);
    expect((await get(`/directory_users/${(await w.createUser('none@acme.com')).id}`)).job_title).toBeNull();
  });
});
