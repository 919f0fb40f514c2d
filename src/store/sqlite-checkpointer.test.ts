/**
 * The background checkpointer keeps the WAL short while the main connection writes: without it the WAL grows
 * with everything written until SQLite's fallback threshold (64 MiB); with it, the WAL starts over between
 * transactions and its file stays a fraction of that.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { SqliteStore } from './sqlite.ts';

async function walBytesAfterWrites(checkpointIntervalMs: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-wal-'));
  const file = path.join(dir, 'wal.db');
  const store = new SqliteStore(file, { checkpointIntervalMs });
  try {
    const db = store.db as unknown as Kysely<any>;
    await sql`create table blob_rows (id integer primary key, body text not null)`.execute(db);
    const body = 'x'.repeat(4000);
    // 30 transactions of ~400 KiB each (~12 MiB in all), with pauses in which a checkpoint can run.
    for (let t = 0; t < 30; t++) {
      await store.transaction(async (trx) => {
        for (let r = 0; r < 100; r++) await sql`insert into blob_rows (body) values (${body})`.execute(trx as Kysely<any>);
      });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    return fs.statSync(`${file}-wal`).size;
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

it('keeps the WAL short while the main connection writes', async () => {
  const without = await walBytesAfterWrites(0);
  const withWorker = await walBytesAfterWrites(5);
  expect(without).toBeGreaterThan(10 * 2 ** 20);
  expect(withWorker).toBeLessThan(without / 4);
});

it('closes its worker with the store, and the database file stays usable', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-wal-'));
  const file = path.join(dir, 'reopen.db');
  const first = new SqliteStore(file, { checkpointIntervalMs: 5 });
  await first.migrate();
  await first.close();
  const again = new SqliteStore(file);
  expect(await again.migrate()).toEqual([]);
  await again.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
