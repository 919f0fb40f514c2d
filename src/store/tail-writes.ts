/**
 * What a SCIM write defers to the end of its transaction (group-commit.ts says why there): its events, and its
 * changes to its directory's counters. Both touch hot rows, written once per transaction.
 */
import { now } from './codec.ts';
import type { Executor } from './db.ts';
import { appendEvents, type EventStream, type PendingEvent } from './event-log.ts';

export type TailWrite =
  | { kind: 'events'; events: (PendingEvent | EventStream)[] }
  | { kind: 'counts'; directoryId: string; usersActive: number; usersInactive: number; groups: number };

type Counts = { usersActive: number; usersInactive: number; groups: number };

/**
 * Writes the tails of a transaction's writes: the counters once per directory (in id order, so two processes'
 * batches lock them in the same order), then every event, in the writes' order, under one sequence update
 * (`counterInInsert`: PostgreSQL, where the update can be a WITH of the events' insert).
 */
export async function finishWrites(trx: Executor, items: TailWrite[], counterInInsert = false): Promise<void> {
  const counts = new Map<string, Counts>();
  const events: (PendingEvent | EventStream)[] = [];
  for (const item of items) {
    if (item.kind === 'events') for (const e of item.events) events.push(e);
    else addCounts(counts, item);
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
