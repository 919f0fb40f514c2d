/**
 * Membership changes: rows of their own, never an array inside the group, so adding one member to a group of
 * 100,000 costs the same as adding one to a group of 1. A membership change moves the version and lastModified
 * of every user and group it touches.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { chunks } from '../chunks.ts';
import type { Database, Executor } from '../db.ts';
import type { MemberRef } from './records.ts';
import { jsonText, type Dialect } from './sql-dialect.ts';

/** Adds memberships; returns the user ids that were not members before (re-adding is a no-op). */
export async function addMembers(db: Executor, directoryId: string, groupId: string, userIds: string[], at: string): Promise<string[]> {
  const added: string[] = [];
  for (const chunk of chunks([...new Set(userIds)])) {
    const rows = await db
      .insertInto('directory_group_members')
      .values(chunk.map((user_id) => ({ group_id: groupId, user_id, directory_id: directoryId, created_at: at })))
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    rows.forEach((r) => added.push(r.user_id));
  }
  return added;
}

/**
 * Users the IdP deleted while the app keeps them (the deprovision guard) are members for the app only: a SCIM
 * request can neither see nor remove their memberships.
 */
const notKept = (eb: ExpressionBuilder<Database, 'directory_group_members'>) =>
  eb.not(eb.exists(eb.selectFrom('directory_users as k').select('k.id').whereRef('k.id', '=', 'directory_group_members.user_id').where('k.scim_deleted', '=', 1)));

/** Removes memberships; returns the user ids that were members (removing a non-member is a no-op). */
export async function removeMembers(db: Executor, groupId: string, userIds: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const chunk of chunks([...new Set(userIds)])) {
    const rows = await db
      .deleteFrom('directory_group_members')
      .where('group_id', '=', groupId)
      .where('user_id', 'in', chunk)
      .where(notKept)
      .returning('user_id')
      .execute();
    rows.forEach((r) => removed.push(r.user_id));
  }
  return removed;
}

/** Removes every member (`kept` too, when the group itself goes); returns their user ids. */
export async function clearMembers(db: Executor, groupId: string, kept = true): Promise<string[]> {
  let q = db.deleteFrom('directory_group_members').where('group_id', '=', groupId);
  if (!kept) q = q.where(notKept);
  const rows = await q.returning('user_id').execute();
  return rows.map((r) => r.user_id);
}

/**
 * A page of a group's member ids after `after` (all of them: those the IdP deleted while the app keeps them
 * too), in id order: a group is walked a page at a time, never read whole.
 */
export async function memberIdPage(db: Executor, groupId: string, after: string | undefined, limit: number): Promise<string[]> {
  let q = db.selectFrom('directory_group_members').select('user_id').where('group_id', '=', groupId);
  if (after !== undefined) q = q.where('user_id', '>', after);
  const rows = await q.orderBy('user_id').limit(limit).execute();
  return rows.map((r) => r.user_id);
}

/** A page of a group's members, and where the next page starts. */
export interface MemberPage {
  members: MemberRef[];
  /** The last membership of the page (the next page's `after`); undefined when this page was the last. */
  next: string | undefined;
}

/**
 * A page of a group's members as SCIM shows them (ResourceQueries.membersOfGroups, one group, a page at a time):
 * `limit` memberships after the user id `after`, in id order, taken from the membership key alone and only then
 * joined to their users, so each page costs the same on a group of any size. Users the IdP deleted while the
 * app keeps them are left out, so a page can hold fewer than `limit` members and still not be the last.
 */
export async function memberPage(db: Executor, dialect: Dialect, groupId: string, after: string | undefined, limit: number): Promise<MemberPage> {
  const display = jsonText(dialect, sql.ref('u.resource'), ['displayName']);
  let page = db.selectFrom('directory_group_members').select('user_id').where('group_id', '=', groupId);
  if (after !== undefined) page = page.where('user_id', '>', after);
  const rows = await db
    .selectFrom(page.orderBy('user_id').limit(limit).as('m'))
    .leftJoin('directory_users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.user_name', 'u.scim_deleted', sql<string | null>`${display}`.as('display_name')])
    .orderBy('m.user_id')
    .execute();
  const members = rows.filter((r) => r.user_name !== null && Number(r.scim_deleted) === 0).map((r) => ({ id: r.user_id, display: r.display_name ?? r.user_name! }));
  return { members, next: rows.length === limit ? rows[rows.length - 1]!.user_id : undefined };
}

/** Members matching an element predicate compiled over `m` (membership) and `u` (user). */
export async function memberIdsWhere(db: Executor, groupId: string, where: Expression<SqlBool>): Promise<string[]> {
  const rows = await db
    .selectFrom('directory_group_members as m')
    .innerJoin('directory_users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where('m.group_id', '=', groupId)
    .where('u.scim_deleted', '=', 0)
    .where(where)
    .execute();
  return rows.map((r) => r.user_id);
}

/** A membership change is a change to each user it touches: version and lastModified move. */
export async function touchUsers(db: Executor, directoryId: string, ids: string[], at: string): Promise<void> {
  for (const chunk of chunks(ids)) {
    await db
      .updateTable('directory_users')
      .set((eb) => ({ version: eb('version', '+', 1), updated_at: at }))
      .where('directory_id', '=', directoryId)
      .where('id', 'in', chunk)
      .execute();
  }
}

/** The same for each group a change touches (a user's deletion leaves its groups). */
export async function touchGroups(db: Executor, directoryId: string, ids: string[], at: string): Promise<void> {
  for (const chunk of chunks([...new Set(ids)])) {
    await db
      .updateTable('directory_groups')
      .set((eb) => ({ version: eb('version', '+', 1), updated_at: at }))
      .where('directory_id', '=', directoryId)
      .where('id', 'in', chunk)
      .execute();
  }
}
