import type { Logger } from 'pino';
import type { DatabaseConfig } from '../config.ts';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import type { KyselyStore } from './kysely-store.ts';

export interface OpenStoreOptions {
  groupCommitMaxBatch?: number;
  groupCommitWaitMs?: number;
  /** PostgreSQL statement_timeout of the pool's connections, in ms (0: none; default 15 s); SQLite ignores it. */
  statementTimeoutMs?: number;
  /** Where the store reports the faults it survives (lost connections, failed batches and checkpoints). */
  logger?: Logger;
}

export function openStore(config: DatabaseConfig, options: OpenStoreOptions = {}): KyselyStore {
  return config.kind === 'postgres'
    ? new PostgresStore({ url: config.url, ...(config.schema ? { schema: config.schema } : {}), ...options })
    : new SqliteStore(config.file, withoutStatementTimeout(options));
}

function withoutStatementTimeout({ statementTimeoutMs: _, ...options }: OpenStoreOptions): Omit<OpenStoreOptions, 'statementTimeoutMs'> {
  return options;
}
