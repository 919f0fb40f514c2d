import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { StatementCache, writerSlices } from './sqlite-dialect.ts';
import { SqliteStore } from './sqlite.ts';

describe('SQLite writer connection', () => {
  let store: SqliteStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const open = async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-dialect-'));
    store = new SqliteStore(path.join(dir, 'db.sqlite'), { checkpointIntervalMs: 0 });
    await store.migrate();
    return store;
  };

  /** A transaction of statements back to back for `ms`; what had run when it finished (an immediate set before it, and itself). */
  const longTransaction = async (s: SqliteStore, ms: number) => {
    const order: string[] = [];
    setImmediate(() => order.push('timer'));
    await s.db.transaction().execute(async (trx) => {
      const until = performance.now() + ms;
      while (performance.now() < until) await sql`select count(*) from directories`.execute(trx);
    });
    order.push('transaction');
    return order;
  };

  it('lets the event loop take turns during a long transaction, and commits it whole', async () => {
    const s = await open();
    expect(await longTransaction(s, 30 * writerSlices.sliceMs)).toEqual(['timer', 'transaction']);
  });

  it('runs a transaction without a turn when slices are turned off (the behaviour the slices replace)', async () => {
    const s = await open();
    const saved = writerSlices.sliceMs;
    writerSlices.sliceMs = Number.POSITIVE_INFINITY;
    try {
      expect(await longTransaction(s, 20)).toEqual(['transaction']);
    } finally {
      writerSlices.sliceMs = saved;
    }
  });

  it('keeps other writes out while a transaction yields (one writer), and reads go on', async () => {
    const s = await open();
    const events: string[] = [];
    const long = s.db.transaction().execute(async (trx) => {
      await sql`create table t (v integer)`.execute(trx);
      const until = performance.now() + 30 * writerSlices.sliceMs;
      while (performance.now() < until) await sql`insert into t values (1)`.execute(trx);
      events.push('long done');
    });
    await new Promise((r) => setImmediate(r));
    // A second write waits for the first's commit; it then sees every row the first wrote.
    const second = s.db.transaction().execute(async (trx) => {
      events.push('second started');
      return sql<{ n: number }>`select count(*) as n from t`.execute(trx);
    });
    await Promise.all([long, second]);
    expect(events).toEqual(['long done', 'second started']);
    expect(Number((await second).rows[0]!.n)).toBeGreaterThan(0);
  });
});

describe('SQLite query compiler', () => {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('writes integer LIMIT and OFFSET as literals on both connections, and the rows are the same', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-dialect-'));
    const s = new SqliteStore(path.join(dir, 'db.sqlite'), { checkpointIntervalMs: 0 });
    stores.push(s);
    await s.migrate();
    for (const db of [s.db, s.reader]) {
      const compiled = db.selectFrom('directories').select('id').orderBy('id').limit(25).offset(50).compile();
      expect(compiled.sql).toMatch(/ limit 25 offset 50$/);
      expect(compiled.parameters).toEqual([]);
    }
    await sql`create table n (v integer)`.execute(s.db);
    for (let v = 0; v < 10; v++) await sql`insert into n values (${v})`.execute(s.db);
    const page = await sql<{ v: number }>`select v from n order by v`.execute(s.db);
    expect(page.rows).toHaveLength(10);
    const limited = await s.db.selectFrom('n' as never).select('v' as never).orderBy('v' as never).limit(3).offset(4).execute();
    expect(limited.map((r) => (r as { v: number }).v)).toEqual([4, 5, 6]);
  });

  it('keeps a LIMIT that is not a plain integer a bound parameter', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-dialect-'));
    const s = new SqliteStore(path.join(dir, 'db.sqlite'), { checkpointIntervalMs: 0 });
    stores.push(s);
    const compiled = s.db.selectFrom('directories').select('id').limit(sql<number>`${7} + ${1}`).compile();
    expect(compiled.sql).toMatch(/limit \? \+ \?$/);
    expect(compiled.parameters).toEqual([7, 1]);
    // A float is not an integer: bound, as before, never written into the SQL.
    expect(s.db.selectFrom('directories').select('id').limit(2.5).compile().parameters).toEqual([2.5]);
  });
});

describe('SQLite statement cache: rows made from arrays', () => {
  const open = () => {
    const db = new BetterSqlite3(':memory:');
    db.exec(`create table t (id text primary key, n integer, body text, gone integer)`);
    db.prepare('insert into t values (?, ?, ?, ?), (?, ?, ?, ?)').run('a', 1, '{"x":1}', null, 'b', 2, null, 0);
    return { db, cache: new StatementCache(db) };
  };

  it('gives the objects better-sqlite3 gives, for all, iterate and returning writes', () => {
    const { db, cache } = open();
    const text = `select t.*, n + 1 as next, 'x' as id from t order by n`;
    const own = db.prepare(text).all();
    expect(cache.prepare(text).all([])).toEqual(own);
    // A repeated name: the last column wins, as in better-sqlite3's object, and keys keep its order.
    expect(Object.keys(cache.prepare(text).all([])[0] as object)).toEqual(Object.keys(own[0] as object));
    expect([...cache.prepare(text).iterate([])]).toEqual(own);
    expect(cache.prepare(`insert into t values (?, ?, ?, ?) returning id, n`).all(['c', 3, null, null])).toEqual([{ id: 'c', n: 3 }]);
    expect(cache.prepare(`update t set n = n + 10 where id = ?`).run(['a']).changes).toBe(1);
    expect(cache.prepare(`select n from t where id = ?`).all(['a'])).toEqual([{ n: 11 }]);
  });

  it('gives what better-sqlite3 gives for a column named __proto__ (its value set as the prototype, as there)', () => {
    const { db, cache } = open();
    const text = `select x'00' as "__proto__", n from t where id = 'a'`;
    const [row] = cache.prepare(text).all([]) as Record<string, unknown>[];
    const own = db.prepare(text).get() as Record<string, unknown>;
    expect(Object.getPrototypeOf(row)).toEqual(Object.getPrototypeOf(own));
    expect(Object.keys(row!)).toEqual(Object.keys(own));
  });
});
