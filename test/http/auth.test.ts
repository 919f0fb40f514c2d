import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { TEST_API_KEY, createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
let dir: Awaited<ReturnType<typeof createDirectory>>;
beforeAll(async () => {
  t = await createTestApp();
  dir = await createDirectory(t);
});
afterAll(() => t.close());

const send = (method: string, url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: method as 'GET', url, headers });

describe('management API key', () => {
  it.each([
    ['no header', {}],
    ['wrong key', { authorization: 'Bearer sk_wrong_0123456789abcdefghijkl' }],
    ['a SCIM token', { authorization: 'Bearer gl_scim_abc' }],
    ['basic auth', { authorization: `Basic ${Buffer.from(`x:${TEST_API_KEY}`).toString('base64')}` }],
    ['key without scheme', { authorization: TEST_API_KEY }],
  ])('rejects %s with 401', async (_name, headers) => {
    for (const url of ['/organizations', '/directories', `/directories/${dir.id}`, `/directories/${dir.id}/tokens`]) {
      const res = await send('GET', url, headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized', message: expect.any(String) });
    }
  });

  it('rejects before validating the body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/organizations', payload: '{bad', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(401);
  });

  it('a directory token cannot use the management API', async () => {
    const res = await send('GET', '/organizations', { authorization: `Bearer ${dir.bearer_token}` });
    expect(res.statusCode).toBe(401);
  });

  it('unknown routes answer 404 in the API error format', async () => {
    const res = await send('GET', '/nope', { authorization: `Bearer ${TEST_API_KEY}` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found' });
  });
});

describe('SCIM bearer token', () => {
  const paths = ['', '/', '/Users', '/Users/abc', '/Groups?filter=displayName%20eq%20%22x%22', '/ServiceProviderConfig', '/Bulk', '/.search', '/anything/deeper'];

  it.each([
    ['no header', undefined],
    ['a wrong token', 'Bearer gl_scim_wrongwrongwrongwrongwrongwrongwrongwrong123'],
    ['the API key', `Bearer ${TEST_API_KEY}`],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 SCIM Error JSON to %s on every path', async (_name, authorization) => {
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await send(method, `/scim/v2/${dir.id}${path}`, authorization ? { authorization } : {});
        expect(res.statusCode, `${method} ${path}`).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.json()).toEqual({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '401',
          detail: expect.any(String),
        });
      }
    }
  });

  it("rejects another directory's token", async () => {
    const other = await createDirectory(t);
    const res = await send('GET', `/scim/v2/${dir.id}/Users`, { authorization: `Bearer ${other.bearer_token}` });
    expect(res.statusCode).toBe(401);
    const unknown = await send('GET', `/scim/v2/directory_01J00000000000000000000000/Users`, { authorization: `Bearer ${dir.bearer_token}` });
    expect(unknown.statusCode).toBe(401);
  });

  it('authenticates a valid token, links the directory and records use', async () => {
    const fresh = await createDirectory(t);
    const usedFrom = Date.now();
    const res = await send('GET', `/scim/v2/${fresh.id}/Users?aadOptscim062020`, { authorization: `Bearer ${fresh.bearer_token}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.json().schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    const after = (await t.api('GET', `/directories/${fresh.id}`)).json();
    expect(after.state).toBe('linked');
    // The use is recorded after the answer (fire and forget, off the request's path): poll until it lands.
    const lastUsed = await eventually(async () => {
      const tokens = (await t.api('GET', `/directories/${fresh.id}/tokens`)).json();
      expect(tokens.data).toHaveLength(1);
      expect(tokens.data[0].last_used_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      return Date.parse(tokens.data[0].last_used_at);
    });
    // The time of this use, not some other moment.
    expect(lastUsed).toBeGreaterThanOrEqual(usedFrom);
    expect(lastUsed).toBeLessThanOrEqual(Date.now());
  });

  it('answers SCIM Error JSON under /scim even without a directory in the path', async () => {
    for (const url of ['/scim/v2', '/scim/v2/', '/scim/Users']) {
      const res = await send('GET', url, { authorization: `Bearer ${dir.bearer_token}` });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    }
  });

  it('serves repeated requests from the cached authentication without a query, and a revoked token at once with 401', async () => {
    const own = await createDirectory(t);
    const extra = (await t.api('POST', `/directories/${own.id}/tokens`)).json();
    const calls: string[] = [];
    const original = t.store.authenticateDirectory.bind(t.store);
    t.store.authenticateDirectory = (directoryId, tokenHash) => (calls.push(directoryId), original(directoryId, tokenHash));
    try {
      for (let i = 0; i < 3; i++) expect((await send('GET', `/scim/v2/${own.id}/Users`, { authorization: `Bearer ${extra.token}` })).statusCode).toBe(200);
      // Linking the directory (on its first request) changes it, which empties its cached answers; after that
      // the store is not asked again while the answer is cached.
      const asked = calls.length;
      expect(asked).toBeLessThan(3);
      for (let i = 0; i < 2; i++) expect((await send('GET', `/scim/v2/${own.id}/Users`, { authorization: `Bearer ${extra.token}` })).statusCode).toBe(200);
      expect(calls.length).toBe(asked);
      expect((await t.api('DELETE', `/directories/${own.id}/tokens/${extra.id}`)).statusCode).toBe(200);
      expect((await send('GET', `/scim/v2/${own.id}/Users`, { authorization: `Bearer ${extra.token}` })).statusCode).toBe(401);
    } finally {
      t.store.authenticateDirectory = original;
    }
  });

  it('answers application/json when the client accepts only that', async () => {
    const res = await send('GET', `/scim/v2/${dir.id}/Users`, { accept: 'application/json' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});
