/**
 * Regressions for what `npm run fuzz` found (test/fuzz): each request here answered 500, or an answer outside
 * the protocol's format, before its fix. Both databases.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, USER, scimClient, scimError, type ScimClient } from './helpers.ts';

let c: ScimClient;
let userId: string;
beforeAll(async () => {
  c = await scimClient();
  userId = (await c.createUser('fuzz@acme.com', { emails: [{ value: 'fuzz@acme.com', type: 'work' }] })).id;
});
afterAll(() => c.close());

describe('fuzz findings', () => {
  it('POST with a projection that drops meta answers 201 with Location and ETag, once', async () => {
    const res = await c.req('POST', '/Users?attributes=userName', { schemas: [USER], userName: 'projected@acme.com' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().meta).toBeUndefined();
    expect(res.headers.location).toMatch(/\/Users\/directory_user_/);
    expect(res.headers.etag).toMatch(/^W\//);
    const group = await c.req('POST', '/Groups?excludedAttributes=meta', { schemas: [GROUP], displayName: 'Projected' });
    expect(group.statusCode, group.body).toBe(201);
    expect(group.headers.location).toMatch(/\/Groups\/directory_group_/);
    const put = await c.req('PUT', `/Users/${userId}?attributes=userName`, { schemas: [USER], userName: 'fuzz@acme.com', title: 'x' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.headers.etag).toMatch(/^W\//);
  });

  it('a bad projection on POST refuses the request before anything is written', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `a${i}`).join(',');
    scimError(await c.req('POST', `/Users?attributes=${names}`, { schemas: [USER], userName: 'never@acme.com' }), 400, 'invalidValue');
    const found = await c.req('GET', `/Users?filter=${encodeURIComponent('userName eq "never@acme.com"')}`);
    expect(found.json().totalResults).toBe(0);
  });

  it('sortBy=meta.resourceType sorts by nothing (one value for all)', async () => {
    const res = await c.req('GET', '/Users?sortBy=meta.resourceType&sortOrder=descending');
    expect(res.statusCode, res.body).toBe(200);
    // Every user, in the order of a list without sortBy (descending reverses nothing when all values are equal).
    const unsorted = (await c.req('GET', '/Users')).json();
    expect(unsorted.totalResults).toBeGreaterThan(0);
    expect(res.json().totalResults).toBe(unsorted.totalResults);
    expect(res.json().Resources.map((u: { id: string }) => u.id)).toEqual(unsorted.Resources.map((u: { id: string }) => u.id));
    expect((await c.req('GET', '/Groups?sortBy=meta.resourceType')).statusCode).toBe(200);
  });

  it('a dateTime outside the years 1–9999 in a filter is 400 invalidFilter', async () => {
    scimError(await c.req('GET', `/Users?filter=${encodeURIComponent('meta.lastModified eq "12345"')}`), 400, 'invalidFilter');
    scimError(await c.req('GET', `/Users?filter=${encodeURIComponent('meta.created gt "+275760-09-13T00:00:00Z"')}`), 400, 'invalidFilter');
    expect((await c.req('GET', `/Users?filter=${encodeURIComponent('meta.created gt "2001-01-01T00:00:00Z"')}`)).statusCode).toBe(200);
  });

  it('a PATCH that makes a complex multi-valued attribute a string, then walks it, is 400 and changes nothing', async () => {
    const id = (await c.createUser('walked@acme.com', { emails: [{ value: 'walked@acme.com', type: 'work' }] })).id;
    const res = await c.patch(`/Users/${id}`, [
      { op: 'add', value: { emails: 'x' } },
      { op: 'add', path: 'emails.display', value: 'y' },
    ]);
    scimError(res, 400, 'invalidValue');
    const user = (await c.req('GET', `/Users/${id}`)).json();
    expect(user.emails).toEqual([{ value: 'walked@acme.com', type: 'work' }]);
  });

  it('headers too large: 431 in JSON with Connection: close, and the next connection is served', async () => {
    const address = await c.t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      socket.write(`GET ${c.base}/Users HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toMatch(/\r\nConnection: close\r\n/i);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '431', code: 'headers_too_large' });
    const ok = await fetch(`${address}${c.base}/Users?count=1`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(ok.status).toBe(200);
  });
});
