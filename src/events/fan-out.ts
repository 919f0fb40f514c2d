/**
 * Fan-out: events past the fan-out cursor become one delivery per subscribed, enabled endpoint, and their
 * queues are marked due. The cursor row is locked (on PostgreSQL) for the whole step, so concurrent workers
 * fan each event out exactly once.
 */
import type { Insertable } from 'kysely';
import { newId } from '../ids.ts';
import { chunks } from '../store/chunks.ts';
import { now } from '../store/codec.ts';
import type { Executor, WebhookDeliveriesTable } from '../store/db.ts';
import { keyOf, markDue, queueOf, type DispatchStore, type QueueKey } from './queues.ts';
import { enabledEndpoints } from './webhooks-store.ts';

/** Events turned into deliveries per transaction. */
export const BATCH_EVENTS = 500;
/** Deliveries per INSERT statement. */
const INSERT_CHUNK = 200;

/** Turns up to 500 new events into deliveries, and marks their queues due; returns how many events it consumed. */
export async function fanOutEvents(store: DispatchStore): Promise<number> {
  // Most wake-ups find nothing new (another process fanned out first, or a poll): a read says so in one round
  // trip, without the transaction and the cursor's lock.
  if (!(await hasNewEvents(store.db))) return 0;
  // Not store.transaction: that tells commit listeners (this dispatcher), which would wake it forever.
  return store.db.transaction().execute(async (db) => {
    const cursor = await lockCursor(db, store.dialect);
    const events = await db.selectFrom('events').select(['seq', 'id', 'event', 'directory_id']).where('seq', '>', cursor).orderBy('seq').limit(BATCH_EVENTS).execute();
    if (events.length === 0) return 0;
    const endpoints = await enabledEndpoints(db);
    const at = now();
    const rows = events.flatMap((e) => endpoints.filter((we) => we.events.includes(e.event)).map((we) => newDelivery(we.id, e, at)));
    for (const chunk of chunks(rows, INSERT_CHUNK)) await db.insertInto('webhook_deliveries').values(chunk).execute();
    await markDue(db, queuesOf(rows), at);
    await db.updateTable('dispatch_state').set({ fanout_seq: Number(events[events.length - 1]!.seq) }).where('id', '=', 1).execute();
    return events.length;
  });
}

function hasNewEvents(db: Executor): Promise<boolean> {
  return db
    .selectFrom('events')
    .select('seq')
    .where('seq', '>', (eb) => eb.selectFrom('dispatch_state').select('fanout_seq').where('id', '=', 1))
    .limit(1)
    .executeTakeFirst()
    .then((row) => row !== undefined);
}

/** The last event fanned out, its row locked on PostgreSQL until the transaction ends. */
async function lockCursor(db: Executor, dialect: DispatchStore['dialect']): Promise<number> {
  let state = db.selectFrom('dispatch_state').select('fanout_seq').where('id', '=', 1);
  if (dialect === 'postgres') state = state.forUpdate();
  return Number((await state.executeTakeFirstOrThrow()).fanout_seq);
}

type NewDelivery = Insertable<WebhookDeliveriesTable>;

function newDelivery(endpointId: string, event: { id: string; seq: number; directory_id: string | null }, at: string): NewDelivery {
  return {
    id: newId('webhook_delivery'),
    endpoint_id: endpointId,
    event_id: event.id,
    event_seq: Number(event.seq),
    directory_id: event.directory_id,
    state: 'pending',
    attempt_count: 0,
    next_attempt_at: at,
    last_attempt_at: null,
    last_status: null,
    last_error: null,
    locked_until: null,
    first_attempt_at: null,
    created_at: at,
    updated_at: at,
  };
}

/** The queues the deliveries go to, each once. */
function queuesOf(rows: NewDelivery[]): QueueKey[] {
  const queues = new Map<string, QueueKey>();
  for (const r of rows) {
    const queue = queueOf(r.endpoint_id, r.directory_id ?? null);
    if (!queues.has(keyOf(queue))) queues.set(keyOf(queue), queue);
  }
  return [...queues.values()];
}
