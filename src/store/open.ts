import type { DatabaseConfig } from '../config.ts';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import type { KyselyStore } from './kysely-store.ts';

export function openStore(config: DatabaseConfig, options: { groupCommitMaxBatch?: number; groupCommitWaitMs?: number } = {}): KyselyStore {
  return config.kind === 'postgres'
    ? new PostgresStore({ url: config.url, ...(config.schema ? { schema: config.schema } : {}), ...options })
    : new SqliteStore(config.file, options);
}
