import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/support/harness.ts';
import { MAX_NAMED, PreparedStatements, isStalePlan, transactionEdge } from './postgres-prepared.ts';
import { PostgresStore } from './postgres.ts';

describe('PreparedStatements', () => {
  it('names a statement from its second run, the same name each time after', () => {
    const p = new PreparedStatements();
    expect(p.nameFor('select 1 where $1')).toBeUndefined();
    const name = p.nameFor('select 1 where $1');
    expect(name).toMatch(/^gl_\d+$/);
    expect(p.nameFor('select 1 where $1')).toBe(name);
    expect(p.nameFor('  WITH x as (select 1) select * from x')).toBeUndefined();
    expect(p.nameFor('  WITH x as (select 1) select * from x')).not.toBe(name);
  });

  it('never names transaction control, savepoints or other commands', () => {
    const p = new PreparedStatements();
    for (const text of ['begin', 'commit', 'savepoint a', 'rollback to savepoint a', 'set local x = 1', 'select pg_sleep(0)']) {
      p.nameFor(text);
      const second = p.nameFor(text);
      if (text.startsWith('select')) expect(second).toBeDefined();
      else expect(second, text).toBeUndefined();
    }
  });

  it(`names at most ${MAX_NAMED} texts, and stops naming once disabled`, () => {
    const p = new PreparedStatements();
    for (let i = 0; i < MAX_NAMED + 50; i++) {
      p.nameFor(`select ${i}`);
      p.nameFor(`select ${i}`);
    }
    expect(p.named).toBe(MAX_NAMED);
    expect(p.nameFor(`select ${MAX_NAMED + 10}`)).toBeUndefined();
    expect(p.nameFor('select 0')).toBeDefined();
    p.disable();
    expect(p.nameFor('select 0')).toBeUndefined();
    expect(p.enabled).toBe(false);
  });

  it('tells transaction edges and stale plans', () => {
    expect(transactionEdge('begin')).toBe('begin');
    expect(transactionEdge('start transaction isolation level serializable')).toBe('begin');
    expect(transactionEdge('commit')).toBe('end');
    expect(transactionEdge('rollback')).toBe('end');
    expect(transactionEdge('rollback to savepoint group_commit')).toBeUndefined();
    expect(transactionEdge('release savepoint group_commit')).toBeUndefined();
    expect(transactionEdge('select 1')).toBeUndefined();
    expect(isStalePlan(Object.assign(new Error('cached plan must not change result type'), { code: '0A000' }))).toBe(true);
    expect(isStalePlan(Object.assign(new Error('something else'), { code: '0A000' }))).toBe(false);
  });
});

describe.runIf(TEST_DATABASE_URL)('prepared statements against PostgreSQL', () => {
  let t: TestDatabase;
  let store: PostgresStore;
  let schema: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    schema = (t.store as PostgresStore).options.schema!;
    await (t.store as PostgresStore).close();
    store = new PostgresStore({ url: TEST_DATABASE_URL!, schema, poolSize: 1 });
    (t as { store: unknown }).store = store;
  });
  afterAll(async () => {
    await t?.drop();
  });

  const db = () => store.db as Kysely<any>;
  const preparedHere = async () => Number((await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like '%prepared_probe%' and statement not like '%pg_prepared_statements%'`.execute(db())).rows[0]!.n);

  it('prepares a statement run twice on its connection, and answers the same', async () => {
    await sql`create table prepared_probe (a integer)`.execute(db());
    await sql`insert into prepared_probe values (1), (2)`.execute(db());
    const read = () => db().selectFrom('prepared_probe').selectAll().where('a', '>', 0).orderBy('a').execute();
    expect(await read()).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await preparedHere()).toBe(0);
    expect(await read()).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await read()).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await preparedHere()).toBe(1);
  });

  it('after a migration changes the columns: a read runs again unnamed, a transaction fails as a serialization failure, and naming stops', async () => {
    const read = () => db().selectFrom('prepared_probe').selectAll().where('a', '>', 0).orderBy('a').execute();
    const inTransaction = () => db().transaction().execute((trx) => trx.selectFrom('prepared_probe').selectAll().where('a', '>', 1).execute());
    await inTransaction();
    await inTransaction();
    // Another connection (a new version's migration) adds a column.
    const other = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await other.connect();
    await other.query('alter table prepared_probe add column b text');
    await other.end();
    const error = await inTransaction().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('40001');
    expect(await read()).toEqual([
      { a: 1, b: null },
      { a: 2, b: null },
    ]);
    expect(await inTransaction()).toEqual([{ a: 2, b: null }]);
  });
});
