/**
 * Two processes writing one directory on PostgreSQL: two stores, each with its own pool, on one schema. Each
 * write updates two shared rows, one store in the order (a, b), the other (b, a): two transactions running at
 * once take one row each and wait for the other's, a deadlock PostgreSQL breaks only after deadlock_timeout.
 * With the directory as the write key, each batch holds the directory's advisory lock (group-commit.ts), so
 * the two stores' batches take turns: no deadlock, every write lands. Without a key the same writes do
 * deadlock, which shows the test can see one (and that deadlocks are counted). PostgreSQL only
 * (GUESTLIST_TEST_DATABASE_URL): SQLite runs one write transaction at a time.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { PostgresStore } from './postgres.ts';

describe.skipIf(!TEST_DATABASE_URL)('group commit across processes (PostgreSQL only: set GUESTLIST_TEST_DATABASE_URL)', () => {
  let t: TestDatabase;
  let one: PostgresStore;
  let two: PostgresStore;

  beforeAll(async () => {
    t = await createTestDatabase();
    one = t.store as PostgresStore;
    two = new PostgresStore({ url: TEST_DATABASE_URL!, schema: one.options.schema!, poolSize: 5 });
    const db = one.db as unknown as Kysely<any>;
    await sql`create table gc_hot (name text primary key, n integer not null)`.execute(db);
    await sql`create table gc_log (id text primary key, via text not null)`.execute(db);
  });
  afterAll(async () => {
    await two?.close();
    await t?.drop();
  });

  /** `count` writes from each store at once, keyed by `key`; each bumps both hot rows, in opposite orders. */
  async function race(prefix: string, key: string | undefined, count: number) {
    const db = one.db as unknown as Kysely<any>;
    await sql`delete from gc_hot`.execute(db);
    await sql`insert into gc_hot (name, n) values ('a', 0), ('b', 0)`.execute(db);
    const write = (store: PostgresStore, id: string, order: [string, string]) =>
      store.batchedTransaction(async (trx) => {
        const q = trx as unknown as Kysely<any>;
        await sql`update gc_hot set n = n + 1 where name = ${order[0]}`.execute(q);
        // Long enough for the other store's transaction to take its first row meanwhile.
        await sql`select pg_sleep(0.02)`.execute(q);
        await sql`update gc_hot set n = n + 1 where name = ${order[1]}`.execute(q);
        await sql`insert into gc_log (id, via) values (${id}, ${store === one ? 'one' : 'two'})`.execute(q);
      }, key === undefined ? {} : { key });
    const before = [{ ...one.groupCommit.stats }, { ...two.groupCommit.stats }];
    const outcomes = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => [write(one, `${prefix}-1-${i}`, ['a', 'b']), write(two, `${prefix}-2-${i}`, ['b', 'a'])]).flat(),
    );
    const deadlocks = one.groupCommit.stats.deadlocks - before[0]!.deadlocks + (two.groupCommit.stats.deadlocks - before[1]!.deadlocks);
    const failedBatches = one.groupCommit.stats.failedBatches - before[0]!.failedBatches + (two.groupCommit.stats.failedBatches - before[1]!.failedBatches);
    const landed = Number((await sql<{ n: string }>`select count(*) as n from gc_log where id like ${`${prefix}-%`}`.execute(db)).rows[0]!.n);
    const hot = (await sql<{ name: string; n: number }>`select name, n from gc_hot order by name`.execute(db)).rows.map((r) => Number(r.n));
    return { outcomes, deadlocks, failedBatches, landed, hot };
  }

  it('writes to one directory from two processes queue on its lock instead of deadlocking; all land', async () => {
    const result = await race('keyed', 'directory_shared', 30);
    expect(result.outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    // No transaction lost a deadlock (after waiting out deadlock_timeout) and ran again.
    expect(result.deadlocks).toBe(0);
    expect(result.failedBatches).toBe(0);
    expect(result.landed).toBe(60);
    expect(result.hot).toEqual([60, 60]);
  });

  it('without the key the same writes deadlock, are counted, and still all land through the retry path', async () => {
    const result = await race('unkeyed', undefined, 4);
    expect(result.outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(result.deadlocks).toBeGreaterThan(0);
    expect(result.landed).toBe(8);
    expect(result.hot).toEqual([8, 8]);
  });

  it('a batch that waited for another process on its directory still takes the writes queued meanwhile', async () => {
    const db = one.db as unknown as Kysely<any>;
    const saved = one.groupCommit.budgetMs;
    one.groupCommit.budgetMs = 100;
    try {
      // The other process's batch holds the directory for 400 ms: longer than the budget.
      const holder = two.batchedTransaction(async (trx) => void (await sql`select pg_sleep(0.4)`.execute(trx as unknown as Kysely<any>)), { key: 'directory_waited' });
      await new Promise((r) => setTimeout(r, 100));
      const before = { ...one.groupCommit.stats };
      await Promise.all([
        holder,
        ...Array.from({ length: 5 }, (_, i) =>
          one.batchedTransaction(async (trx) => void (await sql`insert into gc_log (id, via) values (${`waited-${i}`}, 'one')`.execute(trx as unknown as Kysely<any>)), { key: 'directory_waited' }),
        ),
      ]);
      // One batch: its budget counts from when it held the directory, not from when it began to wait.
      expect(one.groupCommit.stats.batches - before.batches).toBe(1);
      expect(Number((await sql<{ n: string }>`select count(*) as n from gc_log where id like 'waited-%'`.execute(db)).rows[0]!.n)).toBe(5);
    } finally {
      one.groupCommit.budgetMs = saved;
    }
  });
});
