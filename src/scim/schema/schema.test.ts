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

describe('validateResource: the text rule and limits', () => {
  const group = (body: Record<string, unknown>) => validateResource(GROUP_RESOURCE_TYPE, { schemas: [GROUP_SCHEMA], displayName: 'G', ...body }, { mode: 'create' });
  const user = (body: Record<string, unknown>) => validate({ schemas: [USER_SCHEMA], userName: 'u@x.com', ...body });
  const refused = (fn: () => unknown, label: string) => {
    const error = errorOf(fn);
    expect(error).toBeInstanceOf(ScimError);
    expect(error.scimType).toBe('invalidValue');
    expect(error.message).toContain(`"${label}"`);
    return error.message;
  };

  it('refuses control characters and lone surrogates wherever a string sits', () => {
    expect(refused(() => user({ userName: 'nul\u0000x@a.com' }), 'userName')).toContain('U+0000');
    refused(() => user({ name: { givenName: 'a\u001fb' } }), 'name.givenName');
    refused(() => user({ emails: [{ value: 'a@x.com' }, { value: 'b@x.com', type: 'w\u0007' }] }), 'emails[1].type');
    refused(() => user({ [ENT]: { manager: { value: 'm\u000b' } } }), `${ENT}:manager.value`);
    refused(() => user({ [ENT]: { department: 'd\ud800' } }), `${ENT}:department`);
    refused(() => user({ x509Certificates: [{ value: 'AAAA\u0000' }] }), 'x509Certificates[0].value');
    refused(() => group({ members: [{ value: 'id\u0000' }] }), 'members[0].value');
  });

  it('keeps tab, LF, CR and surrogate pairs', () => {
    expect(user({ title: 'a\tb\r\nc 😀' }).title).toBe('a\tb\r\nc 😀');
  });

  it('holds identifier-like attributes to 512 characters, others to 64 KiB', () => {
    const at512 = 'x'.repeat(512);
    expect(user({ userName: at512, externalId: at512, emails: [{ value: at512 }], phoneNumbers: [{ value: at512 }] }).userName).toBe(at512);
    for (const [body, label] of [
      [{ userName: 'x'.repeat(513) }, 'userName'],
      [{ externalId: 'x'.repeat(8000) }, 'externalId'],
      [{ emails: [{ value: 'x'.repeat(513) }] }, 'emails[0].value'],
      [{ phoneNumbers: [{ value: 'x'.repeat(513) }] }, 'phoneNumbers[0].value'],
    ] as const) {
      expect(refused(() => user(body), label)).toContain('longer than 512 characters');
    }
    refused(() => group({ displayName: 'x'.repeat(8000) }), 'displayName');
    refused(() => group({ externalId: 'x'.repeat(513) }), 'externalId');
    refused(() => group({ members: [{ value: 'x'.repeat(513) }] }), 'members[0].value');
    // A user's displayName is not an identifier: only the 64 KiB rule.
    expect(user({ displayName: 'x'.repeat(8000) }).displayName).toHaveLength(8000);
    expect(user({ title: 'x'.repeat(65_536) }).title).toHaveLength(65_536);
    expect(refused(() => user({ title: 'x'.repeat(65_537) }), 'title')).toContain('longer than 65536');
  });

  it('holds multi-valued attributes other than members to 1,000 values', () => {
    const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `u${i}@x.com` }));
    expect((user({ emails: emails(1000) }).emails as unknown[]).length).toBe(1000);
    expect(refused(() => user({ emails: emails(1001) }), 'emails')).toContain('more than 1000 values');
    const members = Array.from({ length: 1500 }, (_, i) => ({ value: `directory_user_${i}` }));
    expect((group({ members }).members as unknown[]).length).toBe(1500);
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
