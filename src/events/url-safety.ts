/**
 * Webhook endpoint URLs: http or https only; with GUESTLIST_WEBHOOK_BLOCK_PRIVATE, none that resolves to a
 * loopback, private, link-local or otherwise internal address. Redirects are never followed, so a public URL
 * cannot bounce a delivery into the internal network.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';

export class UnsafeUrl extends Error {}

export function checkUrlShape(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrl('endpoint_url must be an absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeUrl('endpoint_url must be an http or https URL.');
  if (url.username || url.password) throw new UnsafeUrl('endpoint_url must not carry credentials.');
  return url;
}

export function isInternalAddress(address: string): boolean {
  const v4 = net.isIPv4(address) ? address : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const lower = address.toLowerCase();
  return lower === '::' || lower === '::1' || lower.startsWith('fe8') || lower.startsWith('fe9') || lower.startsWith('fea') || lower.startsWith('feb') || lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('ff');
}

/** Throws UnsafeUrl when the URL is malformed, or (when blocking) resolves to an internal address. */
export async function checkEndpointUrl(raw: string, blockPrivate: boolean): Promise<URL> {
  const url = checkUrlShape(raw);
  if (!blockPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new UnsafeUrl(`endpoint_url's host "${host}" does not resolve.`);
  if (addresses.some(isInternalAddress)) throw new UnsafeUrl(`endpoint_url resolves to an internal address, refused by GUESTLIST_WEBHOOK_BLOCK_PRIVATE.`);
  return url;
}
