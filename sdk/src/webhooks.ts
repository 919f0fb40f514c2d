/**
 * Verifying a webhook delivery (docs/events.md § Deliveries). Guestlist signs the exact bytes of the body
 * twice; either signature is accepted:
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature: v1,<base64
 *   HMAC-SHA256 of "id.timestamp.body">` keyed with the base64-decoded part of the secret after `whsec_`; during
 *   a rotation overlap it holds one `v1,…` per live secret, space-separated.
 * - `Guestlist-Signature: t=<unix ms>, v1=<hex HMAC-SHA256 of "t.body">` keyed with the whole secret string.
 * The Standard Webhooks headers are checked when present, else Guestlist-Signature.
 */
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';
import { isEvent, type Event } from './event-types.js';

/** Headers as Node's `req.headers`, a plain object, or a fetch `Headers`. Names are matched case-insensitively. */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

export interface VerifyOptions {
  /** How far the signed timestamp may be from now, either way; 300 s by default. */
  toleranceSeconds?: number;
}

type Reason = 'missing_signature' | 'invalid_signature' | 'timestamp_out_of_tolerance' | 'invalid_payload';

const fail = (code: Reason, message: string) => new WebhookVerificationError({ code, message });

/** A fetch `Headers`, from this runtime or another fetch implementation. */
function isHeaders(headers: WebhookHeaders): headers is Headers {
  return typeof headers.get === 'function';
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (isHeaders(headers)) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return typeof value === 'string' ? value : value?.join(', ');
}

function hmac(key: Buffer | string, prefix: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(prefix).update(body).digest();
}

/** Constant time for equal lengths; a length mismatch (a malformed signature) says nothing about the secret. */
function same(expected: Buffer, presented: Buffer): boolean {
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

function checkTimestamp(signedAtMs: number, toleranceSeconds: number): void {
  if (!Number.isFinite(signedAtMs)) throw fail('invalid_signature', 'The signature timestamp is not a number.');
  if (Math.abs(Date.now() - signedAtMs) > toleranceSeconds * 1000) {
    throw fail('timestamp_out_of_tolerance', `The signature timestamp is more than ${toleranceSeconds} s from now.`);
  }
}

function verifyStandard(body: string | Uint8Array, id: string, timestamp: string, signatures: string, secrets: readonly string[], tolerance: number): void {
  if (!/^\d+$/.test(timestamp)) throw fail('invalid_signature', 'webhook-timestamp is not unix seconds.');
  checkTimestamp(Number(timestamp) * 1000, tolerance);
  const presented = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  const ok = secrets.some((secret) => {
    const expected = hmac(Buffer.from(secret.replace(/^whsec_/, ''), 'base64'), `${id}.${timestamp}.`, body);
    return presented.some((p) => same(expected, p));
  });
  if (!ok) throw fail('invalid_signature', 'No webhook-signature matches the body and secret.');
}

/** `t=1, v1=ab` → {t: '1', v1: 'ab'}. */
function keyValues(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function verifyGuestlist(body: string | Uint8Array, value: string, secrets: readonly string[], tolerance: number): void {
  const parts = keyValues(value);
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !/^\d+$/.test(t) || !v1) throw fail('invalid_signature', 'Guestlist-Signature is not "t=<ms>, v1=<hex>".');
  checkTimestamp(Number(t), tolerance);
  const presented = Buffer.from(v1, 'hex');
  if (!secrets.some((secret) => same(hmac(secret, `${t}.`, body), presented))) {
    throw fail('invalid_signature', 'Guestlist-Signature does not match the body and secret.');
  }
}

function parse(body: string | Uint8Array): Event {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch {
    throw fail('invalid_payload', 'The signed body is not JSON.');
  }
  if (!isEvent(value)) throw fail('invalid_payload', 'The signed body is not a Guestlist event.');
  return value;
}

/**
 * Checks a delivery's signature over its raw body (the bytes as received: parse JSON only afterwards) and
 * returns the event. `secret` may list several secrets (the old and new one while you roll a rotation out).
 * Throws WebhookVerificationError with `code` `missing_signature`, `invalid_signature`,
 * `timestamp_out_of_tolerance` or `invalid_payload`.
 */
export function verifyWebhook(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string | readonly string[], options: VerifyOptions = {}): Event {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0 || secrets.some((s) => s === '')) throw new TypeError('verifyWebhook: a secret is required.');
  const tolerance = options.toleranceSeconds ?? 300;
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const guestlist = header(headers, 'guestlist-signature');
  if (id !== undefined && timestamp !== undefined && signatures !== undefined) verifyStandard(rawBody, id, timestamp, signatures, secrets, tolerance);
  else if (guestlist !== undefined) verifyGuestlist(rawBody, guestlist, secrets, tolerance);
  else throw fail('missing_signature', 'Neither webhook-id/webhook-timestamp/webhook-signature nor Guestlist-Signature is present.');
  return parse(rawBody);
}

/** `client.webhooks`: the same check as `verifyWebhook`, which needs no client or API key. */
export class Webhooks {
  verify(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string | readonly string[], options?: VerifyOptions): Event {
    return verifyWebhook(rawBody, headers, secret, options);
  }
}
