/**
 * Hostile and malformed input never causes a 5xx, is always answered in SCIM Error JSON, and never leaves a
 * partial write: after thousands of random requests the directory's counters still match its rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, PATCH_OP, USER, scimClient, scimError, type ScimClient } from './helpers.ts';

let c: ScimClient;
let userId: string;
let groupId: string;
beforeAll(async () => {
  c = await scimClient();
  userId = (await c.createUser('target@acme.com', { emails: [{ value: 'target@acme.com', type: 'work' }] })).id;
  groupId = (await c.createGroup('Target', { members: [{ value: userId }] })).id;
});
afterAll(() => c.close());

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const NAMES = ['userName', 'displayName', 'emails', 'members', 'active', 'name', 'name.givenName', 'schemas', 'id', 'meta', 'groups', 'externalId', 'Operations', 'op', 'path', 'value', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'primary', 'type', '__proto__', 'constructor'];

function value(depth = 0): unknown {
  const r = random();
  if (depth > 3 || r < 0.3) return pick([null, true, false, 0, -1, 1e308, 'x', '', 'True', '\u0000', 'é'.repeat(50), userId, groupId, 'emails[type eq "work"].value', 'members[value eq "x"]', '(', 'bulkId:x']);
  if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(NAMES), value(depth + 1)]));
}

function body(kind: 'resource' | 'patch' | 'bulk'): unknown {
  if (random() < 0.1) return value();
  if (kind === 'patch') {
    return { schemas: [PATCH_OP], Operations: Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({ op: pick(['add', 'replace', 'remove', 'Add', 'x', 1]), path: pick([undefined, ...NAMES, 'emails[type eq "work"]', 'members[value eq "a"]', 'emails[', '']), value: value() })) };
  }
  if (kind === 'bulk') return { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({ method: pick(['POST', 'PUT', 'PATCH', 'DELETE', 'GET']), path: pick(['/Users', '/Groups', `/Users/${userId}`, '/Nope', 'bulkId:x']), bulkId: pick([undefined, 'a', 'b']), data: value() })) };
  const base = value();
  return typeof base === 'object' && base !== null && !Array.isArray(base) ? { schemas: [pick([USER, GROUP])], ...base } : base;
}

function assertScimAnswer(res: { statusCode: number; body: string; json(): any }, label: string) {
  expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const json = res.json();
    expect(json.schemas, label).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(json.status, label).toBe(String(res.statusCode));
  }
}

describe('hostile input', () => {
  it('random bodies on every write endpoint', async () => {
    for (let i = 0; i < 600; i++) {
      const [method, path, kind] = pick([
        ['POST', '/Users', 'resource'],
        ['POST', '/Groups', 'resource'],
        ['PUT', `/Users/${userId}`, 'resource'],
        ['PUT', `/Groups/${groupId}`, 'resource'],
        ['PATCH', `/Users/${userId}`, 'patch'],
        ['PATCH', `/Groups/${groupId}`, 'patch'],
        ['POST', '/Bulk', 'bulk'],
        ['POST', '/Users/.search', 'resource'],
        ['POST', '/.search', 'resource'],
      ] as const);
      const payload = body(kind);
      const res = await c.req(method, path, payload === undefined ? 'null' : JSON.stringify(payload));
      assertScimAnswer(res, `${method} ${path} ${JSON.stringify(payload)}`);
    }
  });

  it('random query strings on list endpoints', async () => {
    const params = ['filter', 'sortBy', 'sortOrder', 'startIndex', 'count', 'attributes', 'excludedAttributes'];
    const values = ['userName eq "x"', 'emails[type eq "work"].value eq "a"', '((((', 'a eq', 'userName', '-1', '0', '99999999999999999999', 'name.givenName', 'descending', 'x]', '%ZZ', 'members', 'urn:x:y', ''];
    for (let i = 0; i < 400; i++) {
      const query = Array.from({ length: 1 + Math.floor(random() * 4) }, () => `${pick(params)}=${encodeURIComponent(pick(values))}`).join('&');
      const res = await c.req('GET', `/${pick(['Users', 'Groups'])}?${query}`);
      assertScimAnswer(res, query);
    }
  });

  it('raw garbage bodies', async () => {
    for (const raw of ['', '{', '{"a":', 'null', '[]', '"x"', '1', '{"schemas":}', '\u0000\u0001', '{"__proto__":{"polluted":true},"schemas":["' + USER + '"],"userName":"p"}']) {
      for (const [method, path] of [['POST', '/Users'], ['PATCH', `/Users/${userId}`], ['PUT', `/Groups/${groupId}`], ['POST', '/Bulk']] as const) {
        assertScimAnswer(await c.req(method, path, raw), `${method} ${path} ${raw}`);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an empty body is no body, whatever its declared type', async () => {
    const doomed = await c.createUser('doomed@acme.com');
    for (const type of ['application/scim+json', 'application/json', 'text/plain']) {
      const res = await c.t.scim('GET', `${c.base}/Users/${doomed.id}`, c.token, '', { 'content-type': type });
      expect(res.statusCode, type).toBe(200);
    }
    const res = await c.t.scim('DELETE', `${c.base}/Users/${doomed.id}`, c.token, '', { 'content-type': 'application/scim+json' });
    expect(res.statusCode).toBe(204);
    scimError(await c.t.scim('POST', `${c.base}/Users`, c.token, '  ', { 'content-type': 'application/json' }), 400);
  });

  it('an oversized body is 413 as SCIM Error JSON', async () => {
    const huge = JSON.stringify({ schemas: [USER], userName: 'big', title: 'x'.repeat(5 * 1024 * 1024) });
    scimError(await c.req('POST', '/Users', huge), 413);
  });

  it('left no partial writes: counters match the rows', async () => {
    const dir = (await c.t.api('GET', `/directories/${c.directoryId}`)).json();
    const users = (await c.req('GET', '/Users?count=0')).json().totalResults;
    const inactive = (await c.req('GET', `/Users?count=0&filter=${encodeURIComponent('active eq false')}`)).json().totalResults;
    const groups = (await c.req('GET', '/Groups?count=0')).json().totalResults;
    expect(dir.metadata).toEqual({ users: { active: users - inactive, inactive }, groups });
  });
});
