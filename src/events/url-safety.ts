/**
 * Webhook endpoint URLs: http or https only; with GUESTLIST_WEBHOOK_BLOCK_PRIVATE, none that resolves to an
 * address that is not globally reachable. Redirects are never followed, so a public URL cannot bounce a
 * delivery into the internal network.
 *
 * One classifier, `internalAddressReason`, decides for every address, at save time (the URL's literal address
 * or every address its name resolves to) and at connect time (src/events/http-post.ts). It parses with
 * ipaddr.js, so every spelling of an address is judged the same, and it unwraps IPv6 forms that carry an IPv4
 * address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) and judges the IPv4 address inside. The ranges
 * are those of IANA's IPv4 and IPv6 Special-Purpose Address Registries that are not globally reachable, plus
 * multicast; anything that cannot be parsed is refused (fail closed).
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

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

/**
 * The URL's host as connect() sees it: brackets of an IPv6 literal removed. The WHATWG parser has already
 * normalized odd IPv4 spellings (`2130706433`, `0x7f.1`, `127.1`, `0177.0.0.1`, full-width digits) to a dotted
 * quad and IPv6 literals to their compressed form, so `net.isIP` recognizes every literal it lets through.
 */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

type Cidr<T> = [T, number, string];

const v4 = (cidr: string, name: string): Cidr<ipaddr.IPv4> => [...ipaddr.IPv4.parseCIDR(cidr), name];
const v6 = (cidr: string, name: string): Cidr<ipaddr.IPv6> => [...ipaddr.IPv6.parseCIDR(cidr), name];

/** IPv4 ranges that are not globally reachable (IANA IPv4 Special-Purpose Address Registry), and multicast. */
const BLOCKED_V4: Cidr<ipaddr.IPv4>[] = [
  v4('0.0.0.0/8', '"this network"'),
  v4('10.0.0.0/8', 'private-use'),
  v4('100.64.0.0/10', 'shared address space (CGNAT)'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private-use'),
  // Its two globally reachable /32s (PCP and TURN anycast) are never webhook receivers: the whole /24 is refused.
  v4('192.0.0.0/24', 'IETF protocol assignments'),
  v4('192.0.2.0/24', 'documentation (TEST-NET-1)'),
  v4('192.88.99.0/24', 'deprecated 6to4 relay anycast'),
  v4('192.168.0.0/16', 'private-use'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation (TEST-NET-2)'),
  v4('203.0.113.0/24', 'documentation (TEST-NET-3)'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
  v4('255.255.255.255/32', 'limited broadcast'),
];

/**
 * IPv6 ranges refused outright (IANA IPv6 Special-Purpose Address Registry and address space). Forms that embed
 * an IPv4 address and are routable (IPv4-mapped, NAT64 64:ff9b::/96, 6to4, Teredo) are judged by what they
 * embed, before this table is consulted. Only global unicast (2000::/3) is reachable at all; everything
 * outside it not unwrapped above is refused.
 */
const BLOCKED_V6: Cidr<ipaddr.IPv6>[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('::/96', 'IPv4-compatible (deprecated)'),
  v6('64:ff9b:1::/48', 'local-use NAT64'),
  v6('100::/64', 'discard-only'),
  // 2001::/23 holds a few globally reachable anycast and overlay blocks (AMT, AS112, ORCHIDv2, drone ids); none
  // is a webhook receiver, so the whole /23 except Teredo (judged by its IPv4 addresses) is refused.
  v6('2001::/23', 'IETF protocol assignments'),
  v6('2001:db8::/32', 'documentation'),
  v6('3fff::/20', 'documentation'),
  v6('5f00::/16', 'segment routing (SRv6) SIDs'),
  v6('fc00::/7', 'unique local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local (deprecated)'),
  v6('ff00::/8', 'multicast'),
];

const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');
const MAPPED = ipaddr.IPv6.parseCIDR('::ffff:0:0/96');
const NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16');
const TEREDO = ipaddr.IPv6.parseCIDR('2001::/32');
const COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');
const UNSPECIFIED_OR_LOOPBACK = ipaddr.IPv6.parseCIDR('::/127');

const hex = (high: string, low: string) => ((Number(high) << 8) | Number(low)).toString(16);

function ipv4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function v4Reason(address: ipaddr.IPv4): string | null {
  return BLOCKED_V4.find(([net, bits]) => address.match(net, bits))?.[2] ?? null;
}

function v6Reason(address: ipaddr.IPv6): string | null {
  const p = address.parts as [number, number, number, number, number, number, number, number];
  const embedded = (form: string, inner: ipaddr.IPv4): string | null => {
    const reason = v4Reason(inner);
    return reason ? `${form} of ${inner.toString()}, ${reason}` : null;
  };
  if (address.match(MAPPED)) return embedded('IPv4-mapped form', ipv4From(p[6], p[7]));
  if (address.match(NAT64)) return embedded('NAT64 form', ipv4From(p[6], p[7]));
  if (address.match(SIX_TO_FOUR)) return embedded('6to4 form', ipv4From(p[1], p[2]));
  if (address.match(TEREDO)) {
    // 2001:0:<server v4>:<flags>:<port ^ 0xffff>:<client v4 ^ 0xffffffff>.
    return embedded('Teredo server', ipv4From(p[2], p[3])) ?? embedded('Teredo client', ipv4From(p[6] ^ 0xffff, p[7] ^ 0xffff));
  }
  // Deprecated and unroutable whatever it embeds: refused, naming the IPv4 address for the message.
  if (address.match(COMPATIBLE) && !address.match(UNSPECIFIED_OR_LOOPBACK)) return `IPv4-compatible form of ${ipv4From(p[6], p[7]).toString()} (deprecated)`;
  const listed = BLOCKED_V6.find(([net, bits]) => address.match(net, bits));
  if (listed) return listed[2];
  if (!address.match(GLOBAL_UNICAST)) return 'not global unicast';
  return null;
}

/**
 * Why an address must not receive webhooks (loopback, private-use, link-local, …), or null when it is
 * globally reachable. Accepts what `dns.lookup` and URL hosts give: dotted quads and IPv6 in any notation,
 * with or without brackets or a zone id. Anything else is refused.
 */
export function internalAddressReason(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = net.isIP(bare);
  if (family === 0) return 'not an IP address';
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // ipaddr.js reads `::a.b.c.d` (IPv4-compatible) as `::ffff:a.b.c.d` (IPv4-mapped); a dotted tail is
    // rewritten as two hex groups first, so every IPv6 address is parsed for what it is.
    parsed = family === 4 ? ipaddr.IPv4.parse(bare) : ipaddr.IPv6.parse(bare.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => `${hex(a, b)}:${hex(c, d)}`));
  } catch {
    return 'not an IP address';
  }
  return parsed.kind() === 'ipv4' ? v4Reason(parsed as ipaddr.IPv4) : v6Reason(parsed as ipaddr.IPv6);
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Throws UnsafeUrl when the URL is malformed, or (when blocking) resolves to an internal address. */
export async function checkEndpointUrl(raw: string, blockPrivate: boolean, resolve: Resolver = systemResolver): Promise<URL> {
  const url = checkUrlShape(raw);
  if (!blockPrivate) return url;
  const host = hostOf(url);
  const addresses = net.isIP(host) ? [host] : await resolve(host).catch(() => [] as string[]);
  if (addresses.length === 0) throw new UnsafeUrl(`endpoint_url's host "${host}" does not resolve.`);
  for (const address of addresses) {
    const reason = internalAddressReason(address);
    if (!reason) continue;
    const what = address === host ? 'is' : `resolves to ${address},`;
    throw new UnsafeUrl(`endpoint_url's host "${host}" ${what} an internal address (${reason}): refused by GUESTLIST_WEBHOOK_BLOCK_PRIVATE.`);
  }
  return url;
}
