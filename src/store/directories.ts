import type { AttributeMappingEntry } from '../mapping/types.ts';
/**
 * Directories: their rows, and their lifecycle events (`dsync.activated`, `dsync.deleted`). Deleting a directory
 * cascades to everything in it, with one `dsync.deleted` and no per-user events.
 */
import { sql, type Selectable } from 'kysely';
import { fromJson, now, toJson } from './codec.ts';
import type { DirectoriesTable, Executor } from './db.ts';
import { appendEvents, type PendingEvent } from './event-log.ts';
import { pageById } from './pagination.ts';
import type { DirectoryRecord, DirectoryState, EventData, NewDirectory, Page, PageQuery } from './store.ts';

/** A directories row (joined rows, as when a token authenticates, carry more columns; they are ignored). */
type DirectoryRow = Selectable<DirectoriesTable>;

export interface DirectoryFilter {
  organization_id?: string;
  search?: string;
  domain?: string;
}

export function toDirectory(row: DirectoryRow): DirectoryRecord {
  return {
    id: row.id,
    organization_id: row.organization_id,
    type: row.type,
    name: row.name,
    domain: row.domain ?? null,
    // Written only from DirectoryState values (the column is text on both databases).
    state: row.state as DirectoryState,
    settings: fromJson<Record<string, unknown>>(row.settings),
    users_active: Number(row.users_active),
    users_inactive: Number(row.users_inactive),
    groups_count: Number(row.groups_count),
    linked_at: row.linked_at ?? null,
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_request_at: row.last_request_at ?? null,
    last_sync_at: row.last_sync_at ?? null,
    attribute_mapping: row.attribute_mapping == null ? null : fromJson<AttributeMappingEntry[]>(row.attribute_mapping),
    guard_tripped_at: row.guard_tripped_at ?? null,
    next_sync_at: row.next_sync_at ?? null,
    scim_hidden_users: Number(row.scim_hidden_users ?? 0),
  };
}

/** The `dsync.deleted` of a directory about to go, shown in state `deleting`. */
export function directoryDeleted(dir: DirectoryRecord, eventData: EventData<DirectoryRecord>): PendingEvent {
  return { event: 'dsync.deleted', directory_id: dir.id, organization_id: dir.organization_id, data: eventData({ ...dir, state: 'deleting' }) };
}

/** A new directory starts `unlinked`, empty. */
export async function insertDirectory(trx: Executor, input: NewDirectory, at: string): Promise<void> {
  await trx
    .insertInto('directories')
    .values({
      ...input,
      settings: toJson(input.settings),
      state: 'unlinked',
      users_active: 0,
      users_inactive: 0,
      groups_count: 0,
      linked_at: null,
      last_request_at: null,
      last_sync_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

export async function getDirectory(db: Executor, id: string): Promise<DirectoryRecord | undefined> {
  const row = await db.selectFrom('directories').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toDirectory(row) : undefined;
}

export async function listDirectories(db: Executor, page: PageQuery, filter: DirectoryFilter): Promise<Page<DirectoryRecord>> {
  let q = db.selectFrom('directories').selectAll();
  if (filter.organization_id !== undefined) q = q.where('organization_id', '=', filter.organization_id);
  if (filter.domain !== undefined) q = q.where('domain', '=', filter.domain);
  if (filter.search !== undefined && filter.search !== '') {
    const pattern = likeContains(filter.search.toLowerCase());
    q = q.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
  }
  const result = await pageById(q, 'id', page);
  return { ...result, data: result.data.map(toDirectory) };
}

/** Escapes LIKE wildcards so user text matches literally (with `escape '\'`). */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** True when the directory exists (and was updated). */
export async function updateDirectory(db: Executor, id: string, patch: { name?: string; settings?: Record<string, unknown> }): Promise<boolean> {
  const set: Record<string, unknown> = { updated_at: now() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.settings !== undefined) set.settings = toJson(patch.settings);
  const res = await db.updateTable('directories').set(set).where('id', '=', id).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Deletes the directory with its `dsync.deleted`; false when there is none. The caller holds its lock. */
export async function deleteDirectory(trx: Executor, id: string, eventData: EventData<DirectoryRecord>): Promise<boolean> {
  const row = await trx.selectFrom('directories').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return false;
  await trx.deleteFrom('directories').where('id', '=', id).execute();
  await appendEvents(trx, [directoryDeleted(toDirectory(row), eventData)], now());
  return true;
}

/** Moves an unlinked directory to `linked` with `dsync.activated`; false when it was not unlinked. */
export async function markDirectoryLinked(trx: Executor, id: string, eventData: EventData<DirectoryRecord>, at: string): Promise<boolean> {
  const res = await trx
    .updateTable('directories')
    .set({ state: 'linked', linked_at: at, updated_at: at })
    .where('id', '=', id)
    .where('state', '=', 'unlinked')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return false;
  const dir = toDirectory(await trx.selectFrom('directories').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  await appendEvents(trx, [{ event: 'dsync.activated', directory_id: id, organization_id: dir.organization_id, data: eventData(dir) }], at);
  return true;
}

/** The organization a directory belongs to (inside a write about it, so it exists). */
export async function organizationOf(trx: Executor, directoryId: string): Promise<string> {
  const dir = await trx.selectFrom('directories').select('organization_id').where('id', '=', directoryId).executeTakeFirstOrThrow();
  return dir.organization_id;
}
