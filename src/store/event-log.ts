/**
 * Appending to the event log, inside the transaction of the change the events describe. Sequence numbers come
 * from the single event_counter row, taken as the last step before commit (migration 0002 explains why this
 * makes the order gap-free for readers).
 */
import { newId } from '../ids.ts';
import { sql } from 'kysely';
import { chunks } from './chunks.ts';
import { rowsShape, WriteShapes } from './scim/write-shapes.ts';
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

/**
 * Events made a chunk at a time while they are written, so that a write of 100,000 membership events never holds
 * them all: `count` is how many it makes (their sequence numbers are taken before it runs), `chunks` makes them.
 */
export interface EventStream {
  count: number;
  chunks(): AsyncIterable<PendingEvent[]>;
}

/** The events' inserts by shape (write-shapes.ts): a batch's n events are the same statement each time. */
export const EVENT_SHAPES = new WriteShapes();

/** Rows per insert statement (7 parameters each). */
const INSERT_CHUNK = 100;

const isStream = (e: PendingEvent | EventStream): e is EventStream => 'chunks' in e;

/**
 * Appends events, in order, under one update of the sequence counter. Streams are drawn one chunk at a time, each
 * chunk written before the next is made. A stream that makes a number of events other than its count would
 * leave a gap or a clash in the order: that fails the transaction.
 */
export async function appendEvents(db: Executor, events: (PendingEvent | EventStream)[], at: string, counterInInsert = false): Promise<void> {
  const total = events.reduce((n, e) => n + (isStream(e) ? e.count : 1), 0);
  if (total === 0) return;
  if (counterInInsert && total <= INSERT_CHUNK && !events.some(isStream)) return appendWithCounter(db, events as PendingEvent[], at);
  const counter = await db
    .updateTable('event_counter')
    .set((eb) => ({ seq: eb('seq', '+', total) }))
    .where('id', '=', 1)
    .returning('seq')
    .executeTakeFirstOrThrow();
  let seq = Number(counter.seq) - total + 1;
  let batch: PendingEvent[] = [];
  const write = async () => {
    for (const chunk of chunks(batch, INSERT_CHUNK)) {
      const rows = chunk.map((e) => row(e, seq++, at));
      const build = () => db.insertInto('events').values(rows);
      const shape = rowsShape(rows);
      if (!shape) await build().execute();
      else await EVENT_SHAPES.run(db, `events:${shape.shape}`, shape.values, build);
    }
    batch = [];
  };
  for (const e of events) {
    if (!isStream(e)) {
      batch.push(e);
      continue;
    }
    let made = 0;
    for await (const chunk of e.chunks()) {
      made += chunk.length;
      batch.push(...chunk);
      if (batch.length >= INSERT_CHUNK) await write();
    }
    if (made !== e.count) throw new Error(`an event stream made ${made} events where it promised ${e.count}`);
  }
  await write();
}

/**
 * A few events in one statement on PostgreSQL: the counter's update as a WITH, each row's seq read from it (a
 * data-modifying WITH runs once, however often it is read). Group commit's batches end with this, so it is one
 * round trip fewer in every batch.
 */
async function appendWithCounter(db: Executor, events: PendingEvent[], at: string): Promise<void> {
  const last = events.length - 1;
  const rows = events.map((e) => row(e, 0, at));
  const build = () =>
    db
      .with('counter', (qb) => qb.updateTable('event_counter').set((eb) => ({ seq: eb('seq', '+', events.length) })).where('id', '=', 1).returning('seq'))
      .insertInto('events')
      .values(rows.map((r, i) => ({ ...r, seq: sql<number>`(select seq from counter) - ${sql.lit(last - i)}` })));
  // Its parameters: the counter's increment and id, then each row's values but its seq (a literal expression).
  const shape = rowsShape(rows.map(({ seq: _, ...r }) => r));
  if (!shape) await build().execute();
  else await EVENT_SHAPES.run(db, `eventsWithCounter:${shape.shape}`, [events.length, 1, ...shape.values], build);
}

function row(e: PendingEvent, seq: number, at: string) {
  return { seq, id: newId('event'), directory_id: e.directory_id, organization_id: e.organization_id, event: e.event, data: toJson(e.data), created_at: at };
}
