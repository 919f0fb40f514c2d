/**
 * PostgreSQL connections through pg: timestamps come back as ISO strings and bigints as numbers, so rows read
 * the same as on SQLite; an optional schema isolates test databases (search_path). Every error that means "the
 * database cannot be reached" reaches callers as StoreUnavailable.
 */
import pg from 'pg';
import { toStoreUnavailable } from './errors.ts';
import { isStalePlan, transactionEdge, type PreparedStatements } from './postgres-prepared.ts';

const TIMESTAMPTZ = 1184;
const INT8 = 20;

const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMPTZ) return (v: string) => new Date(v).toISOString();
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

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

/** Where and how to connect, whatever the pool. */
export interface ConnectionOptions {
  url: string;
  /** Schema to create and use instead of `public` (each test file gets its own). */
  schema?: string;
  /** Longest wait for a pool connection, in ms, before the request fails with StoreUnavailable. */
  connectionTimeoutMs?: number;
}

/**
 * A pool's configuration: `max` connections, each with `statement_timeout` (0: none), of `Client`'s class;
 * `asynchronousCommit` sets synchronous_commit = off on its connections (KyselyStore.dispatchDb says where that is safe).
 */
export function poolConfig(
  options: ConnectionOptions,
  pool: { max: number; statementTimeoutMs: number; Client?: typeof pg.Client; asynchronousCommit?: boolean },
): pg.PoolConfig {
  const settings = [...(options.schema ? [`-c search_path=${quoteIdent(options.schema)}`] : []), ...(pool.asynchronousCommit ? ['-c synchronous_commit=off'] : [])];
  return {
    connectionString: options.url,
    max: pool.max,
    types,
    ...(pool.Client ? { Client: pool.Client } : {}),
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    // A connection whose server vanished without closing it (a network partition) is found out.
    keepAlive: true,
    // Sent as a startup parameter: set for the connection's whole life, with no extra round trip.
    statement_timeout: pool.statementTimeoutMs,
    ...(settings.length > 0 ? { options: settings.join(' ') } : {}),
  };
}

/**
 * Statements whose answer nobody reads but their success: opening the transaction, group commit's savepoints
 * (savepoints.ts) and a batch's lock on its directory (postgres.ts, BATCH_KEY_LOCK), written with its key in the
 * text. A rollback to a savepoint is not among them: it is the error path, and is waited for.
 */
const UNANSWERED =
  /^(begin|savepoint group_commit|release savepoint group_commit(; savepoint group_commit)?|select pg_advisory_xact_lock\(hashtextextended\('[A-Za-z0-9_:-]+', 0\)\))$/;

/** What Kysely gets for a statement sent without waiting for its answer: no rows, as the statement itself. */
const NO_ROWS = Object.freeze({ command: 'UTILITY', rowCount: null, rows: Object.freeze([]) as readonly unknown[] });

/**
 * The pool's client class: failed queries reject with StoreUnavailable when the cause is a lost connection, and
 * a connection lost while checked out (a transaction between two queries) is reported to `onLostInUse` instead
 * of being an unhandled 'error' event, which would end the process. Its next query fails (StoreUnavailable)
 * and the pool discards it on release. A connection lost while idle is the pool's to report ('error' on it).
 *
 * With `pipelined`, the client runs in pg's pipeline mode, and the UNANSWERED statements are sent without
 * waiting for their answer: the next statement follows them on the wire, so a `begin` costs no round trip of
 * its own, nor does a group-commit savepoint (a batch of k writes on one connection made 6 + 3k round trips,
 * all in a row, since a directory's batch is serialized). PostgreSQL runs them in order all the same; if one
 * fails, the statement after it (which then fails too, in an aborted transaction) rejects with its error, so a
 * failure is never lost: at worst it is reported one statement later, and a COMMIT (answered "ROLLBACK" in an
 * aborted transaction) always follows a statement that reported it.
 */
export function classifyingClient(onLostInUse: (error: Error) => void, prepared?: PreparedStatements, pipelined = false): typeof pg.Client {
  return class ClassifyingClient extends pg.Client {
    /** Between this connection's BEGIN and its COMMIT or ROLLBACK. */
    private inTransaction = false;
    /** Releases the writes held by holdWrites. */
    private corked: (() => void) | undefined;
    /** Statements sent without waiting, not yet seen answered. */
    private unanswered: Promise<void>[] = [];
    /** The first failure among them, not yet reported. */
    private unreported: { error: unknown } | undefined;

    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // pg-pool adds its own listener while the client is idle; then this one is not alone and stays quiet.
      this.on('error', (error) => {
        if (this.listenerCount('error') <= 1) onLostInUse(error);
      });
      if (pipelined) (this as unknown as { pipeline: boolean }).pipeline = true;
    }

    override query(...args: any[]): any {
      const [text, values] = args;
      // Kysely's call: SQL text and its parameters, answered by a promise. The statement may run under a name.
      if ((prepared || pipelined) && typeof text === 'string' && args.length <= 2 && (values === undefined || Array.isArray(values))) return this.kyselyQuery(text, values);
      return classified((super.query as (...a: unknown[]) => unknown)(...args));
    }

    private async kyselyQuery(text: string, values: unknown[] | undefined): Promise<unknown> {
      const edge = transactionEdge(text);
      if (edge) this.inTransaction = edge === 'begin';
      if (pipelined && (values === undefined || values.length === 0) && UNANSWERED.test(text)) return this.sendUnanswered(text);
      const rollsBack = edge === 'end' && /^\s*rollback/i.test(text);
      let result: unknown;
      try {
        result = await this.named(text, values);
      } catch (error) {
        await this.reportUnanswered(rollsBack);
        throw error;
      }
      await this.reportUnanswered(rollsBack);
      return result;
    }

    /** Sends `text` without waiting; its failure is kept for the next statement to report. */
    private sendUnanswered(text: string): unknown {
      this.holdWrites();
      const sent = (super.query(text) as Promise<unknown>).then(
        () => {},
        (error: unknown) => {
          this.unreported ??= { error: toStoreUnavailable(error) };
        },
      );
      this.unanswered.push(sent);
      return NO_ROWS;
    }

    /**
     * Throws the failure of a statement sent earlier without waiting. Those were answered before the statement
     * just answered (PostgreSQL answers in order), so this waits for nothing. A rollback gives the transaction up
     * anyway (for another error, already thrown).
     */
    private async reportUnanswered(rollsBack: boolean): Promise<void> {
      if (this.unanswered.length === 0) return;
      const sent = this.unanswered;
      this.unanswered = [];
      await Promise.all(sent);
      const failed = this.unreported;
      this.unreported = undefined;
      if (failed && !rollsBack) throw failed.error;
    }

    /**
     * Keeps what is sent now in the socket's buffer until the next statement is sent too (or the next tick), so
     * that both leave in one write: one system call, one wake-up of the server process.
     */
    private holdWrites(): void {
      const stream = (this as unknown as { connection: { stream: { cork?: () => void; uncork?: () => void } } }).connection.stream;
      if (this.corked || !stream.cork || !stream.uncork) return;
      stream.cork();
      this.corked = () => {
        this.corked = undefined;
        stream.uncork!();
      };
      process.nextTick(() => this.corked?.());
    }

    private async named(text: string, values: unknown[] | undefined): Promise<unknown> {
      const run = (name: string | undefined) => {
        try {
          return name ? super.query({ name, text, values: values ?? [] }) : super.query(text, values);
        } finally {
          this.corked?.(); // sent (pg submits at once in pipeline mode): everything held leaves now
        }
      };
      const name = prepared?.nameFor(text);
      try {
        return await run(name);
      } catch (error) {
        if (!name || !isStalePlan(error)) throw toStoreUnavailable(error);
        prepared!.disable();
        if (this.inTransaction) throw Object.assign(new Error('A prepared plan no longer fits its tables (a migration ran): the transaction runs again.', { cause: error }), { code: '40001' });
        return run(undefined).catch((again: unknown) => Promise.reject(toStoreUnavailable(again)));
      }
    }
  };
}

function classified(result: unknown): unknown {
  return result && typeof (result as Promise<unknown>).then === 'function'
    ? (result as Promise<unknown>).catch((error: unknown) => {
        throw toStoreUnavailable(error);
      })
    : result;
}

/** A schema name, checked: it is spliced into search_path and channel names. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return name;
}
