/**
 * Every Directory User the API lists carries its groups (WorkOS SDKs read them), and that must not cost a query
 * per user: a page of 100 users, each in several groups, takes as many queries as a page of 5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, GROUP, USER } from '../scim/helpers.ts';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
let queries = 0;
let directoryId: string;

beforeAll(async () => {
  t = await createTestApp({}, { onQuery: () => queries++ });
  const dir = await createDirectory(t);
  directoryId = dir.id;
  const post = async (path: string, body: unknown) => (await t.scim('POST', `/scim/v2/${dir.id}${path}`, dir.bearer_token, body)).json().id as string;
  const boss = await post('/Users', { schemas: [USER], userName: 'boss@acme.com' });
  const ids = [boss];
  for (let i = 0; i < 119; i++) ids.push(await post('/Users', { schemas: [USER, ENTERPRISE], userName: `u${i}@acme.com`, [ENTERPRISE]: { manager: { value: boss } } }));
  for (const name of ['G1', 'G2', 'G3']) await post('/Groups', { schemas: [GROUP], displayName: name, members: ids.map((value) => ({ value })) });
});
afterAll(() => t.close());

/** The queries one management request runs, and its body. */
async function counted(url: string): Promise<{ queries: number; body: any }> {
  // The SCIM request log writes the setup's requests in the background: written first, so none are counted.
  await t.app.scimRequestLog.flush();
  const before = queries;
  const res = await t.api('GET', url);
  expect(res.statusCode, res.body).toBe(200);
  return { queries: queries - before, body: res.json() };
}

describe('groups on listed users', () => {
  it('a page of 100 users with 3 groups each costs what a page of 5 does, a handful of queries', async () => {
    const small = await counted(`/directory_users?directory=${directoryId}&limit=5`);
    const large = await counted(`/directory_users?directory=${directoryId}&limit=100`);
    expect(large.body.data).toHaveLength(100);
    expect(large.body.data.every((u: { groups: unknown[] }) => u.groups.length === 3)).toBe(true);
    expect(large.body.data.filter((u: { custom_attributes: { manager_email?: string } }) => u.custom_attributes.manager_email === 'boss@acme.com').length).toBeGreaterThan(90);
    expect(large.queries).toBe(small.queries);
    // The page, its directory, the groups of its users, their member counts, the managers' emails.
    expect(large.queries).toBeLessThanOrEqual(5);
    const byGroup = await counted(`/directory_users?group=${large.body.data[0].groups[0].id}&limit=100`);
    expect(byGroup.queries).toBe(large.queries);
  });
});
