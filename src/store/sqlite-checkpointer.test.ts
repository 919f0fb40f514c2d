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
import type { Worker } from 'node:worker_threads';
import { until } from '../../test/support/eventually.ts';
import pino from 'pino';
import { createMetrics, instrumentStore } from '../http/metrics.ts';
import { SqliteStore } from './sqlite.ts';
import { WalCheckpointer } from './sqlite-checkpointer.ts';

/**
 * Whether everything in the WAL has been copied into the database file, read from the WAL-index (the -shm file,
 * https://www.sqlite.org/walformat.html §2.1, in native byte order): `mxFrame` (offset 16) is the last frame in
 * the WAL, `nBackfill` (offset 96) the last one checkpointed. Once they are equal, the next write starts the
 * WAL over. Reading the file checkpoints nothing itself, unlike asking SQLite with PRAGMA wal_checkpoint.
 */
function walCheckpointed(file: string): boolean {
  const shm = fs.readFileSync(`${file}-shm`);
  const u32 = (offset: number) => (os.endianness() === 'LE' ? shm.readUInt32LE(offset) : shm.readUInt32BE(offset));
  return u32(96) >= u32(16);
}

async function walBytesAfterWrites(checkpointIntervalMs: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-wal-'));
  const file = path.join(dir, 'wal.db');
  const store = new SqliteStore(file, { checkpointIntervalMs });
  try {
    // The worker's start-up (slow on a loaded machine) is not what is measured.
    await store.checkpointer?.ready;
    const db = store.db as unknown as Kysely<any>;
    await sql`create table blob_rows (id integer primary key, body text not null)`.execute(db);
    const body = 'x'.repeat(4000);
    // 30 transactions of ~400 KiB each (~12 MiB in all). Between them, the worker (when there is one) is given
    // the time to checkpoint, however long that takes on this machine: the next write waits until it has.
    // Without a worker nothing checkpoints (the fallback threshold is far off), so there is nothing to wait for.
    for (let t = 0; t < 30; t++) {
      await store.transaction(async (trx) => {
        for (let r = 0; r < 100; r++) await sql`insert into blob_rows (body) values (${body})`.execute(trx as Kysely<any>);
      });
      if (checkpointIntervalMs > 0) await until(() => walCheckpointed(file), 20_000, `the worker to checkpoint transaction ${t}`);
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

it('reports a checkpoint that fails, every time, and the first success after it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-wal-'));
  const file = path.join(dir, 'broken.db');
  // Not a database: every checkpoint fails (SQLITE_NOTADB) until the file becomes one.
  fs.writeFileSync(file, 'not a database, but long enough to have what looks like a header to SQLite');
  const failures: { error: Error; fatal: boolean }[] = [];
  let recovered = 0;
  const checkpointer = new WalCheckpointer(file, 5, { onFailure: (error, fatal) => failures.push({ error, fatal }), onRecovered: () => (recovered += 1) });
  try {
    await until(() => failures.length >= 3);
    expect(failures.every((f) => !f.fatal && /not a database/i.test(f.error.message))).toBe(true);
    expect(checkpointer.failures).toBeGreaterThanOrEqual(3);
    expect(checkpointer.lastError).toMatch(/not a database/i);
    expect(recovered).toBe(0);
    // The same file (the worker keeps it open) now holds a real database: the next checkpoint succeeds.
    const good = path.join(dir, 'good.db');
    const store = new SqliteStore(good, { checkpointIntervalMs: 0 });
    await store.migrate();
    await store.close();
    fs.writeFileSync(file, fs.readFileSync(good));
    await until(() => recovered === 1);
    expect(checkpointer.lastError).toBeUndefined();
  } finally {
    await checkpointer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('a store logs and counts checkpoint failures (here, its worker dying), and metrics export them', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-wal-'));
  const lines: { level: number; msg: string; kind?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const store = new SqliteStore(path.join(dir, 'store.db'), { checkpointIntervalMs: 5, logger });
  try {
    await store.migrate();
    expect(store.errors.checkpoint).toBe(0);
    await (store.checkpointer as unknown as { worker: Worker }).worker.terminate();
    await until(() => store.errors.checkpoint === 1);
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, kind: 'checkpoint', msg: expect.stringMatching(/checkpoint worker died/) }));
    const metrics = instrumentStore(store, createMetrics({ processMetrics: false }));
    expect(await metrics.registry.metrics()).toMatch(/guestlist_store_errors_total\{kind="checkpoint"\} 1/);
    // The store itself carries on.
    await store.transaction(async (trx) => void (await sql`select 1`.execute(trx)));
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
