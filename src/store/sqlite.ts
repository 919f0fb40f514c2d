/**
 * SQLite through better-sqlite3: WAL for concurrent readers, foreign keys on, a busy timeout for other
 * processes, and `BEGIN IMMEDIATE` so a write transaction takes the write lock up front instead of failing
 * with SQLITE_BUSY when it upgrades from a read.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type SqliteDatabase } from 'kysely';
import type { Database } from './db.ts';
import { KyselyStore, queryLog, type QueryTimer } from './kysely-store.ts';
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

export function openSqliteDatabase(file: string): BetterSqlite3.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
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
    } = {},
  ) {
    super(new Kysely<Database>({ dialect: new ImmediateSqliteDialect(openSqliteDatabase(file)), ...queryLog(options.onQuery) }), sqliteTypes, options);
    const interval = options.checkpointIntervalMs ?? 100;
    this.checkpointer = file === ':memory:' || interval <= 0 ? undefined : new WalCheckpointer(file, interval);
  }

  readonly checkpointer: WalCheckpointer | undefined;

  override async close(): Promise<void> {
    await this.checkpointer?.close();
    await super.close();
  }

  /** `BEGIN IMMEDIATE` already holds the database's single write lock. */
  protected async lock(): Promise<void> {}
}
