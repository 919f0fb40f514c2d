/**
 * A group's membership operations (from PUT's `members`, or PATCH's), applied in request order inside the write.
 * Members must be users of the directory; every user whose membership changes gets a new version.
 */
import { isId, printableId as shown } from '../ids.ts';
import { badRequest } from '../scim/errors.ts';
import type { MemberOp } from '../scim/patch/apply.ts';
import { CHUNK, chunks } from '../store/chunks.ts';
import type { Executor } from '../store/db.ts';
import * as memberships from '../store/scim/memberships.ts';
import type { ResourceQueries } from '../store/scim/resources.ts';
import { memberPredicate } from './sql-filters.ts';

export interface MembershipChange {
  added: string[];
  removed: string[];
}

/** Applies membership operations in request order; returns the net change. */
export async function applyMemberOps(q: ResourceQueries, db: Executor, directoryId: string, groupId: string, ops: MemberOp[], at: string): Promise<MembershipChange> {
  const added = new Set<string>();
  const removed = new Set<string>();
  // A removal undoes an earlier addition of the same request, and the other way round.
  const note = (ids: string[], into: Set<string>, other: Set<string>) => ids.forEach((id) => (other.has(id) ? other.delete(id) : into.add(id)));
  for (const op of ops) {
    if (op.op === 'add') note(await addMembers(q, db, directoryId, groupId, op.ids, at), added, removed);
    else if (op.op === 'remove') note(await memberships.removeMembers(db, groupId, userIds(op.ids)), removed, added);
    else if (op.op === 'removeAll') note(await memberships.clearMembers(db, groupId, false), removed, added);
    else if (op.op === 'removeWhere') {
      const ids = await memberships.memberIdsWhere(db, groupId, memberPredicate(q.dialect, op.filter, directoryId));
      note(await memberships.removeMembers(db, groupId, ids), removed, added);
    } else if (op.op === 'replace') {
      const wanted = new Set(op.ids);
      // The current members a page at a time (ids only): a group of 100,000 is never read whole.
      for (let after: string | undefined; ; ) {
        const page = await memberships.memberIdPage(db, groupId, after, CHUNK);
        if (page.length === 0) break;
        after = page[page.length - 1];
        note(await memberships.removeMembers(db, groupId, page.filter((id) => !wanted.has(id))), removed, added);
        if (page.length < CHUNK) break;
      }
      note(await addMembers(q, db, directoryId, groupId, op.ids, at), added, removed);
    }
  }
  await memberships.touchUsers(db, directoryId, [...added, ...removed], at);
  return { added: [...added], removed: [...removed] };
}

/** The values that can be user ids; the others are members of nothing. */
function userIds(values: string[]): string[] {
  return values.filter((v) => isId(v, 'directory_user'));
}

/**
 * Adds members after checking every id is a user of this directory (400 naming the unknown ones); returns the
 * users that were not members before. Their versions are the caller's to move.
 */
export async function addMembers(q: ResourceQueries, db: Executor, directoryId: string, groupId: string, ids: string[], at: string): Promise<string[]> {
  if (ids.length === 0) return [];
  // Checked a chunk at a time, so a PUT of 100,000 members holds no second set of them. A value that cannot be
  // a user id is an unknown member: it never reaches the database.
  const unknown = new Set<string>();
  for (const chunk of chunks(ids)) {
    const known = await q.existingUserIds(db, directoryId, userIds(chunk));
    for (const id of chunk) if (!known.has(id)) unknown.add(id);
  }
  if (unknown.size > 0) {
    const first = [...unknown].slice(0, 5);
    const listed = first.map((id) => `"${shown(id)}"`).join(', ');
    throw badRequest('invalidValue', `members must be users of this directory; unknown: ${listed}${unknown.size > 5 ? ` and ${unknown.size - 5} more` : ''}.`);
  }
  return memberships.addMembers(db, directoryId, groupId, ids, at);
}
