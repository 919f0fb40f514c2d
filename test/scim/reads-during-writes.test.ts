/**
 * Reads never wait for a write transaction: while one holds the writer's connection (a group-commit batch, the
 * request log's flush), GETs and lists of users and groups, the groups of a user a write answers with, and pages
 * of the Events API are read from the last commit. On SQLite the writer's connection is one, and a read queued on it waited for the
 * whole batch; these read on the read-only connection.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';
import { GROUP, USER } from './helpers.ts';

let t: TestApp;
let base: string;
let token: string;
let userId: string;
let groupId: string;

beforeAll(async () => {
  t = await createTestApp();
  const dir = await createDirectory(t);
  base = `/scim/v2/${dir.id}`;
  token = dir.bearer_token;
  const scim = (method: string, path: string, body?: unknown) => t.scim(method, `${base}${path}`, token, body, body ? { 'content-type': 'application/scim+json' } : {});
  userId = (await scim('POST', '/Users', { schemas: [USER], userName: 'reader@acme.com' })).json().id;
  groupId = (await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Readers', members: [{ value: userId }] })).json().id;
});
afterAll(() => t?.close());

/** Runs `reads` while a write transaction holds the writer's connection; says what they answered before it ended. */
async function whileWriting(reads: () => Promise<number[]>): Promise<{ statuses: number[]; beforeCommit: boolean }> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let opened!: () => void;
  const open = new Promise<void>((r) => (opened = r));
  let committed = false;
  const writing = t.store.db.transaction().execute(async (trx) => {
    await sql`update directories set name = name where id is not null`.execute(trx);
    opened();
    await held;
  }).then(() => (committed = true));
  await open;
  // Released after a while in any case, so that a read that does wait finishes (and the test fails, not hangs).
  const timer = setTimeout(release, 2_000);
  const statuses = await reads();
  const beforeCommit = !committed;
  release();
  clearTimeout(timer);
  await writing;
  return { statuses, beforeCommit };
}

describe('reads while a write transaction is open', () => {
  it('answer from the last commit without waiting for it', async () => {
    const get = (path: string) => t.scim('GET', `${base}${path}`, token).then((r) => r.statusCode);
    const { statuses, beforeCommit } = await whileWriting(() =>
      Promise.all([get(`/Groups/${groupId}`), get('/Groups'), get(`/Groups?filter=${encodeURIComponent('displayName eq "Readers"')}`), get(`/Users/${userId}`), get('/Users'), get(`/Users?filter=${encodeURIComponent('userName eq "reader@acme.com"')}`)]),
    );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(beforeCommit).toBe(true);
  });

  it('the Events API too, with and without a cursor', async () => {
    const first = (await t.api('GET', '/events?limit=1')).json();
    const after = first.list_metadata.after as string;
    const events = (path: string) => t.api('GET', path).then((r) => r.statusCode);
    const { statuses, beforeCommit } = await whileWriting(() => Promise.all([events('/events?limit=10'), events(`/events?after=${after}`), events('/events?order=desc')]));
    expect(statuses).toEqual([200, 200, 200]);
    expect(beforeCommit).toBe(true);
  });

  it("a write's answer shows the user's groups as committed", async () => {
    const res = await t.scim('PATCH', `${base}/Users/${userId}`, token, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Reader' }] }, { 'content-type': 'application/scim+json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().groups).toEqual([expect.objectContaining({ value: groupId, display: 'Readers' })]);
  });
});
