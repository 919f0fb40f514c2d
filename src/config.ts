/**
 * Configuration, read once from the environment (API.md §1) and validated before anything starts. A bad value
 * stops the process with a message naming the variable and what it expects.
 */
import { DEFAULT_HEAP_GROWING_PERCENT } from './heap.ts';
import path from 'node:path';

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  apiKey: string | undefined;
  publicUrl: string;
  secretKey: string | undefined;
  /** GUESTLIST_SECRET_KEY_PREVIOUS: the key before a rotation; only decrypts (secrets are re-encrypted at start). */
  secretKeyPrevious: string | undefined;
  dataDir: string;
  webhookBlockPrivate: boolean;
  /** Webhook queues (endpoint, directory) each process sends at once (GUESTLIST_WEBHOOK_CONCURRENCY). */
  webhookConcurrency: number;
  /** GUESTLIST_HEAP_GROWING_PERCENT: V8's old-generation growth past the live set (src/heap.ts); 0: V8's own. */
  heapGrowingPercent: number;
  logLevel: string;
  /** Largest request body accepted, in bytes (SCIM Bulk advertises it as maxPayloadSize). */
  maxBodyBytes: number;
  /** Days events are kept before pruning. */
  eventRetentionDays: number;
  /** Days the SCIM request log keeps a request (GUESTLIST_REQUEST_LOG_DAYS). */
  requestLogDays: number;
  /** Requests the SCIM request log keeps per directory at most, the newest (GUESTLIST_REQUEST_LOG_MAX_PER_DIRECTORY). */
  requestLogMaxPerDirectory: number;
  /** Group commit: the most concurrent SCIM writes one transaction takes (1: every write commits alone). */
  groupCommitMaxBatch: number;
  /** Group commit: how long a batch's first write waits for others (0: one event-loop turn). */
  groupCommitWaitMs: number;
  /**
   * Longest one statement may run, in ms (0: none): PostgreSQL's statement_timeout; on SQLite, for the reads
   * that run on read workers (the others run to completion).
   */
  databaseStatementTimeoutMs: number;
  /** SQLite: worker threads for reads that may scan many rows (0: they run on the main thread). */
  sqliteReadWorkers: number;
  /**
   * Which `start` processes also run the background work (webhook delivery, pruning): every one, only the first
   * of `--processes N` (a single process is its own first), or none (`guestlist worker` processes do it).
   */
  serverBackground: 'all' | 'first' | 'none';
  /** SCIM admission control (backpressure): beyond these, 429 with Retry-After. */
  scimLimits: { maxInFlight: number; maxInFlightPerDirectory: number; maxQueued: number; maxQueuedPerDirectory: number; maxWaitMs: number };
  /** Longest a client may take to send a whole request, headers and body (then 408 and the connection closed). */
  requestTimeoutMs: number;
  /** A connection on which nothing moves, either way, for this long is closed (slow readers, stalled peers). */
  idleTimeoutMs: number;
  /** When set, `/metrics` answers only `Authorization: Bearer <this token>`. */
  metricsToken: string | undefined;
  /** GUESTLIST_ADMIN_PASSWORD: a second way into the operator console, besides the API key; unset, none. */
  adminPassword: string | undefined;
  /** Where pulled sources are read (docs/sources.md): overridable so fakes, a proxy or a test tenant stand in. */
  sources: {
    googleApiUrl: string;
    googleTokenUrl: string;
    bamboohrApiUrl: string;
    /** Google's consent screen, for the portal's OAuth admin consent. */
    googleAuthUrl: string;
    /** The operator's OAuth client, for admin consent; unset, only the service account connects Google. */
    googleClient: { id: string; secret: string } | undefined;
  };
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseDatabaseUrl(value: string): DatabaseConfig {
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  const file = value.replace(/^sqlite:(\/\/)?/i, '');
  if (file === '') throw new ConfigError('GUESTLIST_DATABASE_URL', 'expected a postgres:// URL or a SQLite file path');
  return { kind: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
}

/** A PostgreSQL schema other than `public`, for sharing one database between deployments. */
function withSchema(database: DatabaseConfig, schema: string | undefined): DatabaseConfig {
  if (schema === undefined || schema === '') return database;
  if (database.kind !== 'postgres') throw new ConfigError('GUESTLIST_DATABASE_SCHEMA', 'only applies to a postgres:// GUESTLIST_DATABASE_URL');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError('GUESTLIST_DATABASE_SCHEMA', `expected a lowercase SQL identifier, got "${schema}"`);
  return { ...database, schema };
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

/** One of `values` (case-insensitive); the first when unset. */
function oneOf<T extends string>(env: Env, name: string, values: readonly [T, ...T[]]): T {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return values[0];
  const found = values.find((v) => v === raw);
  if (found === undefined) throw new ConfigError(name, `expected one of ${values.join(', ')}, got "${env[name]}"`);
  return found;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${env[name]}"`);
}

/** An absolute http(s) URL from the environment, else the default; without a trailing slash. */
function sourceUrl(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(name, `expected an absolute http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

/** GUESTLIST_GOOGLE_CLIENT_ID and …_SECRET: both or neither. */
function googleClient(env: Env): { id: string; secret: string } | undefined {
  const id = env.GUESTLIST_GOOGLE_CLIENT_ID || undefined;
  const secret = env.GUESTLIST_GOOGLE_CLIENT_SECRET || undefined;
  if (id === undefined && secret === undefined) return undefined;
  if (id === undefined) throw new ConfigError('GUESTLIST_GOOGLE_CLIENT_ID', 'set it with GUESTLIST_GOOGLE_CLIENT_SECRET (both or neither)');
  if (secret === undefined) throw new ConfigError('GUESTLIST_GOOGLE_CLIENT_SECRET', 'set it with GUESTLIST_GOOGLE_CLIENT_ID (both or neither)');
  return { id, secret };
}

function publicUrl(env: Env, port: number): string {
  const raw = env.GUESTLIST_PUBLIC_URL;
  if (raw === undefined || raw === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('GUESTLIST_PUBLIC_URL', `expected an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('GUESTLIST_PUBLIC_URL', `expected an http or https URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function apiKey(env: Env): string | undefined {
  const raw = env.GUESTLIST_API_KEY;
  if (raw === undefined || raw === '') return undefined;
  if (!raw.startsWith('sk_') || raw.length < 24 || /\s/.test(raw)) {
    throw new ConfigError('GUESTLIST_API_KEY', 'expected a key starting with "sk_", at least 24 characters, no spaces');
  }
  return raw;
}

function secretKey(env: Env, name = 'GUESTLIST_SECRET_KEY'): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32) throw new ConfigError(name, 'expected at least 32 characters');
  return raw;
}

function metricsToken(env: Env): string | undefined {
  const raw = env.GUESTLIST_METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || raw.length > 512 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError('GUESTLIST_METRICS_TOKEN', 'expected 16 to 512 printable characters, no spaces');
  }
  return raw;
}

/** A password that guards everything the API key does: long enough not to be guessed at 10 tries a minute. */
function adminPassword(env: Env): string | undefined {
  const raw = env.GUESTLIST_ADMIN_PASSWORD;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 12 || raw.length > 1024) throw new ConfigError('GUESTLIST_ADMIN_PASSWORD', 'expected 12 to 1024 characters');
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const dataDir = path.resolve(env.GUESTLIST_DATA_DIR || './data');
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const dbUrl = env.GUESTLIST_DATABASE_URL || path.join(dataDir, 'guestlist.db');
  return {
    port,
    host,
    database: withSchema(parseDatabaseUrl(dbUrl), env.GUESTLIST_DATABASE_SCHEMA),
    apiKey: apiKey(env),
    publicUrl: publicUrl(env, port),
    secretKey: secretKey(env),
    secretKeyPrevious: secretKey(env, 'GUESTLIST_SECRET_KEY_PREVIOUS'),
    dataDir,
    webhookBlockPrivate: boolean(env, 'GUESTLIST_WEBHOOK_BLOCK_PRIVATE', false),
    webhookConcurrency: integer(env, 'GUESTLIST_WEBHOOK_CONCURRENCY', 64, 1, 1024),
    heapGrowingPercent: integer(env, 'GUESTLIST_HEAP_GROWING_PERCENT', DEFAULT_HEAP_GROWING_PERCENT, 0, 1000),
    logLevel,
    maxBodyBytes: integer(env, 'GUESTLIST_MAX_BODY_BYTES', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    eventRetentionDays: integer(env, 'GUESTLIST_EVENT_RETENTION_DAYS', 90, 1, 3650),
    requestLogDays: integer(env, 'GUESTLIST_REQUEST_LOG_DAYS', 14, 1, 3650),
    requestLogMaxPerDirectory: integer(env, 'GUESTLIST_REQUEST_LOG_MAX_PER_DIRECTORY', 10_000, 1, 10_000_000),
    groupCommitMaxBatch: integer(env, 'GUESTLIST_GROUP_COMMIT_MAX_BATCH', 64, 1, 10_000),
    groupCommitWaitMs: integer(env, 'GUESTLIST_GROUP_COMMIT_WAIT_MS', 0, 0, 1000),
    databaseStatementTimeoutMs: integer(env, 'GUESTLIST_DATABASE_STATEMENT_TIMEOUT_MS', 15_000, 0, 3_600_000),
    sqliteReadWorkers: integer(env, 'GUESTLIST_SQLITE_READ_WORKERS', 1, 0, 16),
    serverBackground: oneOf(env, 'GUESTLIST_SERVER_BACKGROUND', ['first', 'all', 'none'] as const),
    scimLimits: {
      maxInFlight: integer(env, 'GUESTLIST_SCIM_MAX_IN_FLIGHT', 64, 1, 100_000),
      maxInFlightPerDirectory: integer(env, 'GUESTLIST_SCIM_MAX_IN_FLIGHT_PER_DIRECTORY', 32, 1, 100_000),
      maxQueued: integer(env, 'GUESTLIST_SCIM_MAX_QUEUED', 2048, 0, 1_000_000),
      maxQueuedPerDirectory: integer(env, 'GUESTLIST_SCIM_MAX_QUEUED_PER_DIRECTORY', 512, 0, 1_000_000),
      maxWaitMs: integer(env, 'GUESTLIST_SCIM_MAX_WAIT_MS', 5000, 1, 120_000),
    },
    requestTimeoutMs: integer(env, 'GUESTLIST_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    idleTimeoutMs: integer(env, 'GUESTLIST_IDLE_TIMEOUT_MS', 120_000, 1000, 3_600_000),
    metricsToken: metricsToken(env),
    adminPassword: adminPassword(env),
    sources: {
      googleApiUrl: sourceUrl(env, 'GUESTLIST_GOOGLE_API_URL', 'https://admin.googleapis.com'),
      googleTokenUrl: sourceUrl(env, 'GUESTLIST_GOOGLE_TOKEN_URL', 'https://oauth2.googleapis.com/token'),
      bamboohrApiUrl: sourceUrl(env, 'GUESTLIST_BAMBOOHR_API_URL', 'https://api.bamboohr.com'),
      googleAuthUrl: sourceUrl(env, 'GUESTLIST_GOOGLE_AUTH_URL', 'https://accounts.google.com/o/oauth2/v2/auth'),
      googleClient: googleClient(env),
    },
  };
}
