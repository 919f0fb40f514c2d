import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:8080',
      dataDir: path.resolve('./data'),
      webhookBlockPrivate: false,
      apiKey: undefined,
      secretKey: undefined,
    });
    expect(config.database).toEqual({ kind: 'sqlite', file: path.resolve('./data/guestlist.db') });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      GUESTLIST_DATABASE_URL: 'postgresql://u:p@db:5432/g',
      GUESTLIST_API_KEY: 'sk_live_abcdefghijklmnopqrstuvwxyz',
      GUESTLIST_PUBLIC_URL: 'https://sync.example.com/',
      GUESTLIST_SECRET_KEY: 'x'.repeat(32),
      GUESTLIST_DATA_DIR: '/var/lib/guestlist',
      GUESTLIST_WEBHOOK_BLOCK_PRIVATE: 'true',
      GUESTLIST_WEBHOOK_CONCURRENCY: '200',
      GUESTLIST_HEAP_GROWING_PERCENT: '0',
      GUESTLIST_SQLITE_READ_WORKERS: '3',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      database: { kind: 'postgres', url: 'postgresql://u:p@db:5432/g' },
      apiKey: 'sk_live_abcdefghijklmnopqrstuvwxyz',
      publicUrl: 'https://sync.example.com',
      dataDir: '/var/lib/guestlist',
      webhookBlockPrivate: true,
      webhookConcurrency: 200,
      heapGrowingPercent: 0,
      sqliteReadWorkers: 3,
    });
    expect(loadConfig({}).heapGrowingPercent).toBe(20);
    expect(loadConfig({}).sqliteReadWorkers).toBe(1);
    expect(loadConfig({ GUESTLIST_SQLITE_READ_WORKERS: '0' }).sqliteReadWorkers).toBe(0);
    expect(loadConfig({ PORT: '9000' }).publicUrl).toBe('http://localhost:9000');
  });

  it('takes sqlite: prefixed and plain paths', () => {
    expect(loadConfig({ GUESTLIST_DATABASE_URL: 'sqlite:/tmp/x.db' }).database).toEqual({ kind: 'sqlite', file: '/tmp/x.db' });
    expect(loadConfig({ GUESTLIST_DATABASE_URL: 'sqlite:///tmp/x.db' }).database).toEqual({ kind: 'sqlite', file: '/tmp/x.db' });
    expect(loadConfig({ GUESTLIST_DATABASE_URL: 'postgres://h/db' }).database.kind).toBe('postgres');
  });

  it('takes a PostgreSQL schema, and refuses it for SQLite or when not an identifier', () => {
    expect(loadConfig({ GUESTLIST_DATABASE_URL: 'postgres://h/db', GUESTLIST_DATABASE_SCHEMA: 'sync_1' }).database).toEqual({ kind: 'postgres', url: 'postgres://h/db', schema: 'sync_1' });
    expect(() => loadConfig({ GUESTLIST_DATABASE_SCHEMA: 'sync' })).toThrow(/^GUESTLIST_DATABASE_SCHEMA: only applies/);
    expect(() => loadConfig({ GUESTLIST_DATABASE_URL: 'postgres://h/db', GUESTLIST_DATABASE_SCHEMA: 'x; drop' })).toThrow(/^GUESTLIST_DATABASE_SCHEMA: expected/);
  });

  it('bounds the time to read a request and to sit idle, and takes a metrics token', () => {
    expect(loadConfig({})).toMatchObject({ requestTimeoutMs: 30_000, idleTimeoutMs: 120_000, metricsToken: undefined });
    expect(
      loadConfig({ GUESTLIST_REQUEST_TIMEOUT_MS: '500', GUESTLIST_IDLE_TIMEOUT_MS: '5000', GUESTLIST_METRICS_TOKEN: 'metrics-token-0123456789' }),
    ).toMatchObject({ requestTimeoutMs: 500, idleTimeoutMs: 5000, metricsToken: 'metrics-token-0123456789' });
    expect(loadConfig({ GUESTLIST_METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
  });

  it('takes an admin password for the console, unset (or empty) by default', () => {
    expect(loadConfig({}).adminPassword).toBeUndefined();
    expect(loadConfig({ GUESTLIST_ADMIN_PASSWORD: '' }).adminPassword).toBeUndefined();
    expect(loadConfig({ GUESTLIST_ADMIN_PASSWORD: 'correct horse battery' }).adminPassword).toBe('correct horse battery');
  });

  it('keeps the SCIM request log 14 days and 10,000 requests per directory unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ requestLogDays: 14, requestLogMaxPerDirectory: 10_000 });
    expect(loadConfig({ GUESTLIST_REQUEST_LOG_DAYS: '3', GUESTLIST_REQUEST_LOG_MAX_PER_DIRECTORY: '500' })).toMatchObject({
      requestLogDays: 3,
      requestLogMaxPerDirectory: 500,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['GUESTLIST_PUBLIC_URL', 'not a url'],
    ['GUESTLIST_PUBLIC_URL', 'ftp://example.com'],
    ['GUESTLIST_API_KEY', 'short'],
    ['GUESTLIST_API_KEY', 'pk_abcdefghijklmnopqrstuvwxyz'],
    ['GUESTLIST_SECRET_KEY', 'tooshort'],
    ['GUESTLIST_WEBHOOK_BLOCK_PRIVATE', 'maybe'],
    ['GUESTLIST_WEBHOOK_CONCURRENCY', '0'],
    ['GUESTLIST_WEBHOOK_CONCURRENCY', '5000'],
    ['GUESTLIST_HEAP_GROWING_PERCENT', '-5'],
    ['GUESTLIST_HEAP_GROWING_PERCENT', 'lots'],
    ['GUESTLIST_SQLITE_READ_WORKERS', '17'],
    ['GUESTLIST_SQLITE_READ_WORKERS', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['GUESTLIST_MAX_BODY_BYTES', '12abc'],
    ['GUESTLIST_EVENT_RETENTION_DAYS', '0'],
    ['GUESTLIST_SCIM_MAX_IN_FLIGHT', '0'],
    ['GUESTLIST_SCIM_MAX_WAIT_MS', 'soon'],
    ['GUESTLIST_REQUEST_TIMEOUT_MS', '0'],
    ['GUESTLIST_REQUEST_TIMEOUT_MS', '30s'],
    ['GUESTLIST_IDLE_TIMEOUT_MS', '10'],
    ['GUESTLIST_REQUEST_LOG_DAYS', '0'],
    ['GUESTLIST_REQUEST_LOG_DAYS', '2w'],
    ['GUESTLIST_REQUEST_LOG_MAX_PER_DIRECTORY', '0'],
    ['GUESTLIST_REQUEST_LOG_MAX_PER_DIRECTORY', '1e4'],
    ['GUESTLIST_METRICS_TOKEN', 'short'],
    ['GUESTLIST_METRICS_TOKEN', 'has a space in the middle'],
    ['GUESTLIST_ADMIN_PASSWORD', 'short'],
    ['GUESTLIST_ADMIN_PASSWORD', 'x'.repeat(1025)],
  ])('rejects %s=%s naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${name}: expected`));
  });
});
