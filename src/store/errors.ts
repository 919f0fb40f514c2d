/** Recognizes a unique-constraint violation from either database, so a lost race still answers 409. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}

/**
 * A deadlock or serialization failure (PostgreSQL 40P01, 40001): the database gave up on the transaction to let
 * another finish, and the same work run again will do.
 */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Seconds a client is asked to wait before retrying while the database is unreachable. */
export const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The database cannot be reached right now (refused, reset, shutting down or starting, a connection lost
 * mid-query, or no connection within the pool's timeout). Nothing is wrong with the request: the HTTP layer
 * answers 503 with Retry-After, and the same request will do once the database is back. The original error
 * is the `cause`.
 */
export class StoreUnavailable extends Error {
  readonly code = 'store_unavailable';
  readonly retryAfterSeconds = STORE_UNAVAILABLE_RETRY_AFTER_SECONDS;

  constructor(cause: unknown) {
    super(`The database is unavailable: ${String((cause as { message?: unknown } | null)?.message ?? cause)}`, { cause });
    this.name = 'StoreUnavailable';
  }
}

/** Socket-level failures to reach, or stay connected to, the database server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EAI_AGAIN', 'ECONNABORTED']);

/** What pg and pg-pool say when a connection is lost, cannot be made in time, or was dropped after an error. */
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /is not queryable/i,
  /connection (?:ended|closed) unexpectedly/i,
  /server closed the connection unexpectedly/i,
];

/**
 * Recognizes a lost or impossible database connection: network errors, PostgreSQL's admin_shutdown (57P01),
 * crash_shutdown (57P02), cannot_connect_now (57P03), any connection exception (class 08), and pg's own
 * messages for terminated connections and pool connect timeouts; on SQLite, a lock not granted in time.
 * Also query_canceled (57014): statement_timeout cancelled a statement that ran too long (or an operator
 * cancelled it). The database is overloaded or the query pathological, not the request wrong: 503, never 500.
 */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailable) return true;
  const e = error as { code?: unknown; message?: unknown; errors?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // SQLite: another process (a migration, a second server on the same file) held the write lock past busy_timeout.
  if (code === 'SQLITE_BUSY') return true;
  // 57014 query_canceled: statement_timeout (src/store/postgres.ts) ended a statement; the connection stays usable.
  if (code === '57014') return true;
  if (NETWORK_CODES.has(code) || code === '57P01' || code === '57P02' || code === '57P03' || /^08[0-9A-Z]{3}$/.test(code)) return true;
  // Node's happy-eyeballs connect reports every address it tried.
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(isConnectionError)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

/** A connection error as StoreUnavailable (once); any other error as it is. */
export function toStoreUnavailable(error: unknown): unknown {
  return !(error instanceof StoreUnavailable) && isConnectionError(error) ? new StoreUnavailable(error) : error;
}
