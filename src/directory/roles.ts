/**
 * Users' roles, kept resolved inside the change that moves them: a membership change in a group that maps to a
 * role, a group's deletion, a directory's new role mapping. Each user whose roles change gets its
 * `dsync.user.updated` (previous `role` and `roles`), after the membership events that caused it.
 */
import { chunks } from '../store/chunks.ts';
import { now } from '../store/codec.ts';
import type { Executor } from '../store/db.ts';
import { groupRoleSlugs, rolesOfGroups } from '../store/mapping.ts';
import { mappingColumns, type UserRecord } from '../store/scim/records.ts';
import type { DirectoryRecord } from '../store/store.ts';
import type { DirectoryEvents } from './events.ts';
import type { DirectoryMapping } from './mapping.ts';
import type { ScimContext } from './scim-context.ts';

/** A user before and after its roles changed. */
export interface RoleChange {
  before: UserRecord;
  after: UserRecord;
}

const sameRoles = (a: string[] | null, b: string[] | null) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Resolves the users' roles again and stores those that changed; `bumpVersion` when nothing else in this write
 * moved their version (a role mapping change: a membership change has already moved it).
 */
export async function refreshRoles(
  ctx: ScimContext,
  db: Executor,
  dir: DirectoryRecord,
  mapping: DirectoryMapping,
  userIds: string[],
  bumpVersion: boolean,
): Promise<RoleChange[]> {
  if (mapping.definitions.roles.length === 0 || userIds.length === 0) return [];
  const changes: RoleChange[] = [];
  for (const chunk of chunks(userIds, 500)) {
    const users = await ctx.q.usersByIds(db, dir.id, chunk);
    const slugs = await groupRoleSlugs(db, chunk);
    for (const user of users) {
      const roles = mapping.roles(slugs.get(user.id) ?? []);
      if (sameRoles(roles, user.role_slugs)) continue;
      const after: UserRecord = { ...user, role_slugs: roles, ...(bumpVersion ? { version: user.version + 1, updated_at: now() } : {}) };
      changes.push({ before: user, after });
    }
  }
  for (const { after } of changes) {
    const { role_slugs } = mappingColumns(after);
    // The version moves in SQL, never written back from the read: a concurrent write's own increment stays.
    await db
      .updateTable('directory_users')
      .set((eb) => ({ role_slugs, ...(bumpVersion ? { version: eb('version', '+', 1), updated_at: after.updated_at } : {}) }))
      .where('directory_id', '=', dir.id)
      .where('id', '=', after.id)
      .execute();
  }
  return changes;
}

/** Whether a membership change in this group can move roles: roles are defined and the group maps to one. */
export async function groupMapsToRole(db: Executor, mapping: DirectoryMapping, groupId: string): Promise<boolean> {
  return mapping.definitions.roles.length > 0 && (await rolesOfGroups(db, [groupId])).size > 0;
}

/** The `dsync.user.updated` of each role change, with the users read in batches. */
export async function roleEvents(events: DirectoryEvents, changes: RoleChange[]): Promise<void> {
  for (const chunk of chunks(changes, 500)) {
    const before = await events.users(chunk.map((c) => c.before));
    const after = await events.users(chunk.map((c) => c.after));
    for (const { before: b } of chunk) events.updated('dsync.user.updated', before.get(b.id)!, after.get(b.id)!);
  }
}
