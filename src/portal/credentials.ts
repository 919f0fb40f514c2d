/** What signs an operator in to the console: the management API key, or GUESTLIST_ADMIN_PASSWORD when set. */
import { createHmac } from 'node:crypto';
import { deriveKey } from '../events/crypto.ts';
import { hashSecret, verifySecret } from '../secrets.ts';

/** Checks a presented API key (http/management's apiKeyVerifier is one). */
export interface KeyVerifier {
  verify(presented: string): boolean;
  /** Tells one set of accepted keys from another (their hashes, joined), never a key itself. */
  fingerprint: string;
}

export type Credentials = { api_key: string } | { password: string };

export function credentialsValid(credentials: Credentials, keys: KeyVerifier, adminPassword: string | undefined): boolean {
  if ('api_key' in credentials) return keys.verify(credentials.api_key);
  // Unset, password sign-in is refused; set, compared in constant time (both sides hashed first).
  return adminPassword !== undefined && verifySecret(credentials.password, hashSecret(adminPassword));
}

/**
 * A digest of the credentials that sign in to the console, stored with each console session: when the API key or
 * the admin password changes, the digest does, and every console session started before ends. Keyed with
 * GUESTLIST_SECRET_KEY so that the stored value says nothing about the password to whoever reads the database.
 */
export function credentialEpoch(secretKey: string, keys: KeyVerifier, adminPassword: string | undefined): string {
  const password = adminPassword === undefined ? '-' : `+${hashSecret(adminPassword)}`;
  return createHmac('sha256', deriveKey(secretKey, 'guestlist/console-credentials/v1')).update(`${keys.fingerprint}\0${password}`).digest('base64url');
}
