/**
 * Every quirk of ../shared/IDP-DIALECTS.md (Q1–Q20), each with a request shaped as the IdP named sends it,
 * over HTTP against a fresh directory, asserting both the response and what was stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, GROUP, PATCH_OP, USER, scimClient, scimError, type ScimClient } from '../scim/helpers.ts';

let c: ScimClient;
beforeAll(async () => {
  c = await scimClient();
});
afterAll(() => c.close());

let n = 0;
const unique = (prefix: string) => `${prefix}${++n}@contoso.com`;
const get = async (path: string) => (await c.req('GET', path)).json();
const patchOps = (path: string, Operations: unknown[]) => c.req('PATCH', path, { schemas: [PATCH_OP], Operations });

describe('IdP quirks', () => {
  it('Q1: op in any case (Entra: Add/Replace/Remove)', async () => {
    const user = await c.createUser(unique('q1'), { title: 'T', nickName: 'N' });
    const res = await patchOps(`/Users/${user.id}`, [
      { op: 'Replace', path: 'title', value: 'Lead' },
      { op: 'Add', path: 'displayName', value: 'Q One' },
      { op: 'Remove', path: 'nickName' },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'Lead', displayName: 'Q One' });
    expect(res.json()).not.toHaveProperty('nickName');
    scimError(await patchOps(`/Users/${user.id}`, [{ op: 'Merge', path: 'title', value: 'x' }]), 400, 'invalidValue');
  });

  it('Q2: path-less values: Okta deactivation, Okta group rename with id, Entra dotted and URN keys', async () => {
    const user = await c.createUser(unique('q2'), { name: { givenName: 'B' } });
    expect((await patchOps(`/Users/${user.id}`, [{ op: 'replace', value: { active: false } }])).json().active).toBe(false);
    const entra = await patchOps(`/Users/${user.id}`, [
      { op: 'Replace', value: { 'name.givenName': 'Barbara', 'name.familyName': 'Jensen', [`${ENTERPRISE}:department`]: 'Tour Operations', active: true } },
    ]);
    expect(entra.json()).toMatchObject({ name: { givenName: 'Barbara', familyName: 'Jensen' }, active: true, [ENTERPRISE]: { department: 'Tour Operations' } });
    const group = await c.createGroup('Q2 Group');
    const rename = await c.req('PATCH', `/Groups/${group.id}?attributes=displayName`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: group.id, displayName: 'Q2 Renamed' } }] });
    expect(rename.json().displayName).toBe('Q2 Renamed');
  });

  it('Q3: boolean strings in POST and PATCH (Entra default)', async () => {
    const res = await c.req('POST', '/Users', {
      schemas: [USER],
      userName: unique('q3'),
      active: 'True',
      emails: [{ value: 'q3@contoso.com', type: 'work', primary: 'true' }],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ active: true, emails: [{ primary: true }] });
    const off = await patchOps(`/Users/${res.json().id}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
    expect(off.json().active).toBe(false);
    scimError(await patchOps(`/Users/${res.json().id}`, [{ op: 'Replace', path: 'active', value: 'yes' }]), 400, 'invalidValue');
  });

  it('Q4: member removal by value list (Entra default), by filter (Entra flag, Okta), bare (all)', async () => {
    const [a, b, d] = [await c.createUser(unique('q4a')), await c.createUser(unique('q4b')), await c.createUser(unique('q4c'))];
    const group = await c.createGroup('Q4', { members: [{ value: a.id }, { value: b.id }, { value: d.id }] });
    expect((await patchOps(`/Groups/${group.id}`, [{ op: 'Remove', path: 'members', value: [{ value: a.id }] }])).statusCode).toBe(204);
    expect((await get(`/Groups/${group.id}`)).members.map((m: { value: string }) => m.value).sort()).toEqual([b.id, d.id].sort());
    await patchOps(`/Groups/${group.id}`, [{ op: 'Remove', path: `members[value eq "${b.id}"]` }]);
    expect((await get(`/Groups/${group.id}`)).members.map((m: { value: string }) => m.value)).toEqual([d.id]);
    expect((await patchOps(`/Groups/${group.id}`, [{ op: 'Remove', path: `members[value eq "${a.id}"]` }])).statusCode).toBe(204);
    await patchOps(`/Groups/${group.id}`, [{ op: 'remove', path: 'members' }]);
    expect((await get(`/Groups/${group.id}`)).members).toEqual([]);
  });

  it('Q5: filtered add/replace on an absent element creates it (Entra)', async () => {
    const user = await c.createUser(unique('q5'));
    await patchOps(`/Users/${user.id}`, [
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'q5@contoso.com' },
      { op: 'Replace', path: 'emails[type eq "work"].primary', value: 'True' },
      { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0101' },
    ]);
    expect(await get(`/Users/${user.id}`)).toMatchObject({
      emails: [{ type: 'work', value: 'q5@contoso.com', primary: true }],
      phoneNumbers: [{ type: 'mobile', value: '+1 555 0101' }],
    });
  });

  it('Q6: manager as string, object or array; removal by filter (Entra)', async () => {
    const boss = await c.createUser(unique('q6boss'));
    const user = await c.createUser(unique('q6'), { [ENTERPRISE]: { manager: boss.id } });
    expect(user[ENTERPRISE]).toEqual({ manager: { value: boss.id } });
    await patchOps(`/Users/${user.id}`, [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: [{ $ref: null, value: 'other-id' }] }]);
    expect((await get(`/Users/${user.id}`))[ENTERPRISE].manager).toEqual({ value: 'other-id' });
    await patchOps(`/Users/${user.id}`, [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: { value: boss.id } }]);
    expect((await get(`/Users/${user.id}`))[ENTERPRISE].manager).toEqual({ value: boss.id });
    await patchOps(`/Users/${user.id}`, [{ op: 'Remove', path: `${ENTERPRISE}:manager[value eq "${boss.id}"]` }]);
    expect(await get(`/Users/${user.id}`)).not.toHaveProperty(ENTERPRISE);
    expect((await c.t.api('GET', `/directory_users/${user.id}`)).json().custom_attributes).not.toHaveProperty('manager_email');
  });

  it('Q7: roles sent as a JSON string (Entra)', async () => {
    const user = await c.createUser(unique('q7'));
    await patchOps(`/Users/${user.id}`, [{ op: 'Add', path: 'roles', value: '[{"primary":"True","type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]' }]);
    expect((await get(`/Users/${user.id}`)).roles).toEqual([{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }]);
    expect((await c.t.api('GET', `/directory_users/${user.id}`)).json().role).toEqual({ slug: 'Admin' });
  });

  it('Q8: missing, misspelled and extra schemas; extension data under a misspelled URN', async () => {
    const res = await c.req('POST', '/Users', {
      userName: unique('q8'),
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { department: 'Finance' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'Finance' } });
    const group = await c.req('POST', '/Groups', { schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group', 'urn:scim:schemas:core:1.0'], displayName: 'Q8 Group' });
    expect(group.statusCode).toBe(201);
    expect(group.json().schemas).toEqual([GROUP]);
    const patch = await c.req('PATCH', `/Users/${res.json().id}`, { Operations: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:Enterprise:2.0:user:department', value: 'Ops' }] });
    expect(patch.json()[ENTERPRISE]).toEqual({ department: 'Ops' });
  });

  it('Q9: null and empty values, read-only echoes, groups [], members null, password', async () => {
    const res = await c.req('POST', '/Users', {
      schemas: [USER],
      id: null,
      userName: unique('q9'),
      nickName: '',
      title: null,
      groups: [],
      password: 'Pa55word!',
      meta: { resourceType: 'User' },
      name: { givenName: 'Q', middleName: '' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).not.toHaveProperty('nickName');
    expect(res.json()).not.toHaveProperty('title');
    expect(res.json()).not.toHaveProperty('password');
    expect(res.json().name).toEqual({ givenName: 'Q' });
    expect(res.body).not.toContain('Pa55word');
    const group = await c.req('POST', '/Groups', { schemas: [GROUP], displayName: 'Q9 Group', members: null });
    expect(group.statusCode).toBe(201);
    await patchOps(`/Users/${res.json().id}`, [{ op: 'Replace', path: 'name.givenName', value: '' }]);
    expect(await get(`/Users/${res.json().id}`)).not.toHaveProperty('name');
  });

  it('Q10: filter forms Entra and Okta send', async () => {
    const user = await c.createUser(unique('jyoung'), { externalId: 'jyoung', emails: [{ value: 'jyoung@contoso.com', type: 'work' }] });
    for (const query of [
      'filter=externalId eq jyoung',
      `filter=userName+eq+%22${encodeURIComponent(user.userName)}%22`,
      `filter=${encodeURIComponent('emails[type eq "work"].value eq "jyoung@contoso.com"')}`,
      `filter=${encodeURIComponent(`id eq "${user.id}" and externalId eq "jyoung"`)}&attributes=id`,
    ]) {
      const res = await c.req('GET', `/Users?${query}`);
      expect(res.statusCode, query).toBe(200);
      expect(res.json().Resources.map((r: { id: string }) => r.id), query).toEqual([user.id]);
    }
    expect((await get(`/Users?filter=${encodeURIComponent(`id eq "${user.id}"`)}&attributes=id`)).Resources[0]).toEqual({ schemas: [USER], id: user.id });
    const groups = await c.req('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Q9 Group"')}`);
    expect(groups.json().Resources[0]).not.toHaveProperty('members');
    scimError(await c.req('GET', `/Users?filter=${encodeURIComponent('userName regex "x"')}`), 400, 'invalidFilter');
  });

  it('Q11: an unknown user is a 200 with an empty ListResponse (Entra connection test)', async () => {
    const res = await c.req('GET', `/Users?filter=${encodeURIComponent('userName eq "5f2d7c40-0b1d-4a3e-9b1e-1b2c3d4e5f60"')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
    const groups = await c.req('GET', `/Groups?filter=${encodeURIComponent('displayName eq "0a5f8b3e-random"')}`);
    expect(groups.json().totalResults).toBe(0);
  });

  it('Q12: paging probes and numbers as numbers (Okta, Ping)', async () => {
    const probe = (await c.req('GET', '/Users?startIndex=1&count=2')).json();
    expect(probe.itemsPerPage).toBe(2);
    expect(typeof probe.totalResults).toBe('number');
    expect((await c.req('GET', '/Users?count=0')).json().Resources).toEqual([]);
    expect((await c.req('GET', '/Groups')).json().startIndex).toBe(1);
  });

  it('Q13: a duplicate userName is a 409 uniqueness, status as a string (Okta SPEC)', async () => {
    const userName = unique('q13');
    await c.createUser(userName);
    const body = scimError(await c.req('POST', '/Users', { schemas: [USER], userName: userName.toUpperCase() }), 409, 'uniqueness');
    expect(body.status).toBe('409');
  });

  it("Q14: Okta's PUT echoes the GET output; a missing active stays active; active false deactivates", async () => {
    const user = await c.createUser(unique('q14'), { name: { givenName: 'Q', familyName: 'F' } });
    const echoed = { ...(await get(`/Users/${user.id}`)), displayName: '', title: 'Echoed' };
    delete echoed.active;
    const put = await c.req('PUT', `/Users/${user.id}`, echoed);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ id: user.id, title: 'Echoed', name: { givenName: 'Q', familyName: 'F' } });
    expect((await c.t.api('GET', `/directory_users/${user.id}`)).json().state).toBe('active');
    await c.req('PUT', `/Users/${user.id}`, { ...echoed, active: false });
    expect((await c.t.api('GET', `/directory_users/${user.id}`)).json().state).toBe('inactive');
  });

  it('Q15: rename with every membership update; create empty then PATCH; replace members [] clears', async () => {
    const member = await c.createUser(unique('q15'));
    const group = await c.createGroup('Q15', { members: [] });
    await patchOps(`/Groups/${group.id}`, [
      { op: 'replace', value: { id: group.id, displayName: 'Q15' } },
      { op: 'add', path: 'members', value: [{ value: member.id, display: member.userName }] },
    ]);
    const after = await get(`/Groups/${group.id}`);
    expect(after.members.map((m: { value: string }) => m.value)).toEqual([member.id]);
    expect(after.meta.version).toBe('W/"2"');
    await patchOps(`/Groups/${group.id}`, [{ op: 'replace', path: 'members', value: [] }]);
    expect((await get(`/Groups/${group.id}`)).members).toEqual([]);
  });

  it('Q16: request and response content types', async () => {
    for (const type of ['application/scim+json', 'application/json', 'application/json; charset=utf-8', 'application/scim+json; charset=UTF-8']) {
      const res = await c.t.scim('POST', `${c.base}/Users`, c.token, { schemas: [USER], userName: unique('q16') }, { 'content-type': type });
      expect(res.statusCode, type).toBe(201);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    }
    const onelogin = await c.t.scim('GET', `${c.base}/Users?count=1`, c.token, undefined, { accept: 'application/json' });
    expect(onelogin.headers['content-type']).toMatch(/^application\/json/);
  });

  it('Q17: attribute names in any case in bodies, paths and filters', async () => {
    const res = await c.req('POST', '/Users', {
      schemas: [USER],
      UserName: unique('q17'),
      Emails: [{ Value: 'q17@contoso.com', Type: 'work', Primary: true }],
      Name: { FamilyName: 'Kase' },
    });
    expect(res.json()).toMatchObject({ emails: [{ value: 'q17@contoso.com', type: 'work', primary: true }], name: { familyName: 'Kase' } });
    await patchOps(`/Users/${res.json().id}`, [{ op: 'replace', path: 'Name.FamilyName', value: 'Case' }]);
    const found = await get(`/Users?filter=${encodeURIComponent('name.FamilyName eq "case" and emails.Value eq "Q17@contoso.com"')}`);
    expect(found.Resources.map((r: { id: string }) => r.id)).toEqual([res.json().id]);
  });

  it('Q18: userName may change (Entra Replace userName); the id stays', async () => {
    const user = await c.createUser(unique('q18'));
    const res = await patchOps(`/Users/${user.id}`, [{ op: 'Replace', path: 'userName', value: 'renamed.q18@contoso.com' }]);
    expect(res.json()).toMatchObject({ id: user.id, userName: 'renamed.q18@contoso.com' });
  });

  it("Q19: externalId is not unique and may change (Microsoft's probes)", async () => {
    const ids: string[] = [];
    for (const name of ['emp1', 'emp2', 'emp3']) ids.push((await c.createUser(unique(name), { externalId: 'shared-ext' })).id);
    expect((await get(`/Users?filter=${encodeURIComponent('externalId eq "shared-ext"')}`)).totalResults).toBe(3);
    await patchOps(`/Users/${ids[0]}`, [{ op: 'Replace', path: 'externalId', value: 'new-ext' }]);
    expect((await get(`/Users?filter=${encodeURIComponent('externalId eq "new-ext"')}`)).Resources.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
  });

  it('Q20: trailing slashes and unknown query parameters', async () => {
    expect((await c.req('GET', `/Users/?filter=${encodeURIComponent('userName eq "x"')}&aadOptscim062020`)).statusCode).toBe(200);
    expect((await c.req('GET', '/Groups/?aadOptscim062020')).statusCode).toBe(200);
    expect((await c.req('GET', '/ServiceProviderConfig/')).statusCode).toBe(200);
  });
});
