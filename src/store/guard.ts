/**
 * The deprovision guard's rows for SCIM directories (API.md §8): the guard's state read under the directory's
 * lock, the window of deprovisions it let through, and the count of users the IdP deleted that the app keeps.
 * The held changes themselves are the table pulled directories use too (sources.ts).
 */
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { Dialect } from './scim/sql-dialect.ts';

export interface GuardState {
  tripped_at: string | null;
  users_active: number;
}

/**
 * The guard's state, inside the write that may trip it or arm it again. On PostgreSQL a transaction-scoped
 * advisory lock per directory serializes these decisions, so two concurrent deprovisions count each other and a
 * release never arms the guard over a change held meanwhile (SQLite's writes are serial anyway). Not the
 * directory's row: every write updates it last (its counts), and a guard decision comes before the groups a
 * deletion touches, so locking the row this early could deadlock with a write holding one of those groups.
 */
export async function lockGuardState(db: Executor, dialect: Dialect, directoryId: string): Promise<GuardState | undefined> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${`guestlist-guard:${directoryId}`}, 0))`.execute(db);
  const row = await db.selectFrom('directories').select(['guard_tripped_at', 'users_active']).where('id', '=', directoryId).executeTakeFirst();
  return row ? { tripped_at: row.guard_tripped_at ?? null, users_active: Number(row.users_active) } : undefined;
}

/** Deprovisions the guard let through since `since`. */
export async function deprovisionsSince(db: Executor, directoryId: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('guard_deprovisions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('directory_id', '=', directoryId)
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Notes one deprovision let through; the ones older than the window go (the table stays the window's size). */
export async function noteDeprovision(db: Executor, directoryId: string, at: string, since: string): Promise<void> {
  await db.deleteFrom('guard_deprovisions').where('directory_id', '=', directoryId).where('at', '<', since).execute();
  await db.insertInto('guard_deprovisions').values({ directory_id: directoryId, at }).execute();
}

/** Drops a user's held changes of a kind (the IdP undid them: reactivated the user, or created it again). */
export async function dropHeld(db: Executor, directoryId: string, userId: string, kinds: ('deactivate' | 'delete')[]): Promise<void> {
  await db.deleteFrom('guard_held_changes').where('directory_id', '=', directoryId).where('user_id', '=', userId).where('kind', 'in', kinds).execute();
}

/** Removes applied held changes one by one as a release goes, so a release cut short holds the rest still. */
export async function removeHeld(db: Executor, seqs: number[]): Promise<void> {
  if (seqs.length > 0) await db.deleteFrom('guard_held_changes').where('seq', 'in', seqs).execute();
}

export async function addHiddenUsers(db: Executor, directoryId: string, delta: number): Promise<void> {
  await db
    .updateTable('directories')
    .set((eb) => ({ scim_hidden_users: eb('scim_hidden_users', '+', delta) }))
    .where('id', '=', directoryId)
    .execute();
}

/** A kept user the IdP deleted whose externalId it now gives a new user: the same person, back. */
export async function hiddenUserByExternalId(db: Executor, directoryId: string, externalId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('directory_users')
    .select('id')
    .where('directory_id', '=', directoryId)
    .where('external_id', '=', externalId)
    .where('scim_deleted', '=', 1)
    .orderBy('id')
    .executeTakeFirst();
  return row?.id;
}
