/**
 * Webhook delivery queues, one per (endpoint, directory): the head is the oldest unfinished delivery, and the
 * queue row says when it is due and which worker holds it (see migration 0004).
 */
import { sql, type ExpressionBuilder } from 'kysely';
import { chunks } from '../store/chunks.ts';
import { fromJson } from '../store/codec.ts';
import type { Database, Executor } from '../store/db.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import { isAmong } from './json-rows.ts';

export type QueueKey = { endpoint_id: string; directory_key: string };

/**
 * What the dispatch steps run on: the database, not a transaction, since each opens its own with
 * `db.transaction()` (not `store.transaction`, which tells commit listeners, the dispatcher itself, and
 * would wake it forever); and the dialect, since only PostgreSQL locks rows with FOR UPDATE.
 */
export type DispatchStore = Pick<KyselyStore, 'db' | 'dialect'>;

/** The queue of an endpoint's deliveries of a directory's events ('' for events without a directory). */
export function queueOf(endpointId: string, directoryId: string | null): QueueKey {
  return { endpoint_id: endpointId, directory_key: directoryId ?? '' };
}

/** A queue as a map key. */
export const keyOf = (queue: QueueKey): string => `${queue.endpoint_id} ${queue.directory_key}`;

/**
 * Queues in the order every batch locks them (by primary key), so two transactions locking overlapping sets of
 * queue rows on PostgreSQL wait for each other instead of deadlocking. Ids are ASCII: JavaScript's order is the
 * byte order of their `collate "C"` columns.
 */
export function lockOrder<T extends QueueKey>(queues: T[]): T[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...queues].sort((a, b) => cmp(a.endpoint_id, b.endpoint_id) || cmp(a.directory_key, b.directory_key));
}

/** A WHERE over `webhook_queues` (aliased `table`) matching exactly these queues. */
export function isOneOf(dialect: DispatchStore['dialect'], queues: QueueKey[], table = 'webhook_queues') {
  return isAmong(dialect, { endpoint_id: `${table}.endpoint_id`, directory_key: `${table}.directory_key` }, queues);
}

export function setQueue(db: Executor, queue: QueueKey, values: { next_attempt_at?: string | null; locked_until?: string | null }) {
  return db.updateTable('webhook_queues').set(values).where('endpoint_id', '=', queue.endpoint_id).where('directory_key', '=', queue.directory_key).execute();
}

/** New queues, due at `at` (leased until `leases` says, if it does); the callers decide what an existing one keeps. */
function insertQueues(db: Executor, queues: QueueKey[], at: string, leases?: Map<string, string>) {
  return db.insertInto('webhook_queues').values(queues.map((queue) => ({ ...queue, next_attempt_at: at, locked_until: leases?.get(keyOf(queue)) ?? null })));
}

/**
 * Makes queues due now unless they already have a time (their head's); creates those that are new. `leases`: the
 * queues claimed along the way (idle ones, see claims.ts) and their leases; the others keep theirs.
 */
export async function markDue(db: Executor, queues: QueueKey[], at: string, leases?: Map<string, string>): Promise<void> {
  for (const chunk of chunks(lockOrder(queues))) {
    await insertQueues(db, chunk, at, leases)
      .onConflict((oc) =>
        oc.columns(['endpoint_id', 'directory_key']).doUpdateSet((eb) => ({
          next_attempt_at: eb.fn.coalesce('webhook_queues.next_attempt_at', eb.ref('excluded.next_attempt_at')),
          locked_until: eb.fn.coalesce(eb.ref('excluded.locked_until'), eb.ref('webhook_queues.locked_until')),
        })),
      )
      .execute();
  }
}

/** Makes a queue due now, even if it had a later time; the dispatcher re-reads its head's own time. */
export function setQueueDue(db: Executor, queue: QueueKey, at: string) {
  return insertQueues(db, [queue], at)
    .onConflict((oc) => oc.columns(['endpoint_id', 'directory_key']).doUpdateSet({ next_attempt_at: at }))
    .execute();
}

/**
 * The id of a queue's head, as a subquery correlated with the queue row `q` (directory_key '' is a null
 * directory), not counting the deliveries `passing` (being finished in the same transaction).
 */
function headId(eb: ExpressionBuilder<Database & { q: Database['webhook_queues'] }, 'q'>, dialect: DispatchStore['dialect'], passing: string[]) {
  const head = (sameDirectory: (h: ExpressionBuilder<Database & { q: Database['webhook_queues']; h: Database['webhook_deliveries'] }, 'q' | 'h'>) => ReturnType<typeof sql<boolean>>) =>
    eb
      .selectFrom('webhook_deliveries as h')
      .select('h.id')
      .whereRef('h.endpoint_id', '=', 'q.endpoint_id')
      .where(sameDirectory)
      // Literal, not bound: only a query repeating the partial index's own predicate may use that index.
      .where(sql<boolean>`h.state in ('pending', 'sending')`)
      .$if(passing.length > 0, (qb) => qb.where(sql<boolean>`not ${isAmong(dialect, { id: 'h.id' }, passing.map((id) => ({ id })))}`))
      .orderBy('h.event_seq')
      .limit(1);
  return eb.fn.coalesce(
    head(() => sql<boolean>`h.directory_id = q.directory_key`),
    head(() => sql<boolean>`q.directory_key = '' and h.directory_id is null`),
  );
}

/** What sending a queue's head needs: the delivery, its event (absent once pruned) and its endpoint. */
export interface Head {
  queue: QueueKey;
  delivery: { id: string; state: string; next_attempt_at: string | null; attempt_count: number; first_attempt_at: string | null; event_id: string };
  event: { id: string; event: string; data: Record<string, unknown>; created_at: string } | undefined;
  endpoint: {
    id: string;
    endpoint_url: string;
    status: string;
    secret_ciphertext: string;
    previous_secret_ciphertext: string | null;
    previous_secret_expires_at: string | null;
  };
}

/**
 * The heads of these queues, with their events and endpoints, in one statement: by queue key, absent for an
 * empty queue. `passing`: deliveries this transaction finishes, so the heads after them.
 */
export async function headsOf(db: Executor, dialect: DispatchStore['dialect'], queues: QueueKey[], passing: string[] = []): Promise<Map<string, Head>> {
  const heads = new Map<string, Head>();
  if (queues.length === 0) return heads;
  const withHeads = db.selectFrom((qb) =>
    qb.selectFrom('webhook_queues as q').select(['q.endpoint_id', 'q.directory_key']).select((eb) => headId(eb, dialect, passing).as('head_id')).where(isOneOf(dialect, queues, 'q')).as('hq'),
  );
  const rows = await (
    dialect === 'postgres'
      ? // A lookup by id for each head, never a hash join over every delivery (which PostgreSQL may prefer for a
        // small table); `limit 1` keeps the subquery from being flattened into a plain join.
        withHeads.innerJoinLateral((eb) => eb.selectFrom('webhook_deliveries as d').selectAll('d').whereRef('d.id', '=', 'hq.head_id').limit(1).as('d'), (join) => join.onTrue())
      : withHeads.innerJoin('webhook_deliveries as d', 'd.id', 'hq.head_id')
  )
    .innerJoin('webhook_endpoints as we', 'we.id', 'd.endpoint_id')
    .leftJoin('events as e', 'e.id', 'd.event_id')
    .select(['hq.endpoint_id', 'hq.directory_key', 'd.id', 'd.state', 'd.next_attempt_at', 'd.attempt_count', 'd.first_attempt_at', 'd.event_id'])
    .select(['e.id as e_id', 'e.event as e_event', 'e.data as e_data', 'e.created_at as e_created_at'])
    .select(['we.endpoint_url', 'we.status', 'we.secret_ciphertext', 'we.previous_secret_ciphertext', 'we.previous_secret_expires_at'])
    .execute();
  for (const r of rows) {
    const queue = { endpoint_id: r.endpoint_id, directory_key: r.directory_key };
    heads.set(keyOf(queue), {
      queue,
      delivery: { id: r.id, state: r.state, next_attempt_at: r.next_attempt_at, attempt_count: r.attempt_count, first_attempt_at: r.first_attempt_at, event_id: r.event_id },
      event: r.e_id === null ? undefined : { id: r.e_id, event: r.e_event!, data: fromJson<Record<string, unknown>>(r.e_data), created_at: r.e_created_at! },
      endpoint: {
        id: r.endpoint_id,
        endpoint_url: r.endpoint_url,
        status: r.status,
        secret_ciphertext: r.secret_ciphertext,
        previous_secret_ciphertext: r.previous_secret_ciphertext,
        previous_secret_expires_at: r.previous_secret_expires_at,
      },
    });
  }
  return heads;
}
