/**
 * Webhooks end to end: endpoints API, signatures (checked with the standardwebhooks package and the
 * Guestlist-Signature formula), retries through failures and time-outs, per-directory order, 410, restarts.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/events/dispatcher.ts';
import { backoff, retryAfterMs } from '../../src/events/retry-policy.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { until } from '../support/eventually.ts';
import { createDirectory, createTestApp, TEST_DATABASE_URL, type TestApp } from '../support/harness.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnop';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  status: number;
}

/** A loopback receiver whose answer to each request is decided by `respond`. */
async function receiver(respond: (r: Received, n: number) => { status: number; headers?: Record<string, string>; delayMs?: number }) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r: Received = { headers: req.headers, body, json: JSON.parse(body), status: 0 };
      const answer = respond(r, received.length);
      r.status = answer.status;
      received.push(r);
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(answer.status, answer.headers ?? {}).end();
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  return { url, received, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

let t: TestApp;
let dispatcher: Dispatcher;
let unsubscribe: () => void;

function startDispatcher(): Dispatcher {
  const d = new Dispatcher(t.store, { secretKey: SECRET_KEY, blockPrivate: false, logger: pino({ level: 'silent' }), pollMs: 50, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 300, leaseMs: 500 });
  unsubscribe = t.store.onCommit((due) => d.wake(due));
  d.start();
  return d;
}

/** Another worker on the same database, woken only by its own polling. */
function startDispatcherOnly(): Dispatcher {
  const d = new Dispatcher(t.store, { secretKey: SECRET_KEY, blockPrivate: false, logger: pino({ level: 'silent' }), pollMs: 5, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 300, leaseMs: 500 });
  d.start();
  return d;
}

beforeAll(async () => {
  t = await createTestApp();
  dispatcher = startDispatcher();
});
afterAll(async () => {
  unsubscribe();
  await dispatcher.stop();
  await t.close();
});

describe('webhook endpoints API', () => {
  it('creates with a whsec_ secret, validates, updates, rotates and deletes', async () => {
    const created = await t.api('POST', '/webhook_endpoints', { endpoint_url: 'https://example.com/hooks', events: ['dsync.user.created'] });
    expect(created.statusCode).toBe(201);
    const we = created.json();
    expect(we).toMatchObject({ object: 'webhook_endpoint', endpoint_url: 'https://example.com/hooks', status: 'enabled', disabled_reason: null, events: ['dsync.user.created'], previous_secret_expires_at: null });
    expect(we.id).toMatch(/^we_/);
    expect(we.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(we.secret_hint).toBe(we.secret.slice(-4));
    expect(we).not.toHaveProperty('previous_secret');
    const stored = await t.store.db.selectFrom('webhook_endpoints').select('secret_ciphertext').where('id', '=', we.id).executeTakeFirstOrThrow();
    expect(stored.secret_ciphertext).not.toContain(we.secret.slice(6, 20));

    for (const body of [
      { endpoint_url: 'ftp://example.com', events: ['dsync.user.created'] },
      { endpoint_url: 'not a url', events: ['dsync.user.created'] },
      { endpoint_url: 'https://example.com', events: ['dsync.nope'] },
      { endpoint_url: 'https://example.com', events: [] },
    ]) {
      expect((await t.api('POST', '/webhook_endpoints', body)).statusCode, JSON.stringify(body)).toBe(422);
    }
    const patched = (await t.api('PATCH', `/webhook_endpoints/${we.id}`, { status: 'disabled', events: ['dsync.user.updated', 'dsync.user.updated'] })).json();
    expect(patched).toMatchObject({ status: 'disabled', events: ['dsync.user.updated'], secret_hint: we.secret.slice(-4) });
    expect(patched).not.toHaveProperty('secret');
    const rotated = (await t.api('POST', `/webhook_endpoints/${we.id}/rotate_secret`, { overlap_seconds: 3600 })).json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(we.secret);
    expect(rotated.secret_hint).toBe(rotated.secret.slice(-4));
    expect(Date.parse(rotated.previous_secret_expires_at)).toBeGreaterThan(Date.now() + 3500_000);
    expect(rotated).not.toHaveProperty('previous_secret');
    // Reads never carry a secret: only its hint.
    const read = (await t.api('GET', `/webhook_endpoints/${we.id}`)).json();
    expect(read).toMatchObject({ id: we.id, secret_hint: rotated.secret.slice(-4), previous_secret_expires_at: rotated.previous_secret_expires_at });
    const listed = (await t.api('GET', '/webhook_endpoints')).json().data;
    expect(listed.map((e: { id: string }) => e.id)).toContain(we.id);
    for (const body of [read, ...listed]) {
      expect(body).not.toHaveProperty('secret');
      expect(body).not.toHaveProperty('previous_secret');
      expect(JSON.stringify(body)).not.toContain(rotated.secret.slice(6, 30));
      expect(JSON.stringify(body)).not.toContain(we.secret.slice(6, 30));
    }
    expect((await t.api('DELETE', `/webhook_endpoints/${we.id}`)).statusCode).toBe(204);
    expect((await t.api('GET', `/webhook_endpoints/${we.id}`)).statusCode).toBe(404);
  });

  it('refuses internal addresses when GUESTLIST_WEBHOOK_BLOCK_PRIVATE is on', async () => {
    const blocking = await createTestApp({ GUESTLIST_WEBHOOK_BLOCK_PRIVATE: 'true' });
    try {
      for (const url of ['http://127.0.0.1/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest', 'http://[::1]/x', 'http://localhost/x', 'http://192.168.0.10/x']) {
        const res = await blocking.api('POST', '/webhook_endpoints', { endpoint_url: url, events: ['dsync.user.created'] });
        expect(res.statusCode, url).toBe(422);
      }
      expect((await blocking.api('POST', '/webhook_endpoints', { endpoint_url: 'http://93.184.216.34/x', events: ['dsync.user.created'] })).statusCode).toBe(201);
    } finally {
      await blocking.close();
    }
  });
});

describe('delivery', () => {
  it('signs every delivery verifiably, with the event as body', async () => {
    const r = await receiver(() => ({ status: 200 }));
    try {
      const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: r.url, events: ['dsync.user.created', 'dsync.group.user_added'] })).json();
      const dir = await createDirectory(t);
      const user = (await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: 'signed@acme.com' })).json();
      await until(() => r.received.some((x) => x.json.data.id === user.id));
      const hit = r.received.find((x) => x.json.data.id === user.id)!;
      expect(hit.json).toMatchObject({ object: 'event', event: 'dsync.user.created', data: { object: 'directory_user', id: user.id } });
      expect(hit.body).toBe(JSON.stringify(hit.json));
      const verified = new Webhook(we.secret).verify(hit.body, hit.headers as Record<string, string>);
      expect(verified).toEqual(hit.json);
      const [, t0, v1] = /^t=(\d+), v1=([0-9a-f]+)$/.exec(hit.headers['guestlist-signature'] as string)!;
      expect(v1).toBe(createHmac('sha256', we.secret).update(`${t0}.${hit.body}`).digest('hex'));
      // Apps written for WorkOS read WorkOS-Signature: the same value.
      expect(hit.headers['workos-signature']).toBe(hit.headers['guestlist-signature']);
      expect(hit.headers['webhook-id']).toBe(hit.json.id);
      const fromApi = (await t.api('GET', `/events?directory_id=${dir.id}&events=dsync.user.created`)).json().data[0];
      expect(hit.json).toEqual(fromApi);
      const deliveries = async () => (await t.api('GET', `/webhook_endpoints/${we.id}/deliveries`)).json();
      await until(async () => (await deliveries()).data[0].state === 'succeeded');
      const log = await deliveries();
      expect(log.data[0]).toMatchObject({ object: 'webhook_delivery', state: 'succeeded', last_status: 200, attempt_count: 1 });
      expect(log.data[0].attempts).toHaveLength(1);
      await t.api('DELETE', `/webhook_endpoints/${we.id}`);
    } finally {
      await r.close();
    }
  });

  it('signs each attempt afresh: WorkOS SDKs refuse a WorkOS-Signature timestamp older than 180 s', async () => {
    const r = await receiver((_x, n) => ({ status: n === 0 ? 500 : 200 }));
    try {
      const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: r.url, events: ['dsync.user.created'] })).json();
      const dir = await createDirectory(t);
      await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: 'resigned@acme.com' });
      await until(() => r.received.length >= 2);
      const [first, second] = r.received as [Received, Received];
      expect(second.body).toBe(first.body);
      const stamps = [first, second].map((hit) => {
        const header = hit.headers['workos-signature'] as string;
        // Exactly one ", ", `t` (unix ms) first, one lowercase-hex v1: the one form every WorkOS SDK parses.
        const [, ts, v1] = /^t=(\d{13}), v1=([0-9a-f]{64})$/.exec(header)!;
        expect(v1).toBe(createHmac('sha256', we.secret).update(`${ts}.${hit.body}`).digest('hex'));
        return Number(ts);
      });
      expect(stamps[1]).toBeGreaterThan(stamps[0]!);
      await t.api('DELETE', `/webhook_endpoints/${we.id}`);
    } finally {
      await r.close();
    }
  });

  it('retries through errors and time-outs, in order per directory, losing nothing', async () => {
    const failures = new Map<string, number>();
    const r = await receiver((x) => {
      const n = failures.get(x.json.id) ?? 0;
      failures.set(x.json.id, n + 1);
      if (n === 0) return { status: 500 };
      if (n === 1) return { status: 503, headers: { 'retry-after': '0' } };
      if (n === 2) return { status: 200, delayMs: 600 };
      return { status: 204 };
    });
    try {
      const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: r.url, events: ['dsync.user.created'] })).json();
      const dirs = [await createDirectory(t), await createDirectory(t)];
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        for (const dir of dirs) {
          created.push((await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: `retry${i}@acme.com` })).json().id);
        }
      }
      const succeeded = () => r.received.filter((x) => x.status === 204);
      await until(() => created.every((id) => succeeded().some((x) => x.json.data.id === id)), 30_000);
      for (const dir of dirs) {
        // Each event of a directory is first sent only after the previous one succeeded.
        const attempts = r.received.filter((x) => x.json.data.directory_id === dir.id);
        const order = [...new Set(attempts.map((x) => x.json.id))];
        const expected = (await t.api('GET', `/events?directory_id=${dir.id}&events=dsync.user.created&limit=100`)).json().data.map((e: { id: string }) => e.id);
        expect(order).toEqual(expected);
        for (let i = 1; i < order.length; i++) {
          const firstOfNext = attempts.findIndex((x) => x.json.id === order[i]);
          const successOfPrev = attempts.findIndex((x) => x.json.id === order[i - 1] && x.status === 204);
          expect(firstOfNext).toBeGreaterThan(successOfPrev);
        }
      }
      // The receiver answered; the dispatcher records the outcome a moment later.
      const deliveries = async () => (await t.api('GET', `/webhook_endpoints/${we.id}/deliveries?limit=100`)).json().data;
      await until(async () => (await deliveries()).every((d: { state: string }) => d.state === 'succeeded'));
      const log = await deliveries();
      expect(log.every((d: { state: string; attempt_count: number }) => d.state === 'succeeded' && d.attempt_count === 4)).toBe(true);
      expect(log[0].attempts.map((a: { status: number | null }) => a.status)).toEqual([500, 503, null, 204]);
      await t.api('DELETE', `/webhook_endpoints/${we.id}`);
    } finally {
      await r.close();
    }
  });

  it('a 410 disables the endpoint; a failed delivery can be re-sent', async () => {
    let gone = true;
    const r = await receiver(() => ({ status: gone ? 410 : 200 }));
    try {
      const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: r.url, events: ['dsync.user.created'] })).json();
      const dir = await createDirectory(t);
      await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: 'gone@acme.com' });
      await until(async () => (await t.api('GET', `/webhook_endpoints/${we.id}`)).json().status === 'disabled');
      const failed = (await t.api('GET', `/webhook_endpoints/${we.id}/deliveries?state=failed`)).json().data[0];
      expect((await t.api('GET', `/webhook_endpoints/${we.id}/deliveries?state=succeeded`)).json().data).toEqual([]);
      const bad = await t.api('GET', `/webhook_endpoints/${we.id}/deliveries?state=lost`);
      // An unknown state is a validation error naming the parameter, not an empty list.
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/state/) });
      expect(failed).toMatchObject({ state: 'failed', last_status: 410 });
      expect((await t.api('GET', `/webhook_endpoints/${we.id}`)).json()).toMatchObject({ status: 'disabled', disabled_reason: 'gone' });
      gone = false;
      expect((await t.api('PATCH', `/webhook_endpoints/${we.id}`, { status: 'enabled' })).json()).toMatchObject({ status: 'enabled', disabled_reason: null });
      expect((await t.api('POST', `/webhook_endpoints/${we.id}/deliveries/${failed.id}/resend`)).statusCode).toBe(202);
      await until(async () => (await t.api('GET', `/webhook_endpoints/${we.id}/deliveries`)).json().data[0].state === 'succeeded');
      await t.api('DELETE', `/webhook_endpoints/${we.id}`);
    } finally {
      await r.close();
    }
  });

  it('resumes after the dispatcher stops mid-way, and after a lease expires', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 30 }));
    try {
      const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: r.url, events: ['dsync.user.created'] })).json();
      const dir = await createDirectory(t);
      unsubscribe();
      await dispatcher.stop();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: `restart${i}@acme.com` })).json().id);
      // A delivery left 'sending' by a crashed worker, its lease already over.
      const other = new Dispatcher(t.store, { secretKey: SECRET_KEY, blockPrivate: false, logger: pino({ level: 'silent' }) });
      await other.fanOut();
      const first = (await other.claimDue(1))[0]?.claim;
      // The claim is this directory's queue, its head the first of the six events, now 'sending'.
      expect(first).toEqual({ deliveryId: expect.any(String), queue: { endpoint_id: we.id, directory_key: dir.id }, lease: expect.any(String) });
      const firstEvent = (await t.api('GET', `/events?directory_id=${dir.id}&events=dsync.user.created`)).json().data[0];
      expect(firstEvent.data.id).toBe(ids[0]);
      const held = await t.store.db.selectFrom('webhook_deliveries').select(['event_id', 'state']).where('id', '=', first!.deliveryId).executeTakeFirstOrThrow();
      expect(held).toEqual({ event_id: firstEvent.id, state: 'sending' });
      await t.store.db.updateTable('webhook_queues').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('endpoint_id', '=', we.id).execute();
      dispatcher = startDispatcher();
      await until(() => ids.every((id) => r.received.some((x) => x.json.data.id === id && x.status === 200)));
      const order = [...new Set(r.received.filter((x) => x.json.data.directory_id === dir.id).map((x) => x.json.data.id))];
      expect(order).toEqual(ids);
      await t.api('DELETE', `/webhook_endpoints/${we.id}`);
    } finally {
      await r.close();
    }
  });
});

describe('private address blocking at send time', () => {
  it('refuses a name that resolves to an internal address when the request is made (DNS rebinding)', async () => {
    const r = await receiver(() => ({ status: 200 }));
    // The endpoint was saved while blocking was off; a dispatcher with blocking on must still refuse it.
    unsubscribe();
    await dispatcher.stop();
    const blocking = new Dispatcher(t.store, { secretKey: SECRET_KEY, blockPrivate: true, logger: pino({ level: 'silent' }), pollMs: 50, baseDelayMs: 10_000, maxDelayMs: 10_000, timeoutMs: 300, leaseMs: 500 });
    const stopBlocking = t.store.onCommit((due) => blocking.wake(due));
    blocking.start();
    try {
      const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: r.url.replace('127.0.0.1', 'localhost'), events: ['dsync.user.created'] })).json();
      const dir = await createDirectory(t);
      await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: 'rebind@acme.com' });
      const deliveries = async () => (await t.api('GET', `/webhook_endpoints/${we.id}/deliveries`)).json().data;
      await until(async () => (await deliveries())[0]?.attempt_count === 1);
      const [delivery] = await deliveries();
      expect(delivery).toMatchObject({ state: 'pending', last_status: null });
      expect(delivery.last_error).toMatch(/internal address/);
      expect(r.received).toHaveLength(0);
      await t.api('DELETE', `/webhook_endpoints/${we.id}`);
    } finally {
      stopBlocking();
      await blocking.stop();
      dispatcher = startDispatcher();
      await r.close();
    }
  });
});

describe('several dispatchers', () => {
  it('share the work, never with two deliveries of one (endpoint, directory) in flight', async () => {
    const inFlight = new Map<string, number>();
    let maxInFlight = 0;
    const order = new Map<string, string[]>();
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const event = JSON.parse(body);
        const queue = event.data.directory_id as string;
        inFlight.set(queue, (inFlight.get(queue) ?? 0) + 1);
        maxInFlight = Math.max(maxInFlight, inFlight.get(queue)!);
        setTimeout(() => {
          inFlight.set(queue, inFlight.get(queue)! - 1);
          order.set(queue, [...(order.get(queue) ?? []), event.data.id]);
          res.writeHead(200).end();
        }, 10);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
    const others = [startDispatcherOnly(), startDispatcherOnly(), startDispatcherOnly()];
    try {
      const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: url, events: ['dsync.user.created'] })).json();
      const dirs = [await createDirectory(t), await createDirectory(t), await createDirectory(t)];
      const created = new Map<string, string[]>();
      await Promise.all(
        dirs.map(async (dir) => {
          for (let i = 0; i < 8; i++) {
            const id = (await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: `multi${i}@acme.com` })).json().id;
            created.set(dir.id, [...(created.get(dir.id) ?? []), id]);
          }
        }),
      );
      await until(() => dirs.every((d) => (order.get(d.id)?.length ?? 0) >= 8));
      expect(maxInFlight).toBe(1);
      for (const dir of dirs) expect(order.get(dir.id)).toEqual(created.get(dir.id));
      await t.api('DELETE', `/webhook_endpoints/${we.id}`);
    } finally {
      await Promise.all(others.map((o) => o.stop()));
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('wake-ups across processes', () => {
  it.runIf(TEST_DATABASE_URL)('a commit in one process reaches another\'s LISTEN through NOTIFY', async () => {
    // A second connection stands in for another process: it shares nothing in memory with t.store.
    const other = new PostgresStore({ url: TEST_DATABASE_URL!, schema: (t.store as PostgresStore).options.schema!, poolSize: 1 });
    let woken = 0;
    let selfWoken = 0;
    const unlisten = await (t.store as PostgresStore).listen(() => selfWoken++);
    try {
      await other.listen(() => woken++);
      const dir = await createDirectory(t);
      await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: 'notify@acme.com' });
      await until(() => woken > 0, 10_000);
      expect(woken).toBeGreaterThan(0);
      // The committing process's own LISTEN ignores its NOTIFY (its commit listeners were told directly), and
      // hears the next one, from the other process; notifications arrive in commit order.
      await other.transaction(async () => {});
      await until(() => selfWoken > 0, 10_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(selfWoken).toBe(1);
    } finally {
      unlisten();
      await other.close();
    }
  });
});

describe('retry policy', () => {
  it('backs off exponentially with jitter, capped; reads Retry-After', () => {
    expect(backoff(1, 1000, 60_000, () => 0.5)).toBe(1000);
    expect(backoff(4, 1000, 60_000, () => 0.5)).toBe(8000);
    expect(backoff(30, 1000, 60_000, () => 0.5)).toBe(60_000);
    expect(backoff(1, 1000, 60_000, () => 0)).toBe(800);
    expect(backoff(1, 1000, 60_000, () => 1)).toBe(1200);
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
