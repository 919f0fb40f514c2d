/**
 * One validation at the edge (docs/scim.md § Limits): the same request gets the same answer on SQLite and
 * PostgreSQL. PostgreSQL refuses NUL in text and btree keys over 2,704 bytes, so without these rules a request
 * SQLite accepted answered 500 there. Run on both databases (GUESTLIST_TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, GROUP, LIST, PATCH_OP, USER, scimClient, scimError, type ScimClient } from './helpers.ts';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

let c: ScimClient;
let userId: string;
let groupId: string;
beforeAll(async () => {
  c = await scimClient();
  userId = (await c.createUser('limits@acme.com', { emails: [{ value: 'limits@acme.com', type: 'work' }] })).id;
  groupId = (await c.createGroup('Limits', { members: [{ value: userId }] })).id;
});
afterAll(() => c.close());

/** 400 invalidValue whose detail names `attribute`. */
function invalidValue(res: Awaited<ReturnType<ScimClient['req']>>, attribute: string): string {
  const detail = scimError(res, 400, 'invalidValue').detail as string;
  expect(detail).toContain(`"${attribute}"`);
  return detail;
}

const list = (resource: string, filter: string) => c.req('GET', `/${resource}?filter=${encodeURIComponent(filter)}`);

describe('control characters and lone surrogates', () => {
  it('are refused in filter values, escaped or raw, naming the attribute compared', async () => {
    expect(invalidValue(await list('Users', 'userName eq "a\\u0000b"'), 'userName')).toContain('U+0000');
    invalidValue(await list('Users', 'userName eq "a\u0000b"'), 'userName');
    invalidValue(await c.req('GET', '/Users?filter=userName%20eq%20%22a%00b%22'), 'userName');
    invalidValue(await list('Users', 'externalId eq a\u0001b'), 'externalId'); // Entra's bare words
    invalidValue(await list('Users', 'emails[type eq "work" and value co "\\ud800"]'), 'emails.value');
    invalidValue(await list('Groups', 'displayName sw "\\u001f"'), 'displayName');
    invalidValue(await c.req('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "\\u0000"' }), 'userName');
    invalidValue(await c.req('POST', '/.search', { filter: 'title co "\\u0008"' }), 'title');
  });

  it('are refused in POST bodies wherever the string sits', async () => {
    const post = (extra: Record<string, unknown>) => c.req('POST', '/Users', { schemas: [USER, ENTERPRISE], userName: 'ok@acme.com', ...extra });
    expect(invalidValue(await post({ userName: 'nul\u0000x@a.com' }), 'userName')).toContain('U+0000');
    invalidValue(await post({ externalId: 'e\u001b' }), 'externalId');
    invalidValue(await post({ name: { givenName: 'g\u0007' } }), 'name.givenName');
    invalidValue(await post({ emails: [{ value: 'a@acme.com' }, { value: 'b\u0000@acme.com' }] }), 'emails[1].value');
    invalidValue(await post({ [ENTERPRISE]: { department: 'd\u000c' } }), `${ENTERPRISE}.department`);
    invalidValue(await post({ [ENTERPRISE]: { manager: { value: 'm\u0000' } } }), `${ENTERPRISE}.manager.value`);
    invalidValue(await post({ title: 't\ud800' }), 'title');
    invalidValue(await post({ title: '\udfff' }), 'title');
    invalidValue(await c.req('POST', '/Groups', { schemas: [GROUP], displayName: 'g\u0000' }), 'displayName');
    invalidValue(await c.req('POST', '/Groups', { schemas: [GROUP], displayName: 'G0', members: [{ value: `${userId}\u0000` }] }), 'members[0].value');
  });

  it('are refused in attribute names, unknown ones included, and in values of unknown attributes', async () => {
    const res = await c.req('POST', '/Users', { schemas: [USER], userName: 'keys@acme.com', 'nickName\u0000': 'x' });
    expect(scimError(res, 400, 'invalidValue').detail).toMatch(/attribute name that holds the control character U\+0000/);
    scimError(await c.req('POST', '/Users', { schemas: [USER], userName: 'keys@acme.com', [ENTERPRISE]: { 'x\u0000': 1 } }), 400, 'invalidValue');
    invalidValue(await c.req('POST', '/Users', { schemas: [USER], userName: 'keys@acme.com', unknownThing: 'x\u0000' }), 'unknownThing');
    expect((await c.req('GET', `/Users?filter=${encodeURIComponent('userName eq "keys@acme.com"')}`)).json().totalResults).toBe(0);
  });

  it('are refused in PUT, PATCH (values, path-less values, filters, members) and Bulk data', async () => {
    invalidValue(await c.req('PUT', `/Users/${userId}`, { schemas: [USER], userName: 'limits@acme.com', title: 'x\u0000' }), 'title');
    invalidValue(await c.patch(`/Users/${userId}`, [{ op: 'replace', path: 'title', value: 'x\u0000' }]), 'Operations[0].value');
    invalidValue(await c.patch(`/Users/${userId}`, [{ op: 'replace', value: { 'name.givenName': 'x\u0001' } }]), 'Operations[0].value.name.givenName');
    invalidValue(await c.patch(`/Users/${userId}`, [{ op: 'add', path: 'emails[type eq "home"].value', value: 'h\u0000@acme.com' }]), 'Operations[0].value');
    // An escape inside a PATCH filter only becomes a NUL once the filter is parsed.
    invalidValue(await c.patch(`/Users/${userId}`, [{ op: 'add', path: 'emails[type eq "h\\u0000"].value', value: 'h@acme.com' }]), 'emails.type');
    invalidValue(await c.patch(`/Groups/${groupId}`, [{ op: 'add', path: 'members', value: [{ value: 'id\u0000' }] }]), 'Operations[0].value[0].value');
    invalidValue(await c.patch(`/Groups/${groupId}`, [{ op: 'remove', path: 'members[value eq "id\\u0000"]' }]), 'members.value');
    invalidValue(await c.patch(`/Groups/${groupId}`, [{ op: 'remove', path: 'members[value sw "id\\u0000"]' }]), 'members.value');
    const bulk = await c.req('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER], userName: 'bulk\u0000@acme.com' } }],
    });
    invalidValue(bulk, 'Operations[0].data.userName');
    const user = (await c.req('GET', `/Users/${userId}`)).json();
    expect(user.title).toBeUndefined();
    expect(user.emails).toEqual([{ value: 'limits@acme.com', type: 'work' }]);
  });

  it('a path that is not valid UTF-8 (a lone surrogate) is 404 in SCIM Error JSON, and in the API format', async () => {
    const res = await c.req('GET', '/Users/%ED%A0%80');
    expect(scimError(res, 404).detail).toContain('not valid UTF-8');
    const api = await c.t.api('GET', '/directories/%ED%A0%80');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ code: 'entity_not_found' });
  });

  it('leave tab, LF, CR and surrogate pairs alone', async () => {
    const user = await c.createUser('tabs@acme.com', { title: 'a\tb\r\nc 😀', name: { givenName: 'Zoë\t' } });
    expect(user.title).toBe('a\tb\r\nc 😀');
    const found = (await list('Users', 'title eq "a\\tb\\r\\nc 😀"')).json();
    expect(found.Resources.map((r: { id: string }) => r.id)).toEqual([user.id]);
  });
});

describe('published limits', () => {
  it('identifier-like strings: 512 characters accepted, 513 or 8,000 refused', async () => {
    const name = 'y'.repeat(503) + '@acme.com'; // 512
    expect(name).toHaveLength(512);
    const user = await c.createUser(name, { externalId: 'e'.repeat(512), emails: [{ value: name }], phoneNumbers: [{ value: '1'.repeat(512) }] });
    expect(user.userName).toBe(name);
    expect((await list('Users', `userName eq "${name}"`)).json().totalResults).toBe(1);
    const post = (extra: Record<string, unknown>) => c.req('POST', '/Users', { schemas: [USER], userName: 'long@acme.com', ...extra });
    expect(invalidValue(await post({ userName: 'x'.repeat(8000) }), 'userName')).toContain('longer than 512 characters');
    invalidValue(await post({ userName: 'x'.repeat(513) }), 'userName');
    invalidValue(await post({ externalId: 'x'.repeat(8000) }), 'externalId');
    invalidValue(await post({ emails: [{ value: 'x'.repeat(8000) }] }), 'emails[0].value');
    invalidValue(await post({ phoneNumbers: [{ value: '1'.repeat(513) }] }), 'phoneNumbers[0].value');
    invalidValue(await c.req('POST', '/Groups', { schemas: [GROUP], displayName: 'x'.repeat(8000) }), 'displayName');
    invalidValue(await c.req('POST', '/Groups', { schemas: [GROUP], displayName: 'G1', externalId: 'x'.repeat(8000) }), 'externalId');
    invalidValue(await c.req('PUT', `/Groups/${groupId}`, { schemas: [GROUP], displayName: 'x'.repeat(8000) }), 'displayName');
    invalidValue(await c.patch(`/Users/${userId}`, [{ op: 'replace', path: 'userName', value: 'x'.repeat(8000) }]), 'userName');
    invalidValue(await c.patch(`/Groups/${groupId}`, [{ op: 'replace', path: 'externalId', value: 'x'.repeat(8000) }]), 'externalId');
  });

  it('any other string: 64 KiB', async () => {
    const user = await c.createUser('big@acme.com', { title: 't'.repeat(65_536), displayName: 'd'.repeat(8000) });
    expect(user.title).toHaveLength(65_536);
    invalidValue(await c.req('POST', '/Users', { schemas: [USER], userName: 'bigger@acme.com', title: 't'.repeat(65_537) }), 'title');
    invalidValue(await c.patch(`/Users/${userId}`, [{ op: 'replace', path: 'nickName', value: 'n'.repeat(65_537) }]), 'Operations[0].value');
  });

  it('1,000 values in a multi-valued attribute', async () => {
    const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `m${i}@acme.com` }));
    const user = await c.createUser('many@acme.com', { emails: emails(1000) });
    expect(user.emails).toHaveLength(1000);
    expect(invalidValue(await c.req('POST', '/Users', { schemas: [USER], userName: 'more@acme.com', emails: emails(1001) }), 'emails')).toContain('more than 1000 values');
    invalidValue(await c.patch(`/Users/${user.id}`, [{ op: 'add', path: 'emails', value: [{ value: 'one-more@acme.com' }] }]), 'emails');
  });

  it('JSON nested at most 64 deep, in any SCIM body', async () => {
    const nest = (depth: number) => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = { a: value };
      return value;
    };
    // The body is depth 1; an unknown attribute nesting 63 more is within the limit (and ignored).
    expect((await c.req('POST', '/Users', { schemas: [USER], userName: 'deep@acme.com', x: nest(63) })).statusCode).toBe(201);
    const deep = scimError(await c.req('POST', '/Users', { schemas: [USER], userName: 'deeper@acme.com', x: nest(64) }), 400, 'invalidValue');
    expect(deep.detail).toContain('deeper than 64');
    scimError(await c.patch(`/Users/${userId}`, [{ op: 'add', path: 'x', value: nest(100) }]), 400, 'invalidValue');
    const raw = '['.repeat(100_000) + ']'.repeat(100_000);
    scimError(await c.req('POST', '/Bulk', raw), 400, 'invalidValue');
  });
});

describe('filters', () => {
  const chain = (n: number, op: 'or' | 'and', quote = true) =>
    Array.from({ length: n }, (_, i) => `userName eq ${quote ? `"chain${i}@acme.com"` : `chain${i}@acme.com`}`).join(` ${op} `);

  beforeAll(async () => {
    for (const i of [0, 32, 199]) await c.createUser(`chain${i}@acme.com`);
  });

  it('a flat chain of 33 ors, and of 200, parses and runs', async () => {
    const names = (res: Awaited<ReturnType<ScimClient['req']>>) => {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().schemas).toEqual([LIST]);
      return res.json().Resources.map((r: { userName: string }) => r.userName).sort();
    };
    expect(names(await list('Users', chain(33, 'or')))).toEqual(['chain0@acme.com', 'chain32@acme.com']);
    expect(names(await list('Users', chain(200, 'or')))).toEqual(['chain0@acme.com', 'chain199@acme.com', 'chain32@acme.com']);
    // Unquoted (Entra's bare words) goes through the lenient re-print.
    expect(names(await list('Users', chain(200, 'or', false)))).toEqual(['chain0@acme.com', 'chain199@acme.com', 'chain32@acme.com']);
    expect(names(await list('Users', chain(200, 'and')))).toEqual([]);
    // Attributes read from the stored JSON, and from the emails table, compile as deep a chain.
    const across = (attr: string, op: string) => Array.from({ length: 200 }, (_, i) => `${attr} eq "chain${i}@acme.com"`).join(` ${op} `);
    expect(names(await list('Users', across('title', 'or')))).toEqual([]);
    expect(names(await list('Users', across('emails.value', 'or')))).toEqual([]);
    expect(names(await list('Users', `not (${across('nickName', 'and')})`)).length).toBeGreaterThan(3);
    const search = await c.req('POST', '/Users/.search', { filter: chain(200, 'or'), count: 10 });
    expect(names(search)).toEqual(['chain0@acme.com', 'chain199@acme.com', 'chain32@acme.com']);
    // And PATCH value filters on a group, evaluated in SQL for membership.
    const patch = await c.patch(`/Groups/${groupId}`, [{ op: 'remove', path: `members[${Array.from({ length: 200 }, (_, i) => `value eq "nobody${i}"`).join(' or ')}]` }]);
    expect(patch.statusCode, patch.body).toBeLessThan(300);
  });

  it('201 comparisons, 33 levels of brackets or 16 KiB are refused as invalidFilter', async () => {
    expect(scimError(await list('Users', `${chain(200, 'or')} or title pr`), 400, 'invalidFilter').detail).toContain('more than 200 comparisons');
    expect(scimError(await list('Users', `${'('.repeat(32)}title pr${')'.repeat(32)}`), 400, 'invalidFilter').detail).toContain('deeper than 32');
    expect(scimError(await c.req('POST', '/.search', { filter: `title eq "${'x'.repeat(16_384)}"` }), 400, 'invalidFilter').detail).toContain('longer than 16384');
  });
});
