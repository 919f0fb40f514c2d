/**
 * What a SCIM write defers to the end of its transaction (group-commit.ts says why there): its events, and its
 * changes to its directory's counters. Both touch hot rows, written once per transaction. On PostgreSQL also a
 * user's update that cannot fail on a unique key: the batch's updates then cost one round trip, not one each.
 */
import { CompiledQuery } from 'kysely';
import { now } from './codec.ts';
import type { Executor } from './db.ts';
import { appendEvents, type EventStream, type PendingEvent } from './event-log.ts';

/**
 * A user's update, deferred (PostgreSQL): the row was locked when the write read it, and neither its userName
 * nor its externalId changes (other writes of the batch look users up by those), so writing it later changes
 * nothing any write between sees, except that user (see GroupCommit's `settle`).
 */
export interface DeferredUserUpdate {
  id: string;
  directory_id: string;
  active: number;
  app_active: number | null;
  version: number;
  /** Objects, not JSON text: the batch's updates travel as one JSON parameter. */
  resource: unknown;
  updated_at: string;
  mapped: unknown;
  role_slugs: unknown;
  mapped_fingerprint: string | null;
  warning_count: number;
}

export type TailWrite =
  | { kind: 'events'; events: (PendingEvent | EventStream)[] }
  | { kind: 'counts'; directoryId: string; usersActive: number; usersInactive: number; groups: number }
  | { kind: 'user'; update: DeferredUserUpdate };

/**
 * Every deferred user update in one statement. One text for any number of rows, so PostgreSQL keeps it
 * prepared; a JSON null reads as SQL NULL. The rows are already locked by the writes that read them, so the
 * statement waits for no lock and adds none to a deadlock.
 */
const UPDATE_USERS = `update directory_users as u set active = v.active, app_active = v.app_active, version = v.version, resource = v.resource,
 updated_at = v.updated_at, mapped = v.mapped, role_slugs = v.role_slugs, mapped_fingerprint = v.mapped_fingerprint, warning_count = v.warning_count
 from jsonb_to_recordset($1::jsonb) as v(id text, directory_id text, active integer, app_active integer, version integer, resource jsonb,
 updated_at timestamptz, mapped jsonb, role_slugs jsonb, mapped_fingerprint text, warning_count integer)
 where u.id = v.id and u.directory_id = v.directory_id`;

/** Deferred user updates written, and the statements that wrote them (a store's running totals, for metrics). */
export interface DeferredUpdateStats {
  rows: number;
  statements: number;
}

/**
 * Writes the deferred user updates among `items` now (each user's last), and returns the other items, in order.
 * Throws if a row is missing: its write read it locked, so that is a broken invariant, not a race.
 */
export async function settleUserUpdates(trx: Executor, items: TailWrite[], stats?: DeferredUpdateStats): Promise<TailWrite[]> {
  if (!items.some((i) => i.kind === 'user')) return items;
  const updates = new Map<string, DeferredUserUpdate>();
  const rest: TailWrite[] = [];
  for (const item of items) {
    if (item.kind === 'user') updates.set(item.update.id, item.update);
    else rest.push(item);
  }
  const result = await trx.executeQuery(CompiledQuery.raw(UPDATE_USERS, [JSON.stringify([...updates.values()])]));
  if (Number(result.numAffectedRows ?? -1) !== updates.size) throw new Error(`Deferred user updates: ${updates.size} rows, ${String(result.numAffectedRows)} updated.`);
  if (stats) {
    stats.rows += updates.size;
    stats.statements += 1;
  }
  return rest;
}

type Counts = { usersActive: number; usersInactive: number; groups: number };

/**
 * Writes the tails of a transaction's writes: the deferred user updates, the counters once per directory (in id order, so two processes'
 * batches lock them in the same order), then every event, in the writes' order, under one sequence update
 * (`counterInInsert`: PostgreSQL, where the update can be a WITH of the events' insert).
 */
export async function finishWrites(trx: Executor, items: TailWrite[], counterInInsert = false, stats?: DeferredUpdateStats): Promise<void> {
  const counts = new Map<string, Counts>();
  const events: (PendingEvent | EventStream)[] = [];
  for (const item of await settleUserUpdates(trx, items, stats)) {
    if (item.kind === 'events') for (const e of item.events) events.push(e);
    else if (item.kind === 'counts') addCounts(counts, item);
  }
  for (const [id, change] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) await updateCounts(trx, id, change);
  await appendEvents(trx, events, now(), counterInInsert);
}

function addCounts(counts: Map<string, Counts>, item: Extract<TailWrite, { kind: 'counts' }>): void {
  const sum = counts.get(item.directoryId) ?? { usersActive: 0, usersInactive: 0, groups: 0 };
  sum.usersActive += item.usersActive;
  sum.usersInactive += item.usersInactive;
  sum.groups += item.groups;
  counts.set(item.directoryId, sum);
}

async function updateCounts(trx: Executor, directoryId: string, change: Counts): Promise<void> {
  if (change.usersActive === 0 && change.usersInactive === 0 && change.groups === 0) return;
  await trx
    .updateTable('directories')
    .set((eb) => ({
      users_active: eb('users_active', '+', change.usersActive),
      users_inactive: eb('users_inactive', '+', change.usersInactive),
      groups_count: eb('groups_count', '+', change.groups),
    }))
    .where('id', '=', directoryId)
    .execute();
}
