/** SCIM bearer tokens: 256 random bits behind a recognizable prefix, stored only as a SHA-256 hash. */
import { newId } from '../ids.ts';
import { hashSecret, randomSecret, secretSuffix } from '../secrets.ts';
import type { NewToken } from '../store/store.ts';

export const TOKEN_PREFIX = 'gl_scim_';

export function generateDirectoryToken(): { secret: string; token: NewToken } {
  const secret = randomSecret(TOKEN_PREFIX);
  return { secret, token: { id: newId('directory_token'), hash: hashSecret(secret), suffix: secretSuffix(secret) } };
}
