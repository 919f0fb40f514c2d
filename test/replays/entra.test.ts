/**
 * Microsoft Entra ID provisioning, as its SCIM tutorial and compatibility notes describe the requests
 * (MS-TUT, MS-COMPAT): default dialect, and the `aadOptscim062020` dialect.
 */
import { describe, expect, it } from 'vitest';
import { directoryState, directoryUser, replay, type Step } from './replay.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const q = (filter: string) => encodeURIComponent(filter);

/** The steps both dialects share: connection test, matching, creation. */
function connectAndCreate(flag: string): Step[] {
  return [
    { name: 'test connection: random user', method: 'GET', path: `/Users?filter=${q('userName eq "7f7c8e0b-13a9-4d09-b3b5-0b4c3f1e9b2a"')}${flag}`, status: 200, check: (j) => expect(j.totalResults).toBe(0) },
    { name: 'test connection: random group', method: 'GET', path: `/Groups?excludedAttributes=members&filter=${q('displayName eq "1e2f3a4b-5c6d"')}${flag}`, status: 200 },
    { name: 'match user before create', method: 'GET', path: `/Users?filter=${q('userName eq "Test_User_ab6490ee"')}${flag}`, status: 200, check: (j) => expect(j.Resources).toEqual([]) },
    {
      name: 'create user',
      method: 'POST',
      path: `/Users${flag ? '?aadOptscim062020' : ''}`,
      body: {
        schemas: [USER, ENT],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee@contoso.onmicrosoft.com',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
        [ENT]: { department: 'Sales' },
      },
      status: 201,
      capture: (j) => ({ user: j.id }),
    },
    {
      name: 'create manager',
      method: 'POST',
      path: '/Users',
      body: { schemas: [USER], externalId: 'mgr-objectid', userName: 'manager@contoso.onmicrosoft.com', active: true, emails: [{ primary: true, type: 'work', value: 'manager@contoso.com' }] },
      status: 201,
      capture: (j) => ({ manager: j.id }),
    },
    { name: 'find by externalId', method: 'GET', path: `/Users?filter=${q('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`, status: 200, check: (j, v) => expect(j.Resources[0].id).toBe(v.user) },
    { name: 'find by work email', method: 'GET', path: `/Users?filter=${q('emails[type eq "work"].value eq "Test_User_fd0ea19b@testuser.com"')}`, status: 200, check: (j, v) => expect(j.Resources[0].id).toBe(v.user) },
    {
      name: 'create group without members',
      method: 'POST',
      path: '/Groups',
      body: { schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'Entra Sales', meta: { resourceType: 'Group' } },
      status: 201,
      capture: (j) => ({ group: j.id }),
    },
    { name: 'group lookup', method: 'GET', path: `/Groups?excludedAttributes=members&filter=${q('displayName eq "Entra Sales"')}`, status: 200, check: (j, v) => expect(j.Resources.map((r: { id: string }) => r.id)).toEqual([v.group]) },
  ];
}

describe('Microsoft Entra ID', () => {
  it('default dialect: capitalised ops, string booleans, member removal by value list', async () => {
    await replay(
      [
        ...connectAndCreate(''),
        {
          name: 'update attributes',
          method: 'PATCH',
          path: '/Users/{user}',
          body: {
            schemas: [OP],
            Operations: [
              { op: 'Replace', path: 'userName', value: 'renamed@contoso.onmicrosoft.com' },
              { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updated@contoso.com' },
              { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
              { op: 'Add', path: 'title', value: 'Account Executive' },
            ],
          },
          status: 200,
        },
        { name: 'set manager', method: 'PATCH', path: '/Users/{user}', body: { schemas: [OP], Operations: [{ op: 'Add', path: `${ENT}:manager`, value: '{manager}' }] }, status: 200 },
        {
          name: 'add member',
          method: 'PATCH',
          path: '/Groups/{group}',
          body: { schemas: [OP], Operations: [{ name: 'addMember', op: 'Add', path: 'members', value: [{ $ref: null, value: '{user}' }, { $ref: null, value: '{manager}' }] }] },
          status: 204,
        },
        {
          name: 'remove member by value list',
          method: 'PATCH',
          path: '/Groups/{group}',
          body: { schemas: [OP], Operations: [{ name: 'removeMember', op: 'Remove', path: 'members', value: [{ $ref: null, value: '{manager}' }] }] },
          status: 204,
        },
        { name: 'disable with a string boolean', method: 'PATCH', path: '/Users/{user}', body: { schemas: [OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }, status: 200 },
        { name: 'delete manager', method: 'DELETE', path: '/Users/{manager}', status: 204 },
        { name: 'manager gone', method: 'GET', path: '/Users/{manager}', status: 404 },
      ],
      async (c, v) => {
        const user = await directoryUser(c, v.user!);
        expect(user).toMatchObject({
          idp_id: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
          username: 'renamed@contoso.onmicrosoft.com',
          email: 'updated@contoso.com',
          first_name: 'givenName',
          last_name: 'updatedFamilyName',
          state: 'inactive',
          custom_attributes: { job_title: 'Account Executive', department_name: 'Sales' },
        });
        expect(user.groups.map((g: { name: string }) => g.name)).toEqual(['Entra Sales']);
        const state = await directoryState(c);
        expect(state.metadata).toEqual({ users: { active: 0, inactive: 1 }, groups: 1 });
        expect(state.groups[0]).toMatchObject({ idp_id: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', member_count: 1 });
      },
    );
  });

  it('aadOptscim062020 dialect: lowercase ops, real booleans, path-less values, removal by filter', async () => {
    await replay(
      [
        ...connectAndCreate('&aadOptscim062020'),
        {
          name: 'path-less replace with dotted and URN keys',
          method: 'PATCH',
          path: '/Users/{user}?aadOptscim062020',
          body: { schemas: [OP], Operations: [{ op: 'replace', value: { 'name.givenName': 'Barbara', [`${ENT}:employeeNumber`]: '701984', displayName: 'Barbara J' } }] },
          status: 200,
        },
        { name: 'add members', method: 'PATCH', path: '/Groups/{group}?aadOptscim062020', body: { schemas: [OP], Operations: [{ op: 'add', path: 'members', value: [{ value: '{user}' }, { value: '{manager}' }] }] }, status: 204 },
        { name: 'remove member by filter', method: 'PATCH', path: '/Groups/{group}?aadOptscim062020', body: { schemas: [OP], Operations: [{ op: 'remove', path: 'members[value eq "{manager}"]' }] }, status: 204 },
        { name: 'disable', method: 'PATCH', path: '/Users/{user}?aadOptscim062020', body: { schemas: [OP], Operations: [{ op: 'replace', value: { active: false } }] }, status: 200 },
        { name: 're-enable', method: 'PATCH', path: '/Users/{user}?aadOptscim062020', body: { schemas: [OP], Operations: [{ op: 'replace', path: 'active', value: true }] }, status: 200 },
        { name: 'remove group', method: 'DELETE', path: '/Groups/{group}', status: 204 },
      ],
      async (c, v) => {
        const user = await directoryUser(c, v.user!);
        expect(user).toMatchObject({ first_name: 'Barbara', name: 'givenName familyName', state: 'active', custom_attributes: { employee_number: '701984' } });
        expect(user.groups).toEqual([]);
        expect((await directoryState(c)).metadata).toEqual({ users: { active: 2, inactive: 0 }, groups: 0 });
      },
    );
  });
});
