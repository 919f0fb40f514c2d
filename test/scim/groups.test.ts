import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, scimClient, scimError, type ScimClient } from './helpers.ts';

let c: ScimClient;
let u: Record<string, string>;
beforeAll(async () => {
  c = await scimClient();
  u = {};
  for (const name of ['a', 'b', 'c', 'd']) {
    u[name] = (await c.createUser(`${name}@acme.com`, { displayName: name.toUpperCase() })).id;
  }
});
afterAll(() => c.close());

/** A group PATCH that asks for the resource back (without attributes it answers 204). */
const patchGroup = (id: string, ops: unknown[]) => c.patch(`/Groups/${id}?attributes=displayName,members,meta`, ops);
const memberIds = (group: { members?: { value: string }[] }) => (group.members ?? []).map((m) => m.value).sort();
const get = async (id: string) => (await c.req('GET', `/Groups/${id}`)).json();

describe('groups', () => {
  it('creates a group with members, shown with display and $ref', async () => {
    const res = await c.req('POST', '/Groups', { schemas: [GROUP], displayName: 'Eng', externalId: 'g-1', members: [{ value: u.a }, { value: u.b, display: 'ignored' }] });
    expect(res.statusCode).toBe(201);
    const group = res.json();
    expect(group).toMatchObject({ schemas: [GROUP], displayName: 'Eng', externalId: 'g-1', meta: { resourceType: 'Group', version: 'W/"1"' } });
    expect(group.id).toMatch(/^directory_group_/);
    expect(group.members).toEqual([
      { value: u.a, display: 'A', type: 'User', $ref: `https://guestlist.example.com${c.base}/Users/${u.a}` },
      { value: u.b, display: 'B', type: 'User', $ref: `https://guestlist.example.com${c.base}/Users/${u.b}` },
    ]);
    const user = (await c.req('GET', `/Users/${u.a}`)).json();
    expect(user.groups).toEqual([{ value: group.id, display: 'Eng', type: 'direct', $ref: `https://guestlist.example.com${c.base}/Groups/${group.id}` }]);
    expect(user.meta.version).toBe('W/"2"');
  });

  it('refuses duplicate displayNames, unknown members and missing displayName', async () => {
    await c.createGroup('Unique');
    scimError(await c.req('POST', '/Groups', { schemas: [GROUP], displayName: 'UNIQUE' }), 409, 'uniqueness');
    const unknown = scimError(await c.req('POST', '/Groups', { schemas: [GROUP], displayName: 'X', members: [{ value: 'directory_user_nope' }] }), 400, 'invalidValue');
    expect(unknown.detail).toContain('directory_user_nope');
    scimError(await c.req('POST', '/Groups', { schemas: [GROUP] }), 400, 'invalidValue');
    // Nothing was written by the failed create.
    const list = (await c.req('GET', `/Groups?filter=${encodeURIComponent('displayName eq "X"')}`)).json();
    expect(list.totalResults).toBe(0);
  });

  it('Okta: rename with membership updates, remove by filter, add a list', async () => {
    const g = await c.createGroup('Okta Group', { members: [{ value: u.a }, { value: u.b }] });
    const res = await patchGroup(g.id, [
      { op: 'replace', value: { displayName: 'Okta Group 2' } },
      { op: 'remove', path: `members[value eq "${u.a}"]` },
      { op: 'add', path: 'members', value: [{ value: u.c, display: 'c@acme.com' }, { value: u.b }] },
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.displayName).toBe('Okta Group 2');
    expect(memberIds(body)).toEqual([u.b, u.c].sort());
    expect(body.meta.version).toBe('W/"2"');
  });

  it('Entra: remove members by a value list removes only those', async () => {
    const g = await c.createGroup('Entra Group', { members: [{ value: u.a }, { value: u.b }, { value: u.c }] });
    const res = await patchGroup(g.id, [{ op: 'remove', path: 'members', value: [{ value: u.a }, { value: u.c }] }]);
    expect(res.statusCode).toBe(200);
    expect(memberIds(res.json())).toEqual([u.b]);
  });

  it('remove members without a value clears; replace members [] clears; replace sets', async () => {
    const g = await c.createGroup('Clearing', { members: [{ value: u.a }, { value: u.b }] });
    expect(memberIds((await patchGroup(g.id, [{ op: 'replace', path: 'members', value: [{ value: u.c }, { value: u.d }] }])).json())).toEqual([u.c, u.d].sort());
    expect((await patchGroup(g.id, [{ op: 'replace', path: 'members', value: [] }])).json().members).toEqual([]);
    await patchGroup(g.id, [{ op: 'add', path: 'members', value: [{ value: u.a }] }]);
    expect((await patchGroup(g.id, [{ op: 'remove', path: 'members' }])).json().members).toEqual([]);
  });

  it('re-adding a member or removing a non-member changes nothing', async () => {
    const g = await c.createGroup('Idempotent', { members: [{ value: u.a }] });
    const again = (await patchGroup(g.id, [{ op: 'add', path: 'members', value: [{ value: u.a }] }])).json();
    expect(again.meta.version).toBe('W/"1"');
    const absent = (await patchGroup(g.id, [{ op: 'remove', path: `members[value eq "${u.d}"]` }])).json();
    expect(absent.meta.version).toBe('W/"1"');
    expect(memberIds(absent)).toEqual([u.a]);
  });

  it('removes members by another filter (display)', async () => {
    const g = await c.createGroup('By display', { members: [{ value: u.a }, { value: u.b }] });
    const res = await patchGroup(g.id, [{ op: 'remove', path: 'members[display eq "b"]' }]);
    expect(memberIds(res.json())).toEqual([u.a]);
  });

  it('a failing member operation rolls back the whole PATCH', async () => {
    const g = await c.createGroup('Atomic', { members: [{ value: u.a }] });
    const res = await patchGroup(g.id, [
      { op: 'replace', path: 'displayName', value: 'Atomic 2' },
      { op: 'add', path: 'members', value: [{ value: u.b }, { value: 'directory_user_ghost' }] },
    ]);
    scimError(res, 400, 'invalidValue');
    const after = await get(g.id);
    expect(after.displayName).toBe('Atomic');
    expect(memberIds(after)).toEqual([u.a]);
  });

  it('PUT replaces attributes and the member list', async () => {
    const g = await c.createGroup('Put', { members: [{ value: u.a }] });
    const res = await c.req('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Put 2', members: [{ value: u.b }, { value: u.c }] });
    expect(res.statusCode).toBe(200);
    expect(res.json().displayName).toBe('Put 2');
    expect(memberIds(res.json())).toEqual([u.b, u.c].sort());
  });

  it('excludedAttributes=members and filters on members', async () => {
    const g = await c.createGroup('Filter me', { members: [{ value: u.d }] });
    const res = (await c.req('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "filter ME"')}`)).json();
    expect(res.Resources).toHaveLength(1);
    expect(res.Resources[0]).not.toHaveProperty('members');
    const byMember = (await c.req('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${u.d}"]`)}&attributes=displayName`)).json();
    expect(byMember.Resources.map((r: { displayName: string }) => r.displayName)).toContain('Filter me');
    expect(byMember.Resources.find((r: { id: string }) => r.id === g.id)).toEqual({ schemas: [GROUP], id: g.id, displayName: 'Filter me' });
  });

  it('deleting a user removes its memberships; deleting a group removes the group', async () => {
    const temp = await c.createUser('temp@acme.com');
    const g = await c.createGroup('Temp', { members: [{ value: temp.id }, { value: u.a }] });
    await c.req('DELETE', `/Users/${temp.id}`);
    const after = await get(g.id);
    expect(memberIds(after)).toEqual([u.a]);
    expect(after.meta.version).toBe('W/"2"');
    expect((await c.req('DELETE', `/Groups/${g.id}`)).statusCode).toBe(204);
    scimError(await c.req('GET', `/Groups/${g.id}`), 404);
    const user = (await c.req('GET', `/Users/${u.a}`)).json();
    expect((user.groups ?? []).map((x: { value: string }) => x.value)).not.toContain(g.id);
  });

  it('sorts and filters groups by displayName', async () => {
    const res = (await c.req('GET', `/Groups?sortBy=displayName&sortOrder=descending&attributes=displayName&filter=${encodeURIComponent('displayName sw "o"')}`)).json();
    expect(res.Resources.map((r: { displayName: string }) => r.displayName)).toEqual(['Okta Group 2']);
    const all = (await c.req('GET', '/Groups?sortBy=displayName&attributes=displayName')).json();
    const names = all.Resources.map((r: { displayName: string }) => r.displayName.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('keeps the directory group count exact', async () => {
    const before = (await c.t.api('GET', `/directories/${c.directoryId}`)).json().metadata.groups;
    const g = await c.createGroup('Counted');
    expect((await c.t.api('GET', `/directories/${c.directoryId}`)).json().metadata.groups).toBe(before + 1);
    await c.req('DELETE', `/Groups/${g.id}`);
    expect((await c.t.api('GET', `/directories/${c.directoryId}`)).json().metadata.groups).toBe(before);
  });

  it('answers a plain PATCH with 204 and the new ETag', async () => {
    const g = await c.createGroup('No content', { members: [{ value: u.a }] });
    const res = await c.patch(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: u.b }] }]);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers.etag).toBe('W/"2"');
    expect(memberIds(await get(g.id))).toEqual([u.a, u.b].sort());
    const asked = await c.patch(`/Groups/${g.id}?excludedAttributes=members`, [{ op: 'replace', path: 'displayName', value: 'Renamed' }]);
    expect(asked.statusCode).toBe(200);
    expect(asked.json()).not.toHaveProperty('members');
    expect(asked.json().displayName).toBe('Renamed');
  });

  it('handles thousands of members in one PATCH', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push((await c.createUser(`bulk${i}@acme.com`)).id);
    const g = await c.createGroup('Big');
    const add = await patchGroup(g.id, [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }]);
    expect(add.statusCode).toBe(200);
    expect(add.json().members).toHaveLength(300);
    const remove = await patchGroup(g.id, [{ op: 'remove', path: 'members', value: ids.slice(0, 150).map((value) => ({ value })) }]);
    expect(remove.json().members).toHaveLength(150);
  });
});
