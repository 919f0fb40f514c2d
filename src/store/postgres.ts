/**
 * PostgreSQL through pg. Timestamps come back as ISO strings and bigints as numbers, so rows read the same as
 * on SQLite. An optional schema isolates test databases (search_path).
 *
 * Faults are survived and reported. Every error that means "the database cannot be reached" (refused, reset,
 * shut down, a connection lost mid-query, no connection within `connectionTimeoutMs`) reaches callers as
 * StoreUnavailable, which the HTTP layer answers with 503 and Retry-After; the pool replaces lost connections
 * by itself, so requests succeed again as soon as the database is back, with no restart. An idle connection's
 * error is logged and counted. The LISTEN connection, when lost, is reconnected with backoff and LISTENs again;
 * its subscribers are woken once it is back, for the commits they may have missed meanwhile.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from './db.ts';
import { toStoreUnavailable } from './errors.ts';
import { KyselyStore } from './kysely-store.ts';
import { queryLog, type QueryTimer } from './query-log.ts';
import { POSTGRES_SAVEPOINTS } from './savepoints.ts';
import { migrateToLatest } from './migrations/index.ts';
import { postgresTypes } from './migrations/types.ts';

const TIMESTAMPTZ = 1184;
const CHANNEL = 'guestlist_commits';
const INT8 = 20;

const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMPTZ) return (v: string) => new Date(v).toISOString();
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * The pool's client class: failed queries reject with StoreUnavailable when the cause is a lost connection, and
 * a connection lost while checked out (a transaction between two queries) is reported to `onLostInUse` instead
 * of being an unhandled 'error' event, which would end the process. Its next query fails (StoreUnavailable)
 * and the pool discards it on release. A connection lost while idle is the pool's to report ('error' on it).
 */
function classifyingClient(onLostInUse: (error: Error) => void): typeof pg.Client {
  return class ClassifyingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // pg-pool adds its own listener while the client is idle; then this one is not alone and stays quiet.
      this.on('error', (error) => {
        if (this.listenerCount('error') <= 1) onLostInUse(error);
      });
    }

    override query(...args: any[]): any {
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      return result && typeof (result as Promise<unknown>).then === 'function'
        ? (result as Promise<unknown>).catch((error: unknown) => {
            throw toStoreUnavailable(error);
          })
        : result;
    }
  };
}

/**
 * How long a request waits for a connection before StoreUnavailable (503): to connect (the database is down or
 * unreachable), or for a busy pool to free one (generous, so that load alone does not turn into 503s).
 */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
/**
 * Longest a statement on a pool connection may run before PostgreSQL cancels it (SQLSTATE 57014, answered 503
 * with Retry-After, like a lost connection): a backstop so that no query, however pathological, holds a pool
 * connection for minutes. Every legitimate statement is far shorter: writes and pruning go statement by
 * statement, in chunks. Migrations run on a connection of their own without it; so does LISTEN (idle anyway).
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
/** Backoff of the LISTEN connection's reconnects: from the first delay, doubling, up to the last. */
const LISTEN_RECONNECT_MS = { first: 100, max: 5000 };

export interface PostgresOptions {
  url: string;
  /** Schema to create and use instead of `public` (each test file gets its own). */
  schema?: string;
  poolSize?: number;
  /** Sees every query's SQL and duration (the benchmarks measure database time with it). */
  onQuery?: QueryTimer;
  /** Most writes one shared transaction takes (group commit); 1 turns batching off. */
  groupCommitMaxBatch?: number;
  /** How long a batch's first write waits for others, in ms (0: one event-loop turn). */
  groupCommitWaitMs?: number;
  /** Longest wait for a pool connection, in ms, before the request fails with StoreUnavailable. */
  connectionTimeoutMs?: number;
  /** Where faults (lost connections, failed batches) are reported. */
  logger?: Logger;
  /** PostgreSQL's statement_timeout for the pool's connections, in ms (0: none). */
  statementTimeoutMs?: number;
}

export class PostgresStore extends KyselyStore {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;

  constructor(readonly options: PostgresOptions) {
    let report: (error: Error) => void = () => {};
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types,
      Client: classifyingClient((error) => report(error)),
      connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      // A connection whose server vanished without closing it (a network partition) is found out.
      keepAlive: true,
      // Sent as a startup parameter: set for the connection's whole life, with no extra round trip.
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
    });
    // Failing to get a connection (refused, timed out) is StoreUnavailable too.
    const classified = {
      connect: () => pool.connect().catch((error: unknown) => Promise.reject(toStoreUnavailable(error))),
      end: () => pool.end(),
    };
    super(new Kysely<Database>({ dialect: new PostgresDialect({ pool: classified }), ...queryLog(options.onQuery) }), postgresTypes, POSTGRES_SAVEPOINTS, {
      // Batches running at once, each on a connection; the rest of the pool serves reads and the dispatcher.
      groupCommitLanes: Math.max(1, Math.min(4, Math.floor((options.poolSize ?? 10) / 2))),
      ...options,
    });
    this.pool = pool;
    // An idle client's error (e.g. the server restarting) must not crash the process; the pool drops the client
    // and connects a new one when next needed. It is logged and counted, not swallowed.
    pool.on('error', (err) => this.fault('pool', err, 'idle database connection lost'));
    report = (err) => this.fault('pool', err, 'database connection lost while in use');
  }

  /**
   * Migrations run on a connection of their own, without statement_timeout: building an index over a large
   * table may take longer, and so may waiting for another process's migration lock.
   */
  override async migrate(): Promise<string[]> {
    const pool = new pg.Pool({
      connectionString: this.options.url,
      max: 1,
      types,
      connectionTimeoutMillis: this.options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      keepAlive: true,
      statement_timeout: 0,
      ...(this.options.schema ? { options: `-c search_path=${quoteIdent(this.options.schema)}` } : {}),
    });
    pool.on('error', (err) => this.fault('pool', err, 'migration connection lost'));
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    try {
      if (this.options.schema) await sql`create schema if not exists ${sql.id(this.options.schema)}`.execute(db);
      return await migrateToLatest(db, postgresTypes, this.options.schema ?? 'public');
    } catch (error) {
      throw toStoreUnavailable(error);
    } finally {
      await db.destroy();
    }
  }

  private readonly notified = new Set<() => void>();
  /**
   * NOTIFY channel: one per schema, so deployments (and test files) sharing a database in different schemas do
   * not wake each other's dispatchers.
   */
  get channel(): string {
    return this.options.schema ? `${CHANNEL}_${quoteIdent(this.options.schema)}` : CHANNEL;
  }
  /** The LISTEN connection while it is up. */
  private listenClient: pg.Client | undefined;
  /** The connection attempt in progress (the first `listen` waits for it; `close` too). */
  private listenAttempt: Promise<void> | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  /** Failed attempts since the connection was last up (sets the backoff). */
  private listenFailures = 0;
  private closing = false;

  /** Other processes learn of a commit through NOTIFY; their dispatchers LISTEN (polling remains the fallback). */
  protected override committed(): void {
    super.committed();
    this.pool.query(`notify ${this.channel}`).catch((err: unknown) => this.fault('pool', err, 'NOTIFY failed; other processes fall back to polling'));
  }

  /**
   * Calls `onNotify` for commits made by any process sharing the database, over one LISTEN connection per
   * store however many subscribe. Resolves after the first connection attempt, even a failed one (then
   * retried with backoff, as after any loss of the connection). Returns the unsubscribe function.
   */
  async listen(onNotify: () => void): Promise<() => void> {
    this.notified.add(onNotify);
    if (!this.listenClient && !this.listenAttempt && !this.listenRetry && !this.closing) this.connectListener();
    await this.listenAttempt;
    return () => this.notified.delete(onNotify);
  }

  /** The backend process id of the LISTEN connection, while it is up (tests terminate it). */
  get listenerPid(): number | undefined {
    return (this.listenClient as { processID?: number } | undefined)?.processID;
  }

  private wakeListeners(): void {
    for (const f of this.notified) {
      try {
        f();
      } catch (err) {
        this.logger?.error({ err }, 'commit listener failed');
      }
    }
  }

  private connectListener(): void {
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: this.options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS, keepAlive: true });
    let lost = false;
    const onLost = (err: unknown, message: string) => {
      if (lost) return;
      lost = true;
      if (this.listenClient === client) this.listenClient = undefined;
      client.end().catch(() => {});
      if (this.closing) return;
      this.fault('listen', err, message, { attempt: this.listenFailures + 1 });
      this.scheduleListenRetry();
    };
    client.on('error', (err) => onLost(err, 'LISTEN connection lost; reconnecting (dispatchers poll meanwhile)'));
    client.on('end', () => onLost(new Error('LISTEN connection ended'), 'LISTEN connection lost; reconnecting (dispatchers poll meanwhile)'));
    client.on('notification', () => this.wakeListeners());
    const attempt = (async () => {
      try {
        await client.connect();
        await client.query(`listen ${this.channel}`);
      } catch (err) {
        onLost(err, 'LISTEN connection failed; retrying (dispatchers poll meanwhile)');
        return;
      }
      if (lost) return;
      if (this.closing) {
        lost = true;
        await client.end().catch(() => {});
        return;
      }
      this.listenClient = client;
      if (this.listenFailures > 0) {
        this.logger?.info({ attempts: this.listenFailures }, 'LISTEN connection restored');
        this.listenFailures = 0;
        // Commits made while it was down sent NOTIFYs no one heard: subscribers look now.
        this.wakeListeners();
      }
    })();
    this.listenAttempt = attempt.finally(() => {
      if (this.listenAttempt === tracked) this.listenAttempt = undefined;
    });
    const tracked = this.listenAttempt;
  }

  private scheduleListenRetry(): void {
    if (this.closing || this.listenRetry) return;
    const delay = Math.min(LISTEN_RECONNECT_MS.max, LISTEN_RECONNECT_MS.first * 2 ** this.listenFailures);
    this.listenFailures += 1;
    // Jittered, so that the processes sharing a database do not all reconnect in the same instant.
    this.listenRetry = setTimeout(() => {
      this.listenRetry = undefined;
      this.connectListener();
    }, delay * (0.75 + Math.random() / 2));
    this.listenRetry.unref();
  }

  override async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.listenRetry);
    this.listenRetry = undefined;
    await this.listenAttempt;
    const client = this.listenClient;
    this.listenClient = undefined;
    if (client) await client.end().catch(() => {});
    await super.close();
    // Kysely ends the pool only if it ever ran a query; a store that only migrated (on its own pool) still
    // holds this one, and a closed store must neither answer nor keep its process alive.
    if (!this.pool.ended) await this.pool.end();
  }

  protected async lock(trx: Transaction<Database>, key: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return name;
}
