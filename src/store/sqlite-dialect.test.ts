import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { writerSlices } from './sqlite-dialect.ts';
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
