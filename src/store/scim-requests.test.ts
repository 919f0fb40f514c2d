/** The SCIM request log's queries, on SQLite or (GUESTLIST_TEST_DATABASE_URL) PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { idFloor, newId } from '../ids.ts';
import { insertScimRequests, listScimRequests, pruneScimRequests, REQUEST_SHAPES, touchDirectories, type ScimRequestRecord } from './scim-requests.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const DAY = 86_400_000;

async function directory(): Promise<string> {
  const org = await db.store.createOrganization({ id: newId('org'), name: 'A', domains: [] });
  const dir = await db.store.createDirectory(
    { id: newId('directory'), organization_id: org.id, type: 'generic scim v2.0', name: 'D', domain: null, settings: {} },
    { id: newId('directory_token'), hash: newId('api_key'), suffix: 'abcd' },
    (t) => ({ id: t.id }),
  );
  return dir.id;
}

let made = 0;
/** A row made at `ms`: its id carries that time, as a real one would, and a counter for its random part. */
function row(directoryId: string, ms: number, status = 200): ScimRequestRecord {
  return {
    id: idFloor('scim_request', ms).slice(0, -16) + String(++made).padStart(16, '0'),
    directory_id: directoryId,
    method: 'GET',
    path: '/scim/v2/x/Users',
    status,
    duration_ms: 1,
    user_agent: null,
    request_body: null,
    error: null,
    created_at: new Date(ms).toISOString(),
  };
}

async function insert(rows: ScimRequestRecord[]): Promise<number> {
  return db.store.db.transaction().execute((trx) => insertScimRequests(trx, rows));
}

async function idsOf(directoryId: string): Promise<string[]> {
  const rows = await db.store.db.selectFrom('scim_requests').select('id').where('directory_id', '=', directoryId).orderBy('id').execute();
  return rows.map((r) => r.id);
}

const page = { limit: 100, order: 'desc' as const };

describe('scim_requests', () => {
  it('inserts rows of existing directories only, in batches of any size', async () => {
    const dir = await directory();
    const base = Date.now() - 1000;
    const rows = Array.from({ length: 150 }, (_, i) => row(dir, base + i));
    const ghost = row(newId('directory'), base + 500);
    expect(await insert([...rows.slice(0, 75), ghost, ...rows.slice(75)])).toBe(150);
    expect(await idsOf(dir)).toEqual(rows.map((r) => r.id));
    expect(await db.store.db.selectFrom('scim_requests').select('id').where('id', '=', ghost.id).execute()).toEqual([]);
  });

  it('lists newest first, with cursors and a status range', async () => {
    const dir = await directory();
    const base = Date.now() - 1000;
    const rows = [200, 401, 404, 500, 201].map((status, i) => row(dir, base + i, status));
    await insert(rows);
    const newestFirst = [...rows].reverse().map((r) => r.id);
    expect((await listScimRequests(db.store.db, dir, page)).data.map((r) => r.id)).toEqual(newestFirst);
    const first = await listScimRequests(db.store.db, dir, { ...page, limit: 2 });
    expect(first.data.map((r) => r.id)).toEqual(newestFirst.slice(0, 2));
    const second = await listScimRequests(db.store.db, dir, { ...page, limit: 2, after: first.after! });
    expect(second.data.map((r) => r.id)).toEqual(newestFirst.slice(2, 4));
    const back = await listScimRequests(db.store.db, dir, { ...page, limit: 2, before: second.before! });
    expect(back.data.map((r) => r.id)).toEqual(newestFirst.slice(0, 2));
    const errors = await listScimRequests(db.store.db, dir, page, { status: { min: 400, max: 499 } });
    expect(errors.data.map((r) => r.status)).toEqual([404, 401]);
  });

  it('moves last_request_at and last_sync_at forward only', async () => {
    const dir = await directory();
    const t1 = new Date(Date.now() - 2000).toISOString();
    const t2 = new Date(Date.now() - 1000).toISOString();
    await touchDirectories(db.store.db, [{ directory_id: dir, last_request_at: t2 }]);
    expect(await db.store.getDirectory(dir)).toMatchObject({ last_request_at: t2, last_sync_at: null });
    await touchDirectories(db.store.db, [{ directory_id: dir, last_request_at: t1, last_sync_at: t1 }]);
    expect(await db.store.getDirectory(dir)).toMatchObject({ last_request_at: t2, last_sync_at: t1 });
    await touchDirectories(db.store.db, [{ directory_id: dir, last_request_at: t2, last_sync_at: t2 }]);
    expect(await db.store.getDirectory(dir)).toMatchObject({ last_request_at: t2, last_sync_at: t2 });
  });

  it('prunes past retention, then beyond the newest N of each directory', async () => {
    const now = Date.now();
    const [busy, quiet] = [await directory(), await directory()];
    const old = Array.from({ length: 3 }, (_, i) => row(busy, now - 20 * DAY + i));
    const recent = Array.from({ length: 2500 }, (_, i) => row(busy, now - DAY + i));
    const few = Array.from({ length: 4 }, (_, i) => row(quiet, now - DAY + i));
    await insert([...old, ...few]);
    for (let i = 0; i < recent.length; i += 500) await insert(recent.slice(i, i + 500));
    const at = new Date(now).toISOString();
    await touchDirectories(db.store.db, [busy, quiet].map((id) => ({ directory_id: id, last_request_at: at })));

    const pruned = await pruneScimRequests(db.store.db, { retentionDays: 14, maxPerDirectory: 10, at: new Date(now) });
    expect(pruned).toEqual({ expired: 3, excess: 2490 });
    expect(await idsOf(busy)).toEqual(recent.slice(-10).map((r) => r.id));
    expect(await idsOf(quiet)).toEqual(few.map((r) => r.id));
  });

  it('looks only at directories active since a time, when given one', async () => {
    const now = Date.now();
    const dir = await directory();
    const rows = Array.from({ length: 6 }, (_, i) => row(dir, now - 1000 + i));
    await insert(rows);
    await touchDirectories(db.store.db, [{ directory_id: dir, last_request_at: new Date(now - 1000).toISOString() }]);
    const since = new Date(now - 500).toISOString();
    await pruneScimRequests(db.store.db, { retentionDays: 14, maxPerDirectory: 2, activeSince: since });
    expect(await idsOf(dir)).toHaveLength(6);
    await pruneScimRequests(db.store.db, { retentionDays: 14, maxPerDirectory: 2 });
    expect(await idsOf(dir)).toEqual(rows.slice(-2).map((r) => r.id));
  });

  it('goes with its directory', async () => {
    const dir = await directory();
    await insert([row(dir, Date.now())]);
    expect(await idsOf(dir)).toHaveLength(1);
    expect(await db.store.deleteDirectory(dir, (d) => ({ id: d.id }))).toBe(true);
    expect(await idsOf(dir)).toEqual([]);
  });
});

it('a batch of entries of one shape is inserted from its text after the first (its parameters are its values)', async () => {
  const dir = await directory();
  const before = { ...REQUEST_SHAPES.stats };
  const at = Date.now();
  for (let i = 0; i < 3; i++) expect(await insert([row(dir, at + i), row(dir, at + i, 404)])).toBe(2);
  expect(REQUEST_SHAPES.stats.refused).toBe(before.refused);
  expect(REQUEST_SHAPES.stats.templated - before.templated).toBeGreaterThanOrEqual(2);
  expect(await idsOf(dir)).toHaveLength(6);
});
