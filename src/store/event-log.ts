/**
 * Appending to the event log, inside the transaction of the change the events describe. Sequence numbers come
 * from the single event_counter row, taken as the last step before commit (migration 0002 explains why this
 * makes the order gap-free for readers).
 */
import { newId } from '../ids.ts';
import { chunks } from './chunks.ts';
import type { Json } from '../scim/json.ts';
import { toJson } from './codec.ts';
import type { Executor } from './db.ts';

export const EVENT_TYPES = [
  'dsync.activated',
  'dsync.deleted',
  'dsync.user.created',
  'dsync.user.updated',
  'dsync.user.deleted',
  'dsync.group.created',
  'dsync.group.updated',
  'dsync.group.deleted',
  'dsync.group.user_added',
  'dsync.group.user_removed',
  'dsync.token.created',
  'dsync.token.revoked',
  'dsync.guard.tripped',
  'dsync.guard.released',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface PendingEvent {
  event: EventType;
  directory_id: string | null;
  organization_id: string | null;
  data: Json;
}

export async function appendEvents(db: Executor, events: PendingEvent[], at: string): Promise<void> {
  if (events.length === 0) return;
  const counter = await db
    .updateTable('event_counter')
    .set((eb) => ({ seq: eb('seq', '+', events.length) }))
    .where('id', '=', 1)
    .returning('seq')
    .executeTakeFirstOrThrow();
  const first = Number(counter.seq) - events.length + 1;
  const rows = events.map((e, i) => ({
    seq: first + i,
    id: newId('event'),
    directory_id: e.directory_id,
    organization_id: e.organization_id,
    event: e.event,
    data: toJson(e.data),
    created_at: at,
  }));
  for (const chunk of chunks(rows, 500)) await db.insertInto('events').values(chunk).execute();
}
