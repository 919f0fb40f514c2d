import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.ts';
import { COMMON_ATTRIBUTES, GROUP_RESOURCE_TYPE, SCHEMAS, USER_RESOURCE_TYPE } from './definitions.ts';
import { schemasList } from './discovery.ts';
import { project } from './projection.ts';
import { resolveAttribute } from './resolve.ts';
import { ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA, USER_SCHEMA } from './types.ts';
import { validateResource } from './validate.ts';

const validate = (body: unknown) => validateResource(USER_RESOURCE_TYPE, body, { mode: 'create' });
function errorOf(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (error) {
    return error as ScimError;
  }
  throw new Error('no error');
}

describe('resolveAttribute', () => {
  it('matches names and URNs case-insensitively, core before extensions', () => {
    expect(resolveAttribute(USER_RESOURCE_TYPE, { attr: 'USERNAME' })?.attr.name).toBe('userName');
    expect(resolveAttribute(USER_RESOURCE_TYPE, { attr: 'name', sub: 'GIVENNAME' })?.sub?.name).toBe('givenName');
    expect(resolveAttribute(USER_RESOURCE_TYPE, { attr: 'department' })?.schema).toBe(ENT);
    expect(resolveAttribute(USER_RESOURCE_TYPE, { uri: ENT.toUpperCase(), attr: 'manager', sub: 'value' })?.schema).toBe(ENT);
    expect(resolveAttribute(USER_RESOURCE_TYPE, { attr: 'meta', sub: 'lastModified' })?.sub?.type).toBe('dateTime');
    expect(resolveAttribute(USER_RESOURCE_TYPE, { attr: 'nope' })).toBeUndefined();
    expect(resolveAttribute(USER_RESOURCE_TYPE, { attr: 'userName', sub: 'x' })).toBeUndefined();
    expect(resolveAttribute(GROUP_RESOURCE_TYPE, { attr: 'userName' })).toBeUndefined();
  });
});

describe('validateResource', () => {
  it('canonicalizes names, drops read-only, unknown, null and password, lists extension schemas', () => {
    const out = validate({
      schemas: [USER_SCHEMA.toUpperCase(), 'urn:unknown:schema'],
      USERNAME: 'ana',
      Name: { GivenName: 'Ana', nickname: 'ignored-unknown-sub' },
      id: 'x',
      meta: {},
      groups: [{ value: 'g' }],
      password: 'secret',
      title: null,
      bogus: 1,
      emails: [null, { Value: 'a@x', Primary: true }],
      [ENT]: { Department: 'D', manager: { value: 'm', displayName: 'read-only' } },
    });
    expect(out).toEqual({
      schemas: [USER_SCHEMA, ENT],
      userName: 'ana',
      name: { givenName: 'Ana' },
      emails: [{ value: 'a@x', primary: true }],
      [ENT]: { department: 'D', manager: { value: 'm' } },
    });
  });

  it.each([
    [[], 'invalidSyntax'],
    [{ userName: 'x' }, 'invalidSyntax'],
    [{ schemas: [GROUP_SCHEMA], userName: 'x' }, 'invalidSyntax'],
    [{ schemas: [USER_SCHEMA] }, 'invalidValue'],
    [{ schemas: [USER_SCHEMA], userName: 'x', active: 'true' }, 'invalidValue'],
    [{ schemas: [USER_SCHEMA], userName: 'x', emails: { value: 'a' } }, 'invalidValue'],
    [{ schemas: [USER_SCHEMA], userName: 'x', emails: [{ value: 1 }] }, 'invalidValue'],
    [{ schemas: [USER_SCHEMA], userName: 'x', name: 'flat' }, 'invalidValue'],
    [{ schemas: [USER_SCHEMA], userName: 'x', x509Certificates: [{ value: '***' }] }, 'invalidValue'],
    [{ schemas: [USER_SCHEMA], userName: 'x', [ENT]: 'flat' }, 'invalidValue'],
    [{ schemas: [USER_SCHEMA], userName: 'x', phoneNumbers: [{ value: '1', primary: true }, { value: '2', primary: true }] }, 'invalidValue'],
  ])('%j → %s naming the attribute', (body, scimType) => {
    const error = errorOf(() => validate(body));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe(scimType);
  });

  it('requires member values on groups', () => {
    expect(errorOf(() => validateResource(GROUP_RESOURCE_TYPE, { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ display: 'x' }] }, { mode: 'create' })).message).toContain('members[0].value');
  });
});

describe('project', () => {
  const user = {
    schemas: [USER_SCHEMA, ENT],
    id: 'u1',
    userName: 'ana',
    name: { givenName: 'Ana', familyName: 'Lima' },
    emails: [{ value: 'a@x', type: 'work' }, { value: 'b@x', type: 'home' }],
    [ENT]: { department: 'D', costCenter: 'C' },
    meta: { resourceType: 'User', version: 'W/"1"' },
  };

  it('attributes: id and schemas always, sub-attributes, URN-qualified, meta parts', () => {
    expect(project(USER_RESOURCE_TYPE, user, { attributes: ['userName'] })).toEqual({ schemas: user.schemas, id: 'u1', userName: 'ana' });
    expect(project(USER_RESOURCE_TYPE, user, { attributes: ['name.familyName', 'emails.type'] })).toEqual({
      schemas: user.schemas,
      id: 'u1',
      name: { familyName: 'Lima' },
      emails: [{ type: 'work' }, { type: 'home' }],
    });
    expect(project(USER_RESOURCE_TYPE, user, { attributes: [`${ENT}:department`, 'meta.version'] })).toEqual({
      schemas: user.schemas,
      id: 'u1',
      [ENT]: { department: 'D' },
      meta: { version: 'W/"1"' },
    });
    expect(project(USER_RESOURCE_TYPE, user, { attributes: [ENT] })[ENT]).toEqual({ department: 'D', costCenter: 'C' });
  });

  it('excludedAttributes never removes id, and drops emptied extensions', () => {
    const out = project(USER_RESOURCE_TYPE, user, { excludedAttributes: ['id', 'emails', `${ENT}:department`, `${ENT}:costCenter`, 'name.givenName'] });
    expect(out).toEqual({ schemas: user.schemas, id: 'u1', userName: 'ana', name: { familyName: 'Lima' }, meta: user.meta });
  });

  it('never returns a password', () => {
    expect(project(USER_RESOURCE_TYPE, { ...user, password: 'x' }, {})).not.toHaveProperty('password');
    expect(project(USER_RESOURCE_TYPE, { ...user, password: 'x' }, { attributes: ['password'] })).not.toHaveProperty('password');
  });
});

describe('/Schemas', () => {
  it('lists every defined attribute with every characteristic, generated from the definitions', () => {
    const listed = schemasList('https://x');
    expect(listed.map((s) => s.id)).toEqual(Object.keys(SCHEMAS));
    for (const schema of listed) {
      const defs = SCHEMAS[schema.id as string]!.attributes;
      const attributes = schema.attributes as Record<string, unknown>[];
      expect(attributes.map((a) => a.name)).toEqual(defs.map((d) => d.name));
      for (const a of attributes) {
        for (const key of ['type', 'multiValued', 'description', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness']) expect(a).toHaveProperty(key);
      }
    }
    expect(COMMON_ATTRIBUTES.map((a) => a.name)).toEqual(['id', 'externalId', 'meta']);
  });
});
