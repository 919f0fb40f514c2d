/**
 * Webhook secrets at rest and on the wire: the ciphertext formats (v2 with HKDF, v1 still read), key rotation
 * with GUESTLIST_SECRET_KEY_PREVIOUS (at start and lazily), an undecryptable secret disabling only its own
 * endpoint, and secrets shown only when created or rotated.
 */
import http from 'node:http';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/secrets.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startBackground } from '../../src/main.ts';
import { buildApp } from '../../src/http/app.ts';
import { apiKeyVerifier } from '../../src/http/management/index.ts';
import { Dispatcher } from '../../src/events/dispatcher.ts';
import { UndecryptableSecret, decryptSecret, deriveKey, encryptSecret, encryptSecretV1, generateWebhookSecret, openSecret } from '../../src/events/crypto.ts';
import { WebhookStore, upgradeWebhookSecrets } from '../../src/events/webhooks-store.ts';
import { until } from '../support/eventually.ts';
import { PUBLIC_URL, TEST_API_KEY, createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** The key createTestApp's app runs with. */
const KEY_A = 'test-secret-key-0123456789abcdefghijklmnop';
const KEY_B = 'another-secret-key-after-rotation-0123456789';

describe('ciphertext formats', () => {
  it('writes v2 (HKDF-derived key) and reads it with the right key only', () => {
    const secret = generateWebhookSecret();
    const stored = encryptSecret(secret, KEY_A);
    expect(stored).toMatch(/^v2\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain(secret.slice(6));
    expect(openSecret(stored, KEY_A)).toEqual({ plaintext: secret, stale: false });
    expect(() => decryptSecret(stored, KEY_B)).toThrow(UndecryptableSecret);
    expect(openSecret(stored, { current: KEY_B, previous: KEY_A })).toEqual({ plaintext: secret, stale: true });
    expect(encryptSecret(secret, KEY_A)).not.toBe(stored); // a fresh IV each time
  });

  it('derives keys with HKDF per purpose, not the v1 hash', async () => {
    const { createHash, hkdfSync } = await import('node:crypto');
    const v2 = deriveKey(KEY_A, 'guestlist/webhook-secret/v2');
    expect(v2).toEqual(Buffer.from(hkdfSync('sha256', KEY_A, 'guestlist', 'guestlist/webhook-secret/v2', 32)));
    expect(v2).not.toEqual(createHash('sha256').update(`guestlist webhook secrets\0${KEY_A}`).digest());
    expect(deriveKey(KEY_A, 'another purpose')).not.toEqual(v2);
    expect(deriveKey(KEY_B, 'guestlist/webhook-secret/v2')).not.toEqual(v2);
  });

  it('still reads v1 ciphertexts (the old derivation), as stale', () => {
    const secret = generateWebhookSecret();
    const legacy = encryptSecretV1(secret, KEY_A);
    expect(legacy).toMatch(/^v1\./);
    expect(openSecret(legacy, KEY_A)).toEqual({ plaintext: secret, stale: true });
    expect(openSecret(legacy, { current: KEY_B, previous: KEY_A })).toEqual({ plaintext: secret, stale: true });
    expect(() => openSecret(legacy, KEY_B)).toThrow(UndecryptableSecret);
  });

  it('refuses tampered or malformed ciphertexts', () => {
    const stored = encryptSecret(generateWebhookSecret(), KEY_A);
    const [v, iv, tag, ct] = stored.split('.') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    for (const bad of [[v, iv, tag, flipped.toString('base64url')].join('.'), ['v3', iv, tag, ct].join('.'), [v, iv, tag].join('.'), `${stored}.x`, '']) {
      expect(() => openSecret(bad, KEY_A), bad).toThrow(UndecryptableSecret);
    }
  });
});

interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; data: { id: string } };
}

async function receiver() {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  return { url, hits, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** A pino logger whose records are kept for assertions. */
function recordingLogger() {
  const records: { level: number; msg: string; [k: string]: unknown }[] = [];
  return { records, logger: pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line)) }) };
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** The management API of the same database, as a process started with other keys would serve it. */
async function appWithKeys(current: string, previous?: string) {
  const config = loadConfig({ GUESTLIST_API_KEY: TEST_API_KEY, GUESTLIST_PUBLIC_URL: PUBLIC_URL, GUESTLIST_SECRET_KEY: current, ...(previous ? { GUESTLIST_SECRET_KEY_PREVIOUS: previous } : {}) });
  expect(config.secretKeyPrevious).toBe(previous);
  const app = await buildApp({ config, store: t.store, logger: pino({ level: 'silent' }), secretKey: current, apiKeys: apiKeyVerifier([hashSecret(TEST_API_KEY)]) });
  const api = (method: string, url: string, body?: unknown) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  return { api, close: () => app.close() };
}

function dispatcher(keys: { current: string; previous?: string }, logger = pino({ level: 'silent' })) {
  const d = new Dispatcher(t.store, { secretKey: keys.current, previousSecretKey: keys.previous, blockPrivate: false, logger, pollMs: 20, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 1000, leaseMs: 500 });
  const unsubscribe = t.store.onCommit((due) => d.wake(due));
  d.start();
  return {
    stop: async () => {
      unsubscribe();
      await d.stop();
    },
  };
}

const storedCiphertext = async (id: string) =>
  (await t.store.db.selectFrom('webhook_endpoints').select(['secret_ciphertext', 'previous_secret_ciphertext']).where('id', '=', id).executeTakeFirstOrThrow());

/** An endpoint as stored by an earlier version: its secret in the v1 format under `key`. */
async function legacyEndpoint(url: string, key: string) {
  const secret = generateWebhookSecret();
  const { endpoint } = await new WebhookStore(t.store.db, key).create(url, ['dsync.user.created']);
  await t.store.db.updateTable('webhook_endpoints').set({ secret_ciphertext: encryptSecretV1(secret, key) }).where('id', '=', endpoint.id).execute();
  return { id: endpoint.id, secret };
}

const verifies = (secret: string, hit: Hit) => {
  try {
    new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

describe('key rotation (GUESTLIST_SECRET_KEY_PREVIOUS)', () => {
  it('reads secrets made under key A with key B and PREVIOUS=A, re-encrypts them under B at start, and B alone then suffices', async () => {
    const r = await receiver();
    try {
      // Made under A: one through the API (v2), one as an earlier version stored it (v1).
      const created = (await t.api('POST', '/webhook_endpoints', { endpoint_url: r.url, events: ['dsync.user.created'] })).json();
      const legacy = await legacyEndpoint(r.url, KEY_A);

      // A process started with B and PREVIOUS=A: reads work, hints are right.
      const rotatedApp = await appWithKeys(KEY_B, KEY_A);
      try {
        expect((await rotatedApp.api('GET', `/webhook_endpoints/${created.id}`)).json()).toMatchObject({ secret_hint: created.secret.slice(-4), status: 'enabled' });
        expect((await rotatedApp.api('GET', `/webhook_endpoints/${legacy.id}`)).json()).toMatchObject({ secret_hint: legacy.secret.slice(-4), status: 'enabled' });
      } finally {
        await rotatedApp.close();
      }

      // At start: both re-encrypted under B, as v2.
      const { logger, records } = recordingLogger();
      const report = await upgradeWebhookSecrets(t.store, { current: KEY_B, previous: KEY_A }, logger);
      expect(report?.reencrypted).toEqual(expect.arrayContaining([created.id, legacy.id]));
      expect(report?.disabled).toEqual([]);
      expect(records.some((r) => r.msg.includes('re-encrypted'))).toBe(true);
      for (const [id, secret] of [[created.id, created.secret], [legacy.id, legacy.secret]] as const) {
        const { secret_ciphertext } = await storedCiphertext(id);
        expect(secret_ciphertext).toMatch(/^v2\./);
        expect(openSecret(secret_ciphertext, KEY_B)).toEqual({ plaintext: secret, stale: false });
        expect(() => openSecret(secret_ciphertext, KEY_A)).toThrow(UndecryptableSecret);
      }
      // Run again: nothing left to do.
      expect(await upgradeWebhookSecrets(t.store, { current: KEY_B, previous: KEY_A }, logger)).toMatchObject({ reencrypted: [], disabled: [] });

      // B alone from now on: both endpoints still get their deliveries, signed with their unchanged secrets.
      const d = dispatcher({ current: KEY_B });
      try {
        const dir = await createDirectory(t);
        const user = (await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: 'rotated@acme.com' })).json();
        await until(() => r.hits.filter((h) => h.json.data.id === user.id).length === 2);
        const hits = r.hits.filter((h) => h.json.data.id === user.id);
        expect(hits.filter((h) => verifies(created.secret, h))).toHaveLength(1);
        expect(hits.filter((h) => verifies(legacy.secret, h))).toHaveLength(1);
        for (const id of [created.id, legacy.id]) expect((await t.api('GET', `/webhook_endpoints/${id}`)).statusCode).toBe(200);
      } finally {
        await d.stop();
      }
      for (const id of [created.id, legacy.id]) await t.api('DELETE', `/webhook_endpoints/${id}`);
    } finally {
      await r.close();
    }
  });

  it('is wired at start: GUESTLIST_SECRET_KEY_PREVIOUS is validated, and the background start re-encrypts', async () => {
    expect(() => loadConfig({ GUESTLIST_SECRET_KEY_PREVIOUS: 'too-short' })).toThrow(ConfigError);
    expect(() => loadConfig({ GUESTLIST_SECRET_KEY_PREVIOUS: 'too-short' })).toThrow(/GUESTLIST_SECRET_KEY_PREVIOUS/);
    expect(loadConfig({}).secretKeyPrevious).toBeUndefined();
    const legacy = await legacyEndpoint('https://example.com/start', KEY_A);
    const config = loadConfig({ GUESTLIST_SECRET_KEY: KEY_B, GUESTLIST_SECRET_KEY_PREVIOUS: KEY_A });
    const background = await startBackground(t.store, config, KEY_B, pino({ level: 'silent' }));
    await background.stop();
    const { secret_ciphertext } = await storedCiphertext(legacy.id);
    expect(openSecret(secret_ciphertext, KEY_B)).toEqual({ plaintext: legacy.secret, stale: false });
    await t.api('DELETE', `/webhook_endpoints/${legacy.id}`);
  });

  it('re-encrypts lazily when the dispatcher reads a secret with the previous key, the rotation overlap secret too', async () => {
    const r = await receiver();
    try {
      const created = (await t.api('POST', '/webhook_endpoints', { endpoint_url: r.url, events: ['dsync.user.created'] })).json();
      const rotated = (await t.api('POST', `/webhook_endpoints/${created.id}/rotate_secret`, { overlap_seconds: 3600 })).json();
      const before = await storedCiphertext(created.id);
      expect(before.previous_secret_ciphertext).toMatch(/^v2\./);
      const d = dispatcher({ current: KEY_B, previous: KEY_A });
      try {
        const dir = await createDirectory(t);
        const user = (await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: 'lazy@acme.com' })).json();
        await until(() => r.hits.some((h) => h.json.data.id === user.id));
        const hit = r.hits.find((h) => h.json.data.id === user.id)!;
        // During the overlap both the new and the old secret sign.
        expect(verifies(rotated.secret, hit)).toBe(true);
        expect(verifies(created.secret, hit)).toBe(true);
      } finally {
        await d.stop();
      }
      const after = await storedCiphertext(created.id);
      expect(decryptSecret(after.secret_ciphertext, KEY_B)).toBe(rotated.secret);
      expect(decryptSecret(after.previous_secret_ciphertext!, KEY_B)).toBe(created.secret);
      await t.api('DELETE', `/webhook_endpoints/${created.id}`);
    } finally {
      await r.close();
    }
  });
});

describe('an undecryptable secret', () => {
  it('disables only its own endpoint, with a reason, logged; other endpoints keep getting deliveries', async () => {
    const stale = await receiver();
    const fresh = await receiver();
    const appB = await appWithKeys(KEY_B);
    try {
      // Made under A; the process now runs with B alone (GUESTLIST_SECRET_KEY changed, no PREVIOUS).
      const lost = (await t.api('POST', '/webhook_endpoints', { endpoint_url: stale.url, events: ['dsync.user.created'] })).json();
      const kept = (await appB.api('POST', '/webhook_endpoints', { endpoint_url: fresh.url, events: ['dsync.user.created'] })).json();
      expect(kept.secret).toMatch(/^whsec_/);

      // Reads do not fail over it: the list, and the endpoint itself with no hint.
      const list = await appB.api('GET', '/webhook_endpoints?limit=100');
      expect(list.statusCode).toBe(200);
      expect(list.json().data.find((e: { id: string }) => e.id === lost.id)).toMatchObject({ secret_hint: null, status: 'enabled' });

      const { logger, records } = recordingLogger();
      const d = dispatcher({ current: KEY_B }, logger);
      try {
        const dir = await createDirectory(t);
        const users: string[] = [];
        for (let i = 0; i < 3; i++) users.push((await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: `isolated${i}@acme.com` })).json().id);
        await until(() => users.every((id) => fresh.hits.some((h) => h.json.data.id === id)));
        for (const id of users) expect(verifies(kept.secret, fresh.hits.find((h) => h.json.data.id === id)!)).toBe(true);
        await until(async () => (await appB.api('GET', `/webhook_endpoints/${lost.id}`)).json().status === 'disabled');
        expect(stale.hits).toHaveLength(0);
        expect((await appB.api('GET', `/webhook_endpoints/${lost.id}`)).json()).toMatchObject({ status: 'disabled', disabled_reason: 'secret_undecryptable', secret_hint: null });
        const logged = records.find((r) => r.level >= 50 && r.endpoint === lost.id);
        expect(logged?.msg).toMatch(/cannot be decrypted/);
        // Its deliveries wait, unsent, for the endpoint to be fixed.
        const waiting = (await appB.api('GET', `/webhook_endpoints/${lost.id}/deliveries`)).json().data;
        expect(waiting.length).toBeGreaterThan(0);
        expect(waiting.every((w: { state: string; attempt_count: number }) => w.state === 'pending' && w.attempt_count === 0)).toBe(true);

        // Re-enabling before rotating would only fail again: refused.
        const early = await appB.api('PATCH', `/webhook_endpoints/${lost.id}`, { status: 'enabled' });
        expect(early.statusCode).toBe(409);
        expect(early.json()).toMatchObject({ code: 'secret_undecryptable', message: expect.any(String) });
        // Rotate (the unreadable old secret is dropped, not kept for the overlap), then enable: delivered.
        const rotated = await appB.api('POST', `/webhook_endpoints/${lost.id}/rotate_secret`, {});
        expect(rotated.statusCode).toBe(200);
        expect(rotated.json()).toMatchObject({ secret: expect.stringMatching(/^whsec_/), previous_secret_expires_at: null, status: 'disabled' });
        const newSecret = rotated.json().secret as string;
        const enabled = await appB.api('PATCH', `/webhook_endpoints/${lost.id}`, { status: 'enabled' });
        expect(enabled.json()).toMatchObject({ status: 'enabled', disabled_reason: null, secret_hint: newSecret.slice(-4) });
        // The deliveries fanned out before it was disabled are sent now, signed with the new secret.
        await until(async () => (await appB.api('GET', `/webhook_endpoints/${lost.id}/deliveries?state=succeeded`)).json().data.length === waiting.length);
        expect(stale.hits).toHaveLength(waiting.length);
        for (const hit of stale.hits) expect(verifies(newSecret, hit)).toBe(true);
      } finally {
        await d.stop();
      }
      for (const id of [lost.id, kept.id]) await t.api('DELETE', `/webhook_endpoints/${id}`);
    } finally {
      await appB.close();
      await stale.close();
      await fresh.close();
    }
  });

  it('is disabled at start by the upgrade pass, which leaves readable endpoints alone', async () => {
    const lost = (await t.api('POST', '/webhook_endpoints', { endpoint_url: 'https://example.com/a', events: ['dsync.user.created'] })).json();
    const { endpoint: kept } = await new WebhookStore(t.store.db, KEY_B).create('https://example.com/b', ['dsync.user.created']);
    const before = await storedCiphertext(lost.id);
    const { logger, records } = recordingLogger();
    const report = await upgradeWebhookSecrets(t.store, { current: KEY_B }, logger);
    expect(report).toEqual({ reencrypted: [], disabled: [lost.id] });
    expect(records.find((r) => r.level >= 50)).toMatchObject({ endpoints: [lost.id], reason: 'secret_undecryptable' });
    // Nothing is lost: the ciphertext is untouched, so restarting with the right key (as PREVIOUS) recovers it.
    expect(await storedCiphertext(lost.id)).toEqual(before);
    const read = (await t.api('GET', `/webhook_endpoints/${lost.id}`)).json();
    expect(read).toMatchObject({ status: 'disabled', disabled_reason: 'secret_undecryptable', secret_hint: lost.secret.slice(-4) });
    expect((await t.api('GET', `/webhook_endpoints/${kept.id}`)).json()).toMatchObject({ status: 'enabled', disabled_reason: null });
    expect(await upgradeWebhookSecrets(t.store, { current: KEY_B, previous: KEY_A }, logger)).toEqual({ reencrypted: [lost.id], disabled: [] });
    for (const id of [lost.id, kept.id]) await t.api('DELETE', `/webhook_endpoints/${id}`);
  });
});
