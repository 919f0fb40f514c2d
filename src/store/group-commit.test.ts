/**
 * Group commit against the real database (SQLite, or PostgreSQL when GUESTLIST_TEST_DATABASE_URL is set):
 * concurrent writes share transactions, each stays atomic and isolated, and a batch that fails as a whole
 * loses nothing.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { BATCH_BUDGET_MS } from './group-commit.ts';

let t: TestDatabase;
let db: Kysely<any>;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.store.db as unknown as Kysely<any>;
  await sql`create table gc_probe (name varchar(100) primary key, n integer not null)`.execute(db);
  await sql`create table gc_parent (id integer primary key)`.execute(db);
  // Checked at commit, not at the insert: the way to make a whole batch fail at its commit.
  await sql`create table gc_child (id integer primary key, parent integer references gc_parent (id) deferrable initially deferred)`.execute(db);
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  t.store.groupCommit.maxBatch = 64;
  await sql`delete from gc_probe`.execute(db);
  await sql`delete from gc_child`.execute(db);
});

const names = async () => (await sql<{ name: string }>`select name from gc_probe order by name`.execute(db)).rows.map((r) => r.name);
const insert = (trx: unknown, name: string, n = 0) => sql`insert into gc_probe (name, n) values (${name}, ${n})`.execute(trx as Kysely<any>);

it('concurrent writes share transactions, and each is answered with its own result', async () => {
  const before = { ...t.store.groupCommit.stats };
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => t.store.batchedTransaction(async (trx) => (await insert(trx, `w${String(i).padStart(3, '0')}`), i * 2))),
  );
  expect(results).toEqual(Array.from({ length: 100 }, (_, i) => i * 2));
  expect(await names()).toHaveLength(100);
  const batches = t.store.groupCommit.stats.batches - before.batches;
  expect(batches).toBeGreaterThan(0);
  expect(batches).toBeLessThan(100);
  expect(t.store.groupCommit.stats.writes - before.writes).toBe(100);
});

it('a failing write is rolled back alone, with its own error; the rest of its batch commits', async () => {
  await insert(db, 'taken');
  const outcomes = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      t.store.batchedTransaction(async (trx) => {
        await insert(trx, `ok${String(i).padStart(2, '0')}`);
        // Every fifth write fails after a first insert: that insert must be undone, and only it.
        if (i % 5 === 0) await insert(trx, 'taken');
        return i;
      }),
    ),
  );
  const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
  expect(failed).toEqual([0, 5, 10, 15]);
  for (const i of failed) expect(String((outcomes[i] as PromiseRejectedResult).reason)).toMatch(/unique|duplicate/i);
  const expected = Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 5 !== 0).map((i) => `ok${String(i).padStart(2, '0')}`);
  expect(await names()).toEqual([...expected, 'taken'].sort());
});

it('writes in a batch never interleave: read-modify-write across awaits loses no update', async () => {
  await insert(db, 'counter', 0);
  await Promise.all(
    Array.from({ length: 50 }, () =>
      t.store.batchedTransaction(async (trx) => {
        // FOR UPDATE on PostgreSQL, where batches in other lanes are concurrent transactions (as any two are).
        const lock = sql.raw(t.store.dialect === 'postgres' ? ' for update' : '');
        const { n } = (await sql<{ n: number }>`select n from gc_probe where name = 'counter'${lock}`.execute(trx as Kysely<any>)).rows[0]!;
        await new Promise((r) => setTimeout(r, 0));
        await sql`update gc_probe set n = ${Number(n) + 1} where name = 'counter'`.execute(trx as Kysely<any>);
      }),
    ),
  );
  const { n } = (await sql<{ n: number }>`select n from gc_probe where name = 'counter'`.execute(db)).rows[0]!;
  expect(Number(n)).toBe(50);
});

it('a batch that fails at its commit loses nothing: each write runs again on its own', async () => {
  await sql`delete from gc_parent`.execute(db);
  await sql`insert into gc_parent (id) values (1)`.execute(db);
  const before = t.store.groupCommit.stats.retriedAlone;
  const outcomes = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) =>
      t.store.batchedTransaction(async (trx) => {
        // Write 3 points at a parent that does not exist: legal until the commit.
        await sql`insert into gc_child (id, parent) values (${i}, ${i === 3 ? 99 : 1})`.execute(trx as Kysely<any>);
        return i;
      }),
    ),
  );
  expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 10 }, (_, i) => (i === 3 ? 'rejected' : 'fulfilled')));
  const children = (await sql<{ id: number }>`select id from gc_child order by id`.execute(db)).rows.map((r) => Number(r.id));
  expect(children).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
  expect(t.store.groupCommit.stats.retriedAlone - before).toBeGreaterThan(0);
});

it('a batch takes at most maxBatch writes; maxBatch 1 commits every write alone', async () => {
  t.store.groupCommit.maxBatch = 5;
  const before = { ...t.store.groupCommit.stats };
  t.store.groupCommit.stats.largestBatch = 0;
  await Promise.all(Array.from({ length: 40 }, (_, i) => t.store.batchedTransaction((trx) => insert(trx, `m${i}`))));
  expect(t.store.groupCommit.stats.largestBatch).toBeLessThanOrEqual(5);
  expect(t.store.groupCommit.stats.batches - before.batches).toBeGreaterThanOrEqual(8);

  t.store.groupCommit.maxBatch = 1;
  const batches = t.store.groupCommit.stats.batches;
  await Promise.all(Array.from({ length: 10 }, (_, i) => t.store.batchedTransaction((trx) => insert(trx, `s${i}`))));
  expect(t.store.groupCommit.stats.batches).toBe(batches);
  expect(await names()).toHaveLength(50);
});

it("tails are written at the end, in the writes' order, and a failed write's tail is dropped", async () => {
  const seqBefore = Number((await sql<{ seq: number }>`select seq from event_counter where id = 1`.execute(db)).rows[0]!.seq);
  const outcomes = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) =>
      t.store.batchedTransaction(async (trx, defer) => {
        defer({ kind: 'events', events: [{ event: 'dsync.user.created', directory_id: null, organization_id: null, data: { n: i } }] });
        if (i % 4 === 1) throw new Error(`write ${i} refused`);
        defer({ kind: 'events', events: [{ event: 'dsync.user.updated', directory_id: null, organization_id: null, data: { n: i } }] });
      }),
    ),
  );
  expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(3);
  const rows = (await sql<{ seq: number; event: string; data: unknown }>`select seq, event, data from events where seq > ${seqBefore} order by seq`.execute(db)).rows;
  const written = rows.map((r) => `${r.event.split('.').pop()}:${(typeof r.data === 'string' ? JSON.parse(r.data) : (r.data as { n: number })).n}`);
  const kept = Array.from({ length: 12 }, (_, i) => i).filter((i) => i % 4 !== 1);
  if (t.store.groupCommit.lanes === 1) expect(written).toEqual(kept.flatMap((i) => [`created:${i}`, `updated:${i}`]));
  // With several lanes, batches interleave among themselves, but each write's own events stay together and in order.
  else expect([...written].sort()).toEqual(kept.flatMap((i) => [`created:${i}`, `updated:${i}`]).sort());
  for (let k = 0; k < written.length; k += 2) expect(written[k + 1]).toBe(written[k]!.replace('created', 'updated'));
  expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, k) => seqBefore + 1 + k));
});

it('a write that loses a deadlock inside its batch is not blamed: it runs again alone after the batch', async () => {
  const before = t.store.groupCommit.stats.retriedAlone;
  let attempts = 0;
  const outcomes = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      t.store.batchedTransaction(async (trx) => {
        await insert(trx, `d${i}`);
        if (i === 2 && ++attempts === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        return i;
      }),
    ),
  );
  expect(outcomes).toEqual([0, 1, 2, 3, 4, 5]);
  expect(attempts).toBe(2);
  expect(await names()).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5']);
  expect(t.store.groupCommit.stats.retriedAlone - before).toBe(1);
});

it('a write running alone is retried when it loses a serialization conflict, and not when it is wrong', async () => {
  let attempts = 0;
  await t.store.batchedTransaction(
    async (trx) => {
      await insert(trx, `alone${attempts}`);
      if (++attempts < 3) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    },
    { alone: true },
  );
  expect(attempts).toBe(3);
  expect(await names()).toEqual(['alone2']);
  await expect(t.store.batchedTransaction((trx) => insert(trx, 'alone2'), { alone: true })).rejects.toThrow(/unique|duplicate/i);
});

it('a batch takes no new write once it has run for its time budget; the rest commit in later batches', async () => {
  const before = { ...t.store.groupCommit.stats };
  // Each write holds the batch for a little over half the budget (a busy wait: on SQLite nothing else runs).
  const slow = (name: string) =>
    t.store.batchedTransaction(async (trx) => {
      const until = performance.now() + BATCH_BUDGET_MS * 0.6;
      while (performance.now() < until);
      await insert(trx, name);
    }, { key: 'budget' });
  await Promise.all(Array.from({ length: 6 }, (_, i) => slow(`b${i}`)));
  expect(await names()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
  const batches = t.store.groupCommit.stats.batches - before.batches;
  // Without the budget all six share one batch; with it, at most two fit in one, or three where the batch takes a
  // directory lock (PostgreSQL): its budget then runs from the end of its first write, where the lock's wait ends.
  expect(batches).toBeGreaterThanOrEqual(t.store.groupCommit.keyLock ? 2 : 3);
});

it("a batch's first write runs without a savepoint: failing, it leaves nothing, and the writes behind it commit", async () => {
  await insert(db, 'taken');
  const before = { ...t.store.groupCommit.stats };
  // Alone in its batch (nothing else queued): its partial insert is undone with the whole transaction.
  await expect(t.store.batchedTransaction(async (trx) => (await insert(trx, 'partial'), await insert(trx, 'taken')))).rejects.toThrow(/unique|duplicate/i);
  expect(await names()).toEqual(['taken']);
  // First of many: the others, queued behind it, go on in the next batch; none is run again alone.
  const outcomes = await Promise.allSettled(
    Array.from({ length: 8 }, (_, i) =>
      t.store.batchedTransaction(async (trx) => {
        await insert(trx, `f${i}`);
        if (i === 0) await insert(trx, 'taken');
        return i;
      }),
    ),
  );
  expect(outcomes.map((o) => o.status)).toEqual(['rejected', ...Array.from({ length: 7 }, () => 'fulfilled')]);
  expect(await names()).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'taken']);
  expect(t.store.groupCommit.stats.failedBatches).toBe(before.failedBatches);
  expect(t.store.groupCommit.stats.retriedAlone).toBe(before.retriedAlone);
  // A first write that loses a deadlock is not blamed either: it runs again alone.
  let attempts = 0;
  await t.store.batchedTransaction(async (trx) => {
    await insert(trx, `again${attempts}`);
    if (++attempts === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
  });
  expect(attempts).toBe(2);
  expect((await names()).filter((n) => n.startsWith('again'))).toEqual(['again1']);
  expect(t.store.groupCommit.stats.retriedAlone - before.retriedAlone).toBe(1);
});
