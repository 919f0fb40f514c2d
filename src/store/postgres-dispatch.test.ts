/**
 * The webhook dispatcher's own PostgreSQL pool: its transactions commit asynchronously, every other connection
 * synchronously; and a wake for deliveries made due reaches other processes as such.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../test/support/eventually.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/support/harness.ts';
import { PostgresStore } from './postgres.ts';

describe.runIf(TEST_DATABASE_URL)('the dispatcher on PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.drop());

  const setting = async (db: PostgresStore['db']) => (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db)).rows[0]!.synchronous_commit;

  it('commits its bookkeeping without waiting for the WAL flush; writes and reads still wait', async () => {
    const store = t.store as PostgresStore;
    expect(store.dispatchDb).not.toBe(store.db);
    expect(await setting(store.dispatchDb)).toBe('off');
    expect(await setting(store.db)).toBe('on');
    expect(await store.db.transaction().execute((trx) => setting(trx))).toBe('on');
  });

  it("tells other processes' dispatchers whether a wake made deliveries due, or only committed", async () => {
    const store = t.store as PostgresStore;
    // Another process's store on the same schema: it hears this one's NOTIFYs.
    const other = new PostgresStore({ url: TEST_DATABASE_URL!, schema: store.options.schema!, poolSize: 2 });
    const heard: boolean[] = [];
    const unlisten = await other.listen((due) => heard.push(due));
    try {
      await store.transaction(async (trx) => {
        await sql`select 1`.execute(trx);
      });
      await until(() => heard.length === 1, 10_000, 'the commit heard');
      store.wakeDispatch();
      await until(() => heard.length === 2, 10_000, 'the wake heard');
      expect(heard).toEqual([false, true]);
    } finally {
      unlisten();
      await other.close();
    }
  });
});
