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

it('PUTs and PATCHes whose users their batch read ahead answer as if alone: one user written twice, a group write among them, a 412, a 404', async () => {
  const dir = await createDirectory(t);
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/scim/v2/${dir.id}${path}`, {
      method,
      headers: { authorization: `Bearer ${dir.bearer_token}`, 'content-type': 'application/scim+json', ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then(async (res) => ({ status: res.status, body: res.status === 204 ? undefined : await res.json() }));
  const users = await Promise.all(Array.from({ length: 6 }, (_, i) => send('POST', '/Users', { schemas: [USER], userName: `ahead${i}@acme.com` })));
  const [a, b, c, d, e] = users.map((u) => u.body as { id: string; meta: { version: string } });
  const group = (await send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Ahead' })).body as { id: string };
  const patch = (id: string, path: string, value: unknown, headers: Record<string, string> = {}) => send('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path, value }] }, headers);
  const read = t.store.prefetchedUsers ? { ...t.store.prefetchedUsers.stats } : undefined;

  const answers = await Promise.all([
    patch(a!.id, 'title', 'Engineer'),
    patch(a!.id, 'nickName', 'Ace'), // the same user again: must read the first write, not the row read ahead
    patch(b!.id, 'title', 'Designer'),
    send('PATCH', `/Groups/${group.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: b!.id }, { value: c!.id }] }] }),
    send('PUT', `/Users/${c!.id}`, { schemas: [USER], userName: 'ahead2@acme.com', title: 'Writer' }),
    patch(d!.id, 'title', 'Stale', { 'if-match': 'W/"999"' }),
    patch('directory_user_missing', 'title', 'Nobody'),
    patch(e!.id, 'title', 'Lead'),
  ]);
  expect(answers.map((x) => x.status)).toEqual([200, 200, 200, 204, 200, 412, 404, 200]);
  const final = (await send('GET', `/Users/${a!.id}`)).body;
  expect(final).toMatchObject({ title: 'Engineer', nickName: 'Ace' });
  expect(final.meta.version).not.toBe(a!.meta.version);
  // Both writes of `a` answered with their own versions, the later one holding both changes.
  const [first, second] = [answers[0]!.body, answers[1]!.body].sort((x, y) => (x.nickName ? 1 : 0) - (y.nickName ? 1 : 0));
  expect(first.meta.version).not.toBe(second.meta.version);
  expect(second).toMatchObject({ title: 'Engineer', nickName: 'Ace' });
  // A user's answer shows its groups as they are right after its write: the group's PATCH came before or after.
  for (const [answer, id] of [
    [answers[2]!, b!.id],
    [answers[4]!, c!.id],
  ] as const) {
    const groups = (answer.body.groups ?? []).map((g: { value: string }) => g.value);
    expect(groups.length === 0 || (groups.length === 1 && groups[0] === group.id), `${id}: ${JSON.stringify(groups)}`).toBe(true);
    expect((await send('GET', `/Users/${id}`)).body.groups.map((g: { value: string }) => g.value)).toEqual([group.id]);
  }
  expect((await send('GET', `/Users/${d!.id}`)).body.title).toBeUndefined();
  const log = (await events(dir.id)).filter((x) => x.event === 'dsync.user.updated');
  expect(log.map((x) => x.data.id).sort()).toEqual([a!.id, a!.id, b!.id, c!.id, e!.id].sort());
  // On PostgreSQL the batch really read users ahead, and the writes took them.
  if (read) {
    expect(t.store.prefetchedUsers!.stats.taken).toBeGreaterThan(read.taken);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const counted = (outcome: string) => Number(new RegExp(`^guestlist_group_commit_prefetched_users_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(counted('taken')).toBe(t.store.prefetchedUsers!.stats.taken);
    expect(counted('read')).toBe(t.store.prefetchedUsers!.stats.read);
  }
});

it("users' updates deferred to their batch's end (PostgreSQL) are seen by the batch's later writes, survive a later write's rollback, and keep the unique keys' checks", async () => {
  const dir = await createDirectory(t);
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/scim/v2/${dir.id}${path}`, {
      method,
      headers: { authorization: `Bearer ${dir.bearer_token}`, 'content-type': 'application/scim+json', ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then(async (res) => ({ status: res.status, body: res.status === 204 ? undefined : await res.json() }));
  const users = await Promise.all(Array.from({ length: 6 }, (_, i) => send('POST', '/Users', { schemas: [USER], userName: `late${i}@acme.com`, externalId: `ext${i}` })));
  const [a, b, c, d, e, f] = users.map((u) => u.body as { id: string; meta: { version: string } });
  const group = (await send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Late' })).body as { id: string };
  const patch = (id: string, ops: unknown[], headers: Record<string, string> = {}) => send('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: ops }, headers);
  const before = { ...t.store.deferredUpdates };

  const answers = await Promise.all([
    patch(a!.id, [{ op: 'replace', path: 'title', value: 'Engineer' }]),
    // A group write reads its new member: it must see a's title, written by a deferred update.
    send('PATCH', `/Groups/${group.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: a!.id }] }] }),
    patch(b!.id, [{ op: 'replace', path: 'active', value: false }]),
    patch(b!.id, [{ op: 'replace', path: 'title', value: 'Gone' }]), // b again: reads its deactivation
    patch(c!.id, [{ op: 'replace', path: 'userName', value: 'late0@acme.com' }]), // taken by a: 409, rolled back
    patch(d!.id, [{ op: 'replace', path: 'externalId', value: 'ext9' }]), // externalId moves: written at once
    patch(e!.id, [{ op: 'replace', path: 'title', value: 'Stale' }], { 'if-match': 'W/"999"' }),
    patch(f!.id, [{ op: 'replace', path: 'displayName', value: 'Eff' }]),
  ]);
  expect(answers.map((x) => x.status)).toEqual([200, 204, 200, 200, 409, 200, 412, 200]);
  const read = async (id: string) => (await send('GET', `/Users/${id}`)).body;
  expect(await read(a!.id)).toMatchObject({ title: 'Engineer', groups: [{ value: group.id }] });
  expect(await read(b!.id)).toMatchObject({ active: false, title: 'Gone' });
  expect(await read(c!.id)).toMatchObject({ userName: 'late2@acme.com' });
  expect(await read(d!.id)).toMatchObject({ externalId: 'ext9' });
  expect((await read(e!.id)).title).toBeUndefined();
  const final = await read(f!.id);
  expect(final).toMatchObject({ displayName: 'Eff' });
  expect(final.meta.version).toBe(answers[7]!.body.meta.version);

  const log = await events(dir.id);
  const added = log.find((x) => x.event === 'dsync.group.user_added') as unknown as { data: { user: { id: string; job_title: string | null } } };
  expect(added.data.user).toMatchObject({ id: a!.id, job_title: 'Engineer' });
  const updates = log.filter((x) => x.event === 'dsync.user.updated').map((x) => x.data.id);
  expect(updates.sort()).toEqual([a!.id, b!.id, b!.id, d!.id, f!.id].sort());
  const directory = (await t.api('GET', `/directories/${dir.id}`)).json();
  expect(directory.metadata.users).toEqual({ active: 5, inactive: 1 });

  if (t.store.deferUserUpdates) {
    // a, b twice and f were deferred (c failed, d's externalId and e's 412 were not), in fewer statements.
    const rows = t.store.deferredUpdates.rows - before.rows;
    const statements = t.store.deferredUpdates.statements - before.statements;
    expect(rows).toBe(4);
    expect(statements).toBeGreaterThan(0);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const counted = (kind: string) => Number(new RegExp(`^guestlist_group_commit_deferred_user_updates_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(counted('rows')).toBe(t.store.deferredUpdates.rows);
    expect(counted('statements')).toBe(t.store.deferredUpdates.statements);
  }
});
