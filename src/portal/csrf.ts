/**
 * CSRF defence for cookie-authenticated changes (docs/portal.md § Sessions and CSRF): a token the page reads
 * from the session answer and sends back in `X-CSRF-Token`, and, when the browser names it, an allowed Origin.
 *
 * The token is not stored: it is HMAC(key derived from GUESTLIST_SECRET_KEY, session secret), so it is fixed
 * for the session's life, and neither a database dump (which holds only hashes of session secrets) nor a
 * token alone yields the other.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey } from '../events/crypto.ts';

const PURPOSE = 'guestlist/session-csrf/v1';

/** Methods that change nothing, so need no token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfToken(secretKey: string, sessionSecret: string): string {
  return createHmac('sha256', deriveKey(secretKey, PURPOSE)).update(sessionSecret, 'utf8').digest('base64url');
}

/** Constant-time whatever the lengths: both sides are hashed before the comparison. */
export function tokensEqual(expected: string, presented: string | undefined): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(presented ?? '')) && presented !== undefined;
}

/**
 * An Origin header, when present, must be the public URL's origin or the request's own Host (a deployment
 * reached by another name than GUESTLIST_PUBLIC_URL, behind a proxy that terminates TLS). `null` (sandboxed
 * or privacy-redirected documents) matches neither.
 */
export function originAllowed(origin: string | undefined, publicUrl: string, host: string | undefined): boolean {
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === new URL(publicUrl).origin) return true;
  return host !== undefined && parsed.host !== '' && parsed.host === host.toLowerCase();
}

export interface CsrfRequest {
  method: string;
  origin: string | undefined;
  host: string | undefined;
  token: string | undefined;
}

/** Why a cookie-authenticated request must be refused, or undefined when it may go on. */
export function csrfProblem(request: CsrfRequest, expected: string, publicUrl: string): string | undefined {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
  if (!originAllowed(request.origin, publicUrl, request.host)) return 'The request comes from another origin.';
  if (!tokensEqual(expected, request.token)) return 'Missing or wrong X-CSRF-Token header: send the csrf_token of the session.';
  return undefined;
}
