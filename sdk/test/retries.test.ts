/** Retries, time-outs and network failures, against a local stub server that answers from a script. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, Guestlist, GuestlistError, RateLimitError, ServerError, TimeoutError, type GuestlistOptions } from '../src/index.ts';
import { backoffMs, parseRetryAfter } from '../src/retry.ts';

type Answer = (res: http.ServerResponse) => void;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => (res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};
const unavailable = json(503, { message: 'The service is temporarily unavailable; retry later.', code: 'service_unavailable' });
const ORG = { object: 'organization', id: 'org_1', name: 'Acme', domains: [], created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z' };

interface Seen {
  method: string;
  url: string;
  at: number;
  authorization: string | undefined;
}

let stubs: http.Server[] = [];
afterEach(async () => {
  await Promise.all(stubs.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
  stubs = [];
});

/** Answers the n-th request with script[n] (the last one again once the script runs out). */
async function stub(script: Answer[], options: Partial<GuestlistOptions> = {}) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', at: performance.now(), authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => script[Math.min(seen.length, script.length) - 1]!(res));
  });
  stubs.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const client = new Guestlist({ apiKey: 'sk_stub', baseUrl: `http://127.0.0.1:${port}/`, ...options });
  return { client, seen };
}

async function failure(promise: PromiseLike<unknown>): Promise<GuestlistError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GuestlistError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('retries', () => {
  it('waits out a 429 with Retry-After in seconds, then succeeds', async () => {
    const { client, seen } = await stub([json(429, { message: 'Slow down.', code: 'rate_limited' }, { 'retry-after': '1' }), json(200, ORG)]);
    expect(await client.organizations.get('org_1')).toEqual(ORG);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(990);
    expect(seen.every((s) => s.url === '/organizations/org_1' && s.authorization === 'Bearer sk_stub')).toBe(true);
  });

  it('waits out a 429 with Retry-After as an HTTP date', async () => {
    const retryAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toUTCString();
    const { client, seen } = await stub([json(429, { message: 'Slow down.', code: 'rate_limited' }, { 'retry-after': retryAt }), json(200, ORG)]);
    await client.organizations.get('org_1');
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('retries 503s with growing backoff, then succeeds', async () => {
    const { client, seen } = await stub([unavailable, unavailable, json(200, ORG)]);
    expect(await client.organizations.get('org_1')).toEqual(ORG);
    expect(seen).toHaveLength(3);
    // Attempt n waits between half and all of 500·2^(n−1) ms.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(249);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(499);
  });

  it('gives up after maxRetries with a ServerError carrying the body', async () => {
    const { client, seen } = await stub([unavailable], { maxRetries: 2 });
    const error = await failure(client.directories.list());
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 503, code: 'service_unavailable', message: 'The service is temporarily unavailable; retry later.' });
    expect(seen).toHaveLength(3);
  });

  it('does not retry with maxRetries 0', async () => {
    const { client, seen } = await stub([unavailable, json(200, ORG)], { maxRetries: 0 });
    expect(await failure(client.organizations.get('org_1'))).toBeInstanceOf(ServerError);
    expect(seen).toHaveLength(1);
  });

  it('retries PUT, PATCH and DELETE on 503', async () => {
    const { client, seen } = await stub([unavailable, json(200, ORG), unavailable, json(200, {}), unavailable, (res) => res.writeHead(204).end()]);
    await client.organizations.update('org_1', { name: 'Acme' });
    await client.directories.update('directory_1', { name: 'x' });
    await expect(client.webhookEndpoints.delete('we_1')).resolves.toBeUndefined();
    expect(seen.map((s) => s.method)).toEqual(['PUT', 'PUT', 'PATCH', 'PATCH', 'DELETE', 'DELETE']);
  });

  it('never repeats a POST after a 503, but does after a 429', async () => {
    const refused = await stub([unavailable, json(201, ORG)]);
    expect(await failure(refused.client.organizations.create({ name: 'Acme' }))).toBeInstanceOf(ServerError);
    expect(refused.seen).toHaveLength(1);

    const limited = await stub([json(429, { message: 'Slow down.', code: 'rate_limited' }, { 'retry-after': '0' }), json(201, ORG)]);
    expect(await limited.client.organizations.create({ name: 'Acme' })).toEqual(ORG);
    expect(limited.seen.map((s) => s.method)).toEqual(['POST', 'POST']);
  });

  it('does not wait out a Retry-After over a minute: the RateLimitError says how long', async () => {
    const { client, seen } = await stub([json(429, { message: 'Slow down.', code: 'rate_limited' }, { 'retry-after': '3600' })]);
    const error = await failure(client.organizations.list());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterMs: 3_600_000 });
    expect(seen).toHaveLength(1);
  });

  it('retries a GET whose connection was cut', async () => {
    const { client, seen } = await stub([(res) => res.socket?.destroy(), json(200, ORG)]);
    expect(await client.organizations.get('org_1')).toEqual(ORG);
    expect(seen).toHaveLength(2);
  });
});

describe('network errors and time-outs', () => {
  it('throws TimeoutError when no answer comes within timeoutMs, and retries a GET after one', async () => {
    const slow: Answer = (res) => setTimeout(() => json(200, ORG)(res), 1_000);
    const once = await stub([slow], { timeoutMs: 100, maxRetries: 0 });
    const error = await failure(once.client.organizations.get('org_1'));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'timeout', status: undefined });

    const retried = await stub([slow, json(200, ORG)], { timeoutMs: 300 });
    expect(await retried.client.organizations.get('org_1')).toEqual(ORG);
    expect(retried.seen).toHaveLength(2);
  });

  it('throws ConnectionError when nothing listens', async () => {
    const { client } = await stub([json(200, ORG)], { maxRetries: 0 });
    await new Promise<void>((r) => { stubs[0]!.close(() => r()); });
    const error = await failure(client.organizations.get('org_1'));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'connection_error', status: undefined });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('reads an error body that is not JSON', async () => {
    const { client } = await stub([(res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>')], { maxRetries: 0 });
    const error = await failure(client.organizations.list());
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, code: 'http_502' });
    expect(error.message).toContain('Bad Gateway');
  });

  it('abandons a request in flight when the events stream is aborted', async () => {
    const { client, seen } = await stub([() => {}]);
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 100);
    for await (const _ of client.events.stream({ signal: stop.signal })) throw new Error('no event expected');
    expect(seen).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffMs(n, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect([1, 2, 3].map((n) => backoffMs(n, () => 0))).toEqual([250, 500, 1000]);
  });
});
