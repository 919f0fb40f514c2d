/**
 * Requests as WorkOS SDKs send them (docs/migrate-from-workos.md, /tmp research §9): a JSON Content-Type on
 * body-less requests, empty parameters for unset options, four spellings of the event-type list, and
 * `order=normal`. Each is accepted and means what the SDK meant.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, USER } from '../scim/helpers.ts';
import { createDirectory, createTestApp, TEST_API_KEY, type TestApp } from '../support/harness.ts';

let t: TestApp;
let dir: Awaited<ReturnType<typeof createDirectory>>;
let groupId: string;
let userIds: string[];

beforeAll(async () => {
  t = await createTestApp();
  dir = await createDirectory(t);
  const scim = async (path: string, body: unknown) => (await t.scim('POST', `/scim/v2/${dir.id}${path}`, dir.bearer_token, body)).json();
  userIds = [];
  for (const name of ['u1', 'u2', 'u3']) userIds.push((await scim('/Users', { schemas: [USER], userName: `${name}@acme.com` })).id);
  groupId = (await scim('/Groups', { schemas: [GROUP], displayName: 'Team', members: userIds.slice(0, 2).map((value) => ({ value })) })).id;
});
afterAll(() => t.close());

const JSON_TYPE = { 'content-type': 'application/json' };

/** A request on a real socket, as fetch sends a body-less DELETE: Content-Type, no Content-Length, no body. */
async function raw(method: string, path: string): Promise<{ status: number; body: string }> {
  if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { authorization: `Bearer ${TEST_API_KEY}`, ...JSON_TYPE } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Content-Type: application/json without a body', () => {
  it('is no body on every DELETE route, with and without Content-Length', async () => {
    const other = await createDirectory(t);
    const token = (await t.api('POST', `/directories/${other.id}/tokens`)).json();
    const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: 'https://example.com/hooks', events: ['dsync.user.created'] })).json();
    const org = (await t.api('POST', '/organizations', { name: 'Gone' })).json();
    expect((await t.api('DELETE', `/directories/${other.id}/tokens/${token.id}`, '', JSON_TYPE)).statusCode).toBe(200);
    expect((await t.api('DELETE', `/webhook_endpoints/${we.id}`, '', JSON_TYPE)).statusCode).toBe(204);
    expect((await t.api('DELETE', `/organizations/${org.id}`, undefined, JSON_TYPE)).statusCode).toBe(204);
    expect((await raw('DELETE', `/directories/${other.id}`)).status).toBe(204);
    expect((await t.api('GET', `/directories/${other.id}`)).statusCode).toBe(404);
  });

  it('is no body on GET, and still a 422 where a body is required; malformed JSON is still 400', async () => {
    const res = await t.api('GET', `/directories/${dir.id}`, undefined, JSON_TYPE);
    expect(res.statusCode).toBe(200);
    expect((await raw('GET', `/directory_users?directory=${dir.id}`)).status).toBe(200);
    const empty = await t.api('POST', '/organizations', '', JSON_TYPE);
    expect(empty.statusCode).toBe(422);
    expect(empty.json().code).toBe('validation_error');
    expect((await t.api('POST', '/organizations', '{"name":', JSON_TYPE)).json()).toEqual({ message: 'The request body is not valid JSON.', code: 'invalid_json' });
  });
});

describe('empty query parameters are absent', () => {
  it('on directory user and group lists: directory= with group= lists the group', async () => {
    const byGroup = (await t.api('GET', `/directory_users?directory=&group=${groupId}&before=&after=&limit=&order=`)).json();
    expect(byGroup.data.map((u: { id: string }) => u.id).sort()).toEqual(userIds.slice(0, 2).sort());
    const missing = await t.api('GET', '/directory_users?directory=&group=');
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0]).toMatchObject({ field: 'directory', code: 'required' });
    expect((await t.api('GET', `/directory_groups?directory=${dir.id}&user=`)).json().data.map((g: { id: string }) => g.id)).toEqual([groupId]);
  });

  it('on directories: organization_id= search= domain= list them all', async () => {
    const all = (await t.api('GET', '/directories?limit=100')).json();
    const legacyGo = (await t.api('GET', '/directories?limit=100&before=&after=&domain=&search=&organization_id=')).json();
    expect(legacyGo).toEqual(all);
    expect(all.data.length).toBeGreaterThan(0);
  });
});

describe('GET /events', () => {
  const ids = async (query: string) => {
    const res = await t.api('GET', `/events?directory_id=${dir.id}&limit=100&${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data.map((e: { event: string; id: string }) => `${e.event} ${e.id}`);
  };

  it('takes the event types in every SDK spelling', async () => {
    const expected = await ids('events=dsync.user.created,dsync.group.created');
    expect(new Set(expected.map((e: string) => e.split(' ')[0]))).toEqual(new Set(['dsync.user.created', 'dsync.group.created']));
    expect(expected).toHaveLength(4);
    for (const query of [
      'events=dsync.user.created&events=dsync.group.created',
      'events[]=dsync.user.created&events[]=dsync.group.created',
      'events[0]=dsync.user.created&events[1]=dsync.group.created',
      'events%5B0%5D=dsync.user.created&events%5B1%5D=dsync.group.created',
      'events%5B%5D=dsync.user.created&events=dsync.group.created&events=',
    ]) {
      expect(await ids(query), query).toEqual(expected);
    }
    expect(await ids('events=')).toEqual(await ids(''));
    const unknown = await t.api('GET', '/events?events[0]=dsync.nope');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].field).toBe('events');
  });

  it('order=normal: newest first, after reaching the newer events right after the cursor', async () => {
    const asc = (await t.api('GET', `/events?directory_id=${dir.id}&limit=100`)).json().data.map((e: { id: string }) => e.id);
    expect(asc.length).toBeGreaterThan(4);
    const newest = (await t.api('GET', `/events?directory_id=${dir.id}&limit=2&order=normal`)).json();
    expect(newest.data.map((e: { id: string }) => e.id)).toEqual(asc.slice(-2).reverse());
    expect(newest.list_metadata).toEqual({ before: null, after: asc[asc.length - 1] });
    const next = (await t.api('GET', `/events?directory_id=${dir.id}&limit=2&order=normal&after=${asc[0]}`)).json();
    expect(next.data.map((e: { id: string }) => e.id)).toEqual([asc[2], asc[1]]);
    expect(next.list_metadata.after).toBe(asc[2]);
    expect((await t.api('GET', `/events?directory_id=${dir.id}&order=normal&after=${asc[asc.length - 1]}`)).json().list_metadata).toEqual({ before: null, after: null });
  });
});
