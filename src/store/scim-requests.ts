/**
 * The SCIM request log's rows: batched inserts (only for directories that still exist), the directories'
 * `last_request_at` / `last_sync_at`, newest-first pages, and pruning by age and by a per-directory bound.
 */
import { rowsShape, WriteShapes } from './scim/write-shapes.ts';
import type { Selectable } from 'kysely';
import { idFloor } from '../ids.ts';
import type { Executor, ScimRequestsTable } from './db.ts';
import { pageById } from './pagination.ts';
import type { Page, PageQuery } from './store.ts';

export type ScimRequestRecord = Selectable<ScimRequestsTable>;

/** Inclusive bounds on the status code (`4xx` is 400–499). */
export interface StatusRange {
  min: number;
  max: number;
}

/** What one flush changes on a directory: its last request, and its last successful write if there was one. */
export interface DirectoryTouch {
  directory_id: string;
  last_request_at: string;
  last_sync_at?: string;
}

/**
 * Statement sizes for batched work. SQLite caches prepared statements by SQL text (sqlite-dialect.ts), so a
 * batch is cut into pieces of these sizes only: three statement texts, however large the batch.
 */
const PIECES = [64, 8, 1];
/** Directory ids looked up per statement; a short last group repeats its last id, for one statement text. */
const LOOKUP = 16;
/** Rows deleted per statement when pruning: each delete is short, so writers never wait long behind it. */
const DELETE_CHUNK = 2000;

function pieces<T>(items: T[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of PIECES) {
    for (; items.length - at >= size; at += size) out.push(items.slice(at, at + size));
  }
  return out;
}

function padded(ids: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += LOOKUP) {
    const group = ids.slice(i, i + LOOKUP);
    while (group.length < LOOKUP) group.push(group[group.length - 1]!);
    out.push(group);
  }
  return out;
}

async function existingDirectories(db: Executor, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const group of padded(ids)) {
    for (const row of await db.selectFrom('directories').select('id').where('id', 'in', group).execute()) found.add(row.id);
  }
  return found;
}

/** The log's inserts by shape (write-shapes.ts): a batch of n entries is the same statement each time. */
export const REQUEST_SHAPES = new WriteShapes();

/**
 * Inserts the rows whose directory exists; the others (a 401 for an unknown id, a directory deleted since) are
 * skipped. Returns the number inserted. Run it in a transaction, so the lookup and the inserts agree.
 */
export async function insertScimRequests(trx: Executor, rows: ScimRequestRecord[]): Promise<number> {
  if (rows.length === 0) return 0;
  const existing = await existingDirectories(trx, [...new Set(rows.map((r) => r.directory_id))]);
  const kept = rows.filter((r) => existing.has(r.directory_id));
  for (const piece of pieces(kept)) {
    const build = () => trx.insertInto('scim_requests').values(piece);
    const shape = rowsShape(piece as unknown as Record<string, unknown>[]);
    if (!shape) await build().execute();
    else await REQUEST_SHAPES.run(trx, `scim_requests:${shape.shape}`, shape.values, build);
  }
  return kept.length;
}

/**
 * Moves each directory's times forward (never back: flushes from several processes may land out of order).
 * One statement per time, each its own transaction: a single-row update holds its row lock only for itself,
 * so it cannot deadlock with a SCIM write transaction that updates the same directories' counters.
 */
export async function touchDirectories(db: Executor, touches: DirectoryTouch[]): Promise<void> {
  for (const touch of touches) {
    for (const column of ['last_request_at', 'last_sync_at'] as const) {
      const at = touch[column];
      if (at === undefined) continue;
      await db
        .updateTable('directories')
        .set({ [column]: at })
        .where('id', '=', touch.directory_id)
        .where((eb) => eb.or([eb(column, 'is', null), eb(column, '<', at)]))
        .execute();
    }
  }
}

/** A directory's requests, newest first (`order` is ignored), optionally only those whose status is in `status`. */
export function listScimRequests(db: Executor, directoryId: string, page: PageQuery, filter: { status?: StatusRange } = {}): Promise<Page<ScimRequestRecord>> {
  let q = db.selectFrom('scim_requests').selectAll().where('directory_id', '=', directoryId);
  if (filter.status) q = q.where('status', '>=', filter.status.min).where('status', '<=', filter.status.max);
  return pageById(q, 'id', { ...page, order: 'desc', reverseCursors: false });
}

export interface PruneOptions {
  retentionDays: number;
  maxPerDirectory: number;
  /**
   * Only directories with a request at or after this time can have grown past the bound since the last prune;
   * the others are not looked at. Absent: every directory that ever had a request.
   */
  activeSince?: string;
  at?: Date;
}

/** Deletes rows past retention, then all but the newest `maxPerDirectory` of each directory. */
export async function pruneScimRequests(db: Executor, options: PruneOptions): Promise<{ expired: number; excess: number }> {
  const at = options.at ?? new Date();
  const floor = idFloor('scim_request', at.getTime() - options.retentionDays * 86_400_000);
  const expired = await deleteInChunks(db, undefined, floor);
  let excess = 0;
  for (const directoryId of await activeDirectories(db, options.activeSince)) {
    const cutoff = await nthNewest(db, directoryId, options.maxPerDirectory);
    if (cutoff !== undefined) excess += await deleteInChunks(db, directoryId, cutoff);
  }
  return { expired, excess };
}

async function activeDirectories(db: Executor, since: string | undefined): Promise<string[]> {
  let q = db.selectFrom('directories').select('id').where('last_request_at', 'is not', null);
  if (since !== undefined) q = q.where('last_request_at', '>=', since);
  return (await q.execute()).map((r) => r.id);
}

/** The id of the directory's `n`th newest request (a walk of `n` index entries), if it has that many. */
async function nthNewest(db: Executor, directoryId: string, n: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('scim_requests')
    .select('id')
    .where('directory_id', '=', directoryId)
    .orderBy('id', 'desc')
    .limit(1)
    .offset(n - 1)
    .executeTakeFirst();
  return row?.id;
}

/** Deletes the rows with an id below `below` (of one directory, or of all), a chunk per statement. */
async function deleteInChunks(db: Executor, directoryId: string | undefined, below: string): Promise<number> {
  let total = 0;
  for (;;) {
    let chunk = db.selectFrom('scim_requests').select('id').where('id', '<', below);
    if (directoryId !== undefined) chunk = chunk.where('directory_id', '=', directoryId);
    const res = await db.deleteFrom('scim_requests').where('id', 'in', chunk.orderBy('id').limit(DELETE_CHUNK)).executeTakeFirst();
    const n = Number(res.numDeletedRows);
    total += n;
    if (n < DELETE_CHUNK) return total;
  }
}
