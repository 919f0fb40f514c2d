/**
 * Rows of pulled directories (migration 0009): their encrypted credentials, their sync history and lease, and
 * the deprovision guard's held changes.
 */
import { chunks } from './chunks.ts';
import { fromJson, toJson } from './codec.ts';
import type { Executor } from './db.ts';
import { pageById } from './pagination.ts';
import type { Page, PageQuery } from './store.ts';

export type SyncState = 'queued' | 'running' | 'succeeded' | 'failed' | 'held';

export interface SyncCounts {
  users_created: number;
  users_updated: number;
  users_deactivated: number;
  users_deleted: number;
  groups_created: number;
  groups_updated: number;
  groups_deleted: number;
  memberships_added: number;
  memberships_removed: number;
}

export const NO_COUNTS: SyncCounts = {
  users_created: 0,
  users_updated: 0,
  users_deactivated: 0,
  users_deleted: 0,
  groups_created: 0,
  groups_updated: 0,
  groups_deleted: 0,
  memberships_added: 0,
  memberships_removed: 0,
};

export interface SyncRecord {
  id: string;
  directory_id: string;
  state: SyncState;
  trigger: 'schedule' | 'manual';
  counts: SyncCounts;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface HeldChange {
  seq: number;
  directory_id: string;
  user_id: string;
  kind: 'deactivate' | 'delete';
  resource: Record<string, unknown> | null;
  created_at: string;
}

// ── Credentials ────────────────────────────────────────────────────────────

export async function getConnection(db: Executor, directoryId: string): Promise<{ ciphertext: string; updated_at: string } | undefined> {
  return db.selectFrom('directory_connections').select(['ciphertext', 'updated_at']).where('directory_id', '=', directoryId).executeTakeFirst();
}

export async function setConnection(db: Executor, directoryId: string, ciphertext: string, at: string): Promise<void> {
  await db
    .insertInto('directory_connections')
    .values({ directory_id: directoryId, ciphertext, updated_at: at })
    .onConflict((oc) => oc.column('directory_id').doUpdateSet({ ciphertext, updated_at: at }))
    .execute();
}

// ── Syncs ─────────────────────────────────────────────────────────────────

const toSync = (r: Record<string, unknown>): SyncRecord => ({
  id: r.id as string,
  directory_id: r.directory_id as string,
  state: r.state as SyncState,
  trigger: r.trigger as 'schedule' | 'manual',
  counts: { ...NO_COUNTS, ...fromJson<Partial<SyncCounts>>(r.counts) },
  error: (r.error as string | null) ?? null,
  created_at: r.created_at as string,
  started_at: (r.started_at as string | null) ?? null,
  finished_at: (r.finished_at as string | null) ?? null,
});

export async function insertSync(db: Executor, sync: SyncRecord): Promise<void> {
  await db
    .insertInto('directory_syncs')
    .values({ ...sync, counts: toJson(sync.counts) })
    .execute();
}

export async function updateSync(db: Executor, id: string, patch: Partial<Pick<SyncRecord, 'state' | 'counts' | 'error' | 'started_at' | 'finished_at'>>): Promise<void> {
  const { counts, ...rest } = patch;
  await db
    .updateTable('directory_syncs')
    .set({ ...rest, ...(counts ? { counts: toJson(counts) } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function getSync(db: Executor, id: string): Promise<SyncRecord | undefined> {
  const row = await db.selectFrom('directory_syncs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSync(row) : undefined;
}

export async function listSyncs(db: Executor, directoryId: string, page: PageQuery): Promise<Page<SyncRecord>> {
  const found = await pageById(db.selectFrom('directory_syncs').selectAll().where('directory_id', '=', directoryId), 'id', page);
  return { ...found, data: found.data.map((r) => toSync(r as Record<string, unknown>)) };
}

/** The oldest queued sync of the directory, if any. */
export async function queuedSync(db: Executor, directoryId: string): Promise<SyncRecord | undefined> {
  const row = await db
    .selectFrom('directory_syncs')
    .selectAll()
    .where('directory_id', '=', directoryId)
    .where('state', '=', 'queued')
    .orderBy('id')
    .executeTakeFirst();
  return row ? toSync(row) : undefined;
}

/** Pulled directories with a queued sync or whose next scheduled sync is due. */
export async function dueDirectories(db: Executor, types: readonly string[], at: string, limit: number): Promise<string[]> {
  const queued = db.selectFrom('directory_syncs').select('directory_id').where('state', '=', 'queued');
  const rows = await db
    .selectFrom('directories')
    .select('id')
    .where('type', 'in', [...types])
    .where('state', '<>', 'deleting')
    // Without a connection there is nothing to pull: the directory waits for its PUT /connection.
    .where('id', 'in', db.selectFrom('directory_connections').select('directory_id'))
    .where((eb) => eb.or([eb('id', 'in', queued), eb('next_sync_at', '<=', at), eb('next_sync_at', 'is', null)]))
    .where((eb) => eb.or([eb('sync_lease_until', 'is', null), eb('sync_lease_until', '<', at)]))
    .orderBy('next_sync_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Takes the directory's sync lease until `until`, unless another process holds it; true when taken. */
export async function leaseSync(db: Executor, directoryId: string, at: string, until: string): Promise<boolean> {
  const rows = await db
    .updateTable('directories')
    .set({ sync_lease_until: until })
    .where('id', '=', directoryId)
    .where((eb) => eb.or([eb('sync_lease_until', 'is', null), eb('sync_lease_until', '<', at)]))
    .returning('id')
    .execute();
  return rows.length > 0;
}

/** Extends a held lease (a long sync's heartbeat). */
export async function renewSync(db: Executor, directoryId: string, until: string): Promise<void> {
  await db.updateTable('directories').set({ sync_lease_until: until }).where('id', '=', directoryId).where('sync_lease_until', 'is not', null).execute();
}

export async function releaseSync(db: Executor, directoryId: string, nextSyncAt: string): Promise<void> {
  await db.updateTable('directories').set({ sync_lease_until: null, next_sync_at: nextSyncAt }).where('id', '=', directoryId).execute();
}

export async function setDirectoryState(db: Executor, directoryId: string, state: string, at: string): Promise<void> {
  await db.updateTable('directories').set({ state, updated_at: at }).where('id', '=', directoryId).where('state', '<>', 'deleting').execute();
}

// ── The deprovision guard ───────────────────────────────────────────────────

export async function holdChanges(db: Executor, directoryId: string, changes: Omit<HeldChange, 'seq' | 'directory_id'>[]): Promise<void> {
  for (const chunk of chunks(changes, 500)) {
    await db
      .insertInto('guard_held_changes')
      .values(chunk.map((c) => ({ directory_id: directoryId, user_id: c.user_id, kind: c.kind, resource: c.resource === null ? null : toJson(c.resource), created_at: c.created_at })))
      .execute();
  }
}

/** The held changes in the order they came (the first `limit`, when given). */
export async function heldChanges(db: Executor, directoryId: string, limit?: number): Promise<HeldChange[]> {
  let q = db.selectFrom('guard_held_changes').selectAll().where('directory_id', '=', directoryId).orderBy('seq');
  if (limit !== undefined) q = q.limit(limit);
  const rows = await q.execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    directory_id: r.directory_id,
    user_id: r.user_id,
    kind: r.kind as 'deactivate' | 'delete',
    resource: r.resource == null ? null : fromJson<Record<string, unknown>>(r.resource),
    created_at: r.created_at,
  }));
}

export async function heldCount(db: Executor, directoryId: string): Promise<number> {
  const row = await db
    .selectFrom('guard_held_changes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('directory_id', '=', directoryId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function clearHeld(db: Executor, directoryId: string): Promise<void> {
  await db.deleteFrom('guard_held_changes').where('directory_id', '=', directoryId).execute();
}

export async function setGuardTripped(db: Executor, directoryId: string, at: string | null): Promise<void> {
  await db.updateTable('directories').set({ guard_tripped_at: at }).where('id', '=', directoryId).execute();
}
