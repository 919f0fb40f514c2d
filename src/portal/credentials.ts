/** What signs an operator in to the console: the management API key, or GUESTLIST_ADMIN_PASSWORD when set. */
import { hashSecret, verifySecret } from '../secrets.ts';

/** Checks a presented API key (http/management's apiKeyVerifier is one). */
export interface KeyVerifier {
  verify(presented: string): boolean;
}

export type Credentials = { api_key: string } | { password: string };

export function credentialsValid(credentials: Credentials, keys: KeyVerifier, adminPassword: string | undefined): boolean {
  if ('api_key' in credentials) return keys.verify(credentials.api_key);
  // Unset, password sign-in is refused; set, compared in constant time (both sides hashed first).
  return adminPassword !== undefined && verifySecret(credentials.password, hashSecret(adminPassword));
}
