/**
 * First-start secrets. The API key, when not configured, is generated once and only its hash is kept (in the
 * database, so every process sharing it agrees). The secret key, when not configured, is generated into the
 * data folder (created 0700) with owner-only permissions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { newId } from './ids.ts';
import { hashSecret, randomSecret } from './secrets.ts';
import type { Store } from './store/store.ts';
import { makePrivateDir } from './store/sqlite-files.ts';

export interface ApiKeySetup {
  hashes: string[];
  /** The plaintext key, present only on the start that generated it. */
  generated?: string;
}

export async function setUpApiKey(config: Config, store: Store): Promise<ApiKeySetup> {
  if (config.apiKey) return { hashes: [hashSecret(config.apiKey)] };
  const existing = await store.apiKeyHashes();
  if (existing.length > 0) return { hashes: existing };
  const key = randomSecret('sk_');
  const stored = await store.insertFirstApiKey(newId('api_key'), hashSecret(key));
  // Another process may have won the race; then its key is the one.
  return stored ? { hashes: [hashSecret(key)], generated: key } : { hashes: await store.apiKeyHashes() };
}

export function loadSecretKey(config: Config): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, 'secret.key');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  makePrivateDir(config.dataDir);
  const key = randomBytes(32).toString('base64url');
  try {
    fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    // Created by a concurrent start: read the winner's key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw error;
  }
}
