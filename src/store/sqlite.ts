/**
 * SQLite through better-sqlite3: WAL for concurrent readers, foreign keys on, a busy timeout for other
 * processes, and `BEGIN IMMEDIATE` so a write transaction takes the write lock up front instead of failing
 * with SQLITE_BUSY when it upgrades from a read.
 *
 * The database holds personal data, so its files (database, WAL, shared memory) are readable by their owner
 * only (0600), and a data folder created here is 0700, whatever the process umask (see `openSqliteDatabase`).
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type SqliteDatabase } from 'kysely';
import type { Database } from './db.ts';
import { KyselyStore } from './kysely-store.ts';
import { queryLog, type QueryTimer } from './query-log.ts';
import { SQLITE_SAVEPOINTS } from './savepoints.ts';
import { sqliteTypes } from './migrations/types.ts';
import { FALLBACK_AUTOCHECKPOINT_PAGES, WalCheckpointer } from './sqlite-checkpointer.ts';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Prepared statements, cached by SQL text. Kysely prepares every query afresh; with the same few dozen
 * statements serving all SCIM traffic, re-preparing was a sixth of a create's CPU time. Statements are run
 * synchronously to completion by Kysely, so reusing one is safe.
 */
class StatementCache implements SqliteDatabase {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly capacity = 500,
  ) {}

  prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (statement) {
      // Refresh its place, so the least recently used statement is the one evicted.
      this.statements.delete(sql);
    } else {
      statement = this.database.prepare(sql);
      if (this.statements.size >= this.capacity) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  close(): void {
    this.statements.clear();
    this.database.close();
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  private readonly database: SqliteDatabase;

  constructor(database: BetterSqlite3.Database) {
    const cached = new StatementCache(database);
    super({ database: cached });
    this.database = cached;
  }
  override createDriver() {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

/** Owner-only modes for the database's folder and files. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) as 0700. `mkdir`'s mode passes through the umask, so each folder created
 * is set exactly afterwards; folders that already existed are left as the operator made them.
 */
export function makePrivateDir(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  const top = path.resolve(first);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    fs.chmodSync(d, PRIVATE_DIR_MODE);
    if (d === top || d === path.dirname(d)) break;
  }
}

/**
 * Makes the database file, before SQLite opens it, owner-only; an existing one with wider permissions (made
 * by an earlier version) is narrowed. SQLite creates the WAL and shared-memory files with the database file's
 * permissions (set exactly, not through the umask), so they follow; `restrictCompanions` narrows any that
 * predate this.
 */
function restrictDatabaseFile(file: string): void {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, PRIVATE_FILE_MODE);
  try {
    if ((fs.fstatSync(fd).mode & 0o777) !== PRIVATE_FILE_MODE) fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    fs.closeSync(fd);
  }
}

function restrictCompanions(file: string): void {
  for (const companion of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((fs.statSync(companion).mode & 0o777) !== PRIVATE_FILE_MODE) fs.chmodSync(companion, PRIVATE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

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
    } = {},
  ) {
    super(new Kysely<Database>({ dialect: new ImmediateSqliteDialect(openSqliteDatabase(file)), ...queryLog(options.onQuery) }), sqliteTypes, SQLITE_SAVEPOINTS, options);
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

  override async close(): Promise<void> {
    await this.checkpointer?.close();
    await super.close();
  }

  /** `BEGIN IMMEDIATE` already holds the database's single write lock. */
  protected async lock(): Promise<void> {}
}
