/**
 * Kysely's SQLite dialect over better-sqlite3, with three changes: `BEGIN IMMEDIATE`, so a write transaction
 * takes the write lock up front instead of failing with SQLITE_BUSY when it upgrades from a read; prepared
 * statements cached by SQL text; and long runs on the writer that let the event loop take turns.
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  SqliteDialect,
  SqliteDriver,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type LimitNode,
  type OffsetNode,
  type OperationNode,
  type QueryResult,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import type { SqliteReadWorkers } from './sqlite-read-workers.ts';

/**
 * better-sqlite3 runs each statement synchronously and Kysely chains them with promises that are already
 * resolved, so a transaction never gave the event loop a turn: a batch of 64 writes held every other request
 * (reads on the read connection, other tenants, health checks) for its whole length, and a PUT of a
 * 100,000-member group for seconds. A connection held longer than `sliceMs` lets the loop take a turn before
 * its next statement. The write lock stays held, so other writes still wait (SQLite has one writer); reads,
 * parsing and answers go on. Settable by benchmarks.
 */
export const writerSlices = { sliceMs: 2 };

class YieldingConnection implements DatabaseConnection {
  private turnAt = performance.now();

  constructor(private readonly inner: DatabaseConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (performance.now() - this.turnAt > writerSlices.sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.turnAt = performance.now();
    }
    return this.inner.executeQuery<R>(query);
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    return new YieldingConnection(await super.acquireConnection());
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Prepared statements, cached by SQL text. Kysely prepares every query afresh; with the same few dozen
 * statements serving all SCIM traffic, re-preparing was a sixth of a create's CPU time. Statements are run
 * synchronously to completion by Kysely, so reusing one is safe.
 */
export class StatementCache implements SqliteDatabase {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly capacity = 500,
  ) {}

  prepare(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (statement) {
      // Refresh its place, so the least recently used statement is the one evicted.
      this.statements.delete(sql);
    } else {
      statement = rowsByName(this.database.prepare(sql));
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

/**
 * A reading statement whose rows are read as arrays and made into objects here, with the column names taken
 * once. better-sqlite3 makes each row's object itself, and looks every column name up in V8's string table
 * for every row: a user's row (15 columns) took 3.7 µs that way and 2.5 µs this way, and a page of 100 users
 * as many times more. Same objects: one key per column name, the last of a repeated name winning.
 */
function rowsByName(statement: BetterSqlite3.Statement): SqliteStatement {
  if (!statement.reader) return statement;
  const names = statement.columns().map((c) => c.name);
  const raw = statement.raw(true);
  // One object literal per statement, as Fastify's and Ajv's compiled functions are made: every row of it then
  // has the same shape from its first key, where assigning names in a loop went through V8's slowest stores.
  // Names are written as JSON strings (valid JavaScript string literals); they come from our own SQL.
  const toRow = new Function('v', `return { ${names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ')} };`) as (values: unknown[]) => Record<string, unknown>;
  return {
    reader: true,
    all: (parameters) => (raw.all(parameters) as unknown[][]).map(toRow),
    run: (parameters) => raw.run(parameters),
    *iterate(parameters) {
      for (const values of raw.iterate(parameters) as IterableIterator<unknown[]>) yield toRow(values);
    },
  };
}

/**
 * LIMIT and OFFSET written as integer literals rather than bound parameters. SQLite (3.53) plans a statement
 * afresh on every run when its LIMIT or OFFSET is a bound parameter whose value changed: a lookup by userName
 * with `limit ?` took 38 µs a run against 12-16 µs with `limit 1`, the same prepared statement otherwise. The
 * values are integers the request validated, so a literal is safe; each distinct page size is its own cached
 * statement. Anything else (an expression, a non-integer) stays a parameter.
 */
export class LiteralLimitCompiler extends SqliteQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    if (!this.appendInteger('limit ', node.limit)) super.visitLimit(node);
  }

  protected override visitOffset(node: OffsetNode): void {
    if (!this.appendInteger('offset ', node.offset)) super.visitOffset(node);
  }

  private appendInteger(keyword: string, node: OperationNode): boolean {
    if (node.kind !== 'ValueNode') return false;
    const value = (node as OperationNode & { value: unknown }).value;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return false;
    this.append(`${keyword}${value}`);
    return true;
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  private readonly database: SqliteDatabase;

  constructor(database: BetterSqlite3.Database) {
    const cached = new StatementCache(database);
    super({ database: cached });
    this.database = cached;
  }
  override createDriver() {
    return new ImmediateSqliteDriver({ database: this.database });
  }
  override createQueryCompiler() {
    return new LiteralLimitCompiler();
  }
}

/** The read connection's dialect: plain autocommit statements, cached like the writer's. */
export class ReadSqliteDialect extends SqliteDialect {
  constructor(database: BetterSqlite3.Database) {
    super({ database: new StatementCache(database) });
  }
  override createQueryCompiler() {
    return new LiteralLimitCompiler();
  }
}

/**
 * Reads that may scan many rows, run by SqliteReadWorkers off the main thread (sqlite-read-workers.ts). No
 * transactions: each statement reads the last commit on its own.
 */
export class WorkerReadDialect implements Dialect {
  constructor(private readonly workers: SqliteReadWorkers) {}

  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new WorkerReadDriver(this.workers);
  }
  createQueryCompiler() {
    return new LiteralLimitCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}

class WorkerReadDriver implements Driver {
  private readonly connection: DatabaseConnection;

  constructor(private readonly workers: SqliteReadWorkers) {
    this.connection = {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => ({ rows: (await workers.all(query.sql, query.parameters)) as R[] }),
      streamQuery: () => {
        throw new Error('Streaming is not offered by the read workers.');
      },
    };
  }

  async init(): Promise<void> {}
  // Statements run on the workers, not on this connection: any number may be under way at once.
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.connection;
  }
  async beginTransaction(): Promise<void> {
    throw new Error('The read workers run no transactions.');
  }
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    await this.workers.close();
  }
}
