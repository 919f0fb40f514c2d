/**
 * SQLite: another process holding the write lock past busy_timeout (a migration, a second server pointed at the
 * same file) makes the database unavailable for a moment, not the request wrong: 503 with Retry-After in the
 * protocol's own format, and the same request succeeds once the lock is released.
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { createDirectory, createTestApp, TEST_DATABASE_URL, type TestApp } from '../support/harness.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

it.skipIf(Boolean(TEST_DATABASE_URL))('a write lock held elsewhere past busy_timeout answers 503 with Retry-After, then the write succeeds', async () => {
  const dir = await createDirectory(t);
  const other = new BetterSqlite3((t.store as SqliteStore).file);
  try {
    other.exec('BEGIN IMMEDIATE');
    const body = { schemas: [USER], userName: 'busy@acme.com' };
    const scim = await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, body);
    expect(scim.statusCode, scim.body).toBe(503);
    expect(Number(scim.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(scim.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
    const api = await t.api('POST', '/organizations', { name: 'Busy', domains: ['busy.example'] });
    expect(api.statusCode, api.body).toBe(503);
    expect(api.json()).toMatchObject({ code: 'service_unavailable' });
    other.exec('ROLLBACK');
    expect((await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, body)).statusCode).toBe(201);
  } finally {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
  }
}, 60_000);
