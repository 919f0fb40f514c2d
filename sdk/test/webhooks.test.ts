/**
 * webhooks.verify on real deliveries: the server's dispatcher signs and POSTs events to a loopback receiver
 * (loopback is allowed: GUESTLIST_WEBHOOK_BLOCK_PRIVATE is off by default, as in test/events/webhooks.test.ts),
 * and the SDK checks each signature format alone, then tampered bodies, wrong secrets and stale timestamps.
 * Also the delivery log and resend.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Dispatcher } from '../../src/events/dispatcher.ts';
import { verifyWebhook, WebhookVerificationError, type Guestlist, type WebhookEndpointWithSecret, type WebhookHeaders } from '../src/index.ts';
import { idp, receiver, startServer, until, type Received, type TestServer } from './support.ts';

// The harness encrypts stored webhook secrets with this key; the dispatcher must decrypt them with it.
const HARNESS_SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnop';

let server: TestServer;
let client: Guestlist;
let dispatcher: Dispatcher;
let unsubscribe: () => void;
let hooks: Awaited<ReturnType<typeof receiver>>;
let endpoint: WebhookEndpointWithSecret;
let userCreated: Received;
let scim: ReturnType<typeof idp>;
/** The endpoint's secrets so far: the first, then the one the rotation test makes. */
const secrets: string[] = [];

beforeAll(async () => {
  server = await startServer();
  client = server.client();
  dispatcher = new Dispatcher(server.t.store, { secretKey: HARNESS_SECRET_KEY, blockPrivate: false, logger: pino({ level: 'silent' }), pollMs: 50, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 5_000 });
  unsubscribe = server.t.store.onCommit(() => dispatcher.wake());
  dispatcher.start();
  hooks = await receiver();
  endpoint = await client.webhookEndpoints.create({ endpoint_url: hooks.url, events: ['dsync.user.created', 'dsync.user.updated'] });
  const org = await client.organizations.create({ name: 'Receivers' });
  const dir = await client.directories.create({ organization_id: org.id, type: 'okta scim v2.0' });
  secrets.push(endpoint.secret);
  scim = idp(server.t, dir.id, dir.bearer_token);
  await scim.createUser('signed@receivers.example');
  await until(() => hooks.received.length === 1, 'the first delivery');
  userCreated = hooks.received[0]!;
});

afterAll(async () => {
  unsubscribe?.();
  await dispatcher?.stop();
  await hooks?.close();
  await server?.close();
});

function without(headers: Received['headers'], ...names: string[]): WebhookHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}
const STANDARD = ['webhook-id', 'webhook-timestamp', 'webhook-signature'];
const standardOnly = (r: Received) => without(r.headers, 'guestlist-signature');
const guestlistOnly = (r: Received) => without(r.headers, ...STANDARD);

function refusal(verify: () => unknown): WebhookVerificationError {
  try {
    verify();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error('expected verification to fail');
}

describe('webhooks.verify on a real delivery', () => {
  it('accepts the Standard Webhooks headers alone and returns the event the Events API shows', async () => {
    expect(userCreated.headers['webhook-signature']).toMatch(/^v1,/);
    const event = client.webhooks.verify(userCreated.body, standardOnly(userCreated), endpoint.secret);
    expect(event.event).toBe('dsync.user.created');
    const logged = await client.events.list({ events: ['dsync.user.created'] });
    expect(event).toEqual(logged.data[0]);
  });

  it('accepts the Guestlist-Signature header alone', () => {
    expect(userCreated.headers['guestlist-signature']).toMatch(/^t=\d+, v1=[0-9a-f]{64}$/);
    expect(client.webhooks.verify(userCreated.body, guestlistOnly(userCreated), endpoint.secret).id).toBe(userCreated.headers['webhook-id']);
  });

  it('accepts the delivery as received, as bytes, with fetch Headers', () => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(userCreated.headers)) if (typeof value === 'string') headers.set(name, value);
    expect(verifyWebhook(Buffer.from(userCreated.body), headers, endpoint.secret).event).toBe('dsync.user.created');
    expect(verifyWebhook(userCreated.body, userCreated.headers, endpoint.secret).event).toBe('dsync.user.created');
  });

  it('refuses a tampered body in either format', () => {
    const tampered = userCreated.body.replace('signed@receivers.example', 'forged@receivers.example');
    expect(tampered).not.toBe(userCreated.body);
    for (const headers of [standardOnly(userCreated), guestlistOnly(userCreated)]) {
      expect(refusal(() => client.webhooks.verify(tampered, headers, endpoint.secret)).code).toBe('invalid_signature');
    }
  });

  it('refuses the wrong secret in either format, and accepts it among several', () => {
    const wrong = `whsec_${Buffer.from('another secret entirely, 32 bytes').toString('base64')}`;
    for (const headers of [standardOnly(userCreated), guestlistOnly(userCreated)]) {
      const error = refusal(() => client.webhooks.verify(userCreated.body, headers, wrong));
      expect(error).toMatchObject({ code: 'invalid_signature', name: 'WebhookVerificationError' });
      expect(client.webhooks.verify(userCreated.body, headers, [wrong, endpoint.secret]).id).toBe(userCreated.headers['webhook-id']);
    }
  });

  it('refuses a stale timestamp in either format, unless the tolerance allows it', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 301_000);
      for (const headers of [standardOnly(userCreated), guestlistOnly(userCreated)]) {
        expect(refusal(() => client.webhooks.verify(userCreated.body, headers, endpoint.secret)).code).toBe('timestamp_out_of_tolerance');
        expect(client.webhooks.verify(userCreated.body, headers, endpoint.secret, { toleranceSeconds: 600 }).event).toBe('dsync.user.created');
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a delivery without signature headers', () => {
    expect(refusal(() => client.webhooks.verify(userCreated.body, without(userCreated.headers, ...STANDARD, 'guestlist-signature'), endpoint.secret)).code).toBe('missing_signature');
  });

  it('during a rotation overlap, accepts the old and the new secret (Standard Webhooks)', async () => {
    const rotated = await client.webhookEndpoints.rotateSecret(endpoint.id, { overlap_seconds: 600 });
    secrets.push(rotated.secret);
    const before = hooks.received.length;
    await scim.createUser('rotated@receivers.example');
    await until(() => hooks.received.length === before + 1, 'the delivery after rotation');
    const delivery = hooks.received[before]!;
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, rotated.secret]) {
      expect(client.webhooks.verify(delivery.body, standardOnly(delivery), secret).event).toBe('dsync.user.created');
    }
    expect(client.webhooks.verify(delivery.body, guestlistOnly(delivery), rotated.secret).event).toBe('dsync.user.created');
  });
});

describe('deliveries', () => {
  it('lists the delivery log and re-sends a finished delivery', async () => {
    await until(async () => (await client.webhookEndpoints.deliveries.list(endpoint.id, { state: 'succeeded' })).data.length >= 2, 'deliveries to be recorded');
    const log = await client.webhookEndpoints.deliveries.list(endpoint.id, { state: 'succeeded', order: 'asc' });
    const first = log.data[0]!;
    expect(first).toMatchObject({ object: 'webhook_delivery', endpoint_id: endpoint.id, event_id: userCreated.headers['webhook-id'], state: 'succeeded', attempt_count: 1, last_status: 200 });
    expect(first.attempts).toEqual([expect.objectContaining({ status: 200, error: null })]);

    const before = hooks.received.length;
    expect(await client.webhookEndpoints.deliveries.resend(endpoint.id, first.id)).toEqual({ object: 'webhook_delivery', id: first.id, state: 'pending' });
    await until(() => hooks.received.length > before, 'the re-sent delivery');
    const again = hooks.received[before]!;
    expect(again.headers['webhook-id']).toBe(userCreated.headers['webhook-id']);
    expect(client.webhooks.verify(again.body, again.headers, secrets).id).toBe(first.event_id);
  });
});
