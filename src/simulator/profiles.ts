/**
 * How each identity provider talks SCIM, as its documentation says (../shared/IDP-DIALECTS.md): the lookup
 * before a create, the create payload, the update method, the deactivation form, the group push sequence and
 * membership PATCH forms, paging, and typical concurrency. A profile only builds requests; the scenarios
 * decide when to send them.
 */
import type { SimGroup, SimUser } from './directory.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type IdpName = 'okta' | 'entra' | 'onelogin' | 'jumpcloud' | 'pingfederate' | 'generic';
export const IDPS: IdpName[] = ['okta', 'entra', 'onelogin', 'jumpcloud', 'pingfederate', 'generic'];

export interface Request {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  expect: number[];
}

export interface Profile {
  name: IdpName;
  contentType: string;
  concurrency: number;
  /** Hard-deletes users on deprovision (after deactivating, where it does both). */
  deletesUsers: boolean;
  /** Does not push a group while it is empty (JumpCloud). */
  skipsEmptyGroups: boolean;
  /** Sends the members in the group's create; otherwise creates it empty and PATCHes them in. */
  membersAtCreate: boolean;
  /** Its connection test creates a test user and a test group, then deletes them (JumpCloud). */
  probesByCreating?: boolean;
  connectionTest(): Request[];
  lookupUser(user: SimUser): Request;
  createUser(user: SimUser, managerId: string | undefined): Request;
  /** Sends the user's new state. `current` is the server's copy from a GET, for IdPs that PUT it back. */
  updateUser(id: string, user: SimUser, managerId: string | undefined, current: any): Request;
  /** True when updateUser needs the server's copy first (a GET before the PUT). */
  readsBeforeUpdate: boolean;
  deactivateUser(id: string, user: SimUser, managerId: string | undefined): Request;
  deleteUser(id: string): Request;
  lookupGroup(group: SimGroup): Request | undefined;
  createGroup(group: SimGroup, memberIds: string[]): Request;
  /** Membership changes, as this IdP words them; may be several requests. */
  changeMembers(groupId: string, group: SimGroup, add: string[], remove: string[], allMemberIds: string[]): Request[];
  deleteGroup(id: string): Request;
  /** The page size it lists with. */
  pageSize: number;
}

const q = (filter: string, plus = false) => (plus ? encodeURIComponent(filter).replace(/%20/g, '+') : encodeURIComponent(filter));

function coreUser(user: SimUser, managerId: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName: user.userName,
    externalId: user.key,
    name: { givenName: user.givenName, familyName: user.familyName },
    displayName: `${user.givenName} ${user.familyName}`,
    emails: [{ value: user.email, type: 'work', primary: true }],
    title: user.title,
    active: user.active,
    [ENTERPRISE]: { department: user.department, employeeNumber: user.employeeNumber, ...(managerId ? { manager: { value: managerId } } : {}) },
    ...extra,
  };
}

/** Okta's PUT: the object from its last GET, with its own fields written over it (server fields echoed). */
function putBack(current: any, user: SimUser, managerId: string | undefined) {
  const next = coreUser(user, managerId);
  return { ...current, ...next, id: current?.id, [ENTERPRISE]: { ...(current?.[ENTERPRISE] ?? {}), ...next[ENTERPRISE] } };
}

const patch = (Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

const base = {
  contentType: 'application/scim+json',
  pageSize: 100,
  connectionTest: (): Request[] => [{ method: 'GET', path: '/Users?startIndex=1&count=1', expect: [200] }],
  deleteUser: (id: string): Request => ({ method: 'DELETE', path: `/Users/${id}`, expect: [204] }),
  deleteGroup: (id: string): Request => ({ method: 'DELETE', path: `/Groups/${id}`, expect: [204] }),
};

const okta: Profile = {
  ...base,
  name: 'okta',
  membersAtCreate: false,
  concurrency: 5,
  deletesUsers: false,
  skipsEmptyGroups: false,
  readsBeforeUpdate: true,
  // Okta's SPEC test: list probe, then an unknown id must be a 404 in SCIM Error JSON.
  connectionTest: () => [
    { method: 'GET', path: '/Users?startIndex=1&count=2', expect: [200] },
    { method: 'GET', path: '/Users/010101010101-okta-spec-test-unknown', expect: [404] },
  ],
  lookupUser: (u) => ({ method: 'GET', path: `/Users?filter=${q(`userName eq "${u.userName}"`)}&startIndex=1&count=100`, expect: [200] }),
  createUser: (u, m) => ({ method: 'POST', path: '/Users', body: { ...coreUser(u, m), password: 'Sim-Pa55word!', groups: [] }, expect: [201] }),
  updateUser: (id, u, m, current) => ({ method: 'PUT', path: `/Users/${id}`, body: putBack(current, u, m), expect: [200] }),
  deactivateUser: (id) => ({ method: 'PATCH', path: `/Users/${id}`, body: patch([{ op: 'replace', value: { active: false } }]), expect: [200, 204] }),
  lookupGroup: (g) => ({ method: 'GET', path: `/Groups?filter=${q(`displayName eq "${g.displayName}"`)}&startIndex=1&count=100`, expect: [200] }),
  createGroup: (g) => ({ method: 'POST', path: '/Groups', body: { schemas: [GROUP_SCHEMA], displayName: g.displayName, members: [] }, expect: [201] }),
  changeMembers: (id, g, add, remove) => [
    {
      method: 'PATCH',
      path: `/Groups/${id}`,
      body: patch([
        // Okta re-sends the name with every membership update (Q15).
        { op: 'replace', value: { id, displayName: g.displayName } },
        ...remove.map((m) => ({ op: 'remove', path: `members[value eq "${m}"]` })),
        ...(add.length ? [{ op: 'add', path: 'members', value: add.map((value) => ({ value })) }] : []),
      ]),
      expect: [200, 204],
    },
  ],
};

function entra(flag: boolean): Profile {
  const bool = (b: boolean) => (flag ? b : b ? 'True' : 'False');
  return {
    ...base,
    name: 'entra',
    membersAtCreate: false,
    concurrency: 4,
    deletesUsers: true,
    skipsEmptyGroups: false,
    readsBeforeUpdate: false,
    connectionTest: () => [
      { method: 'GET', path: `/Users?filter=${q('userName eq "8e2a1b5c-1f0e-4d7a-9c3b-0a1b2c3d4e5f"')}`, expect: [200] },
      { method: 'GET', path: `/Groups?excludedAttributes=members&filter=${q('displayName eq "5f4e3d2c-0b1a-4c9d-8e7f-6a5b4c3d2e1f"')}`, expect: [200] },
    ],
    lookupUser: (u) => ({ method: 'GET', path: `/Users?filter=${q(`userName eq "${u.userName}"`)}`, expect: [200] }),
    // Entra leaves the manager out of the create and sets it with a PATCH afterwards; here it rides along.
    createUser: (u, m) => ({ method: 'POST', path: '/Users', body: { ...coreUser(u, m), active: bool(u.active) }, expect: [201] }),
    updateUser: (id, u, m) => ({
      method: 'PATCH',
      path: `/Users/${id}`,
      body: patch(
        flag
          ? [
              // The flag's dialect: path-less replace with dotted and URN-qualified keys.
              { op: 'Replace', value: { 'name.givenName': u.givenName, 'name.familyName': u.familyName, displayName: `${u.givenName} ${u.familyName}`, title: u.title, active: u.active, userName: u.userName } },
              { op: 'Replace', value: { [`${ENTERPRISE}:department`]: u.department, [`${ENTERPRISE}:employeeNumber`]: u.employeeNumber } },
              { op: 'Replace', path: 'emails[type eq "work"].value', value: u.email },
              ...(m ? [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: m }] : []),
            ]
          : [
              { op: 'Replace', path: 'userName', value: u.userName },
              { op: 'Replace', path: 'name.givenName', value: u.givenName },
              { op: 'Replace', path: 'name.familyName', value: u.familyName },
              { op: 'Replace', path: 'displayName', value: `${u.givenName} ${u.familyName}` },
              { op: 'Replace', path: 'title', value: u.title },
              { op: 'Replace', path: 'active', value: bool(u.active) },
              { op: 'Add', path: 'emails[type eq "work"].value', value: u.email },
              { op: 'Replace', path: `${ENTERPRISE}:department`, value: u.department },
              { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: u.employeeNumber },
              ...(m ? [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: m }] : []),
            ],
      ),
      expect: [200, 204],
    }),
    deactivateUser: (id) => ({ method: 'PATCH', path: `/Users/${id}`, body: patch([{ op: 'Replace', path: 'active', value: bool(false) }]), expect: [200, 204] }),
    lookupGroup: (g) => ({ method: 'GET', path: `/Groups?excludedAttributes=members&filter=${q(`displayName eq "${g.displayName}"`)}`, expect: [200] }),
    createGroup: (g) => ({ method: 'POST', path: '/Groups', body: { schemas: [GROUP_SCHEMA], displayName: g.displayName, externalId: g.key }, expect: [201] }),
    changeMembers: (id, _g, add, remove) => [
      ...(add.length ? [{ method: 'PATCH' as const, path: `/Groups/${id}`, body: patch([{ op: 'Add', path: 'members', value: add.map((value) => ({ value })) }]), expect: [200, 204] }] : []),
      ...(remove.length
        ? [
            {
              method: 'PATCH' as const,
              path: `/Groups/${id}`,
              // Legacy: a value array under path "members"; with the flag: one filtered path per member.
              body: flag ? patch(remove.map((m) => ({ op: 'Remove', path: `members[value eq "${m}"]` }))) : patch([{ op: 'Remove', path: 'members', value: remove.map((value) => ({ value })) }]),
              expect: [200, 204],
            },
          ]
        : []),
    ],
  };
}

const onelogin: Profile = {
  ...base,
  name: 'onelogin',
  membersAtCreate: false,
  contentType: 'application/json',
  concurrency: 3,
  deletesUsers: true,
  skipsEmptyGroups: false,
  readsBeforeUpdate: false,
  connectionTest: () => [{ method: 'GET', path: `/Users?filter=${q('userName eq "onelogin-connection-test@example.invalid"')}`, expect: [200, 404] }],
  lookupUser: (u) => ({ method: 'GET', path: `/Users?filter=${q(`userName eq "${u.userName}"`)}`, expect: [200] }),
  // OneLogin's admin-authored template: string booleans, nulls for unmapped fields.
  createUser: (u, m) => ({ method: 'POST', path: '/Users', body: { ...coreUser(u, m), active: String(u.active), nickName: null, phoneNumbers: null }, expect: [201] }),
  updateUser: (id, u, m) => ({ method: 'PUT', path: `/Users/${id}`, body: { ...coreUser(u, m), active: String(u.active) }, expect: [200] }),
  deactivateUser: (id, u, m) => ({ method: 'PUT', path: `/Users/${id}`, body: { ...coreUser({ ...u, active: false }, m), active: 'false' }, expect: [200] }),
  lookupGroup: () => ({ method: 'GET', path: '/Groups', expect: [200] }),
  createGroup: (g) => ({ method: 'POST', path: '/Groups', body: { schemas: [GROUP_SCHEMA], displayName: g.displayName }, expect: [201] }),
  changeMembers: (id, _g, add, remove) => [
    {
      method: 'PATCH',
      path: `/Groups/${id}`,
      body: patch([...(add.length ? [{ op: 'add', path: 'members', value: add.map((value) => ({ value })) }] : []), ...remove.map((m) => ({ op: 'remove', path: `members[value eq "${m}"]` }))]),
      expect: [200, 204],
    },
  ],
};

const jumpcloud: Profile = {
  ...base,
  name: 'jumpcloud',
  membersAtCreate: true,
  concurrency: 4,
  deletesUsers: true,
  skipsEmptyGroups: true,
  readsBeforeUpdate: false,
  // JumpCloud's test: create a test user and group, then delete them.
  connectionTest: () => [],
  probesByCreating: true,
  lookupUser: (u) => ({ method: 'GET', path: `/Users?filter=${q(`userName eq "${u.userName}"`, true)}`, expect: [200] }),
  createUser: (u, m) => ({ method: 'POST', path: '/Users', body: coreUser(u, m), expect: [201] }),
  updateUser: (id, u, m) => ({ method: 'PUT', path: `/Users/${id}`, body: coreUser(u, m), expect: [200] }),
  deactivateUser: (id) => ({ method: 'PATCH', path: `/Users/${id}`, body: patch([{ op: 'replace', path: 'active', value: false }]), expect: [200, 204] }),
  lookupGroup: (g) => ({ method: 'GET', path: `/Groups?filter=${q(`displayName eq "${g.displayName}"`, true)}`, expect: [200] }),
  createGroup: (g, members) => ({ method: 'POST', path: '/Groups', body: { schemas: [GROUP_SCHEMA], displayName: g.displayName, members: members.map((value) => ({ value })) }, expect: [201] }),
  changeMembers: (id, _g, add, remove) => [
    {
      method: 'PATCH',
      path: `/Groups/${id}`,
      body: patch([...(add.length ? [{ op: 'add', path: 'members', value: add.map((value) => ({ value })) }] : []), ...(remove.length ? [{ op: 'remove', path: 'members', value: remove.map((value) => ({ value })) }] : [])]),
      expect: [200, 204],
    },
  ],
};

const pingfederate: Profile = {
  ...base,
  name: 'pingfederate',
  membersAtCreate: true,
  concurrency: 2,
  deletesUsers: true,
  skipsEmptyGroups: false,
  readsBeforeUpdate: false,
  connectionTest: () => [],
  lookupUser: (u) => ({ method: 'GET', path: `/Users?filter=${q(`userName eq "${u.userName}"`)}`, expect: [200] }),
  // Ping can provision users disabled from the start.
  createUser: (u, m) => ({ method: 'POST', path: '/Users', body: coreUser(u, m), expect: [201] }),
  updateUser: (id, u, m) => ({ method: 'PUT', path: `/Users/${id}`, body: coreUser(u, m), expect: [200] }),
  deactivateUser: (id, u, m) => ({ method: 'PUT', path: `/Users/${id}`, body: coreUser({ ...u, active: false }, m), expect: [200] }),
  // Ping lists every group and matches by name on its side.
  lookupGroup: () => undefined,
  createGroup: (g, members) => ({ method: 'POST', path: '/Groups', body: { schemas: [GROUP_SCHEMA], displayName: g.displayName, members: members.map((value) => ({ value })) }, expect: [201] }),
  changeMembers: (id, _g, add, remove) => [
    {
      method: 'PATCH',
      path: `/Groups/${id}`,
      body: patch([...(add.length ? [{ op: 'add', path: 'members', value: add.map((value) => ({ value })) }] : []), ...remove.map((m) => ({ op: 'remove', path: `members[value eq "${m}"]` }))]),
      expect: [200, 204],
    },
  ],
};

/** Plain RFC 7644, the way a careful generic client writes it. */
const generic: Profile = {
  ...base,
  name: 'generic',
  membersAtCreate: true,
  concurrency: 8,
  deletesUsers: true,
  skipsEmptyGroups: false,
  readsBeforeUpdate: false,
  lookupUser: (u) => ({ method: 'GET', path: `/Users?filter=${q(`externalId eq "${u.key}"`)}`, expect: [200] }),
  createUser: (u, m) => ({ method: 'POST', path: '/Users', body: coreUser(u, m), expect: [201] }),
  updateUser: (id, u, m) => ({ method: 'PUT', path: `/Users/${id}`, body: coreUser(u, m), expect: [200] }),
  deactivateUser: (id) => ({ method: 'PATCH', path: `/Users/${id}`, body: patch([{ op: 'replace', path: 'active', value: false }]), expect: [200, 204] }),
  lookupGroup: (g) => ({ method: 'GET', path: `/Groups?filter=${q(`displayName eq "${g.displayName}"`)}&attributes=id`, expect: [200] }),
  createGroup: (g, members) => ({ method: 'POST', path: '/Groups', body: { schemas: [GROUP_SCHEMA], displayName: g.displayName, externalId: g.key, members: members.map((value) => ({ value })) }, expect: [201] }),
  changeMembers: (id, _g, add, remove) => [
    {
      method: 'PATCH',
      path: `/Groups/${id}`,
      body: patch([...(add.length ? [{ op: 'add', path: 'members', value: add.map((value) => ({ value })) }] : []), ...remove.map((m) => ({ op: 'remove', path: `members[value eq "${m}"]` }))]),
      expect: [200, 204],
    },
  ],
};

export function profile(name: IdpName, options: { entraFlag?: boolean } = {}): Profile {
  switch (name) {
    case 'okta':
      return okta;
    case 'entra':
      return entra(options.entraFlag ?? false);
    case 'onelogin':
      return onelogin;
    case 'jumpcloud':
      return jumpcloud;
    case 'pingfederate':
      return pingfederate;
    case 'generic':
      return generic;
  }
}
