/** The request log's writer: batching, its bounded buffer, and failures that cost only log entries. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { closedTwin } from '../../test/support/closed-store.ts';
import { until } from '../../test/support/eventually.ts';
import { newId } from '../ids.ts';
import type { ScimRequestCapture } from './request-entry.ts';
import { RequestLog, touches } from './request-log.ts';

let db: TestDatabase;
let directoryId: string;

async function newDirectory(): Promise<string> {
  const org = await db.store.createOrganization({ id: newId('org'), name: 'A', domains: [] });
  const dir = await db.store.createDirectory(
    { id: newId('directory'), organization_id: org.id, type: 'generic scim v2.0', name: 'D', domain: null, settings: {} },
    { id: newId('directory_token'), hash: newId('api_key'), suffix: 'abcd' },
    (t) => ({ id: t.id }),
  );
  return dir.id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  directoryId = await newDirectory();
});
afterAll(() => db.drop());

function capture(url: string, extra: Partial<ScimRequestCapture> = {}): ScimRequestCapture {
  return {
    directoryId,
    method: 'GET',
    url,
    status: 200,
    durationMs: 1.4,
    userAgent: 'test',
    receivedAt: Date.now(),
    body: undefined,
    errorPayload: undefined,
    write: false,
    ...extra,
  };
}

async function pathsStored(prefix: string): Promise<string[]> {
  const rows = await db.store.db.selectFrom('scim_requests').select('path').where('path', 'like', `${prefix}%`).orderBy('id').execute();
  return rows.map((r) => r.path);
}

describe('RequestLog', () => {
  it('keeps only the newest entries beyond its bound, and counts the others dropped', async () => {
    const log = new RequestLog(db.store.db, { maxBuffered: 5, flushIntervalMs: 60_000 });
    for (let i = 0; i < 8; i++) log.record(capture(`/bound/${i}`));
    expect(log.pending).toBe(5);
    expect(log.stats.dropped).toBe(3);
    await log.flush();
    expect(log.stats).toEqual({ written: 5, dropped: 3, failedFlushes: 0 });
    expect(await pathsStored('/bound/')).toEqual([3, 4, 5, 6, 7].map((i) => `/bound/${i}`));
  });

  it('writes a full batch at once, and the rest after its interval', async () => {
    const log = new RequestLog(db.store.db, { maxBatch: 3, flushIntervalMs: 50 });
    for (let i = 0; i < 4; i++) log.record(capture(`/batch/${i}`));
    await until(async () => (await pathsStored('/batch/')).length === 4, 5000, 'both writes');
    expect(log.stats.written).toBe(4);
    await log.close();
  });

  it('drops a batch that fails to write, with a warning, and carries on', async () => {
    const warn = vi.fn();
    const log = new RequestLog((await closedTwin(db.store)).db, { logger: { warn } });
    log.record(capture('/lost/1'));
    log.record(capture('/lost/2'));
    await log.flush();
    expect(log.stats).toEqual({ written: 0, dropped: 2, failedFlushes: 1 });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ entries: 2 }), expect.stringContaining('dropped'));
    // A database that stays down fails every batch: counted each time, warned about once a minute.
    for (let i = 0; i < 3; i++) {
      log.record(capture(`/lost/again/${i}`));
      await log.flush();
    }
    expect(log.stats).toEqual({ written: 0, dropped: 5, failedFlushes: 4 });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('stores NUL and lone surrogates in every raw field (PostgreSQL refuses them in text)', async () => {
    const log = new RequestLog(db.store.db);
    const nasty = 'a\u0000b\uD800c';
    log.record(
      capture(`/nul/?q=${nasty}`, {
        status: 400,
        userAgent: nasty,
        body: { text: nasty },
        errorPayload: JSON.stringify({ status: '400', scimType: 'invalidValue', detail: nasty }),
      }),
    );
    log.record(capture('/nul/json', { body: { json: { userName: nasty, [nasty]: 1 } } }));
    await log.flush();
    expect(log.stats).toMatchObject({ written: 2, failedFlushes: 0 });
    const rows = await db.store.db.selectFrom('scim_requests').selectAll().where('path', 'like', '/nul/%').orderBy('id').execute();
    expect(rows.map((r) => [r.path, r.user_agent, r.request_body, r.error])).toEqual([
      ['/nul/?q=a\uFFFDb\uFFFDc', 'a\uFFFDb\uFFFDc', JSON.stringify(nasty), 'invalidValue: a\uFFFDb\uFFFDc'],
      ['/nul/json', 'test', JSON.stringify({ userName: nasty, [nasty]: 1 }), null],
    ]);
  });

  it('drops what comes after close', async () => {
    const log = new RequestLog(db.store.db);
    await log.close();
    log.record(capture('/late'));
    await log.flush();
    expect(log.stats.dropped).toBe(1);
    expect(await pathsStored('/late')).toEqual([]);
  });

  it("moves the directory's times: every request, and successful writes", async () => {
    const log = new RequestLog(db.store.db);
    const dir = await newDirectory();
    const t0 = Date.now() - 10_000;
    log.record(capture('/times/1', { directoryId: dir, method: 'POST', write: true, status: 201, receivedAt: t0 }));
    log.record(capture('/times/2', { directoryId: dir, method: 'POST', write: true, status: 409, receivedAt: t0 + 1000 }));
    log.record(capture('/times/3', { directoryId: dir, receivedAt: t0 + 2000 }));
    await log.flush();
    expect(await db.store.getDirectory(dir)).toMatchObject({
      last_request_at: new Date(t0 + 2000).toISOString(),
      last_sync_at: new Date(t0).toISOString(),
    });
  });
});

describe('touches', () => {
  it('takes each directory once, with its latest request and latest successful write', () => {
    const row = (directory_id: string, created_at: string) => ({ directory_id, created_at });
    expect(
      touches([
        { row: row('a', '2024-01-01T00:00:02.000Z'), sync: false },
        { row: row('b', '2024-01-01T00:00:01.000Z'), sync: true },
        { row: row('a', '2024-01-01T00:00:01.000Z'), sync: true },
        { row: row('a', '2024-01-01T00:00:03.000Z'), sync: false },
      ]),
    ).toEqual([
      { directory_id: 'a', last_request_at: '2024-01-01T00:00:03.000Z', last_sync_at: '2024-01-01T00:00:01.000Z' },
      { directory_id: 'b', last_request_at: '2024-01-01T00:00:01.000Z', last_sync_at: '2024-01-01T00:00:01.000Z' },
    ]);
  });
});
