/**
 * Group commit seen through SCIM: concurrent requests share transactions, yet each answers as if alone. A 409
 * stays a 409, a 404 stays a 404, every accepted write has exactly its events, and the directory's counters
 * (deferred to the end of each batch) add up.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  // The clients share the server's event loop, so their requests arrive one turn apart: a short wait lets
  // them meet in batches, as a real burst's requests do.
  t.store.groupCommit.waitMs = 25;
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
});

async function events(directoryId: string): Promise<{ event: string; data: { id: string } }[]> {
  const out: { event: string; data: { id: string } }[] = [];
  let after = '';
  for (;;) {
    const page = (await t.api('GET', `/events?directory_id=${directoryId}&limit=100${after ? `&after=${after}` : ''}`)).json();
    out.push(...page.data);
    // The feed always offers a cursor to poll from; a short page is its end for now.
    if (page.data.length < 100) return out;
    after = page.list_metadata.after;
  }
}

it('concurrent creates with clashing userNames: one 201 per name, 409 uniqueness for the rest, one event each', async () => {
  const dir = await createDirectory(t);
  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${base}/scim/v2/${dir.id}${path}`, {
      method,
      // The SCIM content type even on DELETE, as some IdPs send it: an empty body is no body.
      headers: { authorization: `Bearer ${dir.bearer_token}`, 'content-type': 'application/scim+json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then(async (res) => ({ status: res.status, body: res.status === 204 ? undefined : await res.json() }));

  const before = { ...t.store.groupCommit.stats };
  const answers = await Promise.all(
    Array.from({ length: 60 }, (_, i) => send('POST', '/Users', { schemas: [USER], userName: `clash${i % 20}@acme.com`, active: i % 2 === 0 })),
  );
  const created = answers.filter((a) => a.status === 201);
  const refused = answers.filter((a) => a.status === 409);
  expect(created).toHaveLength(20);
  expect(refused).toHaveLength(40);
  for (const r of refused) expect(r.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
  expect(new Set(created.map((c) => c.body.userName.toLowerCase())).size).toBe(20);
  // Batches really formed (60 writes in fewer commits).
  expect(t.store.groupCommit.stats.batches - before.batches).toBeLessThan(60);

  // Mixed concurrent writes: deactivate half, delete a quarter, PATCH a user that does not exist.
  const ids = created.map((c) => c.body.id as string);
  const mixed = await Promise.all([
    ...ids.slice(0, 10).map((id) => send('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] })),
    ...ids.slice(10, 15).map((id) => send('DELETE', `/Users/${id}`)),
    send('PATCH', '/Users/directory_user_missing', { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] }),
  ]);
  expect(mixed.slice(0, 10).map((m) => m.status)).toEqual(Array(10).fill(200));
  expect(mixed.slice(10, 15).map((m) => m.status)).toEqual(Array(5).fill(204));
  expect(mixed[15]).toMatchObject({ status: 404, body: { status: '404' } });

  const list = (await send('GET', '/Users?count=100')).body;
  expect(list.totalResults).toBe(15);
  const active = list.Resources.filter((u: { active: boolean }) => u.active).length;
  const directory = (await t.api('GET', `/directories/${dir.id}`)).json();
  expect(directory.metadata.users).toEqual({ active, inactive: 15 - active });

  const log = await events(dir.id);
  const count = (type: string) => log.filter((e) => e.event === type).length;
  expect(count('dsync.user.created')).toBe(20);
  expect(new Set(log.filter((e) => e.event === 'dsync.user.created').map((e) => e.data.id))).toEqual(new Set(ids));
  expect(count('dsync.user.deleted')).toBe(5);
  // Only the users that were active before the PATCH changed.
  const wasActive = created.slice(0, 10).filter((c) => c.body.active).length;
  expect(count('dsync.user.updated')).toBe(wasActive);
});
