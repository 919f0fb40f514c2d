/**
 * OneLogin, JumpCloud, PingFederate, Google Workspace and Auth0, each as the "who sends what" matrix of
 * ../shared/IDP-DIALECTS.md describes from their documentation.
 */
import { describe, expect, it } from 'vitest';
import { directoryState, directoryUser, replay } from './replay.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const q = (filter: string) => encodeURIComponent(filter);

describe('other IdPs', () => {
  it('OneLogin: template JSON over application/json, PUT updates, suspend, group PATCH, DELETE', async () => {
    const json = { 'content-type': 'application/json', accept: 'application/json' };
    await replay(
      [
        { name: 'connection test', method: 'GET', path: `/Users?filter=${q('userName eq "nonexistent@onelogin.test"')}`, headers: json, status: 200 },
        {
          name: 'create from template',
          method: 'POST',
          path: '/Users',
          headers: json,
          body: { schemas: [USER, ENT], userName: 'kim@onelogin.test', name: { givenName: 'Kim', familyName: 'Lee' }, emails: [{ value: 'kim@onelogin.test', type: 'work', primary: 'true' }], active: 'true', title: '', [ENT]: { department: 'Support', manager: '' } },
          status: 201,
          capture: (j) => ({ user: j.id }),
        },
        { name: 'update with PUT', method: 'PUT', path: '/Users/{user}', headers: json, body: { schemas: [USER], userName: 'kim@onelogin.test', name: { givenName: 'Kimberly', familyName: 'Lee' }, emails: [{ value: 'kim@onelogin.test', type: 'work', primary: true }], active: true }, status: 200 },
        { name: 'refresh entitlements', method: 'GET', path: '/Groups', headers: json, status: 200 },
        { name: 'create group', method: 'POST', path: '/Groups', headers: json, body: { schemas: [GROUP], displayName: 'Support' }, status: 201, capture: (j) => ({ group: j.id }) },
        { name: 'patch group', method: 'PATCH', path: '/Groups/{group}', headers: json, body: { schemas: [OP], Operations: [{ op: 'add', path: 'members', value: [{ value: '{user}' }] }] }, status: 204 },
        { name: 'suspend', method: 'PUT', path: '/Users/{user}', headers: json, body: { schemas: [USER], userName: 'kim@onelogin.test', name: { givenName: 'Kimberly', familyName: 'Lee' }, active: false }, status: 200 },
      ],
      async (c, v) => {
        const user = await directoryUser(c, v.user!);
        // The suspending PUT drops the emails; the userName is an email address, so it is the user's email.
        expect(user).toMatchObject({ first_name: 'Kimberly', state: 'inactive', email: 'kim@onelogin.test', emails: [] });
        expect(user.custom_attributes).toEqual({ username: 'kim@onelogin.test' });
        expect((await directoryState(c)).groups[0]).toMatchObject({ name: 'Support', member_count: 1 });
      },
    );
  });

  it('JumpCloud: test user and group created then deleted; deactivate on unassign', async () => {
    await replay(
      [
        { name: 'test user', method: 'POST', path: '/Users', body: { schemas: [USER], userName: 'jctest-1700000000@jumpcloud.test', active: true }, status: 201, capture: (j) => ({ testUser: j.id }) },
        { name: 'test group', method: 'POST', path: '/Groups', body: { schemas: [GROUP], displayName: 'jctest-group-1700000000', members: [{ value: '{testUser}' }] }, status: 201, capture: (j) => ({ testGroup: j.id }) },
        { name: 'delete test group', method: 'DELETE', path: '/Groups/{testGroup}', status: 204 },
        { name: 'delete test user', method: 'DELETE', path: '/Users/{testUser}', status: 204 },
        { name: 'provision', method: 'POST', path: '/Users', body: { schemas: [USER], userName: 'sam@jumpcloud.test', externalId: '5f1a', emails: [{ value: 'sam@jumpcloud.test', type: 'work', primary: true }], active: true }, status: 201, capture: (j) => ({ user: j.id }) },
        { name: 'group by name', method: 'POST', path: '/Groups', body: { schemas: [GROUP], displayName: 'Engineers', members: [{ value: '{user}' }] }, status: 201, capture: (j) => ({ group: j.id }) },
        { name: 'deactivate on unassign', method: 'PATCH', path: '/Users/{user}', body: { schemas: [OP], Operations: [{ op: 'replace', path: 'active', value: false }] }, status: 200 },
      ],
      async (c, v) => {
        expect(await directoryUser(c, v.testUser!)).toBeUndefined();
        expect(await directoryUser(c, v.user!)).toMatchObject({ idp_id: '5f1a', state: 'inactive' });
        expect((await directoryState(c)).metadata).toEqual({ users: { active: 0, inactive: 1 }, groups: 1 });
      },
    );
  });

  it('PingFederate: disabled users provisioned, PUT for every update, groups listed and matched client-side', async () => {
    await replay(
      [
        { name: 'provision disabled', method: 'POST', path: '/Users', body: { schemas: [USER], userName: 'pat@ping.test', externalId: 'ping-1', active: false, name: { givenName: 'Pat' } }, status: 201, capture: (j) => ({ user: j.id }) },
        { name: 'enable with PUT', method: 'PUT', path: '/Users/{user}', body: { schemas: [USER], userName: 'pat@ping.test', externalId: 'ping-1', active: true, name: { givenName: 'Pat', familyName: 'Ng' } }, status: 200 },
        { name: 'create group', method: 'POST', path: '/Groups', body: { schemas: [GROUP], displayName: 'Ping Admins' }, status: 201 },
        {
          name: 'list all groups, page 1',
          method: 'GET',
          path: '/Groups?startIndex=1&count=50',
          status: 200,
          capture: (j) => ({ group: j.Resources.find((g: { displayName: string }) => g.displayName === 'Ping Admins').id }),
        },
        { name: 'membership by PATCH', method: 'PATCH', path: '/Groups/{group}', body: { schemas: [OP], Operations: [{ op: 'add', path: 'members', value: [{ value: '{user}' }] }] }, status: 204 },
        { name: 'delete', method: 'DELETE', path: '/Users/{user}', status: 204 },
      ],
      async (c, v) => {
        expect(await directoryUser(c, v.user!)).toBeUndefined();
        const state = await directoryState(c);
        expect(state.groups[0]).toMatchObject({ name: 'Ping Admins', member_count: 0, version: 3 });
        expect(state.metadata).toEqual({ users: { active: 0, inactive: 0 }, groups: 1 });
      },
    );
  });

  it('Google Workspace: list probes, create, suspend by PATCH, delete', async () => {
    await replay(
      [
        { name: 'probe', method: 'GET', path: '/Users', status: 200 },
        { name: 'probe count=1', method: 'GET', path: '/Users?count=1', status: 200 },
        { name: 'create', method: 'POST', path: '/Users', body: { schemas: [USER], userName: 'alex@workspace.test', name: { givenName: 'Alex', familyName: 'Kim' }, emails: [{ value: 'alex@workspace.test', primary: true }], active: true }, status: 201, capture: (j) => ({ user: j.id }) },
        { name: 'suspend', method: 'PATCH', path: '/Users/{user}', body: { schemas: [OP], Operations: [{ op: 'replace', path: 'active', value: false }] }, status: 200 },
        { name: 'delete the user', method: 'DELETE', path: '/Users/{user}', status: 204 },
        { name: 'gone', method: 'GET', path: '/Users/{user}', status: 404 },
      ],
      async (c) => expect((await directoryState(c)).users).toEqual([]),
    );
  });

  it("Auth0's outbound template: externalId lookup then userName, create, PUT update, DELETE", async () => {
    await replay(
      [
        { name: 'lookup by externalId', method: 'GET', path: `/Users?filter=${q('externalId eq "auth0|64f0c1"')}`, status: 200, check: (j) => expect(j.totalResults).toBe(0) },
        { name: 'fallback lookup by userName', method: 'GET', path: `/Users?filter=${q('userName eq "dana@auth0.test"')}`, status: 200 },
        { name: 'create', method: 'POST', path: '/Users', body: { schemas: [USER], externalId: 'auth0|64f0c1', userName: 'dana@auth0.test', emails: [{ value: 'dana@auth0.test', primary: true }], active: true }, status: 201, capture: (j) => ({ user: j.id }) },
        { name: 'found by externalId', method: 'GET', path: `/Users?filter=${q('externalId eq "auth0|64f0c1"')}`, status: 200, check: (j, v) => expect(j.Resources[0].id).toBe(v.user) },
        { name: 'update by PUT', method: 'PUT', path: '/Users/{user}', body: { schemas: [USER], externalId: 'auth0|64f0c1', userName: 'dana@auth0.test', displayName: 'Dana', emails: [{ value: 'dana@auth0.test', primary: true }], active: true }, status: 200 },
        { name: 'delete', method: 'DELETE', path: '/Users/{user}', status: 204 },
      ],
      async (c) => expect((await directoryState(c)).metadata).toEqual({ users: { active: 0, inactive: 0 }, groups: 0 }),
    );
  });
});
