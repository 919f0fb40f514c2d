/**
 * The lookups IdPs send before every write cost one statement each (one round trip on PostgreSQL): the page
 * carries its own total and each user's groups. Authentication is cached, and the request log is written in
 * the background (flushed before each count), so what is counted is the request's own reading.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GROUP, USER } from './helpers.ts';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
let statements: string[] = [];
let directoryId: string;
let token: string;
const ids: string[] = [];

beforeAll(async () => {
  t = await createTestApp({}, { onQuery: (sql) => statements.push(sql) });
  const dir = await createDirectory(t);
  directoryId = dir.id;
  token = dir.bearer_token;
  for (let i = 0; i < 3; i++) {
    const res = await t.scim('POST', `/scim/v2/${dir.id}/Users`, token, { schemas: [USER], userName: `u${i}@acme.com`, externalId: `ext${i}`, emails: [{ value: `u${i}@acme.com`, type: 'work', primary: true }] });
    ids.push(res.json().id);
  }
  await t.scim('POST', `/scim/v2/${dir.id}/Groups`, token, { schemas: [GROUP], displayName: 'Staff', members: ids.map((value) => ({ value })) });
});
afterAll(() => t.close());

async function counted(path: string): Promise<{ statements: string[]; body: any }> {
  // Once unmeasured, so the authentication cache holds the token.
  expect((await t.scim('GET', `/scim/v2/${directoryId}${path}`, token)).statusCode).toBe(200);
  await t.app.scimRequestLog.flush();
  statements = [];
  const res = await t.scim('GET', `/scim/v2/${directoryId}${path}`, token);
  expect(res.statusCode, res.body).toBe(200);
  // The request log's own batch (its transaction, the directory check, the insert, last_request_at) is not the read's.
  const own = statements.filter((sql) => !REQUEST_LOG.test(sql));
  await t.app.scimRequestLog.flush();
  return { statements: own, body: res.json() };
}

const REQUEST_LOG = /scim_requests|last_request_at|^begin|^commit|^select "id" from "directories" where "id" in/;
const filter = (f: string) => `filter=${encodeURIComponent(f)}`;

it.each([
  ['get by id', () => `/Users/${ids[1]}`, 'u1@acme.com'],
  ['userName eq', () => `/Users?${filter('userName eq "U1@acme.com"')}`, 'u1@acme.com'],
  ['externalId eq', () => `/Users?${filter('externalId eq "ext1"')}`, 'u1@acme.com'],
  ['emails[type eq "work"].value eq', () => `/Users?${filter('emails[type eq "work"].value eq "u1@acme.com"')}`, 'u1@acme.com'],
  ['members[value eq], members excluded', () => `/Groups?excludedAttributes=members&${filter(`members[value eq "${ids[1]}"]`)}`, 'Staff'],
])('%s: one statement, with the total and the groups', async (_name, path, expected) => {
  const { statements: run, body } = await counted(path());
  expect(run, run.join('\n')).toHaveLength(1);
  const resource = body.Resources ? body.Resources[0] : body;
  if (body.Resources) expect(body.totalResults).toBe(1);
  expect(resource.userName ?? resource.displayName).toBe(expected);
  if (resource.userName) expect(resource.groups).toEqual([expect.objectContaining({ display: 'Staff', value: expect.any(String) })]);
});

it('a full page still counts: two statements', async () => {
  const { statements: run, body } = await counted(`/Users?${filter('userName sw "u"')}&count=2`);
  expect(body.totalResults).toBe(3);
  expect(body.Resources).toHaveLength(2);
  // The count, the page, and the page's groups.
  expect(run.length).toBeLessThanOrEqual(3);
});

it('a membership lookup reads the membership rows alone: the other side is joined only for its display name', async () => {
  const byValue = await counted(`/Groups?excludedAttributes=members&${filter(`members[value eq "${ids[1]}"]`)}`);
  expect(byValue.statements.join('\n')).not.toMatch(/join "?directory_users"?/);
  const groupsOf = await counted(`/Users?${filter('groups.value pr')}`);
  expect(groupsOf.statements.join('\n')).not.toMatch(/m\.user_id from directory_group_members m join/);
  const byDisplay = await counted(`/Groups?excludedAttributes=members&${filter('members[display eq "u1@acme.com"]')}`);
  expect(byDisplay.statements.join('\n')).toMatch(/join directory_users u/);
  expect(byDisplay.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Staff']);
});
