/**
 * Okta: OIN provisioning as Okta's SCIM 2.0 reference describes it (OKTA-REF), and the expectations of Okta's
 * SCIM 2.0 SPEC test (OKTA-SPEC).
 */
import { describe, expect, it } from 'vitest';
import { directoryState, directoryUser, replay } from './replay.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const q = (filter: string) => encodeURIComponent(filter);

const oktaUser = {
  schemas: [USER],
  userName: 'test.user@okta.local',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
};

describe('Okta', () => {
  it('OIN: lookup, create, PUT profile echo, PATCH deactivation, group push with rename and membership', async () => {
    await replay(
      [
        { name: 'lookup before create', method: 'GET', path: `/Users?filter=${q('userName eq "test.user@okta.local"')}&startIndex=1&count=100`, status: 200, check: (j) => expect(j.totalResults).toBe(0) },
        { name: 'create user', method: 'POST', path: '/Users', body: oktaUser, status: 201, capture: (j) => ({ user: j.id }), check: (j) => expect(j).not.toHaveProperty('password') },
        { name: 'create second user', method: 'POST', path: '/Users', body: { ...oktaUser, userName: 'second@okta.local', externalId: '00u2', emails: [{ primary: true, value: 'second@okta.local', type: 'work' }] }, status: 201, capture: (j) => ({ second: j.id }) },
        { name: 'read user', method: 'GET', path: '/Users/{user}', status: 200, capture: (j) => ({ echo: JSON.stringify(j) }) },
        {
          name: 'PUT profile update echoing server fields',
          method: 'PUT',
          path: '/Users/{user}',
          body: { ...oktaUser, id: '{user}', name: { givenName: 'Tess', familyName: 'User' }, meta: { resourceType: 'User' }, groups: [], active: true },
          status: 200,
          check: (j) => expect(j.name.givenName).toBe('Tess'),
        },
        { name: 'group lookup', method: 'GET', path: `/Groups?filter=${q('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`, status: 200, check: (j) => expect(j.Resources).toEqual([]) },
        { name: 'push group', method: 'POST', path: '/Groups', body: { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] }, status: 201, capture: (j) => ({ group: j.id }) },
        {
          name: 'rename and add members',
          method: 'PATCH',
          path: '/Groups/{group}',
          body: {
            schemas: [OP],
            Operations: [
              { op: 'replace', value: { id: '{group}', displayName: 'Test SCIMv2' } },
              { op: 'add', path: 'members', value: [{ value: '{user}', display: 'test.user@okta.local' }, { value: '{second}', display: 'second@okta.local' }] },
            ],
          },
          status: 204,
        },
        { name: 'remove member', method: 'PATCH', path: '/Groups/{group}', body: { schemas: [OP], Operations: [{ op: 'remove', path: 'members[value eq "{second}"]' }] }, status: 204 },
        { name: 'replace members', method: 'PATCH', path: '/Groups/{group}', body: { schemas: [OP], Operations: [{ op: 'replace', path: 'members', value: [{ value: '{second}' }] }] }, status: 204 },
        { name: 'rename group', method: 'PATCH', path: '/Groups/{group}', body: { schemas: [OP], Operations: [{ op: 'replace', value: { id: '{group}', displayName: 'Renamed SCIMv2' } }] }, status: 204 },
        { name: 'deactivate', method: 'PATCH', path: '/Users/{user}', body: { schemas: [OP], Operations: [{ op: 'replace', value: { active: false } }] }, status: 200, check: (j) => expect(j.active).toBe(false) },
        { name: 'reactivate', method: 'PATCH', path: '/Users/{second}', body: { schemas: [OP], Operations: [{ op: 'replace', value: { active: true } }] }, status: 200 },
        { name: 'unpush group', method: 'DELETE', path: '/Groups/{group}', status: 204 },
      ],
      async (c, v) => {
        expect(await directoryUser(c, v.user!)).toMatchObject({ idp_id: '00ujl29u0le5T6Aj10h7', first_name: 'Tess', state: 'inactive', groups: [] });
        const state = await directoryState(c);
        expect(state.metadata).toEqual({ users: { active: 1, inactive: 1 }, groups: 0 });
        expect(state.groups).toEqual([]);
      },
    );
  });

  it('SPEC test expectations: paging probe, reads, 404 detail, duplicates, filters', async () => {
    await replay(
      [
        { name: 'create', method: 'POST', path: '/Users', body: oktaUser, status: 201, capture: (j) => ({ user: j.id }), check: (j) => expect(j).toMatchObject({ active: true, userName: oktaUser.userName }) },
        {
          name: 'probe with count=1&startIndex=1',
          method: 'GET',
          path: '/Users?count=1&startIndex=1',
          status: 200,
          check: (j, v) => {
            expect(j.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
            expect(j).toMatchObject({ itemsPerPage: 1, startIndex: 1 });
            // The directory is fresh: its one user is the one just created.
            expect(j).toMatchObject({ totalResults: 1, Resources: [{ id: v.user, userName: oktaUser.userName }] });
          },
        },
        { name: 'get by id', method: 'GET', path: '/Users/{user}', status: 200, check: (j, v) => expect(j.id).toBe(v.user) },
        { name: 'filter by userName', method: 'GET', path: `/Users?filter=${q('userName eq "test.user@okta.local"')}`, status: 200, check: (j) => expect(j.totalResults).toBe(1) },
        { name: 'duplicate create', method: 'POST', path: '/Users', body: oktaUser, status: 409, check: (j) => expect(j).toMatchObject({ status: '409', scimType: 'uniqueness' }) },
        { name: 'random id', method: 'GET', path: '/Users/010101001010101010', status: 404, check: (j) => expect(j).toMatchObject({ status: '404', detail: expect.any(String) }) },
        { name: 'random filter', method: 'GET', path: `/Users?filter=${q('userName eq "random-user-1234@okta.local"')}`, status: 200, check: (j) => expect(j.totalResults).toBe(0) },
      ],
      async () => {},
    );
  });
});
