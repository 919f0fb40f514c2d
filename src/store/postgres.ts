/**
 * PostgreSQL through pg (connections: postgres-pool.ts). Writes take advisory locks; other processes learn of
 * commits through NOTIFY (postgres-listener.ts).
 *
 * Faults are survived and reported. Every error that means "the database cannot be reached" (refused, reset,
 * shut down, a connection lost mid-query, no connection within `connectionTimeoutMs`) reaches callers as
 * StoreUnavailable, which the HTTP layer answers with 503 and Retry-After; the pool replaces lost connections
 * by itself, so requests succeed again as soon as the database is back, with no restart. An idle connection's
 * error is logged and counted. The LISTEN connection, when lost, is reconnected with backoff and LISTENs again;
 * its subscribers are woken once it is back, for the commits they may have missed meanwhile.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from './db.ts';
import { toStoreUnavailable } from './errors.ts';
import { KyselyStore } from './kysely-store.ts';
import { migrateToLatest } from './migrations/index.ts';
import { SchemaScopedPostgresDialect } from './postgres-introspector.ts';
import { postgresTypes } from './migrations/types.ts';
import { CommitListener } from './postgres-listener.ts';
import { PreparedStatements } from './postgres-prepared.ts';
import { DEFAULT_STATEMENT_TIMEOUT_MS, classifyingClient, poolConfig, quoteIdent, type ConnectionOptions } from './postgres-pool.ts';
import { queryLog, type QueryTimer } from './query-log.ts';
import { POSTGRES_SAVEPOINTS } from './savepoints.ts';
import type { KeyLock } from './group-commit.ts';

const CHANNEL = 'guestlist_commits';

/**
 * The advisory lock a group-commit batch holds on each directory (its write key) until it commits, so that the
 * batches of several processes never write one directory at once: their writes queue instead of deadlocking and
 * waiting out deadlock_timeout. Its own prefix keeps it apart from the deprovision guard's (guard.ts) and from
 * `lock` below, which holds the bare key.
 */
const batchLockKey = (key: string) => `guestlist-batch:${key}`;
/** Keys written into the lock's text as they are (directory ids); any other is a parameter. */
const PLAIN_KEY = /^[A-Za-z0-9_:-]+$/;
const BATCH_KEY_LOCK: KeyLock<Transaction<Database>> = {
  async lock(trx, key) {
    const lockKey = batchLockKey(key);
    // With the key in its text (no parameter), pipeline mode sends the lock without waiting for its answer, with
    // `begin` and the batch's next statement (postgres-pool.ts): a round trip fewer a batch. A wait for another
    // process's batch then delays that next statement instead; a failure is reported by it.
    if (PLAIN_KEY.test(lockKey)) await sql.raw(`select pg_advisory_xact_lock(hashtextextended('${lockKey}', 0))`).execute(trx);
    else await sql`select pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`.execute(trx);
  },
  async tryLock(trx, key) {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${batchLockKey(key)}, 0)) as locked`.execute(trx);
    return rows[0]?.locked === true;
  },
};

export interface PostgresOptions extends ConnectionOptions {
  poolSize?: number;
  /** Sees every query's SQL and duration (the benchmarks measure database time with it). */
  onQuery?: QueryTimer;
  /** Most writes one shared transaction takes (group commit); 1 turns batching off. */
  groupCommitMaxBatch?: number;
  /** How long a batch's first write waits for others, in ms (0: one event-loop turn). */
  groupCommitWaitMs?: number;
  /** Batches read the users of their next PUTs and PATCHes ahead in one statement (prefetched-users.ts); on unless false. */
  prefetchUsers?: boolean;
  /** A batch's user updates that keep userName, externalId and emails go in one statement (tail-writes.ts); on unless false. */
  deferUserUpdates?: boolean;
  /** Where faults (lost connections, failed batches) are reported. */
  logger?: Logger;
  /** PostgreSQL's statement_timeout for the pool's connections, in ms (0: none). */
  statementTimeoutMs?: number;
  /** Named prepared statements for repeated SQL (postgres-prepared.ts); on unless false. */
  preparedStatements?: boolean;
  /**
   * pg's pipeline mode, with `begin` and group commit's savepoints sent without waiting for their answer
   * (postgres-pool.ts); on unless false.
   */
  pipelining?: boolean;
  /** Connections of the webhook dispatcher's own pool (3). */
  dispatchPoolSize?: number;
}

/** Connections of the dispatcher's own pool: its fan-out, claims and outcome batches run one or two at a time. */
const DEFAULT_DISPATCH_POOL_SIZE = 3;

/** Kysely over a pool; failing to get a connection (refused, timed out) is StoreUnavailable too. */
function kyselyOver(pool: pg.Pool, onQuery: QueryTimer | undefined): Kysely<Database> {
  const classified = {
    connect: () => pool.connect().catch((error: unknown) => Promise.reject(toStoreUnavailable(error))),
    end: () => pool.end(),
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: classified }), ...queryLog(onQuery) });
}

export class PostgresStore extends KyselyStore {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  /** The dispatcher's connections, with synchronous_commit = off. */
  readonly dispatchPool: pg.Pool;
  private readonly listener: CommitListener;

  constructor(readonly options: PostgresOptions) {
    let report: (error: Error) => void = () => {};
    const poolSize = options.poolSize ?? 10;
    const pool = new pg.Pool(
      poolConfig(options, {
        max: poolSize,
        statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
        Client: classifyingClient((error) => report(error), options.preparedStatements === false ? undefined : new PreparedStatements(), options.pipelining !== false),
      }),
    );
    // The dispatcher's bookkeeping commits without waiting for the WAL flush (see dispatchDb in kysely-store.ts).
    const dispatchPool = new pg.Pool(
      poolConfig(options, {
        max: options.dispatchPoolSize ?? DEFAULT_DISPATCH_POOL_SIZE,
        statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
        asynchronousCommit: true,
        Client: classifyingClient((error) => report(error), options.preparedStatements === false ? undefined : new PreparedStatements(), options.pipelining !== false),
      }),
    );
    super(kyselyOver(pool, options.onQuery), postgresTypes, POSTGRES_SAVEPOINTS, {
      dispatchDb: kyselyOver(dispatchPool, options.onQuery),
      // Batches running at once, each on a connection; the rest of the pool serves reads and the dispatcher.
      groupCommitLanes: Math.max(1, Math.min(4, Math.floor(poolSize / 2))),
      // A statement fewer per PUT or PATCH in a batch, where each is a round trip in a row.
      prefetchUsers: true,
      // One statement for a batch's PATCHes and PUTs instead of a round trip each, in a row.
      deferUserUpdates: true,
      ...options,
    });
    this.pool = pool;
    // An idle client's error (e.g. the server restarting) must not crash the process; the pool drops the client
    // and connects a new one when next needed. It is logged and counted, not swallowed.
    pool.on('error', (err) => this.fault('pool', err, 'idle database connection lost'));
    dispatchPool.on('error', (err) => this.fault('pool', err, 'idle dispatch connection lost'));
    this.dispatchPool = dispatchPool;
    report = (err) => this.fault('pool', err, 'database connection lost while in use');
    this.listener = new CommitListener(options, this.channel, this.origin, (err, message, context) => this.fault('listen', err, message, context), this.logger);
    // Several processes may write one directory: each batch holds its directories' advisory locks (group-commit.ts).
    this.groupCommit.keyLock = BATCH_KEY_LOCK;
  }

  /**
   * Migrations run on a connection of their own, without statement_timeout: building an index over a large
   * table may take longer, and so may waiting for another process's migration lock.
   */
  override async migrate(): Promise<string[]> {
    const pool = new pg.Pool(poolConfig(this.options, { max: 1, statementTimeoutMs: 0 }));
    pool.on('error', (err) => this.fault('pool', err, 'migration connection lost'));
    const db = new Kysely<any>({ dialect: new SchemaScopedPostgresDialect({ pool }, this.options.schema ?? 'public') });
    try {
      if (this.options.schema) await sql`create schema if not exists ${sql.id(this.options.schema)}`.execute(db);
      return await migrateToLatest(db, postgresTypes, this.options.schema ?? 'public');
    } catch (error) {
      throw toStoreUnavailable(error);
    } finally {
      await db.destroy();
    }
  }

  /**
   * NOTIFY channel: one per schema, so deployments (and test files) sharing a database in different schemas do
   * not wake each other's dispatchers.
   */
  get channel(): string {
    return this.options.schema ? `${CHANNEL}_${quoteIdent(this.options.schema)}` : CHANNEL;
  }

  /**
   * This store's NOTIFY payload: its own LISTEN connection ignores it, since commit listeners in this process
   * have been told already (a dispatcher would otherwise run a second, empty pass after each of its commits).
   */
  private readonly origin = randomUUID();

  /** Other processes learn of a commit through NOTIFY; their dispatchers LISTEN (polling remains the fallback). */
  protected override committed(due = false): void {
    super.committed(due);
    this.pool.query(`notify ${this.channel}, '${this.origin}${due ? ' due' : ''}'`).catch((err: unknown) => this.fault('pool', err, 'NOTIFY failed; other processes fall back to polling'));
  }

  /**
   * Calls `onNotify` for commits made by any process sharing the database (see CommitListener). Resolves after
   * the first connection attempt, even a failed one. Returns the unsubscribe function.
   */
  listen(onNotify: (due: boolean) => void): Promise<() => void> {
    return this.listener.listen(onNotify);
  }

  /** The backend process id of the LISTEN connection, while it is up (tests terminate it). */
  get listenerPid(): number | undefined {
    return this.listener.pid;
  }

  override async close(): Promise<void> {
    await this.listener.close();
    await super.close();
    // Kysely ends the pool only if it ever ran a query; a store that only migrated (on its own pool) still
    // holds this one, and a closed store must neither answer nor keep its process alive.
    if (!this.pool.ended) await this.pool.end();
    if (!this.dispatchPool.ended) await this.dispatchPool.end();
  }

  protected async lock(trx: Transaction<Database>, key: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
  }
}
