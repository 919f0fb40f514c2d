/**
 * Webhook signing secrets: generated as `whsec_<base64 of 32 random bytes>`, stored encrypted with AES-256-GCM
 * under a key derived from GUESTLIST_SECRET_KEY, so a database dump alone does not let anyone forge webhooks.
 *
 * Stored format `<version>.<iv>.<tag>.<ciphertext>`, each part base64url:
 * - `v2`: the AES key is HKDF-SHA256(GUESTLIST_SECRET_KEY, info "guestlist/webhook-secret/v2"). Written now.
 * - `v1`: the AES key was SHA-256("guestlist webhook secrets\0" + GUESTLIST_SECRET_KEY). Still read, and
 *   re-encrypted as v2 (see WebhookStore.upgradeSecrets).
 * Either is read with GUESTLIST_SECRET_KEY or, during a key rotation, GUESTLIST_SECRET_KEY_PREVIOUS.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The keys stored secrets are read with: `current` also encrypts; `previous` only decrypts (key rotation). */
export interface SecretKeys {
  current: string;
  previous?: string | undefined;
}

export const toSecretKeys = (keys: string | SecretKeys): SecretKeys => (typeof keys === 'string' ? { current: keys } : keys);

/** HKDF info labels: one per purpose, so a key derived for one use is useless for another. */
export const KEY_PURPOSES = { webhookSecret: 'guestlist/webhook-secret/v2' } as const;

const derived = new Map<string, Buffer>();

/** A 256-bit key for `purpose`, derived from the configured secret key with HKDF-SHA256 (memoized). */
export function deriveKey(secretKey: string, purpose: string): Buffer {
  const id = `${purpose}\0${secretKey}`;
  let key = derived.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', Buffer.from(secretKey, 'utf8'), Buffer.from('guestlist', 'utf8'), Buffer.from(purpose, 'utf8'), 32));
    if (derived.size > 64) derived.clear();
    derived.set(id, key);
  }
  return key;
}

/** The v1 derivation (a single salted SHA-256), kept to read secrets written before v2. */
function legacyKey(secretKey: string): Buffer {
  return createHash('sha256').update(`guestlist webhook secrets\0${secretKey}`).digest();
}

const keyFor = (version: 'v1' | 'v2', secretKey: string) => (version === 'v2' ? deriveKey(secretKey, KEY_PURPOSES.webhookSecret) : legacyKey(secretKey));

/** `<version>.<iv>.<tag>.<ciphertext>`, each base64url. */
function seal(version: 'v1' | 'v2', plaintext: string, secretKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(version, secretKey), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [version, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** `v2.<iv>.<tag>.<ciphertext>`, each base64url. */
export function encryptSecret(plaintext: string, secretKey: string): string {
  return seal('v2', plaintext, secretKey);
}

/** The v1 format, for tests that need a secret as stored by earlier versions. */
export function encryptSecretV1(plaintext: string, secretKey: string): string {
  return seal('v1', plaintext, secretKey);
}

export class UndecryptableSecret extends Error {
  constructor(message = 'stored webhook secret cannot be decrypted with GUESTLIST_SECRET_KEY or GUESTLIST_SECRET_KEY_PREVIOUS') {
    super(message);
    this.name = 'UndecryptableSecret';
  }
}

function tryDecrypt(version: 'v1' | 'v2', parts: [string, string, string], secretKey: string): string | undefined {
  const [iv, tag, ciphertext] = parts;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(version, secretKey), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

export interface Decrypted {
  plaintext: string;
  /** Not v2 under the current key: re-encrypt it with `encryptSecret(plaintext, keys.current)`. */
  stale: boolean;
}

/** Decrypts with the current key, then the previous one; throws UndecryptableSecret when neither opens it. */
export function openSecret(stored: string, keys: string | SecretKeys): Decrypted {
  const { current, previous } = toSecretKeys(keys);
  const [version, iv, tag, ciphertext, extra] = stored.split('.');
  if ((version !== 'v1' && version !== 'v2') || !iv || !tag || !ciphertext || extra !== undefined) throw new UndecryptableSecret('stored webhook secret is not in a known format');
  for (const key of previous ? [current, previous] : [current]) {
    const plaintext = tryDecrypt(version, [iv, tag, ciphertext], key);
    if (plaintext !== undefined) return { plaintext, stale: version !== 'v2' || key !== current };
  }
  throw new UndecryptableSecret();
}

export function decryptSecret(stored: string, keys: string | SecretKeys): string {
  return openSecret(stored, keys).plaintext;
}
