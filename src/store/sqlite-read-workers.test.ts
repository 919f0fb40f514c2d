import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreUnavailable } from './errors.ts';
import { SqliteStore } from './sqlite.ts';

/** A read that keeps SQLite busy for a while (hundreds of ms here), without touching a table. */
const slow = (n: number) => sql<{ n: number }>`with recursive c(x) as (select 1 union all select x + 1 from c where x < ${n}) select count(*) as n from c`;

describe('SQLite read workers', () => {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  const open = async (options: ConstructorParameters<typeof SqliteStore>[1] = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-read-workers-'));
    const store = new SqliteStore(path.join(dir, 'db.sqlite'), { checkpointIntervalMs: 0, ...options });
    stores.push(store);
    await store.migrate();
    return store;
  };

  /** Timer ticks seen while `work` ran: none when it held the event loop throughout. */
  const ticksDuring = async (work: () => Promise<unknown>) => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 2);
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
    return ticks;
  };

  it('runs a long read off the main thread: the event loop keeps turning, and the rows are the same', async () => {
    const store = await open();
    expect(store.scanReader).not.toBe(store.reader);
    let rows: { n: number }[] = [];
    expect(await ticksDuring(async () => (rows = (await slow(2_000_000).execute(store.scanReader)).rows))).toBeGreaterThan(3);
    expect(rows).toEqual([{ n: 2_000_000 }]);
    // The same read on the main read connection holds the loop for its whole length.
    expect(await ticksDuring(() => slow(2_000_000).execute(store.reader))).toBe(0);
  });

  it('reads the last commit of the writer, and many reads may be under way at once', async () => {
    const store = await open({ readWorkers: 2 });
    const org = { id: 'org_read_workers' };
    await store.createOrganization({ id: org.id, name: 'Acme', domains: [] });
    const reads = await Promise.all(Array.from({ length: 20 }, () => store.scanReader.selectFrom('organizations').select(['id', 'name']).execute()));
    for (const rows of reads) expect(rows).toEqual([{ id: org.id, name: 'Acme' }]);
  });

  it('refuses a statement that writes', async () => {
    const store = await open();
    await expect(sql`create table t (v integer)`.execute(store.scanReader)).rejects.toThrow();
    await expect(store.scanReader.deleteFrom('organizations').execute()).rejects.toThrow();
  });

  it('ends a read past the statement timeout with StoreUnavailable, and the next read is served', async () => {
    const store = await open({ statementTimeoutMs: 150 });
    const error = await slow(20_000_000).execute(store.scanReader).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(String((error as Error).message)).toContain('statement timeout');
    // The replacement thread starts while the abandoned one still runs its statement: on a busy machine the
    // first short read may time out waiting for it to come up, so it is asked again until it is served.
    await vi.waitFor(async () => expect((await slow(10).execute(store.scanReader)).rows).toEqual([{ n: 10 }]), { timeout: 10_000, interval: 20 });
  });

  it('lets no more than twice its size of threads run statements that timed out', async () => {
    const store = await open({ statementTimeoutMs: 150, readWorkers: 1 });
    const outcome = (n: number) => slow(n).execute(store.scanReader).then(
      (r) => r.rows,
      (e: unknown) => e,
    );
    // Two long statements: the running one is abandoned (its thread runs on) and a new worker takes its place;
    // the waiting one times out where it waits.
    const [first, second] = await Promise.all([outcome(20_000_000), outcome(20_000_000)]);
    expect(first).toBeInstanceOf(StoreUnavailable);
    expect(second).toBeInstanceOf(StoreUnavailable);
    // Served by the replacement thread once it is up (on a busy machine, starting it can outlast 150 ms).
    await vi.waitFor(async () => expect(await outcome(10)).toEqual([{ n: 10 }]), { timeout: 10_000, interval: 20 });
    // A second abandoned thread while the first still runs (its statement takes seconds): its slot now waits
    // for it to stop, so a short read meanwhile times out too rather than start a third thread.
    expect(await outcome(20_000_000)).toBeInstanceOf(StoreUnavailable);
    expect(await outcome(10)).toBeInstanceOf(StoreUnavailable);
  });

  it('a closed store lets its process exit, whether or not a scan ever ran', () => {
    const sqlite = fileURLToPath(new URL('./sqlite.ts', import.meta.url));
    for (const scan of [false, true]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-read-workers-exit-'));
      const script = `
        import { SqliteStore } from ${JSON.stringify(sqlite)};
        const store = new SqliteStore(${JSON.stringify(path.join(dir, 'db.sqlite'))});
        await store.migrate();
        if (${scan}) await store.scanReader.selectFrom('organizations').selectAll().execute();
        await store.close();`;
      fs.writeFileSync(path.join(dir, 'close.mts'), script);
      const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, 'close.mts')], { timeout: 30_000, encoding: 'utf8' });
      expect(child.error, `scan ${scan}: the process did not exit`).toBeUndefined();
      expect(child.status, child.stderr).toBe(0);
    }
  });

  it('with no workers, scans read on the main read connection', async () => {
    const store = await open({ readWorkers: 0 });
    expect(store.scanReader).toBe(store.reader);
  });

  it('a read waiting when the store closes fails as StoreUnavailable', async () => {
    const store = await open();
    const running = slow(20_000_000).execute(store.scanReader).then(
      () => undefined,
      (e: unknown) => e,
    );
    const waiting = slow(10).execute(store.scanReader).then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 20));
    stores.splice(stores.indexOf(store), 1);
    await store.close();
    expect(await running).toBeInstanceOf(StoreUnavailable);
    expect(await waiting).toBeInstanceOf(StoreUnavailable);
  });
});
