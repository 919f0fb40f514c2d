/** Management API keys: only their hashes are stored. */
import { now } from './codec.ts';
import type { Executor } from './db.ts';

export async function apiKeyHashes(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('api_keys').select('key_hash').execute();
  return rows.map((r) => r.key_hash);
}

/** Stores the key's hash unless a key already exists; true when this call stored it. The caller holds the lock. */
export async function insertFirstApiKey(trx: Executor, id: string, hash: string): Promise<boolean> {
  const existing = await trx.selectFrom('api_keys').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  await trx.insertInto('api_keys').values({ id, key_hash: hash, created_at: now() }).execute();
  return true;
}
