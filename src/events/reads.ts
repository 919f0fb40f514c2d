/** Reading the event log: the Events API's cursor pages, one event for a webhook, and retention pruning. */
import type { Selectable } from 'kysely';
import { fromJson, now } from '../store/codec.ts';
import type { EventsTable, Executor } from '../store/db.ts';

/** An event row with its data decoded. */
export type EventRecord = Omit<Selectable<EventsTable>, 'data'> & { data: Record<string, unknown> };

const toRecord = (row: Selectable<EventsTable>): EventRecord => ({ ...row, seq: Number(row.seq), data: fromJson<Record<string, unknown>>(row.data) });

/** An event as the Events API lists it and a webhook delivers it (its body, in this key order). */
export function eventObject(e: Pick<EventRecord, 'id' | 'event' | 'data' | 'created_at'>) {
  return { object: 'event' as const, id: e.id, event: e.event, data: e.data, created_at: e.created_at };
}

export interface EventQuery {
  events?: string[];
  organizationId?: string;
  directoryId?: string;
  /** Only events after this sequence number (exclusive), or before it when descending. */
  afterSeq?: number;
  rangeStart?: string;
  rangeEnd?: string;
  limit: number;
  order: 'asc' | 'desc';
}

export async function readEvents(db: Executor, q: EventQuery): Promise<EventRecord[]> {
  let query = db.selectFrom('events').selectAll();
  if (q.events && q.events.length > 0) query = query.where('event', 'in', q.events);
  if (q.organizationId !== undefined) query = query.where('organization_id', '=', q.organizationId);
  if (q.directoryId !== undefined) query = query.where('directory_id', '=', q.directoryId);
  if (q.afterSeq !== undefined) query = query.where('seq', q.order === 'asc' ? '>' : '<', q.afterSeq);
  if (q.rangeStart !== undefined) query = query.where('created_at', '>=', q.rangeStart);
  if (q.rangeEnd !== undefined) query = query.where('created_at', '<', q.rangeEnd);
  const rows = await query.orderBy('seq', q.order).limit(q.limit).execute();
  return rows.map(toRecord);
}

export async function readEvent(db: Executor, id: string): Promise<EventRecord | undefined> {
  const row = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** The sequence number of a cursor event, from the log or from the tombstone its pruning left. */
export async function cursorSeq(db: Executor, eventId: string): Promise<number | undefined> {
  const live = await db.selectFrom('events').select('seq').where('id', '=', eventId).executeTakeFirst();
  if (live) return Number(live.seq);
  const tomb = await db.selectFrom('event_tombstones').select('seq').where('id', '=', eventId).executeTakeFirst();
  return tomb ? Number(tomb.seq) : undefined;
}

/** What pruning needs of the store: short write transactions of its own. */
export interface PruneTarget {
  transaction<T>(fn: (trx: Executor) => Promise<T>): Promise<T>;
}

/** Events (and tombstones) pruned per transaction. */
export const PRUNE_CHUNK = 500;

/**
 * Deletes events older than the retention period. Each leaves a tombstone (id → seq), kept for another
 * period, so a reader whose cursor was just pruned resumes where it was instead of failing.
 *
 * In chunks of PRUNE_CHUNK, oldest first, each its own short transaction: a first prune of a large log never
 * holds it in memory, nor locks the log (or, on SQLite, the database) for longer than one chunk, so SCIM writes
 * go on between chunks. A reader sees the log lose its oldest events a chunk at a time, never a hole.
 */
export async function pruneEvents(store: PruneTarget, retentionDays: number, at = new Date()): Promise<number> {
  const cutoff = new Date(at.getTime() - retentionDays * 86_400_000).toISOString();
  const tombCutoff = new Date(at.getTime() - 2 * retentionDays * 86_400_000).toISOString();
  const prunedAt = now();
  let pruned = 0;
  for (let after = 0; ; ) {
    const count = await store.transaction(async (trx) => {
      const chunk = await trx.selectFrom('events').select(['id', 'seq']).where('seq', '>', after).where('created_at', '<', cutoff).orderBy('seq').limit(PRUNE_CHUNK).execute();
      if (chunk.length === 0) return 0;
      await trx.insertInto('event_tombstones').values(chunk.map((e) => ({ id: e.id, seq: Number(e.seq), pruned_at: prunedAt }))).onConflict((oc) => oc.column('id').doNothing()).execute();
      await trx.deleteFrom('events').where('id', 'in', chunk.map((e) => e.id)).execute();
      after = Number(chunk[chunk.length - 1]!.seq);
      return chunk.length;
    });
    pruned += count;
    if (count < PRUNE_CHUNK) break;
  }
  // Tombstones past their own period, in chunks too.
  for (;;) {
    const count = await store.transaction(async (trx) => {
      const ids = await trx.selectFrom('event_tombstones').select('id').where('pruned_at', '<', tombCutoff).limit(PRUNE_CHUNK * 2).execute();
      if (ids.length > 0) await trx.deleteFrom('event_tombstones').where('id', 'in', ids.map((t) => t.id)).execute();
      return ids.length;
    });
    if (count < PRUNE_CHUNK * 2) break;
  }
  return pruned;
}
