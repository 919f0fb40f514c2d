/**
 * PostgreSQL faults are seen and survived. Without a server: a refused connection and a connection that never
 * answers (the pool's timeout) are StoreUnavailable, group commit fails a batch's writes with it at once, and
 * the HTTP layer answers 503 with Retry-After (SCIM Error JSON; `{message, code}` for management). Against the
 * suite's PostgreSQL (GUESTLIST_TEST_DATABASE_URL): a lost LISTEN connection reconnects and LISTENs again, a
 * lost idle connection is logged and counted, and a batch whose connection dies loses no other write.
 */
import net from 'node:net';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { buildApp } from '../http/app.ts';
import { apiKeyVerifier } from '../http/management/index.ts';
import { newId } from '../ids.ts';
import { hashSecret } from '../secrets.ts';
import { until } from '../../test/support/eventually.ts';
import { createTestDatabase, TEST_API_KEY, TEST_DATABASE_URL, type TestDatabase } from '../../test/support/harness.ts';
import { isConnectionError, StoreUnavailable, toStoreUnavailable } from './errors.ts';
import { PostgresStore } from './postgres.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

/** A port on which nothing listens (taken, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('classification', () => {
  it('recognizes connection errors, and only those', () => {
    for (const e of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('terminating connection due to crash'), { code: '57P02' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}),
    ]) {
      expect([e.message, isConnectionError(e)]).toEqual([e.message, true]);
      expect(toStoreUnavailable(e)).toBeInstanceOf(StoreUnavailable);
    }
    for (const e of [
      Object.assign(new Error('duplicate key'), { code: '23505' }),
      Object.assign(new Error('deadlock detected'), { code: '40P01' }),
      Object.assign(new Error('syntax error'), { code: '42601' }),
      new Error('something else'),
      undefined,
    ]) {
      expect(isConnectionError(e)).toBe(false);
      expect(toStoreUnavailable(e)).toBe(e);
    }
  });
});

describe('without a database server', () => {
  let refused: PostgresStore;
  let silent: net.Server;
  let silentSockets: net.Socket[] = [];
  let hanging: PostgresStore;

  beforeAll(async () => {
    refused = new PostgresStore({ url: `postgres://u:p@127.0.0.1:${await closedPort()}/db`, poolSize: 4 });
    // Accepts connections and never answers: only the pool's connection timeout ends the wait.
    silent = net.createServer((socket) => void silentSockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    hanging = new PostgresStore({ url: `postgres://u:p@127.0.0.1:${(silent.address() as net.AddressInfo).port}/db`, poolSize: 2, connectionTimeoutMs: 200 });
  });
  afterAll(async () => {
    await refused.close();
    await hanging.close();
    for (const s of silentSockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('a refused connection and a connect timeout are StoreUnavailable', async () => {
    await expect(refused.ping()).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(hanging.ping()).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(refused.transaction(async () => 1)).rejects.toBeInstanceOf(StoreUnavailable);
  });

  it("group commit fails a batch's writes with StoreUnavailable at once, and each is answered", async () => {
    const before = { ...refused.groupCommit.stats };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => refused.batchedTransaction(async (trx) => (await sql`select ${i}`.execute(trx), i), { key: 'dir' })),
    );
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof StoreUnavailable)).toBe(true);
    const stats = refused.groupCommit.stats;
    expect(stats.failedBatches - before.failedBatches).toBeGreaterThan(0);
    // Once a write run again alone finds the database gone, the rest of its batch is not tried one by one.
    expect(stats.retriedAlone - before.retriedAlone).toBe(stats.failedBatches - before.failedBatches);
    expect(refused.errors.group_commit).toBe(stats.failedBatches);
  });

  it('SCIM and management requests get 503 with Retry-After, each in its own error shape', async () => {
    const { lines, logger } = capture();
    const app = await buildApp({
      config: loadConfig({ GUESTLIST_API_KEY: TEST_API_KEY }),
      store: refused,
      logger,
      secretKey: 'test-secret-key-0123456789abcdefghijklmnop',
      apiKeys: apiKeyVerifier([hashSecret(TEST_API_KEY)]),
    });
    try {
      const scim = await app.inject({ method: 'GET', url: `/scim/v2/${newId('directory')}/Users`, headers: { authorization: 'Bearer abc' } });
      expect(scim.statusCode).toBe(503);
      expect(scim.headers['retry-after']).toBe('5');
      expect(scim.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
      const api = await app.inject({ method: 'GET', url: '/organizations', headers: { authorization: `Bearer ${TEST_API_KEY}` } });
      expect(api.statusCode).toBe(503);
      expect(api.headers['retry-after']).toBe('5');
      expect(api.json()).toEqual({ message: expect.any(String), code: 'service_unavailable' });
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503);
      expect(lines.some((l) => /unavailable/i.test(String(l.msg)))).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe.runIf(TEST_DATABASE_URL)('against PostgreSQL', () => {
  let t: TestDatabase;
  let admin: pg.Client;
  const log = capture();
  let store: PostgresStore;

  beforeAll(async () => {
    t = await createTestDatabase();
    const schema = (t.store as PostgresStore).options.schema!;
    await (t.store as PostgresStore).close();
    // The same schema, with a logger.
    store = new PostgresStore({ url: TEST_DATABASE_URL!, schema, poolSize: 4, logger: log.logger });
    (t as { store: unknown }).store = store;
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await sql`create table fault_probe (name varchar(100) primary key)`.execute(store.db as Kysely<any>);
  });
  afterAll(async () => {
    await admin?.end();
    await t?.drop();
  });

  const terminate = (pid: number) => admin.query('select pg_terminate_backend($1)', [pid]);

  it('a LISTEN connection terminated by the server reconnects, LISTENs again, and its subscribers hear NOTIFY', async () => {
    let woken = 0;
    const unlisten = await store.listen(() => (woken += 1));
    try {
      const first = store.listenerPid!;
      expect(first).toBeGreaterThan(0);
      await admin.query(`notify ${store.channel}`);
      await until(() => woken === 1);

      await terminate(first);
      await until(() => store.listenerPid !== undefined && store.listenerPid !== first);
      expect(store.errors.listen).toBeGreaterThanOrEqual(1);
      expect(log.lines).toContainEqual(expect.objectContaining({ level: 40, kind: 'listen', msg: expect.stringMatching(/LISTEN connection lost/) }));
      expect(log.lines).toContainEqual(expect.objectContaining({ level: 30, msg: 'LISTEN connection restored' }));
      // Woken once on reconnection, for the commits it may have missed; then by a NOTIFY from another connection.
      await until(() => woken === 2);
      await admin.query(`notify ${store.channel}`);
      await until(() => woken === 3);
      // Again, to show the reconnected connection survives the same.
      const second = store.listenerPid!;
      await terminate(second);
      await until(() => store.listenerPid !== undefined && store.listenerPid !== second);
      await until(() => woken === 4);
      await admin.query(`notify ${store.channel}`);
      await until(() => woken === 5);
    } finally {
      unlisten();
    }
  });

  it('an idle pool connection terminated by the server is logged and counted, and the pool carries on', async () => {
    const before = store.errors.pool;
    // Every connection the pool holds, each made busy at once so that they are all distinct.
    const pids = await Promise.all(
      Array.from({ length: 4 }, () => store.transaction(async (trx) => (await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(trx)).rows[0]!.pid)),
    );
    const distinct = new Set(pids);
    for (const pid of distinct) await terminate(pid);
    // Each is reported as it goes, and dropped by the pool.
    await until(() => store.errors.pool >= before + distinct.size);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 40, kind: 'pool', msg: 'idle database connection lost' }));
    await store.ping();
  });

  it('a query whose connection dies fails with StoreUnavailable', async () => {
    let pid = 0;
    const running = store.transaction(async (trx) => {
      pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
      await sql`select pg_sleep(30)`.execute(trx);
    });
    await until(() => pid > 0);
    await terminate(pid);
    await expect(running).rejects.toBeInstanceOf(StoreUnavailable);
    await store.ping();
  });

  it('a batch whose connection dies fails as a whole: the write that killed it gets StoreUnavailable, the rest commit', async () => {
    const before = { ...store.groupCommit.stats };
    const errorsBefore = store.errors.group_commit;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.batchedTransaction(
          async (trx) => {
            await sql`insert into fault_probe (name) values (${`w${i}`})`.execute(trx);
            // Write 4 takes its own connection down (as a server restart would), wherever it runs.
            if (i === 4) await sql`select pg_terminate_backend(pg_backend_pid())`.execute(trx);
            return i;
          },
          { key: 'one-directory' },
        ),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 10 }, (_, i) => (i === 4 ? 'rejected' : 'fulfilled')));
    expect((outcomes[4] as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailable);
    const names = (await sql<{ name: string }>`select name from fault_probe order by name`.execute(store.db)).rows.map((r) => r.name);
    expect(names).toEqual(['w0', 'w1', 'w2', 'w3', 'w5', 'w6', 'w7', 'w8', 'w9']);
    expect(store.groupCommit.stats.failedBatches).toBeGreaterThan(before.failedBatches);
    expect(store.errors.group_commit).toBeGreaterThan(errorsBefore);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 40, kind: 'group_commit' }));
    // Healthy afterwards.
    await expect(store.batchedTransaction(async (trx) => (await sql`insert into fault_probe (name) values ('after')`.execute(trx), 'ok'))).resolves.toBe('ok');
  });
});
