/**
 * PostgreSQL through pg. Timestamps come back as ISO strings and bigints as numbers, so rows read the same as
 * on SQLite. An optional schema isolates test databases (search_path).
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import type { Database } from './db.ts';
import { KyselyStore, queryLog, type QueryTimer } from './kysely-store.ts';
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
}

export class PostgresStore extends KyselyStore {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;

  constructor(readonly options: PostgresOptions) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types,
      ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
    });
    // An idle client's error (e.g. the server restarting) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    super(new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...queryLog(options.onQuery) }), postgresTypes, {
      // Batches running at once, each on a connection; the rest of the pool serves reads and the dispatcher.
      groupCommitLanes: Math.max(1, Math.min(4, Math.floor((options.poolSize ?? 10) / 2))),
      ...options,
    });
    this.pool = pool;
  }

  override async migrate(): Promise<string[]> {
    if (this.options.schema) await sql`create schema if not exists ${sql.id(this.options.schema)}`.execute(this.db);
    return super.migrate(this.options.schema ?? 'public');
  }

  private listener: Promise<pg.Client> | undefined;
  private readonly notified = new Set<() => void>();

  /** Other processes learn of a commit through NOTIFY; their dispatchers LISTEN (polling remains the fallback). */
  protected override committed(): void {
    super.committed();
    this.pool.query(`notify ${CHANNEL}`).catch(() => {});
  }

  /**
   * Calls `onNotify` for commits made by any process sharing the database, over one LISTEN connection per
   * store however many subscribe. Returns the unsubscribe function.
   */
  async listen(onNotify: () => void): Promise<() => void> {
    this.notified.add(onNotify);
    this.listener ??= (async () => {
      const client = new pg.Client({ connectionString: this.options.url });
      client.on('error', () => {});
      client.on('notification', () => this.notified.forEach((f) => f()));
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      return client;
    })();
    await this.listener;
    return () => this.notified.delete(onNotify);
  }

  override async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await listener.then((c) => c.end()).catch(() => {});
    await super.close();
  }

  protected async lock(trx: Transaction<Database>, key: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return name;
}
