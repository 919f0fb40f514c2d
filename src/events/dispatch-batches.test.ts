/**
 * The dispatcher's batches, on the suite's database: outcomes recorded many to a transaction keep each queue's
 * order; a queue waiting out a retry holds back no other queue in the same batches; and two dispatchers on one
 * database never hold one queue at once (claims split the queues; an outcome recorded after the lease was taken
 * over does not move the queue).
 */
import http from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../test/support/eventually.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/support/harness.ts';
import { PostgresStore } from '../store/postgres.ts';
import { SqliteStore } from '../store/sqlite.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import { appendEvents } from '../store/event-log.ts';
import { claimDueDeliveries } from './claims.ts';
import { Dispatcher } from './dispatcher.ts';
import { fanOutEvents } from './fan-out.ts';
import { recordOutcomes } from './outcomes.ts';
import { WebhookStore } from './webhooks-store.ts';

const SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnop';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

interface Hit {
  event: string;
  directory: string;
  status: number;
}

/** A loopback receiver answering each request with `status(directory)`, after `delayMs`. */
async function receiver(status: (directory: string) => number, delayMs = 0) {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const event = JSON.parse(body);
      const hit = { event: event.id as string, directory: event.data.directory_id as string, status: status(event.data.directory_id) };
      setTimeout(() => {
        hits.push(hit);
        res.writeHead(hit.status).end();
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  return { url, hits, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

/** Appends `perDirectory` user events to each directory, interleaved; returns each directory's event ids in log order. */
async function writeEvents(directories: string[], perDirectory: number): Promise<Map<string, string[]>> {
  const at = new Date().toISOString();
  for (let i = 0; i < perDirectory; i++) {
    await t.store.db.transaction().execute((db) =>
      appendEvents(db, directories.map((d) => ({ event: 'dsync.user.created', directory_id: d, organization_id: null, data: { object: 'directory_user', id: `${d}-user-${i}`, directory_id: d } })), at),
    );
  }
  const rows = await t.store.db.selectFrom('events').select(['id', 'directory_id']).where('directory_id', 'in', directories).orderBy('seq').execute();
  const order = new Map<string, string[]>(directories.map((d) => [d, []]));
  for (const r of rows) order.get(r.directory_id!)!.push(r.id);
  return order;
}

function dispatcher(store: KyselyStore = t.store, options: { leaseMs?: number; pollMs?: number; concurrency?: number } = {}): Dispatcher {
  return new Dispatcher(store, { secretKey: SECRET_KEY, blockPrivate: false, logger: pino({ level: 'silent' }), pollMs: 20, baseDelayMs: 60_000, maxDelayMs: 60_000, timeoutMs: 2000, ...options });
}

/** Removes the endpoint, so that the next test's dispatcher sees only its own. */
const deleteEndpoint = (id: string) => t.store.db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();

describe('outcome batches', () => {
  it('record many outcomes per transaction and keep every queue in log order', async () => {
    const r = await receiver(() => 200);
    const { endpoint } = await new WebhookStore(t.store.db, SECRET_KEY).create(r.url, ['dsync.user.created']);
    const directories = Array.from({ length: 12 }, (_, i) => `directory_batch_${i}`);
    const order = await writeEvents(directories, 15);
    const d = dispatcher();
    d.start();
    try {
      await until(() => r.hits.length >= 180, 30_000, 'every event delivered');
      await until(async () => (await t.store.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpoint.id).where('state', '!=', 'succeeded').execute()).length === 0);
    } finally {
      await d.stop();
      await r.close();
    }
    // Twelve queues answered at once: their outcomes shared transactions.
    expect(d.stats.outcomes).toBe(180);
    expect(d.stats.batches).toBeLessThan(180);
    for (const dir of directories) expect(r.hits.filter((h) => h.directory === dir).map((h) => h.event)).toEqual(order.get(dir));
    const deliveries = await t.store.db.selectFrom('webhook_deliveries').select(['attempt_count', 'last_status', 'locked_until']).where('endpoint_id', '=', endpoint.id).execute();
    expect(deliveries.every((x) => x.attempt_count === 1 && x.last_status === 200 && x.locked_until === null)).toBe(true);
    const queues = await t.store.db.selectFrom('webhook_queues').select(['next_attempt_at', 'locked_until']).where('endpoint_id', '=', endpoint.id).execute();
    expect(queues).toEqual(directories.map(() => ({ next_attempt_at: null, locked_until: null })));
    await deleteEndpoint(endpoint.id);
  });

  it('a queue waiting out a retry holds back no other queue, of its endpoint or another', async () => {
    // The first endpoint fails every delivery of one directory; the second endpoint fails none.
    const failing = await receiver((dir) => (dir === 'directory_stuck' ? 503 : 200), 5);
    const healthy = await receiver(() => 200, 5);
    const webhooks = new WebhookStore(t.store.db, SECRET_KEY);
    const a = (await webhooks.create(failing.url, ['dsync.user.created'])).endpoint;
    const b = (await webhooks.create(healthy.url, ['dsync.user.created'])).endpoint;
    const directories = ['directory_stuck', 'directory_free_1', 'directory_free_2'];
    const order = await writeEvents(directories, 10);
    const d = dispatcher();
    d.start();
    try {
      await until(() => healthy.hits.length >= 30 && failing.hits.filter((h) => h.status === 200).length >= 20, 30_000, 'every other queue delivered');
    } finally {
      await d.stop();
      await failing.close();
      await healthy.close();
    }
    for (const dir of directories) expect(healthy.hits.filter((h) => h.directory === dir).map((h) => h.event)).toEqual(order.get(dir));
    for (const dir of directories.slice(1)) expect(failing.hits.filter((h) => h.directory === dir).map((h) => h.event)).toEqual(order.get(dir));
    // The stuck queue tried its head once and waits out the backoff (a minute here); nothing after it was sent.
    expect(failing.hits.filter((h) => h.directory === 'directory_stuck').map((h) => h.event)).toEqual([order.get('directory_stuck')![0]]);
    const stuck = await t.store.db.selectFrom('webhook_queues').selectAll().where('endpoint_id', '=', a.id).where('directory_key', '=', 'directory_stuck').executeTakeFirstOrThrow();
    expect(stuck.locked_until).toBeNull();
    expect(Date.parse(stuck.next_attempt_at!)).toBeGreaterThan(Date.now() + 30_000);
    const head = await t.store.db.selectFrom('webhook_deliveries').select(['state', 'attempt_count', 'last_status']).where('event_id', '=', order.get('directory_stuck')![0]!).where('endpoint_id', '=', a.id).executeTakeFirstOrThrow();
    expect(head).toEqual({ state: 'pending', attempt_count: 1, last_status: 503 });
    await deleteEndpoint(a.id);
    await deleteEndpoint(b.id);
  });
});

describe('claims at fan-out', () => {
  it('claim the first new delivery of each idle queue, up to the limit, and nothing of a queue held or waiting', async () => {
    const { endpoint } = await new WebhookStore(t.store.db, SECRET_KEY).create('https://receiver.example.com/hooks', ['dsync.user.created']);
    const first = await writeEvents(['directory_fan_a'], 1);
    const [a] = (await fanOutEvents(t.store, 8, 60_000)).jobs;
    expect(a!.claim.deliveryId).toBeDefined();
    expect(a!.head.event!.id).toBe(first.get('directory_fan_a')![0]);
    // A is held now; B and C are new, two events each, and there is room for one more claim.
    const later = await writeEvents(['directory_fan_a', 'directory_fan_b', 'directory_fan_c'], 2);
    const { events, jobs } = await fanOutEvents(t.store, 1, 60_000);
    expect(events).toBe(6);
    expect(jobs.map((j) => [j.claim.queue.directory_key, j.head.event!.id])).toEqual([['directory_fan_b', later.get('directory_fan_b')![0]]]);
    const states = await t.store.db.selectFrom('webhook_deliveries').select(['event_id', 'state']).where('endpoint_id', '=', endpoint.id).where('state', '=', 'sending').execute();
    expect(states.map((d) => d.event_id).sort()).toEqual([first.get('directory_fan_a')![0], later.get('directory_fan_b')![0]].sort());
    // C, left unclaimed, is due for the next claim, which takes its first delivery; A and B stay held.
    const claimed = await claimDueDeliveries(t.store, 8, 60_000);
    expect(claimed.map((j) => [j.claim.queue.directory_key, j.head.event!.id])).toEqual([['directory_fan_c', later.get('directory_fan_c')![0]]]);
    await deleteEndpoint(endpoint.id);
  });
});

describe('two dispatchers on one database', () => {
  let other: KyselyStore;
  beforeAll(async () => {
    // Another connection (pool) to the same database, as another process would have.
    other = t.store instanceof PostgresStore ? new PostgresStore({ url: TEST_DATABASE_URL!, schema: t.store.options.schema!, poolSize: 3 }) : new SqliteStore((t.store as SqliteStore).file);
  });
  afterAll(() => other.close());

  it('split the due queues between their claims, and a lease taken over stays with its new holder', async () => {
    const { endpoint } = await new WebhookStore(t.store.db, SECRET_KEY).create('https://receiver.example.com/hooks', ['dsync.user.created']);
    const directories = Array.from({ length: 8 }, (_, i) => `directory_split_${i}`);
    await writeEvents(directories, 2);
    while ((await fanOutEvents(t.store)).events > 0);
    // Claimed from two connections, at once on PostgreSQL (on SQLite one write transaction at a time, and two
    // connections of one process would wait on each other's lock): every queue once, never by both.
    const claims = [() => claimDueDeliveries(t.store, 5, 60_000), () => claimDueDeliveries(other, 5, 60_000)];
    const [mine, theirs] = t.store instanceof PostgresStore ? await Promise.all(claims.map((claim) => claim())) : [await claims[0]!(), await claims[1]!()];
    const held = [...mine!, ...theirs!].map((j) => j.claim.queue.directory_key);
    expect(held).toHaveLength(8);
    expect(new Set(held)).toEqual(new Set(directories));
    expect(await claimDueDeliveries(other, 8, 60_000)).toEqual([]);

    // One of mine outlives its lease; the other dispatcher takes its queue over and sends the same head again.
    const late = mine![0]!;
    await t.store.db.updateTable('webhook_queues').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('endpoint_id', '=', endpoint.id).where('directory_key', '=', late.claim.queue.directory_key).execute();
    const [takeover] = await claimDueDeliveries(other, 8, 60_000);
    expect(takeover!.claim.deliveryId).toBe(late.claim.deliveryId);
    expect(takeover!.claim.lease).not.toBe(late.claim.lease);

    // My late answer is recorded (the delivery succeeded) but moves nothing: the queue stays theirs.
    const attempt = { attempted_at: new Date().toISOString(), status: 200, error: null, duration_ms: 3 };
    const outcome = { state: 'succeeded' as const, status: 200, error: null, attempt };
    const next = await recordOutcomes(t.store, [...mine!.map((job) => ({ job, outcome, mayContinue: true }))], 60_000);
    expect(next.map((j) => j.claim.queue.directory_key).sort()).toEqual(mine!.slice(1).map((j) => j.claim.queue.directory_key).sort());
    const queue = await t.store.db.selectFrom('webhook_queues').select('locked_until').where('endpoint_id', '=', endpoint.id).where('directory_key', '=', late.claim.queue.directory_key).executeTakeFirstOrThrow();
    expect(queue.locked_until).toBe(takeover!.claim.lease);
    // Their answer moves the queue on, to its second delivery.
    const [after] = await recordOutcomes(other, [{ job: takeover!, outcome, mayContinue: true }], 60_000);
    expect(after!.claim.queue).toEqual(late.claim.queue);
    expect(after!.claim.deliveryId).not.toBe(late.claim.deliveryId);
    await deleteEndpoint(endpoint.id);
  });
});

describe('claims of due queues, with no poll to fall back on', () => {
  const NO_POLL = 600_000;

  it('a dispatcher at its concurrency claims the queues it left due as soon as it has room', async () => {
    const r = await receiver(() => 200, 5);
    const { endpoint } = await new WebhookStore(t.store.db, SECRET_KEY).create(r.url, ['dsync.user.created']);
    const directories = Array.from({ length: 6 }, (_, i) => `directory_room_${i}`);
    const d = dispatcher(t.store, { pollMs: NO_POLL, concurrency: 2 });
    d.start();
    try {
      const order = await writeEvents(directories, 3);
      d.wake();
      await until(() => r.hits.length >= 18, 30_000, 'every queue delivered, two at a time');
      for (const dir of directories) expect(r.hits.filter((h) => h.directory === dir).map((h) => h.event)).toEqual(order.get(dir));
    } finally {
      await d.stop();
      await r.close();
    }
    await deleteEndpoint(endpoint.id);
  });

  it('events written while their queue is being sent are all delivered, in order, with no claim needed', async () => {
    // Outcomes recorded while fan-outs add to the same queue: each new delivery is either claimed by its fan-out
    // or taken by the outcome recorded before it, never left due for a poll that does not come.
    const r = await receiver(() => 200, 2);
    const { endpoint } = await new WebhookStore(t.store.db, SECRET_KEY).create(r.url, ['dsync.user.created']);
    const d = dispatcher(t.store, { pollMs: NO_POLL });
    let claims = 0;
    const claimDue = d.claimDue.bind(d);
    d.claimDue = (limit) => ((claims += 1), claimDue(limit));
    d.start();
    const written: string[] = [];
    try {
      for (let i = 0; i < 60; i++) {
        written.push(...(await writeEvents(['directory_in_flight'], 1)).get('directory_in_flight')!.slice(written.length));
        d.wake();
        await new Promise((resolve) => setTimeout(resolve, i % 3));
      }
      await until(() => r.hits.length >= 60, 20_000, 'every event delivered without the poll');
      expect(r.hits.map((h) => h.event)).toEqual(written);
      // The first pass's, and one each time the queue went back to the pool after 25 sends in a row.
      expect(claims).toBeLessThanOrEqual(1 + Math.floor(60 / 25));
    } finally {
      await d.stop();
      await r.close();
    }
    await deleteEndpoint(endpoint.id);
  });

  it('runs no claim after each outcome when every due queue is held; a wake for deliveries made due claims', async () => {
    const r = await receiver(() => 200);
    const { endpoint } = await new WebhookStore(t.store.db, SECRET_KEY).create(r.url, ['dsync.user.created']);
    const d = dispatcher(t.store, { pollMs: NO_POLL });
    let claims = 0;
    const claimDue = d.claimDue.bind(d);
    d.claimDue = (limit) => ((claims += 1), claimDue(limit));
    const unsubscribe = t.store.onCommit((due) => d.wake(due));
    d.start();
    try {
      await until(() => claims === 1, 5_000, 'the first pass claims');
      // One event at a time: each is claimed by its fan-out, and its outcome leaves nothing due.
      for (let i = 0; i < 5; i++) {
        await writeEvents(['directory_one_by_one'], 1);
        d.wake();
        await until(() => r.hits.length === i + 1, 10_000, `event ${i} delivered`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(claims).toBe(1);
      // A queue made due without a new event (here fanned out with no claim, as a re-enabled endpoint's would
      // be): a plain wake does not claim it; the store's wake for deliveries made due does.
      await writeEvents(['directory_made_due'], 1);
      await fanOutEvents(t.store);
      d.wake();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(r.hits.filter((h) => h.directory === 'directory_made_due')).toEqual([]);
      t.store.wakeDispatch();
      await until(() => r.hits.some((h) => h.directory === 'directory_made_due'), 10_000, 'the due queue claimed');
      expect(claims).toBe(2);
    } finally {
      unsubscribe();
      await d.stop();
      await r.close();
    }
    await deleteEndpoint(endpoint.id);
  });
});
