import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/support/harness.ts';
import { classifyingClient, poolConfig } from './postgres-pool.ts';
import { PreparedStatements } from './postgres-prepared.ts';
import { PostgresStore } from './postgres.ts';

describe.runIf(TEST_DATABASE_URL)('begin and savepoints sent without waiting (pipeline mode)', () => {
  let t: TestDatabase;
  let schema: string;
  let pool: pg.Pool;

  beforeAll(async () => {
    t = await createTestDatabase();
    schema = (t.store as PostgresStore).options.schema!;
    pool = new pg.Pool(poolConfig({ url: TEST_DATABASE_URL!, schema }, { max: 1, statementTimeoutMs: 0, Client: classifyingClient(() => {}, new PreparedStatements(), true) }));
    await pool.query('create table pipelined_probe (a integer primary key)');
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
  });

  /** A client whose socket flushes (system calls writing to it) are counted. */
  async function counted(): Promise<{ client: pg.PoolClient; flushes: () => number }> {
    const client = await pool.connect();
    const stream = (client as unknown as { connection: { stream: Record<'_write' | '_writev', (...a: unknown[]) => unknown> } }).connection.stream;
    let flushes = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = stream[method].bind(stream);
      stream[method] = (...a: unknown[]) => {
        flushes += 1;
        return original(...a);
      };
    }
    return { client, flushes: () => flushes };
  }

  it('answers begin and savepoints at once, and sends them with the next statement in one write', async () => {
    const { client, flushes } = await counted();
    try {
      await client.query('begin');
      await client.query('savepoint group_commit');
      expect(flushes()).toBe(0); // answered at once, held in the socket's buffer
      const inserted = await client.query('insert into pipelined_probe values ($1) returning a', [1]);
      expect(inserted.rows).toEqual([{ a: 1 }]);
      expect(flushes()).toBe(1); // begin, savepoint and the insert left together
      await client.query('release savepoint group_commit; savepoint group_commit');
      await client.query('insert into pipelined_probe values ($1)', [2]);
      await client.query('commit');
    } finally {
      client.release();
    }
    expect((await pool.query('select a from pipelined_probe order by a')).rows).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("reports a failed savepoint at the next statement, with the savepoint's own error, and the connection stays usable", async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      // No savepoint is open: PostgreSQL refuses the release (3B001), and the transaction is aborted.
      await client.query('release savepoint group_commit');
      const failed = await client.query('insert into pipelined_probe values ($1)', [3]).then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(failed?.code).toBe('3B001');
      await client.query('rollback');
      expect((await client.query('select count(*)::int as n from pipelined_probe where a = 3')).rows).toEqual([{ n: 0 }]);
    } finally {
      client.release();
    }
  });

  it('never lets a COMMIT of an aborted transaction pass for a commit', async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query('release savepoint group_commit');
      // PostgreSQL answers COMMIT in an aborted transaction with ROLLBACK, not an error: the client must throw.
      const failed = await client.query('commit').then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(failed?.code).toBe('3B001');
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      client.release();
    }
  });

  it("sends a batch's directory lock with begin and the next statement, which waits for another holder of the lock", async () => {
    const { client, flushes } = await counted();
    const other = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    try {
      const lock = "select pg_advisory_xact_lock(hashtextextended('guestlist-batch:directory_probe', 0))";
      await other.query('begin');
      await other.query(lock);
      await client.query('begin');
      await client.query(lock);
      expect(flushes()).toBe(0); // answered at once
      let inserted = false;
      const insert = client.query('insert into pipelined_probe values ($1) returning a', [20]).then((r) => ((inserted = true), r));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(flushes()).toBe(1); // begin, the lock and the insert left together
      expect(inserted).toBe(false); // behind the lock, which the other connection holds
      await other.query('commit');
      expect((await insert).rows).toEqual([{ a: 20 }]);
      await client.query('rollback');
    } finally {
      client.release();
      await other.end();
    }
  });

  it('a store with pipelining commits group-commit batches with failing writes as without it', async () => {
    for (const pipelining of [true, false]) {
      const store = new PostgresStore({ url: TEST_DATABASE_URL!, schema, poolSize: 2, pipelining });
      const db = store.db as Kysely<any>;
      await sql`delete from pipelined_probe`.execute(db);
      const insert = (a: number) => store.groupCommit.submit((trx) => sql`insert into pipelined_probe values (${a})`.execute(trx as Kysely<any>).then(() => a), 'k');
      // 2 is inserted twice: the second fails in its savepoint, the others commit in one batch.
      const outcomes = await Promise.allSettled([1, 2, 3, 2, 4].map(insert));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[3] as PromiseRejectedResult).reason.code).toBe('23505');
      expect((await sql<{ a: number }>`select a from pipelined_probe order by a`.execute(db)).rows.map((r) => r.a)).toEqual([1, 2, 3, 4]);
      await store.close();
    }
  });
});
