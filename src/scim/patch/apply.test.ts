import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../schema/definitions.ts';
import { ENTERPRISE_USER_SCHEMA as ENT, PATCH_OP_SCHEMA, USER_SCHEMA } from '../schema/types.ts';
import { applyPatch } from './apply.ts';

const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
const patchUser = (resource: Record<string, unknown>, ...ops: unknown[]) => applyPatch(USER_RESOURCE_TYPE, resource, body(...ops));
const patchGroup = (...ops: unknown[]) => applyPatch(GROUP_RESOURCE_TYPE, { schemas: ['g'], displayName: 'G' }, body(...ops));

function errorOf(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (error) {
    return error as ScimError;
  }
  throw new Error('no error');
}

const babs = () => ({
  schemas: [USER_SCHEMA],
  userName: 'bjensen',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood' }],
  x509Certificates: [{ value: 'MIIDQzCC' }],
});

describe('RFC 7644 §3.5.2 examples', () => {
  it('add members (group)', () => {
    expect(patchGroup({ op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: 'https://x/Users/2819c223', value: '2819c223' }] }).memberOps).toEqual([
      { op: 'add', ids: ['2819c223'] },
    ]);
  });

  it('add with no path', () => {
    const { resource } = patchUser(babs(), { op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }, { value: 'new@x.org', type: 'other' }], nickName: 'Babs' } });
    expect(resource.nickName).toBe('Babs');
    expect(resource.emails).toEqual([...babs().emails, { value: 'new@x.org', type: 'other' }]);
  });

  it('remove a member by filter, all members, and replace members', () => {
    expect(patchGroup({ op: 'remove', path: 'members[value eq "2819c223"]' }).memberOps).toEqual([{ op: 'remove', ids: ['2819c223'] }]);
    expect(patchGroup({ op: 'remove', path: 'members' }).memberOps).toEqual([{ op: 'removeAll' }]);
    expect(
      patchGroup({ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }).memberOps,
    ).toEqual([{ op: 'removeAll' }, { op: 'add', ids: ['a', 'b'] }]);
    expect(patchGroup({ op: 'replace', path: 'members', value: [{ value: 'c' }] }).memberOps).toEqual([{ op: 'replace', ids: ['c'] }]);
  });

  it('remove by a complex filter', () => {
    const { resource } = patchUser(babs(), { op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' });
    expect(resource.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
    expect(patchUser(babs(), { op: 'remove', path: 'x509Certificates[value eq "MIIDQzCC"]' }).resource).not.toHaveProperty('x509Certificates');
  });

  it('replace a filtered element and a filtered sub-attribute', () => {
    const whole = patchUser(babs(), { op: 'replace', path: 'addresses[type eq "work"]', value: { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', primary: true } });
    expect(whole.resource.addresses).toEqual([{ type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', primary: true }]);
    const one = patchUser(babs(), { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' });
    expect(one.resource.addresses).toEqual([{ type: 'work', streetAddress: '1010 Broadway Ave', locality: 'Hollywood' }]);
  });

  it('replace with no path', () => {
    const { resource } = patchUser(babs(), {
      op: 'replace',
      value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickName: 'Babs' },
    });
    expect(resource.emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
    expect(resource.nickName).toBe('Babs');
  });
});

describe('path forms', () => {
  it('simple, sub-attribute and URN-qualified', () => {
    const { resource } = patchUser(
      { schemas: [USER_SCHEMA], userName: 'u', name: { givenName: 'A' } },
      { op: 'replace', path: 'userName', value: 'v' },
      { op: 'add', path: 'name.familyName', value: 'B' },
      { op: 'replace', path: `${USER_SCHEMA}:title`, value: 'T' },
      { op: 'add', path: `${ENT}:manager.value`, value: 'm1' },
      { op: 'add', path: `${ENT}:department`, value: 'D' },
    );
    expect(resource).toEqual({ schemas: [USER_SCHEMA], userName: 'v', name: { givenName: 'A', familyName: 'B' }, title: 'T', [ENT]: { manager: { value: 'm1' }, department: 'D' } });
  });

  it('a bare extension URN, and path-less dotted and URN keys', () => {
    const start = { schemas: [USER_SCHEMA], userName: 'u', [ENT]: { department: 'A', costCenter: 'C' } };
    expect(patchUser(start, { op: 'replace', path: ENT, value: { department: 'B' } }).resource[ENT]).toEqual({ department: 'B', costCenter: 'C' });
    expect(patchUser(start, { op: 'remove', path: ENT }).resource).not.toHaveProperty(ENT);
    const { resource } = patchUser(start, { op: 'replace', value: { 'name.givenName': 'G', [`${ENT}:department`]: 'E', [ENT]: { division: 'V' }, id: 'ignored', active: false } });
    expect(resource).toMatchObject({ name: { givenName: 'G' }, active: false, [ENT]: { department: 'E', costCenter: 'C', division: 'V' } });
    expect(resource).not.toHaveProperty('id');
  });

  it('attribute names in any case come out canonical', () => {
    const { resource } = patchUser({ schemas: [USER_SCHEMA], userName: 'u', emails: [{ value: 'a@x', type: 'work' }] }, { op: 'replace', path: 'EMAILS[TYPE eq "work"].VALUE', value: 'b@x' }, { op: 'add', path: 'Name.GivenName', value: 'g' });
    expect(resource.emails).toEqual([{ value: 'b@x', type: 'work' }]);
    expect(resource.name).toEqual({ givenName: 'g' });
  });

  it('add with a filter that matches nothing creates the element (Entra)', () => {
    const { resource } = patchUser({ schemas: [USER_SCHEMA], userName: 'u' }, { op: 'add', path: 'emails[type eq "work"].value', value: 'w@x' }, { op: 'add', path: 'emails[type eq "work"].primary', value: true });
    expect(resource.emails).toEqual([{ type: 'work', value: 'w@x', primary: true }]);
  });

  it('filters a single complex attribute (manager)', () => {
    const start = { schemas: [USER_SCHEMA], userName: 'u', [ENT]: { manager: { value: 'm1' } } };
    expect(patchUser(start, { op: 'remove', path: `${ENT}:manager[value eq "m1"]` }).resource[ENT]).toEqual({});
    expect(patchUser(start, { op: 'remove', path: `${ENT}:manager[value eq "other"]` }).resource[ENT]).toEqual({ manager: { value: 'm1' } });
  });
});

describe('set semantics and primary', () => {
  it('merges a re-added value instead of duplicating it', () => {
    const { resource } = patchUser(babs(), { op: 'add', path: 'emails', value: [{ value: 'BABS@jensen.org', type: 'home', display: 'Babs' }] });
    expect(resource.emails).toHaveLength(2);
    expect((resource.emails as Record<string, unknown>[])[1]).toEqual({ value: 'BABS@jensen.org', type: 'home', display: 'Babs' });
  });

  it('keeps at most one primary: the newest wins', () => {
    const added = patchUser(babs(), { op: 'add', path: 'emails', value: [{ value: 'n@x', type: 'other', primary: true }] }).resource.emails as Record<string, unknown>[];
    expect(added.filter((e) => e.primary === true).map((e) => e.value)).toEqual(['n@x']);
    const flipped = patchUser(babs(), { op: 'replace', path: 'emails[type eq "home"].primary', value: true }).resource.emails as Record<string, unknown>[];
    expect(flipped.filter((e) => e.primary === true).map((e) => e.value)).toEqual(['babs@jensen.org']);
  });
});

describe('member operations', () => {
  it("Entra's remove with a value list, and non-value filters", () => {
    expect(patchGroup({ op: 'remove', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }).memberOps).toEqual([{ op: 'remove', ids: ['a', 'b'] }]);
    expect(patchGroup({ op: 'remove', path: 'members[value eq "a" or value eq "b"]' }).memberOps).toEqual([{ op: 'remove', ids: ['a', 'b'] }]);
    expect(patchGroup({ op: 'remove', path: 'members[display co "x"]' }).memberOps[0]).toMatchObject({ op: 'removeWhere' });
    expect(patchGroup({ op: 'replace', value: { displayName: 'H', members: [{ value: 'z' }] } })).toEqual({
      resource: { schemas: ['g'], displayName: 'H' },
      memberOps: [{ op: 'replace', ids: ['z'] }],
    });
  });

  it('refuses malformed member values', () => {
    expect(errorOf(() => patchGroup({ op: 'add', path: 'members', value: [{ display: 'no value' }] })).scimType).toBe('invalidValue');
    expect(errorOf(() => patchGroup({ op: 'add', path: 'members', value: 'string id 1' })).scimType).toBe('invalidValue');
    expect(errorOf(() => patchGroup({ op: 'replace', path: 'members[value eq "a"].value', value: 'b' })).scimType).toBe('invalidPath');
  });
});

describe('errors', () => {
  it.each([
    [{ op: 'replace', path: 'emails[type eq "fax"].value', value: 'x' }, 'noTarget'],
    [{ op: 'remove' }, 'noTarget'],
    [{ op: 'replace', path: 'id', value: 'x' }, 'mutability'],
    [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }, 'mutability'],
    [{ op: 'replace', path: 'meta.lastModified', value: 'x' }, 'mutability'],
    [{ op: 'replace', path: 'bogus', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'name.bogus', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'emails[type eq "work"].bogus', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'userName[value eq "x"]', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'emails[type eq', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'urn:nope:Schema', value: {} }, 'invalidPath'],
    [{ op: 'replace', path: 'name', value: 'flat' }, 'invalidValue'],
    [{ op: 'replace', value: 'not an object' }, 'invalidValue'],
    [{ op: 'add', path: 'title' }, 'invalidValue'],
    [{ op: 'move', path: 'title', value: 'x' }, 'invalidValue'],
    [{ op: 'Replace', path: 'title', value: 'x' }, 'invalidValue'],
  ])('%j → %s', (operation, scimType) => {
    const error = errorOf(() => patchUser(babs(), operation));
    expect(error).toBeInstanceOf(ScimError);
    expect(error.status).toBe(400);
    expect(error.scimType).toBe(scimType);
  });

  it('is atomic: an error leaves the input untouched', () => {
    const input = babs();
    const before = structuredClone(input);
    errorOf(() => patchUser(input, { op: 'replace', path: 'userName', value: 'changed' }, { op: 'replace', path: 'bogus', value: 1 }));
    expect(input).toEqual(before);
  });

  it('requires the PatchOp schema and an Operations array', () => {
    expect(errorOf(() => applyPatch(USER_RESOURCE_TYPE, babs(), { Operations: [] })).scimType).toBe('invalidSyntax');
    expect(errorOf(() => applyPatch(USER_RESOURCE_TYPE, babs(), { schemas: [PATCH_OP_SCHEMA] })).scimType).toBe('invalidSyntax');
    expect(errorOf(() => applyPatch(USER_RESOURCE_TYPE, babs(), [])).scimType).toBe('invalidSyntax');
  });
});
