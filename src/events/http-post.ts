/**
 * One webhook POST over node:http(s) with keep-alive agents (several times cheaper per request than fetch).
 * Redirects are never followed: a 3xx is a failed attempt. With `blockPrivate`, every address the host
 * resolves to is checked at connect time, inside the socket's own DNS lookup, so a name that re-resolves to
 * an internal address after the endpoint was saved (DNS rebinding) is refused too.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { UnsafeUrl, hostOf, internalAddressReason } from './url-safety.ts';

export interface PostResult {
  status: number | null;
  error: string | null;
  retryAfter: string | null;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** `dns.lookup` with `all: true`; tests replace it to make a name resolve where they want. */
export type AllLookup = (hostname: string, options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

/**
 * A socket `lookup` (the type http.request takes) that resolves every address with `resolveAll`, lets
 * `refuse` veto the name, and answers in the form the socket asked for: all addresses, or the first.
 */
function socketLookup(resolveAll: AllLookup, refuse?: (hostname: string, addresses: dns.LookupAddress[]) => Error | undefined): net.LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const refused = refuse?.(hostname, addresses);
      if (refused) return callback(refused, '');
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Refuses a name that resolves to nothing, or to any internal address. */
function internalRefusal(hostname: string, addresses: dns.LookupAddress[]): Error | undefined {
  if (addresses.length === 0) return Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' });
  for (const a of addresses) {
    const reason = internalAddressReason(a.address);
    if (reason) return new UnsafeUrl(`${hostname} resolves to an internal address, ${a.address} (${reason}): refused by GUESTLIST_WEBHOOK_BLOCK_PRIVATE.`);
  }
  return undefined;
}

/** A socket `lookup` that resolves with `resolveAll` and refuses the whole name if any address is internal. */
export function safeLookup(resolveAll: AllLookup = dns.lookup): net.LookupFunction {
  return socketLookup(resolveAll, internalRefusal);
}

const systemSafeLookup = safeLookup();

export function postJson(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; blockPrivate: boolean; lookup?: AllLookup },
): Promise<PostResult> {
  return new Promise((resolve) => {
    const host = hostOf(url);
    const literalReason = options.blockPrivate && net.isIP(host) ? internalAddressReason(host) : null;
    if (literalReason) {
      return resolve({ status: null, error: `endpoint_url's address ${host} is an internal address (${literalReason}): refused by GUESTLIST_WEBHOOK_BLOCK_PRIVATE.`, retryAfter: null });
    }
    // Without blocking, an injected resolver still decides where a name goes (tests); otherwise the system's.
    const lookup = options.blockPrivate ? (options.lookup ? safeLookup(options.lookup) : systemSafeLookup) : options.lookup ? socketLookup(options.lookup) : undefined;
    const payload = Buffer.from(body, 'utf8');
    const transport = url.protocol === 'https:' ? https : http;
    let settled = false;
    const done = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = transport.request(url, {
      method: 'POST',
      agent: agents[url.protocol as 'http:' | 'https:'],
      headers: { ...headers, 'content-length': String(payload.length) },
      ...(lookup ? { lookup } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    // Timed from when the request has a socket: with more queues in flight than the agent keeps sockets for one
    // host, a request may first wait for one, and that wait is not the receiver's slowness.
    req.once('socket', () => {
      timer = setTimeout(() => {
        req.destroy();
        done({ status: null, error: `timed out after ${options.timeoutMs} ms`, retryAfter: null });
      }, options.timeoutMs);
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const retryAfter = typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null;
      // The answer's body is not needed; drain it so the connection can be reused.
      res.resume();
      res.on('end', () => done({ status, error: status >= 200 && status < 300 ? null : `HTTP ${status}`, retryAfter }));
      res.on('error', () => done({ status, error: `HTTP ${status}; response cut short`, retryAfter }));
    });
    req.on('error', (err) => done({ status: null, error: err instanceof UnsafeUrl ? err.message : `request failed: ${err.message}`, retryAfter: null }));
    req.end(payload);
  });
}
