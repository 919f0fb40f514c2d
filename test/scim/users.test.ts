import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, USER, scimClient, scimError, type ScimClient } from './helpers.ts';

let c: ScimClient;
beforeAll(async () => {
  c = await scimClient();
});
afterAll(() => c.close());

describe('POST /Users', () => {
  it('creates a user with id, meta, ETag and Location', async () => {
    const res = await c.req('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      userName: 'Ana.Lima@acme.com',
      externalId: '00u1',
      name: { givenName: 'Ana', familyName: 'Lima' },
      emails: [{ value: 'ana.lima@acme.com', type: 'work', primary: true }],
      active: true,
      password: 'hunter2',
      [ENTERPRISE]: { department: 'Sales', manager: { value: 'boss' } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    const user = res.json();
    expect(user.id).toMatch(/^directory_user_/);
    expect(user).toMatchObject({
      schemas: [USER, ENTERPRISE],
      userName: 'Ana.Lima@acme.com',
      externalId: '00u1',
      name: { givenName: 'Ana', familyName: 'Lima' },
      active: true,
      [ENTERPRISE]: { department: 'Sales', manager: { value: 'boss' } },
      meta: { resourceType: 'User', version: 'W/"1"', location: `https://guestlist.example.com${c.base}/Users/${user.id}` },
    });
    expect(user).not.toHaveProperty('password');
    expect(res.body).not.toContain('hunter2');
    expect(res.headers.location).toBe(user.meta.location);
    expect(res.headers.etag).toBe('W/"1"');
    expect(user.meta.created).toBe(user.meta.lastModified);
  });

  it('refuses a duplicate userName case-insensitively with 409 uniqueness', async () => {
    await c.createUser('dup@acme.com');
    const res = await c.req('POST', '/Users', { schemas: [USER], userName: 'DUP@Acme.com' });
    scimError(res, 409, 'uniqueness');
  });

  it('allows the same externalId on several users (Microsoft probes do this)', async () => {
    for (const userName of ['emp1', 'emp2', 'emp3']) {
      expect((await c.req('POST', '/Users', { schemas: [USER], userName, externalId: 'same' })).statusCode).toBe(201);
    }
  });

  it('ignores read-only attributes sent by the client', async () => {
    const user = await c.createUser('ro@acme.com', { id: 'chosen-by-client', meta: { version: 'W/"99"' }, groups: [{ value: 'g1' }] });
    expect(user.id).not.toBe('chosen-by-client');
    expect(user.meta.version).toBe('W/"1"');
    expect(user).not.toHaveProperty('groups');
  });

  it.each([
    [{ schemas: [USER] }, 'invalidValue'],
    [{ schemas: [USER], userName: '' }, 'invalidValue'],
    [{ schemas: [USER], userName: 42 }, 'invalidValue'],
    [{ schemas: [USER], userName: 'x1', active: 'yes' }, 'invalidValue'],
    [{ schemas: [USER], userName: 'x2', emails: { value: 'a@b.c' } }, 'invalidValue'],
    [{ schemas: [USER], userName: 'x3', emails: [{ value: 'a@b.c', primary: true }, { value: 'b@b.c', primary: true }] }, 'invalidValue'],
    [{ schemas: [USER], userName: 'x4', name: 'Ana' }, 'invalidValue'],
  ])('rejects %j with 400 %s', async (body, scimType) => {
    scimError(await c.req('POST', '/Users', body), 400, scimType);
  });

  it('rejects malformed JSON and non-object bodies', async () => {
    scimError(await c.req('POST', '/Users', '{"userName":'), 400, 'invalidSyntax');
    scimError(await c.req('POST', '/Users', '[1,2]'), 400);
    scimError(await c.req('POST', '/Users', '"text"'), 400);
  });
});

describe('GET /Users/{id}', () => {
  it('reads a user, honours If-None-Match and projection', async () => {
    const user = await c.createUser('get@acme.com', { displayName: 'Get Me', name: { givenName: 'G', familyName: 'M' } });
    const res = await c.req('GET', `/Users/${user.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(user);
    expect(res.headers.etag).toBe('W/"1"');

    const notModified = await c.req('GET', `/Users/${user.id}`, undefined, { 'if-none-match': 'W/"1"' });
    expect(notModified.statusCode).toBe(304);
    expect((await c.req('GET', `/Users/${user.id}`, undefined, { 'if-none-match': 'W/"7"' })).statusCode).toBe(200);

    const projected = (await c.req('GET', `/Users/${user.id}?attributes=userName,name.givenName`)).json();
    expect(projected).toEqual({ schemas: [USER], id: user.id, userName: 'get@acme.com', name: { givenName: 'G' } });
    const excluded = (await c.req('GET', `/Users/${user.id}?excludedAttributes=name,meta`)).json();
    expect(excluded).not.toHaveProperty('name');
    expect(excluded).not.toHaveProperty('meta');
    expect(excluded.displayName).toBe('Get Me');
  });

  it('answers 404 as SCIM Error JSON for an unknown id', async () => {
    const body = scimError(await c.req('GET', '/Users/directory_user_01J00000000000000000000000'), 404);
    expect(body.detail).toMatch(/not found/i);
    scimError(await c.req('GET', '/Users/not-even-an-id'), 404);
  });
});

describe('PUT /Users/{id}', () => {
  it('replaces the resource, bumping the version only on change', async () => {
    const user = await c.createUser('put@acme.com', { name: { givenName: 'P' }, title: 'Eng' });
    const body = { schemas: [USER], userName: 'put@acme.com', name: { givenName: 'P', familyName: 'Q' } };
    const res = await c.req('PUT', `/Users/${user.id}`, body);
    expect(res.statusCode).toBe(200);
    const updated = res.json();
    expect(updated.name).toEqual({ givenName: 'P', familyName: 'Q' });
    expect(updated).not.toHaveProperty('title');
    expect(updated.meta.version).toBe('W/"2"');
    expect(updated.meta.created).toBe(user.meta.created);
    const again = (await c.req('PUT', `/Users/${user.id}`, body)).json();
    expect(again.meta.version).toBe('W/"2"');
  });

  it('honours If-Match with 412 on mismatch', async () => {
    const user = await c.createUser('etag@acme.com');
    const stale = await c.req('PUT', `/Users/${user.id}`, { schemas: [USER], userName: 'etag2@acme.com' }, { 'if-match': 'W/"5"' });
    scimError(stale, 412);
    const fresh = await c.req('PUT', `/Users/${user.id}`, { schemas: [USER], userName: 'etag2@acme.com' }, { 'if-match': 'W/"1"' });
    expect(fresh.statusCode).toBe(200);
    expect((await c.req('PUT', `/Users/${user.id}`, { schemas: [USER], userName: 'etag3@acme.com' }, { 'if-match': '*' })).statusCode).toBe(200);
  });

  it('refuses renaming onto another user with 409 and 404 for unknown ids', async () => {
    await c.createUser('taken@acme.com');
    const user = await c.createUser('free@acme.com');
    scimError(await c.req('PUT', `/Users/${user.id}`, { schemas: [USER], userName: 'TAKEN@acme.com' }), 409, 'uniqueness');
    scimError(await c.req('PUT', '/Users/directory_user_nope', { schemas: [USER], userName: 'x' }), 404);
  });
});

describe('PATCH /Users/{id}', () => {
  it('keeps every searchable column in step: only what changed is rewritten, and filters find the new values', async () => {
    const user = await c.createUser('Cols@acme.com', { externalId: 'ext-cols', emails: [{ value: 'cols@acme.com', type: 'work' }] });
    const find = async (filter: string) => (await c.req('GET', `/Users?filter=${encodeURIComponent(filter)}`)).json().totalResults;
    // A title change leaves userName, externalId, active and emails as they were.
    await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'Lead' }]);
    expect(await find('userName eq "cols@ACME.com"')).toBe(1);
    expect(await find('externalId eq "ext-cols"')).toBe(1);
    expect(await find('emails.value eq "cols@acme.com"')).toBe(1);
    expect(await find('active eq true and title eq "Lead"')).toBe(1);
    // Then each of them changes in turn.
    await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'userName', value: 'Cols2@acme.com' }]);
    await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'externalId', value: 'ext-cols-2' }]);
    await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'active', value: false }]);
    await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'cols2@acme.com' }]);
    expect(await find('userName eq "cols@acme.com"')).toBe(0);
    expect(await find('userName eq "COLS2@acme.com"')).toBe(1);
    expect(await find('externalId eq "ext-cols"')).toBe(0);
    expect(await find('externalId eq "ext-cols-2"')).toBe(1);
    expect(await find('emails.value eq "cols@acme.com"')).toBe(0);
    expect(await find('emails.value eq "cols2@acme.com"')).toBe(1);
    expect(await find('userName eq "cols2@acme.com" and active eq false')).toBe(1);
    // The old userName is free again.
    expect((await c.req('POST', '/Users', { schemas: [USER], userName: 'cols@acme.com' })).statusCode).toBe(201);
  });

  it('applies every path form atomically and answers 200 with the resource', async () => {
    const user = await c.createUser('patch@acme.com', {
      emails: [{ value: 'patch@acme.com', type: 'work', primary: true }],
      name: { givenName: 'Pat' },
    });
    const res = await c.patch(`/Users/${user.id}`, [
      { op: 'replace', path: 'name.familyName', value: 'Ch' },
      { op: 'add', path: 'emails', value: [{ value: 'home@x.com', type: 'home', primary: true }] },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@acme.com' },
      { op: 'add', path: `${ENTERPRISE}:department`, value: 'R&D' },
      { op: 'replace', value: { title: 'Boss', active: false } },
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.name).toEqual({ givenName: 'Pat', familyName: 'Ch' });
    expect(body.emails).toEqual([
      { value: 'new@acme.com', type: 'work', primary: false },
      { value: 'home@x.com', type: 'home', primary: true },
    ]);
    expect(body[ENTERPRISE]).toEqual({ department: 'R&D' });
    expect(body.schemas).toContain(ENTERPRISE);
    expect(body.title).toBe('Boss');
    expect(body.active).toBe(false);
    expect(body.meta.version).toBe('W/"2"');
  });

  it('applies nothing when one operation fails', async () => {
    const user = await c.createUser('atomic@acme.com', { title: 'Before' });
    const res = await c.patch(`/Users/${user.id}`, [
      { op: 'replace', path: 'title', value: 'After' },
      { op: 'replace', path: 'emails[type eq "work"].bogus', value: 'x@y.z' },
    ]);
    scimError(res, 400, 'invalidPath');
    expect((await c.req('GET', `/Users/${user.id}`)).json().title).toBe('Before');
  });

  it.each([
    [[{ op: 'replace', path: 'id', value: 'x' }], 'mutability'],
    [[{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }], 'mutability'],
    [[{ op: 'replace', path: 'nosuch', value: 'x' }], 'invalidPath'],
    [[{ op: 'replace', path: 'emails[type eq', value: 'x' }], 'invalidPath'],
    [[{ op: 'remove' }], 'noTarget'],
    [[{ op: 'jump', path: 'title', value: 'x' }], 'invalidValue'],
    [[{ op: 'replace', path: 'active', value: 'maybe' }], 'invalidValue'],
  ])('rejects %j with 400 %s', async (operations, scimType) => {
    const user = await c.createUser(`bad-${scimType}-${Math.random()}@acme.com`);
    scimError(await c.patch(`/Users/${user.id}`, operations), 400, scimType);
  });

  it('rejects a body without Operations, or not an object', async () => {
    const user = await c.createUser('nobody@acme.com');
    scimError(await c.req('PATCH', `/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] }), 400, 'invalidSyntax');
    scimError(await c.req('PATCH', `/Users/${user.id}`, { Operations: 'replace' }), 400, 'invalidSyntax');
    scimError(await c.req('PATCH', `/Users/${user.id}`, '[]'), 400, 'invalidSyntax');
  });

  it('does not bump the version for a no-op', async () => {
    const user = await c.createUser('noop@acme.com', { title: 'Same' });
    const res = await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'Same' }]);
    expect(res.json().meta.version).toBe('W/"1"');
  });
});

describe('DELETE /Users/{id}', () => {
  it('deletes, then 404s', async () => {
    const user = await c.createUser('bye@acme.com');
    scimError(await c.req('DELETE', `/Users/${user.id}`, undefined, { 'if-match': 'W/"9"' }), 412);
    const res = await c.req('DELETE', `/Users/${user.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    scimError(await c.req('GET', `/Users/${user.id}`), 404);
    scimError(await c.req('DELETE', `/Users/${user.id}`), 404);
  });

  it('keeps the directory counts exact', async () => {
    const before = (await c.t.api('GET', `/directories/${c.directoryId}`)).json().metadata.users;
    const a = await c.createUser('count-a@acme.com');
    await c.createUser('count-b@acme.com', { active: false });
    await c.patch(`/Users/${a.id}`, [{ op: 'replace', path: 'active', value: false }]);
    await c.req('DELETE', `/Users/${a.id}`);
    const after = (await c.t.api('GET', `/directories/${c.directoryId}`)).json().metadata.users;
    expect(after).toEqual({ active: before.active, inactive: before.inactive + 1 });
  });
});

describe('methods', () => {
  it('answers 405 for methods the RFC does not define', async () => {
    scimError(await c.req('DELETE', '/Users'), 405);
    scimError(await c.req('POST', '/Users/abc', { schemas: [USER], userName: 'x' }), 405);
  });

  it('answers 404 for unknown endpoints', async () => {
    scimError(await c.req('GET', '/Widgets'), 404);
  });

  it('accepts trailing slashes and application/json', async () => {
    expect((await c.req('GET', '/Users/')).statusCode).toBe(200);
    const res = await c.t.scim('POST', `${c.base}/Users`, c.token, { schemas: [USER], userName: 'json@acme.com' }, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.statusCode).toBe(201);
  });
});
