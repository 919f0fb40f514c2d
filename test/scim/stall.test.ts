/**
 * Issue 12, "one tenant must never stall the others": requests whose cost a client can blow up (projection
 * names, PATCH of large multi-valued attributes, deep Bulk data) and ids that must never reach the database
 * (PostgreSQL answers NUL in text with an error, a 500). Runs on SQLite and, with GUESTLIST_TEST_DATABASE_URL,
 * on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runBulk } from '../../src/directory/bulk.ts';
import { ScimService } from '../../src/directory/scim-service.ts';
import { ScimError } from '../../src/scim/errors.ts';
import type { DirectoryRecord } from '../../src/store/store.ts';
import { PUBLIC_URL } from '../support/harness.ts';
import { GROUP, PATCH_OP, USER, scimClient, scimError, type ScimClient } from './helpers.ts';

/** Counts attribute-name resolutions by projection (the parser's own internal calls are not counted). */
const parsed = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/scim/filter/parser.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/scim/filter/parser.ts')>();
  return { ...original, parseAttrPath: (...args: Parameters<typeof original.parseAttrPath>) => (parsed.count++, original.parseAttrPath(...args)) };
});

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

let c: ScimClient;
let userId: string;
let groupId: string;
let dir: DirectoryRecord;
let service: ScimService;

beforeAll(async () => {
  c = await scimClient();
  for (let i = 0; i < 20; i++) {
    const u = await c.createUser(`user${i}@acme.com`, { emails: [{ value: `user${i}@acme.com`, type: 'work' }], title: 'Engineer' });
    if (i === 0) userId = u.id;
  }
  groupId = (await c.createGroup('Stall', { members: [{ value: userId }] })).id;
  dir = (await c.t.store.getDirectory(c.directoryId))!;
  service = new ScimService(c.t.store, PUBLIC_URL);
});
afterAll(() => c.close());

const names = (n: number) => Array.from({ length: n }, (_, i) => `attr${i}`).join(',');

describe('attributes and excludedAttributes', () => {
  it('refuse more than 100 distinct names with 400 invalidValue saying the limit, on every path', async () => {
    const refused = [
      await c.req('GET', `/Users?attributes=${names(101)}`),
      await c.req('GET', `/Groups?excludedAttributes=${names(101)}`),
      await c.req('GET', `/Users/${userId}?attributes=${names(101)}`),
      await c.req('POST', '/Users/.search', { schemas: [SEARCH], attributes: names(101).split(',') }),
      await c.req('POST', '/.search', { schemas: [SEARCH], excludedAttributes: names(101) }),
      await c.patch(`/Users/${userId}?attributes=${names(101)}`, [{ op: 'replace', path: 'title', value: 'Engineer' }]),
    ];
    for (const res of refused) expect(scimError(res, 400, 'invalidValue').detail).toContain('100');
    expect((await c.req('GET', `/Users?attributes=${names(100)}&count=1`)).statusCode).toBe(200);
  });

  it('answer 100,000 repeated names as one name', async () => {
    const repeated = Array.from({ length: 100_000 }, (_, i) => (i % 2 ? 'USERNAME' : 'userName'));
    const res = await c.req('POST', '/Users/.search', { schemas: [SEARCH], attributes: repeated, count: 100 });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.Resources).toHaveLength(20);
    expect(Object.keys(page.Resources[0]).sort()).toEqual(['id', 'schemas', 'userName']);
  });

  it('are resolved once per request, not once per resource', async () => {
    const resolutions = async (count: number) => {
      parsed.count = 0;
      const res = await c.req('GET', `/Users?attributes=userName,emails.value,title&count=${count}`);
      expect(res.json().Resources).toHaveLength(count);
      return parsed.count;
    };
    const one = await resolutions(1);
    expect(one).toBeGreaterThan(0);
    expect(await resolutions(20)).toBe(one);
  });

  it('count every element of a .search array', async () => {
    const res = await c.req('POST', '/Users/.search', { schemas: [SEARCH], filter: 'userName eq "user1@acme.com"', attributes: ['userName', 'emails'] });
    expect(res.json().Resources).toEqual([{ schemas: [USER], id: expect.any(String), userName: 'user1@acme.com', emails: [{ value: 'user1@acme.com', type: 'work' }] }]);
    const excluded = await c.req('POST', '/.search', { schemas: [SEARCH], filter: 'userName eq "user1@acme.com"', excludedAttributes: ['emails', 'title'] });
    const [user] = excluded.json().Resources;
    expect(user.userName).toBe('user1@acme.com');
    expect(user.emails).toBeUndefined();
    expect(user.title).toBeUndefined();
  });
});

describe('ids that cannot be ours', () => {
  const bad = ['%00', `${'A'.repeat(20)}%00`, '%01', '%7F', 'x'.repeat(10_000), `directory_user_${'Z'.repeat(26)}%00`];

  it('answer 404 SCIM Error to GET, PUT, PATCH and DELETE on Users and Groups', async () => {
    for (const id of bad) {
      for (const [kind, body] of [['Users', { schemas: [USER], userName: 'put@acme.com' }], ['Groups', { schemas: [GROUP], displayName: 'Put' }]] as const) {
        // The answer says why: the id was judged by its form, not looked up (an id too long for the router is
        // no route at all).
        const detail = scimError(await c.req('GET', `/${kind}/${id}`), 404).detail;
        expect(detail).toMatch(id.length > 100 ? /No SCIM endpoint/ : /is not a (User|Group) id/);
        scimError(await c.req('PUT', `/${kind}/${id}`, body), 404);
        scimError(await c.patch(`/${kind}/${id}`, [{ op: 'replace', path: 'externalId', value: 'x' }]), 404);
        scimError(await c.req('DELETE', `/${kind}/${id}`), 404);
      }
    }
  });

  it('as a directory id authenticate nothing: 401 SCIM Error', async () => {
    for (const id of ['%00', 'directory_%00', 'x'.repeat(90)]) scimError(await c.t.scim('GET', `/scim/v2/${id}/Users`, c.token), 401);
  });

  it('are refused by the service before any query (whatever the edge let through)', async () => {
    for (const id of ['\u0000', `directory_user_${'Z'.repeat(25)}\u0000`, '\uD800', 'x'.repeat(10_000)]) {
      await expect(service.getUser(dir, id)).rejects.toMatchObject({ status: 404, message: expect.stringMatching(/is not a User id/) });
      await expect(service.patchUser(dir, id, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] })).rejects.toMatchObject({ status: 404 });
      await expect(service.deleteGroup(dir, id)).rejects.toMatchObject({ status: 404 });
      await expect(service.replaceGroup(dir, id, { schemas: [GROUP], displayName: 'x' })).rejects.toMatchObject({ status: 404 });
    }
  });

  it('as member values are unknown members (400 invalidValue naming them), and removing them is a no-op', async () => {
    const nul = `directory_user_${'Z'.repeat(25)}\u0000`;
    const refused = (promise: Promise<unknown>, detail: RegExp) =>
      expect(promise).rejects.toSatisfy((e: unknown) => e instanceof ScimError && e.status === 400 && e.scimType === 'invalidValue' && detail.test(e.message));
    // PATCH member values reach the membership lookup as they are: the lookup itself must keep them from the database.
    await refused(service.patchGroup(dir, groupId, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: nul }] }] }), /unknown: "directory_user_Z+\?"/);
    // Created and replaced groups are validated first (which may refuse the text itself); either way a 400.
    await refused(service.createGroup(dir, { schemas: [GROUP], displayName: 'Nul', members: [{ value: nul }] }), /members/);
    await refused(service.replaceGroup(dir, groupId, { schemas: [GROUP], displayName: 'Stall', members: [{ value: userId }, { value: nul }] }), /members/);
    await refused(service.createGroup(dir, { schemas: [GROUP], displayName: 'Bad', members: [{ value: 'not-one-of-ours' }] }), /unknown: "not-one-of-ours"/);
    await service.patchGroup(dir, groupId, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members', value: [{ value: nul }, { value: '\u0000' }] }] });
    const group = (await c.req('GET', `/Groups/${groupId}`)).json();
    expect(group.members.map((m: { value: string }) => m.value)).toEqual([userId]);
  });
});

describe('Bulk', () => {
  it('answers an operation on a path id that cannot be ours with that operation\'s 404', async () => {
    const res = await c.req('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'PATCH', path: `/Users/${'x'.repeat(10_000)}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'T' }] } },
        { method: 'DELETE', path: '/Groups/%00' },
        { method: 'PUT', path: `/Users/${userId}`, data: { schemas: [USER], userName: 'user0@acme.com', title: 'Engineer', emails: [{ value: 'user0@acme.com', type: 'work' }] } },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().Operations.map((o: { status: string }) => o.status)).toEqual(['404', '404', '200']);
    // Past the HTTP edge (which refuses NUL in any body), the service still never sends one to the database.
    const direct = await runBulk(service, dir, { schemas: [BULK], Operations: [{ method: 'DELETE', path: '/Users/\u0000' }] }, { maxOperations: 10, baseUrl: '' });
    expect(direct.Operations.map((o) => o.status)).toEqual(['404']);
  });

  it('answers data nesting 10,000 arrays with 400 invalidValue, never 500', async () => {
    const data = `${'['.repeat(10_000)}{"schemas":["${USER}"],"userName":"bulkId:d"}${']'.repeat(10_000)}`;
    const body = `{"schemas":["${BULK}"],"Operations":[{"method":"POST","bulkId":"d","path":"/Users","data":${data}}]}`;
    scimError(await c.req('POST', '/Bulk', body), 400, 'invalidValue');
  });

  it('reads failOnErrors 0 as no limit; refuses negative or fractional values', async () => {
    const failing = (i: number) => ({ method: 'DELETE', path: `/Users/directory_user_${String(i).padStart(26, '0')}` });
    const res = await c.req('POST', '/Bulk', { schemas: [BULK], failOnErrors: 0, Operations: [failing(1), failing(2), failing(3)] });
    expect(res.statusCode).toBe(200);
    expect(res.json().Operations.map((o: { status: string }) => o.status)).toEqual(['404', '404', '404']);
    for (const failOnErrors of [-1, 1.5]) {
      scimError(await c.req('POST', '/Bulk', { schemas: [BULK], failOnErrors, Operations: [failing(1)] }), 400, 'invalidValue');
    }
  });
});
