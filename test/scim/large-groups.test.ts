/**
 * Large groups are never held whole (issue 18, "Memory stays flat"): membership events are made and written in
 * chunks, GET and PUT send the members a page at a time, a PUT walks the current members in pages, and pruning
 * runs in chunks. These tests check what that must not change, at a size past every chunk and page (5,000
 * members): every event is there, once, in order and without a gap; GET returns every member; PUT replaces
 * exactly. How much memory it takes is the bench's to report (`npm run bench memory`), never asserted here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneEvents } from '../../src/events/reads.ts';
import { appendEvents } from '../../src/store/event-log.ts';
import { GROUP, PATCH_OP, scimClient, type ScimClient } from './helpers.ts';

const N = 5000;
let c: ScimClient;
/** The seeded users' ids, in id order. */
let ids: string[];

const userId = (j: number) => `directory_user_${String(j).padStart(26, '0')}`;

/** Users inserted directly, as the bench seeds them: creating 7,500 through SCIM would only slow the test. */
async function seedUsers(count: number): Promise<string[]> {
  const at = new Date().toISOString();
  const out: string[] = [];
  for (let start = 0; start < count; start += 250) {
    const rows = [];
    for (let j = start; j < Math.min(count, start + 250); j++) {
      const userName = `user${j}@acme.com`;
      const resource = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, displayName: `User ${j}`, active: true };
      rows.push({ id: userId(j), directory_id: c.directoryId, user_name: userName, user_name_lower: userName, external_id: `ext${j}`, active: 1, version: 1, resource: JSON.stringify(resource), created_at: at, updated_at: at });
      out.push(userId(j));
    }
    await c.t.store.db.insertInto('directory_users').values(rows).execute();
  }
  await c.t.store.db.updateTable('directories').set({ users_active: count }).where('id', '=', c.directoryId).execute();
  return out;
}

interface LoggedEvent {
  seq: number;
  event: string;
  data: { user?: { id: string; username?: string; email?: string }; group?: { id: string }; directory_id?: string };
}

async function lastSeq(): Promise<number> {
  const row = await c.t.store.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

async function eventsAfter(seq: number): Promise<LoggedEvent[]> {
  const rows = await c.t.store.db.selectFrom('events').select(['seq', 'event', 'data']).where('seq', '>', seq).orderBy('seq').execute();
  return rows.map((r) => ({ seq: Number(r.seq), event: r.event, data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data }));
}

/** The events' sequence numbers run without a gap. */
function expectContiguous(events: LoggedEvent[]): void {
  events.forEach((e, i) => expect(e.seq).toBe(events[0]!.seq + i));
}

const members = (from: number, to: number) => ids.slice(from, to).map((value) => ({ value }));

beforeAll(async () => {
  c = await scimClient();
  ids = await seedUsers(N + N / 2);
}, 120_000);
afterAll(() => c.close());

describe(`a group of ${N.toLocaleString('en')} members`, () => {
  let groupId: string;

  it('PATCH adding them all writes one user_added event per member, in one unbroken run, each with its user', async () => {
    groupId = (await c.createGroup('Everyone')).id;
    const start = await lastSeq();
    const res = await c.patch(`/Groups/${groupId}`, [{ op: 'add', path: 'members', value: members(0, N) }]);
    expect(res.statusCode).toBe(204);
    const events = await eventsAfter(start);
    expect(events).toHaveLength(N);
    expectContiguous(events);
    expect(new Set(events.map((e) => e.event))).toEqual(new Set(['dsync.group.user_added']));
    // In the order the request named them, each a full Directory User of its own.
    expect(events.map((e) => e.data.user!.id)).toEqual(ids.slice(0, N));
    expect(events[1234]!.data.user).toMatchObject({ id: ids[1234], username: 'user1234@acme.com' });
    expect(new Set(events.map((e) => e.data.group!.id))).toEqual(new Set([groupId]));
  });

  it('GET returns every member, in id order, as one SCIM resource', async () => {
    const res = await c.req('GET', `/Groups/${groupId}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.headers.etag).toBe('W/"2"');
    const group = res.json();
    expect(group).toMatchObject({ schemas: [GROUP], id: groupId, displayName: 'Everyone', meta: { resourceType: 'Group', version: 'W/"2"' } });
    expect(group.members).toHaveLength(N);
    expect(group.members.map((m: { value: string }) => m.value)).toEqual(ids.slice(0, N));
    expect(group.members[4321]).toEqual({ value: ids[4321], $ref: `https://guestlist.example.com${c.base}/Users/${ids[4321]}`, display: 'User 4321', type: 'User' });
    // The keys in the order a small group has them: the attributes, members, then meta.
    expect(Object.keys(group)).toEqual(['schemas', 'id', 'displayName', 'members', 'meta']);
  });

  it('GET with a projection applies it to every page of members, and without members stays a small answer', async () => {
    const values = (await c.req('GET', `/Groups/${groupId}?attributes=members.value`)).json();
    expect(values.members).toHaveLength(N);
    expect(values.members[N - 1]).toEqual({ value: ids[N - 1] });
    expect(values.displayName).toBeUndefined();
    const without = await c.req('GET', `/Groups/${groupId}?excludedAttributes=members`);
    expect(without.json().members).toBeUndefined();
    expect(without.json().displayName).toBe('Everyone');
    expect(without.body.length).toBeLessThan(1000);
    // If-None-Match still answers 304, with no member sent.
    expect((await c.req('GET', `/Groups/${groupId}`, undefined, { 'if-none-match': 'W/"2"' })).statusCode).toBe(304);
  });

  it('PUT replaces the members exactly: the removals, then the additions, one event each and no gap', async () => {
    const start = await lastSeq();
    // Half stay, half go, and as many new ones come.
    const wanted = members(N / 2, N + N / 2);
    const res = await c.req('PUT', `/Groups/${groupId}`, { schemas: [GROUP], displayName: 'Everyone', members: wanted });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('W/"3"');
    const body = res.json();
    expect(body.members.map((m: { value: string }) => m.value)).toEqual(ids.slice(N / 2, N + N / 2));
    const got = (await c.req('GET', `/Groups/${groupId}`)).json();
    expect(got.members.map((m: { value: string }) => m.value)).toEqual(ids.slice(N / 2, N + N / 2));

    const events = await eventsAfter(start);
    expect(events).toHaveLength(N);
    expectContiguous(events);
    expect(events.slice(0, N / 2).every((e) => e.event === 'dsync.group.user_removed')).toBe(true);
    expect(events.slice(N / 2).every((e) => e.event === 'dsync.group.user_added')).toBe(true);
    expect(events.slice(0, N / 2).map((e) => e.data.user!.id).sort()).toEqual(ids.slice(0, N / 2));
    expect(events.slice(N / 2).map((e) => e.data.user!.id).sort()).toEqual(ids.slice(N, N + N / 2));
    // Each user whose membership changed moved to a new version; those that stayed did not.
    const versions = await c.t.store.db.selectFrom('directory_users').select(['id', 'version']).where('id', 'in', [ids[0]!, ids[N / 2]!, ids[N]!]).orderBy('id').execute();
    expect(versions.map((v) => Number(v.version))).toEqual([3, 2, 2]);
  });

  it('DELETE writes one user_removed event per member, then dsync.group.deleted, in one unbroken run', async () => {
    const start = await lastSeq();
    expect((await c.req('DELETE', `/Groups/${groupId}`)).statusCode).toBe(204);
    const events = await eventsAfter(start);
    expect(events).toHaveLength(N + 1);
    expectContiguous(events);
    expect(events.slice(0, N).every((e) => e.event === 'dsync.group.user_removed' && e.data.group!.id === groupId)).toBe(true);
    expect(events.slice(0, N).map((e) => e.data.user!.id).sort()).toEqual(ids.slice(N / 2, N + N / 2));
    expect(events[N]).toMatchObject({ event: 'dsync.group.deleted', data: { id: groupId } });
    expect((await c.req('GET', `/Groups/${groupId}`)).statusCode).toBe(404);
    const left = await c.t.store.db.selectFrom('directory_group_members').select((eb) => eb.fn.countAll<number>().as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  });

  it('POST of a group with 1,000 members: dsync.group.created, then its user_added events, in one unbroken run', async () => {
    const start = await lastSeq();
    const created = await c.req('POST', '/Groups', { schemas: [GROUP], displayName: 'Thousand', members: members(0, 1000) });
    expect(created.statusCode).toBe(201);
    expect(created.json().members).toHaveLength(1000);
    const events = await eventsAfter(start);
    expect(events.map((e) => e.event)).toEqual(['dsync.group.created', ...Array(1000).fill('dsync.group.user_added')]);
    expectContiguous(events);
  });
});

describe('event pruning', () => {
  it('prunes a log larger than one chunk, chunk by chunk, leaving a tombstone for each event', async () => {
    const total = await c.t.store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(total.n)).toBeGreaterThan(10_000);
    const pruned = await pruneEvents(c.t.store, 1, new Date(Date.now() + 2 * 86_400_000));
    expect(pruned).toBe(Number(total.n));
    const left = await c.t.store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
    const tombs = await c.t.store.db.selectFrom('event_tombstones').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(tombs.n)).toBeGreaterThanOrEqual(pruned);
    // The tombstones go after their own period, in chunks too.
    await pruneEvents(c.t.store, 1, new Date(Date.now() + 5 * 86_400_000));
    const tombsLeft = await c.t.store.db.selectFrom('event_tombstones').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(tombsLeft.n)).toBe(0);
  });
});

describe('an event stream', () => {
  it('that makes fewer events than it promised fails its transaction, so the order never has a gap', async () => {
    const start = await lastSeq();
    const stream = {
      count: 3,
      async *chunks() {
        yield [{ event: 'dsync.group.user_added' as const, directory_id: c.directoryId, organization_id: null, data: { n: 1 } }];
      },
    };
    await expect(c.t.store.transaction((trx) => appendEvents(trx, [stream], new Date().toISOString()))).rejects.toThrow(/made 1 events where it promised 3/);
    expect(await lastSeq()).toBe(start);
  });
});
