/**
 * Webhook SSRF protection (GUESTLIST_WEBHOOK_BLOCK_PRIVATE): the address classifier against every
 * special-purpose range and every notation that hides one (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo,
 * odd IPv4 spellings the URL parser normalizes); refusal at save time through the management API; refusal at
 * connect time for literal hosts and for names that resolve to such an address.
 */
import type dns from 'node:dns';
import http from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/events/dispatcher.ts';
import { postJson, type AllLookup } from '../../src/events/http-post.ts';
import { UnsafeUrl, checkEndpointUrl, hostOf, internalAddressReason } from '../../src/events/url-safety.ts';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';
import { until } from '../support/eventually.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** [address, expected reason (a pattern), or null for globally reachable]. */
const TABLE: [string, RegExp | null][] = [
  // IPv4 special-purpose ranges that are not globally reachable.
  ['0.0.0.0', /this network/],
  ['0.255.255.255', /this network/],
  ['10.0.0.1', /private-use/],
  ['10.255.255.255', /private-use/],
  ['100.64.0.1', /shared address space/],
  ['100.127.255.254', /shared address space/],
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['169.254.169.254', /link-local/],
  ['172.16.0.1', /private-use/],
  ['172.31.255.255', /private-use/],
  ['192.0.0.1', /IETF protocol assignments/],
  ['192.0.0.170', /IETF protocol assignments/],
  ['192.0.2.1', /documentation/],
  ['192.88.99.1', /6to4 relay/],
  ['192.168.1.1', /private-use/],
  ['198.18.0.1', /benchmarking/],
  ['198.19.255.255', /benchmarking/],
  ['198.51.100.7', /documentation/],
  ['203.0.113.9', /documentation/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['240.0.0.1', /reserved/],
  ['255.255.255.255', /reserved|broadcast/],
  // Their neighbours are public.
  ['9.255.255.255', null],
  ['11.0.0.0', null],
  ['100.63.255.255', null],
  ['100.128.0.0', null],
  ['128.0.0.1', null],
  ['169.253.255.255', null],
  ['172.15.255.255', null],
  ['172.32.0.0', null],
  ['192.0.1.1', null],
  ['192.88.98.255', null],
  ['192.169.0.0', null],
  ['198.17.255.255', null],
  ['198.20.0.0', null],
  ['223.255.255.255', null],
  ['8.8.8.8', null],
  ['93.184.216.34', null],
  // IPv6.
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['0:0:0:0:0:0:0:1', /loopback/],
  ['[::1]', /loopback/],
  ['100::1', /discard-only/],
  ['2001:db8::1', /documentation/],
  ['3fff::1', /documentation/],
  ['3fff:fff::1', /documentation/],
  ['5f00::1', /segment routing/],
  ['fc00::1', /unique local/],
  ['fd12:3456::1', /unique local/],
  ['fe80::1', /link-local/],
  ['fe80::1%eth0', /link-local/],
  ['febf::1', /link-local/],
  ['fec0::1', /site-local/],
  ['ff02::1', /multicast/],
  ['ff0e::1', /multicast/],
  ['2001:2::1', /IETF protocol assignments/],
  ['2001:10::1', /IETF protocol assignments/],
  ['2001:1ff::1', /IETF protocol assignments/],
  ['64:ff9b:1::a00:1', /local-use NAT64/],
  ['64:ff9b:1::808:808', /local-use NAT64/],
  ['4000::1', /not global unicast/],
  ['1::1', /not global unicast/],
  ['2606:4700:4700::1111', null],
  ['2001:4860:4860::8888', null],
  ['2001:200::1', null],
  ['3ffe::1', null],
  ['3fff:1000::1', null],
  // IPv4-mapped (::ffff:0:0/96): judged by the IPv4 address inside, in every notation.
  ['::ffff:127.0.0.1', /IPv4-mapped.*127\.0\.0\.1.*loopback/],
  ['::ffff:7f00:1', /IPv4-mapped.*loopback/],
  ['::FFFF:7F00:0001', /IPv4-mapped.*loopback/],
  ['0:0:0:0:0:ffff:7f00:1', /IPv4-mapped.*loopback/],
  ['0000:0000:0000:0000:0000:ffff:127.0.0.1', /IPv4-mapped.*loopback/],
  ['::ffff:10.1.2.3', /IPv4-mapped.*private-use/],
  ['::ffff:a9fe:a9fe', /IPv4-mapped.*169\.254\.169\.254.*link-local/],
  ['::ffff:0.0.0.0', /IPv4-mapped.*this network/],
  ['::ffff:8.8.8.8', null],
  // IPv4-compatible (::/96, deprecated): refused whatever it embeds.
  ['::127.0.0.1', /IPv4-compatible.*127\.0\.0\.1/],
  ['::7f00:1', /IPv4-compatible/],
  ['::8.8.8.8', /IPv4-compatible/],
  // NAT64 well-known prefix 64:ff9b::/96: judged by the embedded IPv4 address.
  ['64:ff9b::127.0.0.1', /NAT64.*loopback/],
  ['64:ff9b::7f00:1', /NAT64.*loopback/],
  ['64:ff9b::c0a8:1', /NAT64.*192\.168\.0\.1/],
  ['64:ff9b::a9fe:a9fe', /NAT64.*link-local/],
  ['64:ff9b::808:808', null],
  // 6to4 2002::/16: the IPv4 address in bits 16–47.
  ['2002:7f00:1::1', /6to4.*127\.0\.0\.1.*loopback/],
  ['2002:a00:1::', /6to4.*10\.0\.0\.1/],
  ['2002:c0a8:101::1', /6to4.*192\.168\.1\.1/],
  ['2002:808:808::1', null],
  // Teredo 2001::/32: server IPv4 in bits 32–63, client IPv4 XOR-ed in the last 32 bits.
  ['2001:0:7f00:1:8000:63bf:f7f7:f7f7', /Teredo server.*127\.0\.0\.1/],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', /Teredo client.*127\.0\.0\.1.*loopback/],
  ['2001:0:4136:e378:8000:63bf:f5ff:fffe', /Teredo client.*10\.0\.0\.1/],
  ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', null],
  // Not an address at all: refused (fail closed).
  ['localhost', /not an IP address/],
  ['', /not an IP address/],
  ['1', /not an IP address/],
  ['127.1', /not an IP address/],
];

describe('internalAddressReason', () => {
  it.each(TABLE)('%s', (address, expected) => {
    const reason = internalAddressReason(address);
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toMatch(expected);
  });
});

/** Loopback in the notations an attacker might try, with what the WHATWG URL parser makes of each host. */
const LOOPBACK_URLS: [string, string][] = [
  ['http://127.0.0.1/x', '127.0.0.1'],
  ['http://2130706433/x', '127.0.0.1'],
  ['http://0x7f000001/x', '127.0.0.1'],
  ['http://0x7f.1/x', '127.0.0.1'],
  ['http://127.1/x', '127.0.0.1'],
  ['http://0177.0.0.1/x', '127.0.0.1'],
  ['http://017700000001/x', '127.0.0.1'],
  ['http://127.0.0.1./x', '127.0.0.1'],
  ['http://%31%32%37.0.0.1/x', '127.0.0.1'],
  ['http://０x7f.1/x', '127.0.0.1'],
  ['http://0/x', '0.0.0.0'],
  ['http://[::1]/x', '::1'],
  ['http://[::]/x', '::'],
  ['http://[::ffff:127.0.0.1]/x', '::ffff:7f00:1'],
  ['http://[::ffff:7f00:1]:8080/x', '::ffff:7f00:1'],
  ['http://[0:0:0:0:0:ffff:7f00:1]/x', '::ffff:7f00:1'],
  ['http://[::127.0.0.1]/x', '::7f00:1'],
  ['http://[64:ff9b::127.0.0.1]/x', '64:ff9b::7f00:1'],
  ['http://[2002:7f00:1::]/x', '2002:7f00:1::'],
  ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
];

describe('checkEndpointUrl', () => {
  it.each(LOOPBACK_URLS)('%s is parsed to host %s and refused', async (raw, host) => {
    expect(hostOf(new URL(raw))).toBe(host);
    await expect(checkEndpointUrl(raw, true)).rejects.toThrow(/internal address/);
    // Not refused when blocking is off: the refusal above is the classifier's doing.
    await expect(checkEndpointUrl(raw, false)).resolves.toBeInstanceOf(URL);
  });

  it('judges every address a name resolves to', async () => {
    const resolvingTo = (...addresses: string[]) => async () => addresses;
    await expect(checkEndpointUrl('https://hooks.example.test/x', true, resolvingTo('::ffff:127.0.0.1'))).rejects.toThrow(/resolves to ::ffff:127\.0\.0\.1, an internal address/);
    await expect(checkEndpointUrl('https://hooks.example.test/x', true, resolvingTo('93.184.216.34', '64:ff9b::a9fe:a9fe'))).rejects.toThrow(UnsafeUrl);
    await expect(checkEndpointUrl('https://hooks.example.test/x', true, resolvingTo())).rejects.toThrow(/does not resolve/);
    await expect(checkEndpointUrl('https://hooks.example.test/x', true, resolvingTo('93.184.216.34', '2606:4700:4700::1111'))).resolves.toBeInstanceOf(URL);
  });
});

describe('save time, through the management API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ GUESTLIST_WEBHOOK_BLOCK_PRIVATE: 'true' });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(LOOPBACK_URLS.map(([raw]) => raw))('refuses %s on create and update', async (raw) => {
    const created = await t.api('POST', '/webhook_endpoints', { endpoint_url: raw, events: ['dsync.user.created'] });
    expect(created.statusCode).toBe(422);
    expect(created.json()).toMatchObject({ message: expect.stringMatching(/internal address/), code: 'validation_error', errors: [{ field: 'endpoint_url' }] });
    const ok = await t.api('POST', '/webhook_endpoints', { endpoint_url: 'http://93.184.216.34/x', events: ['dsync.user.created'] });
    expect(ok.statusCode).toBe(201);
    const patched = await t.api('PATCH', `/webhook_endpoints/${ok.json().id}`, { endpoint_url: raw });
    expect(patched.statusCode).toBe(422);
    expect(patched.json()).toMatchObject({ message: expect.stringMatching(/internal address/), code: 'validation_error' });
    expect((await t.api('GET', `/webhook_endpoints/${ok.json().id}`)).json().endpoint_url).toBe('http://93.184.216.34/x');
    await t.api('DELETE', `/webhook_endpoints/${ok.json().id}`);
  });

  it('accepts public IPv6 literals and embedded public IPv4 addresses', async () => {
    for (const url of ['http://[2606:4700:4700::1111]/x', 'http://[::ffff:8.8.8.8]/x', 'http://[64:ff9b::8.8.8.8]/x', 'http://[2002:808:808::1]/x']) {
      const res = await t.api('POST', '/webhook_endpoints', { endpoint_url: url, events: ['dsync.user.created'] });
      expect(res.statusCode, url).toBe(201);
      await t.api('DELETE', `/webhook_endpoints/${res.json().id}`);
    }
  });
});

async function receiver() {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, received, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** A resolver that answers every name with `addresses`, and counts its calls. */
function fakeDns(...addresses: dns.LookupAddress[]) {
  const lookup: AllLookup & { calls: number } = Object.assign(
    (_host: string, _options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => {
      lookup.calls += 1;
      setImmediate(() => callback(null, addresses));
    },
    { calls: 0 },
  );
  return lookup;
}

const MAPPED_LOOPBACK = { address: '::ffff:127.0.0.1', family: 6 };

describe('connect time (http-post)', () => {
  const post = (url: string, blockPrivate: boolean, lookup?: AllLookup) =>
    postJson(new URL(url), { 'content-type': 'application/json' }, '{}', { timeoutMs: 2000, blockPrivate, ...(lookup ? { lookup } : {}) });

  it('refuses a name whose DNS answer is a mapped loopback address, which otherwise reaches 127.0.0.1', async () => {
    const r = await receiver();
    try {
      const dnsAnswer = fakeDns(MAPPED_LOOPBACK);
      const refused = await post(`http://rebind.example.test:${r.port}/hooks`, true, dnsAnswer);
      expect(dnsAnswer.calls).toBe(1);
      expect(refused).toMatchObject({ status: null, error: expect.stringMatching(/resolves to an internal address, ::ffff:127\.0\.0\.1 \(IPv4-mapped/) });
      expect(r.received).toHaveLength(0);
      // Mixed answers are refused as a whole: no falling through to the bad address.
      const mixed = await post(`http://rebind2.example.test:${r.port}/hooks`, true, fakeDns({ address: '93.184.216.34', family: 4 }, MAPPED_LOOPBACK));
      expect(mixed.error).toMatch(/internal address/);
      expect(r.received).toHaveLength(0);
      // Control: the same answer without blocking does reach the loopback receiver.
      const delivered = await post(`http://rebind.example.test:${r.port}/hooks`, false, fakeDns(MAPPED_LOOPBACK));
      expect(delivered).toMatchObject({ status: 200, error: null });
      expect(r.received).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  it.each(['http://[::ffff:127.0.0.1]:PORT/hooks', 'http://[0:0:0:0:0:ffff:7f00:1]:PORT/hooks', 'http://2130706433:PORT/hooks', 'http://0x7f.1:PORT/hooks', 'http://127.1:PORT/hooks'])(
    'refuses the literal %s before connecting (no DNS lookup happens for it)',
    async (template) => {
      const r = await receiver();
      try {
        const url = template.replace('PORT', String(r.port));
        const dnsAnswer = fakeDns({ address: '93.184.216.34', family: 4 });
        const refused = await post(url, true, dnsAnswer);
        expect(refused).toMatchObject({ status: null, error: expect.stringMatching(/is an internal address/) });
        expect(dnsAnswer.calls).toBe(0);
        expect(r.received).toHaveLength(0);
        // Control: without blocking, this notation does reach the loopback receiver.
        expect(await post(url, false)).toMatchObject({ status: 200 });
        expect(r.received).toHaveLength(1);
      } finally {
        await r.close();
      }
    },
  );
});

describe('connect time (dispatcher)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Saved with blocking off, so the endpoint exists; the blocking dispatcher must still refuse to send.
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('does not deliver to a host whose DNS answer is a mapped loopback address', async () => {
    const r = await receiver();
    const logger = pino({ level: 'silent' });
    const options = { secretKey: 'test-secret-key-0123456789abcdefghijklmnop', logger, pollMs: 20, baseDelayMs: 60_000, maxDelayMs: 60_000, timeoutMs: 1000, leaseMs: 500 };
    const blocking = new Dispatcher(t.store, { ...options, blockPrivate: true, lookup: fakeDns(MAPPED_LOOPBACK) });
    const stop = t.store.onCommit((due) => blocking.wake(due));
    blocking.start();
    try {
      const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: `http://hooks.example.test:${r.port}/hooks`, events: ['dsync.user.created'] })).json();
      const dir = await createDirectory(t);
      await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: 'mapped@acme.com' });
      const deliveries = async () => (await t.api('GET', `/webhook_endpoints/${we.id}/deliveries`)).json().data;
      await until(async () => (await deliveries())[0]?.attempt_count === 1, 20_000, 'the attempt');
      const [delivery] = await deliveries();
      expect(delivery).toMatchObject({ state: 'pending', last_status: null, last_error: expect.stringMatching(/internal address, ::ffff:127\.0\.0\.1/) });
      expect(r.received).toHaveLength(0);
    } finally {
      stop();
      await blocking.stop();
    }
    // Control: the same endpoint and DNS answer, without blocking, is delivered (the receiver is reachable).
    const due = new Date().toISOString();
    await t.store.db.updateTable('webhook_deliveries').set({ next_attempt_at: due }).where('state', '=', 'pending').execute();
    await t.store.db.updateTable('webhook_queues').set({ next_attempt_at: due, locked_until: null }).execute();
    const open = new Dispatcher(t.store, { ...options, blockPrivate: false, lookup: fakeDns(MAPPED_LOOPBACK), baseDelayMs: 10, maxDelayMs: 10 });
    open.start();
    try {
      await until(() => r.received.length > 0, 20_000, 'the control delivery');
      expect(JSON.parse(r.received[0]!)).toMatchObject({ event: 'dsync.user.created' });
    } finally {
      await open.stop();
      await r.close();
    }
  });
});
