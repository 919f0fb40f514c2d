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
 * The pool's client class: failed queries reject with StoreUnavailable when the cause is a lost connection, and
 * a connection lost while checked out (a transaction between two queries) is reported to `onLostInUse` instead
 * of being an unhandled 'error' event, which would end the process. Its next query fails (StoreUnavailable)
 * and the pool discards it on release. A connection lost while idle is the pool's to report ('error' on it).
 */
export function classifyingClient(onLostInUse: (error: Error) => void, prepared?: PreparedStatements): typeof pg.Client {
  return class ClassifyingClient extends pg.Client {
    /** Between this connection's BEGIN and its COMMIT or ROLLBACK. */
    private inTransaction = false;

    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // pg-pool adds its own listener while the client is idle; then this one is not alone and stays quiet.
      this.on('error', (error) => {
        if (this.listenerCount('error') <= 1) onLostInUse(error);
      });
    }

    override query(...args: any[]): any {
      const [text, values] = args;
      // Kysely's call: SQL text and its parameters, answered by a promise. The statement may run under a name.
      if (prepared && typeof text === 'string' && args.length <= 2 && (values === undefined || Array.isArray(values))) return this.kyselyQuery(text, values);
      return classified((super.query as (...a: unknown[]) => unknown)(...args));
    }

    private async kyselyQuery(text: string, values: unknown[] | undefined): Promise<unknown> {
      const edge = transactionEdge(text);
      if (edge) this.inTransaction = edge === 'begin';
      const run = (name: string | undefined) => (name ? super.query({ name, text, values: values ?? [] }) : super.query(text, values));
      const name = prepared!.nameFor(text);
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
