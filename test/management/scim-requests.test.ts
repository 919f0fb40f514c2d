/**
 * The SCIM request log end to end: SCIM requests through the app, then `GET /directories/{id}/scim_requests`.
 * On SQLite, or on PostgreSQL with GUESTLIST_TEST_DATABASE_URL.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { apiKeyVerifier } from '../../src/http/management/index.ts';
import { RequestLog } from '../../src/portal/request-log.ts';
import { REDACTED, TRUNCATED } from '../../src/portal/redact.ts';
import { hashSecret } from '../../src/secrets.ts';
import { closedTwin } from '../support/closed-store.ts';
import { TEST_API_KEY, TEST_SECRET_KEY, createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

type Entry = Record<string, any>;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A directory and a SCIM caller for it. */
async function setUp() {
  const dir = await createDirectory(t);
  const scim = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token = dir.bearer_token) =>
    t.scim(method, `/scim/v2/${dir.id}${path}`, token, body, headers);
  return { dir, scim };
}

/** The whole log of a directory, newest first, once everything queued is written. */
async function logOf(directoryId: string, query = ''): Promise<Entry[]> {
  await t.app.scimRequestLog.flush();
  const res = await t.api('GET', `/directories/${directoryId}/scim_requests?limit=100${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data;
}

describe('the SCIM request log', () => {
  it('records each request with its method, path, status, time, user agent and body', async () => {
    const { dir, scim } = await setUp();
    const started = Date.now();
    const created = await scim('POST', '/Users', { schemas: [USER], userName: 'ada@acme.com', active: true }, { 'user-agent': 'Okta SCIM Client 1.0' });
    expect(created.statusCode).toBe(201);
    expect((await scim('GET', '/Users?filter=userName%20eq%20%22ada%40acme.com%22')).statusCode).toBe(200);
    const [get, post] = await logOf(dir.id);
    expect(post).toEqual({
      object: 'scim_request',
      id: expect.stringMatching(/^scim_request_[0-9A-Z]{26}$/),
      directory_id: dir.id,
      method: 'POST',
      path: `/scim/v2/${dir.id}/Users`,
      status: 201,
      duration_ms: expect.any(Number),
      user_agent: 'Okta SCIM Client 1.0',
      request_body: { schemas: [USER], userName: 'ada@acme.com', active: true },
      error: null,
      created_at: expect.any(String),
    });
    expect(Date.parse(post!.created_at)).toBeGreaterThanOrEqual(started - 5);
    expect(get).toMatchObject({ method: 'GET', path: `/scim/v2/${dir.id}/Users?filter=userName%20eq%20%22ada%40acme.com%22`, status: 200, request_body: null, error: null });
    expect(get!.id > post!.id).toBe(true);
  });

  it('records a wrong token (401) with the error, without reading the body', async () => {
    const { dir, scim } = await setUp();
    const res = await scim('POST', '/Users', { schemas: [USER], userName: 'x', password: 'p' }, {}, 'gl_scim_wrong');
    expect(res.statusCode).toBe(401);
    const [entry] = await logOf(dir.id);
    expect(entry).toMatchObject({ method: 'POST', status: 401, request_body: null, error: 'The bearer token is not valid for this directory.' });
  });

  it('records SCIM errors as scimType: detail, and skips directories that do not exist', async () => {
    const { dir, scim } = await setUp();
    await scim('POST', '/Users', { schemas: [USER], userName: 'dup@acme.com' });
    expect((await scim('POST', '/Users', { schemas: [USER], userName: 'dup@acme.com' })).statusCode).toBe(409);
    const [conflict] = await logOf(dir.id, '&status=409');
    expect(conflict!.error).toMatch(/^uniqueness: /);
    const written = t.app.scimRequestLog.stats.written;
    const ghost = `directory_01${'A'.repeat(24)}`;
    expect((await t.scim('GET', `/scim/v2/${ghost}/Users`, dir.bearer_token)).statusCode).toBe(401);
    await t.app.scimRequestLog.flush();
    expect(t.app.scimRequestLog.stats.written).toBe(written);
    expect((await t.api('GET', `/directories/${ghost}/scim_requests`)).statusCode).toBe(404);
  });

  it('keeps a flood of 401s to made-up directory ids out of the buffer, so it cannot push out real entries', async () => {
    const { dir, scim } = await setUp();
    await t.app.scimRequestLog.flush();
    for (let i = 0; i < 50; i++) {
      const ghost = `directory_01${String(i).padStart(24, 'B')}`;
      expect((await t.scim('GET', `/scim/v2/${ghost}/Users`, 'gl_scim_guess')).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: `/scim/v2/${ghost}/Users` })).statusCode).toBe(401);
    }
    expect(t.app.scimRequestLog.pending).toBe(0);
    // A refusal at a real directory, with or without a token, is still the admin's to see.
    expect((await scim('GET', '/Users', undefined, {}, 'gl_scim_wrong')).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: `/scim/v2/${dir.id}/Users` })).statusCode).toBe(401);
    expect(t.app.scimRequestLog.pending).toBe(2);
    const entries = await logOf(dir.id);
    expect(entries.map((e) => e.error)).toEqual(['Authorization: Bearer <token> is required.', 'The bearer token is not valid for this directory.']);
  });

  it('redacts passwords: POST, PATCH replace, PATCH without a path, Bulk, nested', async () => {
    const { dir, scim } = await setUp();
    const user = (await scim('POST', '/Users', { schemas: [USER], userName: 'pw@acme.com', password: 'hunter2-post' })).json();
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: 'hunter2-patch' }] });
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { password: 'hunter2-nopath', title: 'Eng' } }] });
    await scim('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'b1', data: { schemas: [USER], userName: 'bulk@acme.com', password: 'hunter2-bulk' } },
        { method: 'PATCH', path: `/Users/${user.id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: 'hunter2-urn' }] } },
      ],
    });
    await scim('POST', '/Users', { schemas: [USER], userName: 'n@acme.com', 'urn:example:ext': { deep: [{ clientSecret: 'hunter2-nested' }] } });
    const log = await logOf(dir.id);
    expect(JSON.stringify(log)).not.toContain('hunter2');
    const [nested, bulk, patchNoPath, patch, post] = log;
    expect(post!.request_body.password).toBe(REDACTED);
    expect(patch!.request_body.Operations[0]).toEqual({ op: 'replace', path: 'password', value: REDACTED });
    expect(patchNoPath!.request_body.Operations[0].value).toEqual({ password: REDACTED, title: 'Eng' });
    expect(bulk!.request_body.Operations[0].data.password).toBe(REDACTED);
    expect(bulk!.request_body.Operations[1].data.Operations[0].value).toBe(REDACTED);
    expect(nested!.request_body['urn:example:ext']).toEqual({ deep: [{ clientSecret: REDACTED }] });
  });

  it('stores NUL and other unsafe text, in JSON and in a body that is not JSON', async () => {
    const { dir, scim } = await setUp();
    expect((await scim('POST', '/Users', { schemas: [USER], userName: 'nul\u0000name' })).statusCode).toBe(400);
    const raw = '{"userName": "raw\u0000nul\uD800", "x": ';
    expect((await scim('POST', '/Users', raw)).statusCode).toBe(400);
    expect((await scim('POST', '/Users', '{"password": "hunter2-raw", ')).statusCode).toBe(400);
    const [secretRaw, malformed, json] = await logOf(dir.id);
    expect(json).toMatchObject({ status: 400, request_body: { schemas: [USER], userName: 'nul\u0000name' }, error: expect.stringMatching(/control character U\+0000/) });
    // The text of a body that is not JSON is kept, lone surrogate aside (JSON on the wire carries it as U+FFFD).
    expect(malformed).toMatchObject({ status: 400, request_body: '{"userName": "raw\u0000nul\uFFFD", "x": ', error: 'invalidSyntax: The request body is not valid JSON.' });
    expect(secretRaw).toMatchObject({ status: 400, request_body: null });
  });

  it('caps a huge body, redacted, as text ending with the marker', async () => {
    const { dir, scim } = await setUp();
    const operations = Array.from({ length: 300 }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `b${i}`,
      data: { schemas: [USER], userName: `huge${i}@acme.com`, title: 't'.repeat(3000), password: `hunter2-${i}` },
    }));
    const res = await scim('POST', '/Bulk', { schemas: [BULK], Operations: operations });
    expect(res.statusCode).toBe(200);
    const [entry] = await logOf(dir.id);
    expect(typeof entry!.request_body).toBe('string');
    expect(entry!.request_body.length).toBe(16_384 + TRUNCATED.length);
    expect(entry!.request_body.endsWith(TRUNCATED)).toBe(true);
    expect(entry!.request_body.startsWith(`{"schemas":["${BULK}"],"Operations":[{"method":"POST"`)).toBe(true);
    expect(entry!.request_body).toContain(`"password":"${REDACTED}"`);
    expect(entry!.request_body).not.toContain('hunter2');
  });

  it('pages newest first with before and after, and filters by status', async () => {
    const { dir, scim } = await setUp();
    for (let i = 0; i < 4; i++) await scim('GET', `/Users?count=${i}`);
    await scim('GET', '/Users/nope');
    await scim('GET', '/Users', undefined, {}, 'gl_scim_wrong');
    const all = await logOf(dir.id);
    expect(all.map((e) => e.status)).toEqual([401, 404, 200, 200, 200, 200]);
    const ids = all.map((e) => e.id);
    const first = (await t.api('GET', `/directories/${dir.id}/scim_requests?limit=4`)).json();
    expect(first.data.map((e: Entry) => e.id)).toEqual(ids.slice(0, 4));
    expect(first.list_metadata).toEqual({ before: null, after: ids[3] });
    const second = (await t.api('GET', `/directories/${dir.id}/scim_requests?limit=4&after=${first.list_metadata.after}`)).json();
    expect(second.data.map((e: Entry) => e.id)).toEqual(ids.slice(4));
    expect(second.list_metadata).toEqual({ before: ids[4], after: null });
    const back = (await t.api('GET', `/directories/${dir.id}/scim_requests?limit=2&before=${second.list_metadata.before}`)).json();
    expect(back.data.map((e: Entry) => e.id)).toEqual(ids.slice(2, 4));

    const statuses = async (status: string) => (await logOf(dir.id, `&status=${status}`)).map((e) => e.status);
    expect(await statuses('error')).toEqual([401, 404]);
    expect(await statuses('4xx')).toEqual([401, 404]);
    expect(await statuses('4XX')).toEqual([401, 404]);
    expect(await statuses('404')).toEqual([404]);
    expect(await statuses('2xx')).toEqual([200, 200, 200, 200]);
    expect(await statuses('5xx')).toEqual([]);
    for (const bad of ['oops', '4x', '600', '40', 'errors']) {
      const res = await t.api('GET', `/directories/${dir.id}/scim_requests?status=${bad}`);
      expect(res.statusCode, bad).toBe(422);
      expect(res.json()).toMatchObject({ code: 'validation_error', errors: [{ field: 'status', code: 'invalid' }] });
    }
    expect((await t.api('GET', `/directories/${dir.id}/scim_requests?limit=0`)).statusCode).toBe(422);
  });

  it("sets the directory's last_request_at on any request and last_sync_at on a successful write", async () => {
    const { dir, scim } = await setUp();
    const times = async () => {
      await t.app.scimRequestLog.flush();
      const { last_request_at, last_sync_at } = (await t.store.getDirectory(dir.id))!;
      return { last_request_at, last_sync_at };
    };
    expect(await times()).toEqual({ last_request_at: null, last_sync_at: null });
    await scim('GET', '/Users');
    const afterRead = await times();
    expect(afterRead.last_request_at).not.toBeNull();
    expect(afterRead.last_sync_at).toBeNull();
    await scim('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] });
    expect((await times()).last_sync_at).toBeNull();
    await scim('POST', '/Users', { schemas: [USER], userName: 'sync@acme.com' });
    const afterWrite = await times();
    const [post] = await logOf(dir.id);
    expect(afterWrite).toEqual({ last_request_at: post!.created_at, last_sync_at: post!.created_at });
    expect((await scim('POST', '/Users', { schemas: [USER], userName: 'sync@acme.com' })).statusCode).toBe(409);
    const afterConflict = await times();
    expect(afterConflict.last_sync_at).toBe(afterWrite.last_sync_at);
    expect(afterConflict.last_request_at! > afterWrite.last_request_at!).toBe(true);
  });

  it('keeps the SCIM write when the log cannot be written', async () => {
    const { dir } = await setUp();
    const warn = vi.fn();
    const app = await buildApp({
      config: t.config,
      store: t.store,
      logger: pino({ level: 'silent' }),
      secretKey: TEST_SECRET_KEY,
      apiKeys: apiKeyVerifier([hashSecret(TEST_API_KEY)]),
      requestLog: new RequestLog((await closedTwin(t.store)).db, { logger: { warn } }),
    });
    try {
      const res = await app.inject({
        method: 'POST',
        url: `/scim/v2/${dir.id}/Users`,
        headers: { authorization: `Bearer ${dir.bearer_token}`, 'content-type': 'application/scim+json' },
        payload: JSON.stringify({ schemas: [USER], userName: 'survivor@acme.com' }),
      });
      expect(res.statusCode).toBe(201);
      await app.scimRequestLog.flush();
      expect(app.scimRequestLog.stats).toMatchObject({ written: 0, dropped: 1, failedFlushes: 1 });
      expect(warn).toHaveBeenCalledTimes(1);
      const users = (await t.api('GET', `/directory_users?directory=${dir.id}`)).json();
      expect(users.data.map((u: Entry) => u.username)).toEqual(['survivor@acme.com']);
    } finally {
      await app.close();
    }
  });

  it('goes with its directory', async () => {
    const { dir, scim } = await setUp();
    await scim('GET', '/Users');
    expect(await logOf(dir.id)).toHaveLength(1);
    expect((await t.api('DELETE', `/directories/${dir.id}`)).statusCode).toBe(204);
    const rows = await t.store.db.selectFrom('scim_requests').select('id').where('directory_id', '=', dir.id).execute();
    expect(rows).toEqual([]);
  });
});
