/**
 * Fan-out: events past the fan-out cursor become one delivery per subscribed, enabled endpoint, and their
 * queues are marked due. The cursor row is locked (on PostgreSQL) for the whole step, so concurrent workers
 * fan each event out exactly once. On PostgreSQL a fan-out of a few events is eight round trips: the check for new
 * events, then BEGIN, events (locking the cursor), endpoints, idle queues (locked), deliveries (moving the
 * cursor), queues, COMMIT.
 */
import type { Insertable, QueryCreator } from 'kysely';
import { newId } from '../ids.ts';
import { chunks } from '../store/chunks.ts';
import { fromJson, now } from '../store/codec.ts';
import type { Database, Executor, WebhookDeliveriesTable } from '../store/db.ts';
import { idleQueues, type Job } from './claims.ts';
import { keyOf, markDue, queueOf, type DispatchStore, type Head, type QueueKey } from './queues.ts';
import { LEASE_MS, leaseUntil } from './retry-policy.ts';
import { enabledEndpoints } from './webhooks-store.ts';

/** Events turned into deliveries per transaction. */
export const BATCH_EVENTS = 500;
/** Deliveries per INSERT statement. */
const INSERT_CHUNK = 200;

export interface FannedOut {
  /** Events consumed (fewer than BATCH_EVENTS: every one there was). */
  events: number;
  /** Heads claimed on the way: the first new delivery of each idle queue, up to the limit asked for. */
  jobs: Job[];
}

/**
 * Turns up to 500 new events into deliveries, and marks their queues due. With `claimLimit`, it also claims the
 * first new delivery of each queue that was empty and held by no one (up to that many), in the same
 * transaction: a write waiting for its webhook then costs no separate claim.
 */
export async function fanOutEvents(store: DispatchStore, claimLimit = 0, leaseMs = LEASE_MS): Promise<FannedOut> {
  // Most wake-ups find nothing new (another process fanned out first, or a poll): a read says so in one round
  // trip, without the transaction and the cursor's lock.
  if (!(await hasNewEvents(store.db))) return { events: 0, jobs: [] };
  // Not store.transaction: that tells commit listeners (this dispatcher), which would wake it forever.
  return store.db.transaction().execute(async (db) => {
    const claiming = claimLimit > 0;
    const events = await newEvents(db, store.dialect, claiming);
    if (events.length === 0) return { events: 0, jobs: [] };
    const endpoints = claiming ? await endpointsForSending(db) : await enabledEndpoints(db);
    const at = now();
    const rows = events.flatMap((e) => endpoints.filter((we) => we.events.includes(e.event)).map((we) => newDelivery(we.id, e, at)));
    // The queues that are idle are locked before the deliveries go in, so that each one's first new delivery is
    // written already claimed ('sending', leased): no second statement to mark it.
    const queues = queuesOf(rows);
    const idle = await idleQueues(db, store.dialect, queues, claimLimit, at);
    const lease = leaseUntil(leaseMs);
    const heads = firstOfEach(rows, idle);
    for (const head of heads) Object.assign(head, { state: 'sending', locked_until: lease });
    await insertDeliveries(db, store.dialect, rows, Number(events[events.length - 1]!.seq));
    await markDue(db, queues, at, new Map([...idle].map((key) => [key, lease])));
    const eventsById = new Map(events.map((e) => [e.id, e]));
    const endpointsById = new Map(endpoints.map((we) => [we.id, we]));
    return { events: events.length, jobs: heads.map((head) => jobOf(head, eventsById.get(head.event_id)!, endpointsById.get(head.endpoint_id) as EndpointForSending, lease, at)) };
  });
}

/**
 * The events past the fan-out cursor (up to BATCH_EVENTS), the cursor's row locked on PostgreSQL until the
 * transaction ends: one statement, the lock taken by the subquery (after waiting for it, PostgreSQL reads the
 * row's latest cursor).
 */
function newEvents(db: Executor, dialect: DispatchStore['dialect'], withData: boolean) {
  return db
    .selectFrom('events')
    .select(['seq', 'id', 'event', 'directory_id'])
    .$if(withData, (qb) => qb.select(['data', 'created_at']))
    .where('seq', '>', (eb) => {
      const cursor = eb.selectFrom('dispatch_state').select('fanout_seq').where('id', '=', 1);
      return dialect === 'postgres' ? cursor.forUpdate() : cursor;
    })
    .orderBy('seq')
    .limit(BATCH_EVENTS)
    .execute();
}

/** Writes the deliveries and moves the cursor to `seq`; on PostgreSQL the cursor's update rides on the first INSERT. */
async function insertDeliveries(db: Executor, dialect: DispatchStore['dialect'], rows: NewDelivery[], seq: number): Promise<void> {
  const moveCursor = (qb: QueryCreator<Database>) => qb.updateTable('dispatch_state').set({ fanout_seq: seq }).where('id', '=', 1);
  const [first, ...rest] = chunks(rows, INSERT_CHUNK);
  if (first && dialect === 'postgres') await db.with('cursor', moveCursor).insertInto('webhook_deliveries').values(first).execute();
  else {
    await moveCursor(db).execute();
    if (first) await db.insertInto('webhook_deliveries').values(first).execute();
  }
  for (const chunk of rest) await db.insertInto('webhook_deliveries').values(chunk).execute();
}

type EndpointForSending = Head['endpoint'] & { events: string[] };

/** Enabled endpoints with what fan-out needs (their subscriptions) and what a send needs. */
async function endpointsForSending(db: Executor): Promise<EndpointForSending[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events', 'endpoint_url', 'status', 'secret_ciphertext', 'previous_secret_ciphertext', 'previous_secret_expires_at'])
    .where('status', '=', 'enabled')
    .execute();
  return rows.map((r) => ({ ...r, events: fromJson<string[]>(r.events) }));
}

/** Each idle queue's first new delivery (rows are in event order). */
function firstOfEach(rows: NewDelivery[], idle: Set<string>): NewDelivery[] {
  const taken = new Set<string>();
  return rows.filter((r) => {
    const key = keyOf(queueOf(r.endpoint_id, r.directory_id ?? null));
    if (!idle.has(key) || taken.has(key)) return false;
    taken.add(key);
    return true;
  });
}

function jobOf(head: NewDelivery, event: { id: string; event: string; data?: unknown; created_at?: string }, endpoint: EndpointForSending, lease: string, at: string): Job {
  const { events: _subscribed, ...sending } = endpoint;
  const queue = queueOf(head.endpoint_id, head.directory_id ?? null);
  return {
    claim: { deliveryId: head.id, queue, lease },
    head: {
      queue,
      delivery: { id: head.id, state: 'sending', next_attempt_at: at, attempt_count: 0, first_attempt_at: null, event_id: event.id },
      event: { id: event.id, event: event.event, data: fromJson<Record<string, unknown>>(event.data), created_at: event.created_at! },
      endpoint: sending,
    },
  };
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
