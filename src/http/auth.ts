/** Bearer tokens (RFC 6750 §2.1), as every authenticated route reads them: SCIM, management API, metrics. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Reads `Authorization: Bearer <token>`; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Whether the Authorization header carries `Bearer <token>`. Both sides are hashed first, so the comparison is
 * constant-time whatever their lengths and reveals neither the token's length nor a matching prefix.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = bearerToken(header);
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented ?? ''), digest(token)) && presented !== undefined;
}
