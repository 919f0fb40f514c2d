/**
 * Webhook signatures (API.md §5), over the exact bytes of the body:
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature:
 *   v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the base64-decoded part after `whsec_`. During
 *   a secret rotation both secrets sign, space-separated, as the spec allows.
 * - `Guestlist-Signature: t=<unix ms>, v1=<hex HMAC-SHA256 of "t.body">`, keyed with the whole secret string
 *   (what WorkOS SDKs' constructEvent verifies), and the same value as `WorkOS-Signature`, the header apps
 *   written for WorkOS read. Exactly that punctuation and one `v1`: several SDKs split on ", " and expect two
 *   parts, so during a rotation only the current secret signs it.
 * Headers are computed per attempt (postEvent calls this each time), so `t` is always fresh: WorkOS SDKs refuse
 * a timestamp more than 180 seconds old.
 */
import { createHmac } from 'node:crypto';

export function standardSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export function guestlistSignature(secret: string, timestampMs: number, body: string): string {
  return `t=${timestampMs}, v1=${createHmac('sha256', secret).update(`${timestampMs}.${body}`).digest('hex')}`;
}

export function signatureHeaders(secrets: string[], id: string, body: string, at = Date.now()): Record<string, string> {
  const seconds = Math.floor(at / 1000);
  const workos = guestlistSignature(secrets[0]!, at, body);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': secrets.map((s) => standardSignature(s, id, seconds, body)).join(' '),
    'guestlist-signature': workos,
    'workos-signature': workos,
  };
}
