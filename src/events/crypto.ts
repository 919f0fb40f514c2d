/**
 * Webhook signing secrets: generated as `whsec_<base64 of 32 random bytes>`, stored encrypted with AES-256-GCM
 * under a key derived from GUESTLIST_SECRET_KEY, so a database dump alone does not let anyone forge webhooks.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function keyOf(secretKey: string): Buffer {
  return createHash('sha256').update(`guestlist webhook secrets\0${secretKey}`).digest();
}

/** `v1.<iv>.<tag>.<ciphertext>`, each base64url. */
export function encryptSecret(plaintext: string, secretKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secretKey), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function decryptSecret(stored: string, secretKey: string): string {
  const [version, iv, tag, ciphertext] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || !ciphertext) throw new Error('unreadable stored secret');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secretKey), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
