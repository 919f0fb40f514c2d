import type { Logger } from 'pino';
import type { DatabaseConfig } from '../config.ts';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import type { KyselyStore } from './kysely-store.ts';

export interface OpenStoreOptions {
  groupCommitMaxBatch?: number;
  groupCommitWaitMs?: number;
  /**
   * Longest a statement may run, in ms (0: none; default 15 s): PostgreSQL's statement_timeout; on SQLite, for
   * reads on the read workers.
   */
  statementTimeoutMs?: number;
  /** SQLite: read worker threads (sqlite-read-workers.ts); PostgreSQL ignores it. */
  sqliteReadWorkers?: number;
  /** Where the store reports the faults it survives (lost connections, failed batches and checkpoints). */
  logger?: Logger;
}

export function openStore(config: DatabaseConfig, { sqliteReadWorkers, ...options }: OpenStoreOptions = {}): KyselyStore {
  return config.kind === 'postgres'
    ? new PostgresStore({ url: config.url, ...(config.schema ? { schema: config.schema } : {}), ...options })
    : new SqliteStore(config.file, { ...options, ...(sqliteReadWorkers !== undefined ? { readWorkers: sqliteReadWorkers } : {}) });
}
