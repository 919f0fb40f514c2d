/**
 * Slow clients over real sockets: requests whose body stalls halfway must hold neither an admission slot nor a
 * connection for longer than GUESTLIST_REQUEST_TIMEOUT_MS. No speed is asserted: only "answered at all" and
 * "ended at all" within generous deadlines, and that nothing is cut off before the bound.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/eventually.ts';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

const READ_BOUND_MS = 2500;
const SLOW_CLIENTS = 72;

let t: TestApp;
let port: number;

beforeAll(async () => {
  t = await createTestApp({
    GUESTLIST_REQUEST_TIMEOUT_MS: String(READ_BOUND_MS),
    // Fewer slots than slow clients, and a wait shorter than the read bound: were the slow requests admitted
    // before their body arrived, every other request would queue behind them and get 429 while they sit.
    GUESTLIST_SCIM_MAX_IN_FLIGHT: '48',
    GUESTLIST_SCIM_MAX_IN_FLIGHT_PER_DIRECTORY: '32',
    GUESTLIST_SCIM_MAX_WAIT_MS: '400',
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
});
afterAll(() => t.close());

interface SlowClient {
  sentAt: number;
  /** Resolves when the server ends the connection, with what it answered (if anything). */
  ended: Promise<{ at: number; response: string }>;
  socket: net.Socket;
}

/** Sends a POST /Users with its headers and half its body, then stalls. */
function slowClient(directoryId: string, token: string, i: number): SlowClient {
  const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `slow${i}@acme.com`, active: true });
  const socket = net.connect(port, '127.0.0.1');
  let response = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (response += chunk));
  const ended = new Promise<{ at: number; response: string }>((resolve) => {
    socket.on('close', () => resolve({ at: Date.now(), response }));
  });
  socket.on('error', () => {});
  const sentAt = Date.now();
  socket.write(
    `POST /scim/v2/${directoryId}/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, Math.floor(body.length / 2))}`,
  );
  return { sentAt, ended, socket };
}

async function scim(method: string, url: string, token: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.text() };
}

describe('slow clients', () => {
  it('a stalled body holds no admission slot, and the stalled request ends once the read bound passes', async () => {
    const slowA = await createDirectory(t);
    const sameOrg = (await t.api('POST', '/directories', { organization_id: slowA.organization_id, type: 'okta scim v2.0' })).json();
    const slowB = (await t.api('POST', '/directories', { organization_id: slowA.organization_id, type: 'azure scim v2.0' })).json();
    const otherOrg = await createDirectory(t);

    const seen: IncomingMessage[] = [];
    const onRequest = (req: IncomingMessage) => {
      if (req.url?.includes(slowA.id) || req.url?.includes(slowB.id)) seen.push(req);
    };
    t.app.server.on('request', onRequest);
    const slow = Array.from({ length: SLOW_CLIENTS }, (_, i) => (i % 2 === 0 ? slowClient(slowA.id, slowA.bearer_token, i) : slowClient(slowB.id, slowB.bearer_token, i)));
    try {
      // Every slow request has reached the server (headers parsed) and passed its onRequest hooks (precheck and
      // authentication): the body parser, which runs after them, is reading its body (the stream flows). This is
      // where a slot would already be held, were one taken before the body.
      await until(() => seen.length === SLOW_CLIENTS && seen.every((req) => req.readableFlowing === true), 10_000, 'every slow request to be reading its body');
      const stillSitting = () => slow.every((c) => !c.socket.closed && c.socket.bytesRead === 0);
      expect(stillSitting()).toBe(true);

      const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'prompt@acme.com' };
      const served = await Promise.all([
        scim('POST', `/scim/v2/${sameOrg.id}/Users`, sameOrg.bearer_token, user),
        scim('GET', `/scim/v2/${otherOrg.id}/Users?filter=${encodeURIComponent('userName eq "nobody@acme.com"')}`, otherOrg.bearer_token),
        // Even the directories the slow clients sit on still take complete requests.
        scim('GET', `/scim/v2/${slowA.id}/Users`, slowA.bearer_token),
        scim('GET', `/scim/v2/${slowB.id}/Groups`, slowB.bearer_token),
      ]);
      expect(served.map((r) => r.status)).toEqual([201, 200, 200, 200]);
      // They were served while every slow client still sat on its half body, none of which holds a slot.
      expect(stillSitting()).toBe(true);
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^guestlist_scim_in_flight 0$/m);
      expect(metrics).toMatch(/^guestlist_scim_queued 0$/m);
      expect(metrics).not.toMatch(/guestlist_scim_rejected_total\{reason="\w+"\} [1-9]/);

      // Then each slow request ends: answered 408 or closed, never processed, and not before the bound.
      const ends = await Promise.race([
        Promise.all(slow.map((c) => c.ended)),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('slow requests still open 15 s after the bound')), READ_BOUND_MS + 15_000)),
      ]);
      for (const [i, end] of ends.entries()) {
        if (end.response !== '') expect(end.response).toMatch(/^HTTP\/1\.1 408 /);
        expect(end.at - slow[i]!.sentAt).toBeGreaterThanOrEqual(READ_BOUND_MS - 50);
      }
      expect(ends.filter((e) => e.response.startsWith('HTTP/1.1 408')).length).toBeGreaterThan(0);
      const created = await scim('GET', `/scim/v2/${slowA.id}/Users?filter=${encodeURIComponent('userName sw "slow"')}`, slowA.bearer_token);
      expect(JSON.parse(created.body).totalResults).toBe(0);
    } finally {
      t.app.server.off('request', onRequest);
      for (const c of slow) c.socket.destroy();
    }
  });

  it('configures the http server with the bounds, and sensible defaults without them', async () => {
    expect(t.app.server).toMatchObject({ requestTimeout: READ_BOUND_MS, headersTimeout: READ_BOUND_MS, timeout: 120_000 });
    const defaults = await createTestApp();
    try {
      expect(defaults.app.server).toMatchObject({ requestTimeout: 30_000, headersTimeout: 10_000, timeout: 120_000 });
    } finally {
      await defaults.close();
    }
  });

  it('headers that never finish are cut off too', async () => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await Promise.race([closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still open')), READ_BOUND_MS + 15_000))]);
    expect(response === '' || /^HTTP\/1\.1 408 /.test(response)).toBe(true);
  });

  it('a complete request on a kept-alive connection is unaffected by the bound', async () => {
    const dir = await createDirectory(t);
    // Two requests on one connection, the second sent after the first one's bound would have passed.
    const socket = net.connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let response = '';
    socket.on('data', (chunk: string) => (response += chunk));
    const request = `GET /scim/v2/${dir.id}/ServiceProviderConfig HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${dir.bearer_token}\r\n\r\n`;
    socket.write(request);
    await until(() => /\r\n\r\n[\s\S]*\}$/.test(response), 5000, 'the response');
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    response = '';
    // The bound must pass without the idle connection being cut. Rather than sleep past it and hope the server's
    // sweep ran, a request started now that stalls in its headers is cut off by that sweep once the bound has
    // passed for it, hence for this connection too (its request started earlier).
    const probe = net.connect(port, '127.0.0.1');
    let probeResponse = '';
    probe.setEncoding('utf8');
    probe.on('data', (chunk: string) => (probeResponse += chunk));
    probe.on('error', () => {});
    const probeStart = Date.now();
    const probeClosed = new Promise<number>((resolve) => probe.on('close', () => resolve(Date.now())));
    probe.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect((await probeClosed) - probeStart).toBeGreaterThanOrEqual(READ_BOUND_MS - 50);
    expect(probeResponse === '' || /^HTTP\/1\.1 408 /.test(probeResponse)).toBe(true);
    expect(socket.closed).toBe(false);
    socket.write(request);
    await until(() => /\r\n\r\n[\s\S]*\}$/.test(response), 5000, 'the response');
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    socket.destroy();
  });
});
