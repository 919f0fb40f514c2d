/**
 * A second store on a test database's own file or schema, already closed: anything that runs a query through
 * it fails as a store whose database went away does, while the test database itself stays usable (and is
 * dropped as usual).
 */
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

export async function closedTwin(store: KyselyStore): Promise<KyselyStore> {
  const twin = store instanceof PostgresStore ? new PostgresStore({ ...store.options, poolSize: 1 }) : new SqliteStore((store as SqliteStore).file, { checkpointIntervalMs: 0 });
  await twin.ping(); // Kysely closes only a connection it has opened
  await twin.close();
  return twin;
}
