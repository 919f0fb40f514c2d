/**
 * The savepoint a group-commit batch gives each of its writes (group-commit.ts), spelled for each database. The
 * statements are the same on both; one name is reused, since each savepoint is released before the next.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from './db.ts';
import type { Savepoints } from './group-commit.ts';

type Trx = Transaction<Database>;

const statement = (text: string) => (trx: Trx) => sql.raw(text).execute(trx).then(() => {});

/** SQLite prepares one statement at a time; its calls cost no round trip anyway. */
export const SQLITE_SAVEPOINTS: Savepoints<Trx> = {
  begin: statement('savepoint group_commit'),
  release: statement('release savepoint group_commit'),
  rollback: statement('rollback to savepoint group_commit'),
  renew: async (trx) => {
    await statement('release savepoint group_commit')(trx);
    await statement('savepoint group_commit')(trx);
  },
};

/** A query without parameters goes over PostgreSQL's simple protocol, which takes two statements at once. */
export const POSTGRES_SAVEPOINTS: Savepoints<Trx> = { ...SQLITE_SAVEPOINTS, renew: statement('release savepoint group_commit; savepoint group_commit') };
