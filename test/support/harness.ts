/**
 * An isolated Guestlist for one test file: its own SQLite file, or its own PostgreSQL schema when
 * GUESTLIST_TEST_DATABASE_URL is set. Requests go through app.inject (no sockets).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildApp, type AppOptions } from '../../src/http/app.ts';
import { apiKeyVerifier } from '../../src/http/management/index.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import type { QueryTimer } from '../../src/store/query-log.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { hashSecret } from '../../src/secrets.ts';

export const TEST_DATABASE_URL = process.env.GUESTLIST_TEST_DATABASE_URL || undefined;
export const TEST_API_KEY = 'sk_test_0123456789abcdefghijklmnop';
export const PUBLIC_URL = 'https://guestlist.example.com';
/** GUESTLIST_SECRET_KEY of every test app: a dispatcher decrypts the webhook secrets with it. */
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnop';

export interface TestDatabase {
  store: KyselyStore;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Sees every query the store runs (to count them). */
  onQuery?: QueryTimer;
}

/** A fresh, migrated store on whichever database the run targets. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (TEST_DATABASE_URL) {
    const store = new PostgresStore({ url: TEST_DATABASE_URL, schema: name, poolSize: 5, ...options });
    await store.migrate();
    return {
      store,
      drop: async () => {
        await store.close();
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        await client.query(`drop schema if exists ${name} cascade`);
        await client.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-test-'));
  const store = new SqliteStore(path.join(dir, 'guestlist.db'), options);
  await store.migrate();
  return {
    store,
    drop: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  store: KyselyStore;
  config: Config;
  /** A management API call with the API key. */
  api(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A SCIM call with the given bearer token. */
  scim(method: string, url: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function createTestApp(
  env: Record<string, string> = {},
  options: TestDatabaseOptions = {},
  appOptions: Pick<AppOptions, 'webRoot'> = {},
): Promise<TestApp> {
  const db = await createTestDatabase(options);
  const config = loadConfig({ GUESTLIST_API_KEY: TEST_API_KEY, GUESTLIST_PUBLIC_URL: PUBLIC_URL, ...env });
  const app = await buildApp({
    config,
    store: db.store,
    logger: pino({ level: 'silent' }),
    secretKey: TEST_SECRET_KEY, apiKeys: apiKeyVerifier([hashSecret(TEST_API_KEY)]),
    ...appOptions,
  });
  const send = (method: string, url: string, auth: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${auth}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  return {
    app,
    store: db.store,
    config,
    api: (method, url, body, headers) => send(method, url, TEST_API_KEY, body, headers),
    scim: (method, url, token, body, headers) => send(method, url, token, body, headers),
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

/** Creates an organization and a directory; returns the directory object with its first bearer token. */
export async function createDirectory(t: TestApp, type = 'okta scim v2.0') {
  const org = (await t.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).json();
  const res = await t.api('POST', '/directories', { organization_id: org.id, type });
  if (res.statusCode !== 201) throw new Error(`directory create failed: ${res.body}`);
  return res.json() as { id: string; bearer_token: string; bearer_token_id: string; organization_id: string; scim_base_url: string };
}
