/**
 * statement_timeout on PostgreSQL: a statement that runs past it is cancelled (57014) and reaches callers as
 * StoreUnavailable (503 with Retry-After), never a 500; the connection stays usable; migrations are exempt.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/support/harness.ts';
import { isConnectionError, StoreUnavailable, toStoreUnavailable } from './errors.ts';
import { PostgresStore } from './postgres.ts';

describe('query_canceled (57014)', () => {
  it('is a connection error: StoreUnavailable', () => {
    const canceled = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    expect(isConnectionError(canceled)).toBe(true);
    expect(toStoreUnavailable(canceled)).toBeInstanceOf(StoreUnavailable);
  });
});

describe.runIf(TEST_DATABASE_URL)('statement_timeout against PostgreSQL', () => {
  let t: TestDatabase;
  let store: PostgresStore;

  beforeAll(async () => {
    t = await createTestDatabase();
    const schema = (t.store as PostgresStore).options.schema!;
    await (t.store as PostgresStore).close();
    store = new PostgresStore({ url: TEST_DATABASE_URL!, schema, poolSize: 2, statementTimeoutMs: 200 });
    (t as { store: unknown }).store = store;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('a statement past the timeout is cancelled as StoreUnavailable, and the pool goes on serving', async () => {
    const db = store.db as Kysely<any>;
    const error = await sql`select pg_sleep(2)`.execute(db).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(((error as StoreUnavailable).cause as { code?: string }).code).toBe('57014');
    const { rows } = await sql<{ timeout: string }>`select current_setting('statement_timeout') as timeout`.execute(db);
    expect(rows[0]!.timeout).toBe('200ms');
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows[0]!.one).toBe(1);
  });

  it('the default is 15 s; 0 turns it off; migrations run without it', async () => {
    const settingOf = async (s: PostgresStore) => {
      try {
        return (await sql<{ timeout: string }>`select current_setting('statement_timeout') as timeout`.execute(s.db)).rows[0]!.timeout;
      } finally {
        await s.close();
      }
    };
    expect(await settingOf(new PostgresStore({ url: TEST_DATABASE_URL!, poolSize: 1 }))).toBe('15s');
    expect(await settingOf(new PostgresStore({ url: TEST_DATABASE_URL!, poolSize: 1, statementTimeoutMs: 0 }))).toBe('0');
    expect(await store.migrate()).toEqual([]);
  });
});
