/**
 * SQLite through better-sqlite3: WAL for concurrent readers, foreign keys on, a busy timeout for other
 * processes, and `BEGIN IMMEDIATE` so a write transaction takes the write lock up front instead of failing
 * with SQLITE_BUSY when it upgrades from a read (sqlite-dialect.ts).
 *
 * The database holds personal data, so its files (database, WAL, shared memory) are readable by their owner
 * only (0600), and a data folder created here is 0700, whatever the process umask (sqlite-files.ts).
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import { Kysely } from 'kysely';
import type { Database } from './db.ts';
import { KyselyStore } from './kysely-store.ts';
import { queryLog, type QueryTimer } from './query-log.ts';
import { SQLITE_SAVEPOINTS } from './savepoints.ts';
import { sqliteTypes } from './migrations/types.ts';
import { FALLBACK_AUTOCHECKPOINT_PAGES, WalCheckpointer } from './sqlite-checkpointer.ts';
import { ImmediateSqliteDialect, ReadSqliteDialect, WorkerReadDialect } from './sqlite-dialect.ts';
import { SqliteReadWorkers } from './sqlite-read-workers.ts';
import { makePrivateDir, restrictCompanions, restrictDatabaseFile } from './sqlite-files.ts';

export function openSqliteDatabase(file: string): BetterSqlite3.Database {
  const onDisk = file !== ':memory:' && file !== '';
  if (onDisk) {
    makePrivateDir(path.dirname(file));
    restrictDatabaseFile(file);
  }
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  // The WAL and shared memory exist once the database is in WAL mode and has been read.
  if (onDisk) restrictCompanions(file);
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  if (file !== ':memory:') {
    // Checkpoints are the worker's job (see sqlite-checkpointer.ts); this one only if it falls far behind.
    database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    // Once the WAL starts over, its file is cut back to this size.
    database.pragma('journal_size_limit = 67108864');
  }
  // JavaScript's Unicode lowercasing, so SQL comparisons agree with the *_lower columns written by the app.
  database.function('gl_lower', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  );
  return database;
}

/**
 * A read-only connection to the same file. Reads outside a transaction go through it (KyselyStore.reader): in
 * WAL mode they see the last commit without waiting for the writer's connection, which a write transaction (a
 * group commit, the request log's batch) holds across its awaits.
 */
export function openSqliteReader(file: string): BetterSqlite3.Database {
  const database = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  database.pragma('busy_timeout = 5000');
  database.function('gl_lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
  return database;
}

/** Read workers by default: one keeps the event loop free of long reads; more serve several at once. */
export const DEFAULT_READ_WORKERS = 1;

/** As PostgreSQL's statement_timeout by default (postgres-pool.ts). */
const DEFAULT_READ_TIMEOUT_MS = 15_000;

/** At 100 ms a tick, a persistent failure is logged about once a minute. */
const CHECKPOINT_LOG_EVERY = 600;

export class SqliteStore extends KyselyStore {
  readonly dialect = 'sqlite' as const;

  /** `onQuery` sees every query's SQL and duration (the benchmarks measure database time with it). */
  constructor(
    readonly file: string,
    options: {
      onQuery?: QueryTimer;
      groupCommitMaxBatch?: number;
      groupCommitWaitMs?: number;
      /** How often the background checkpoint runs, in ms; 0 leaves checkpoints to SQLite's fallback alone. */
      checkpointIntervalMs?: number;
      /** Where faults (failed checkpoints and batches) are reported. */
      logger?: Logger;
      /** Worker threads for reads that may scan many rows (scanReader); 0 runs them on the main thread. */
      readWorkers?: number;
      /** Longest a read on a worker may run, in ms, before it is ended (503); 0: no limit. */
      statementTimeoutMs?: number;
    } = {},
  ) {
    const writer = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(openSqliteDatabase(file)), ...queryLog(options.onQuery) });
    // An in-memory database exists only on its one connection.
    const onDisk = file !== ':memory:' && file !== '';
    const reader = onDisk ? new Kysely<Database>({ dialect: new ReadSqliteDialect(openSqliteReader(file)), ...queryLog(options.onQuery) }) : undefined;
    const workers = options.readWorkers ?? DEFAULT_READ_WORKERS;
    const readWorkers = onDisk && workers > 0 ? new SqliteReadWorkers(file, workers, options.statementTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS) : undefined;
    const scanReader = readWorkers ? new Kysely<Database>({ dialect: new WorkerReadDialect(readWorkers), ...queryLog(options.onQuery) }) : undefined;
    super(writer, sqliteTypes, SQLITE_SAVEPOINTS, { ...options, reader, scanReader });
    this.readWorkers = readWorkers;
    const interval = options.checkpointIntervalMs ?? 100;
    this.checkpointer =
      file === ':memory:' || interval <= 0
        ? undefined
        : new WalCheckpointer(file, interval, {
            onFailure: (err, fatal) => this.checkpointFailed(err, fatal),
            onRecovered: () => {
              this.logger?.info({ failures: this.checkpointStreak }, 'WAL checkpoints succeed again');
              this.checkpointStreak = 0;
            },
          });
  }

  /** Checkpoints failed in a row: the first is logged, then one in every CHECKPOINT_LOG_EVERY; all are counted. */
  private checkpointStreak = 0;

  private checkpointFailed(err: Error, fatal: boolean): void {
    this.errors.checkpoint += 1;
    this.checkpointStreak += 1;
    if (fatal) {
      this.logger?.error({ err, kind: 'checkpoint' }, "WAL checkpoint worker died; SQLite's automatic checkpoint takes over");
    } else if (this.checkpointStreak % CHECKPOINT_LOG_EVERY === 1) {
      this.logger?.warn({ err, kind: 'checkpoint', failures: this.checkpointStreak }, 'WAL checkpoint failed; retrying');
    }
  }

  readonly checkpointer: WalCheckpointer | undefined;

  /** The threads of `scanReader`. */
  private readonly readWorkers: SqliteReadWorkers | undefined;

  override async close(): Promise<void> {
    await this.checkpointer?.close();
    await super.close();
    // Kysely closes its driver only if it ever ran a query: the threads of a store that ran no scan, left
    // running, kept the process from exiting.
    await this.readWorkers?.close();
  }

  /** `BEGIN IMMEDIATE` already holds the database's single write lock. */
  protected async lock(): Promise<void> {}
}
