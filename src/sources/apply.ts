/**
 * One pull, applied: the source's listing diffed against what the directory holds, and the difference applied
 * through the SCIM service's own operations (the one change path), so the events are the same in kind and order
 * as a SCIM IdP's. Users are created and updated first, then groups (their members must exist), then users are
 * deactivated and deleted, unless the deprovision guard holds those back (guard.ts).
 */
import { ScimError } from '../scim/errors.ts';
import { jsonEqual } from '../scim/json.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { ScimService } from '../directory/scim-service.ts';
import { validGroup, validUser } from '../directory/validated.ts';
import type { Executor } from '../store/db.ts';
import type { ResourceQueries } from '../store/scim/resources.ts';
import { toGroup, toUser, type GroupRecord, type UserRecord } from '../store/scim/records.ts';
import { NO_COUNTS, type SyncCounts } from '../store/sources.ts';
import type { DirectoryRecord } from '../store/store.ts';
import type { Listing, SourceGroup, SourceUser } from './connectors/types.ts';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** A deprovision the diff found: held by a tripped guard, applied otherwise. */
export interface Deprovision {
  user: UserRecord;
  kind: 'deactivate' | 'delete';
  /** For `deactivate`: the resource to store. */
  resource: ScimResource | null;
}

export interface Plan {
  creates: ScimResource[];
  updates: { user: UserRecord; resource: ScimResource }[];
  deprovisions: Deprovision[];
  groups: SourceGroup[];
  /** Source users that could not be read as SCIM users (no userName, …), with why. */
  skipped: string[];
  activeUsers: number;
}

/** What the directory holds now, keyed by the source's id (the users' and groups' externalId). */
async function held(db: Executor, directoryId: string) {
  const users = (await db.selectFrom('directory_users').selectAll().where('directory_id', '=', directoryId).execute()).map(toUser);
  const groups = (await db.selectFrom('directory_groups').selectAll().where('directory_id', '=', directoryId).execute()).map(toGroup);
  return {
    users: new Map(users.filter((u) => u.external_id !== null).map((u) => [u.external_id!, u])),
    strays: users.filter((u) => u.external_id === null),
    groups: new Map(groups.filter((g) => g.external_id !== null).map((g) => [g.external_id!, g])),
    strayGroups: groups.filter((g) => g.external_id === null),
  };
}

/** A source user as the SCIM core validates it, its externalId the source's id. */
function resourceOf(user: SourceUser): ScimResource {
  return validUser({ ...user.resource, externalId: user.externalId }, 'replace');
}

export async function plan(db: Executor, dir: DirectoryRecord, listing: Listing): Promise<Plan> {
  const current = await held(db, dir.id);
  const out: Plan = { creates: [], updates: [], deprovisions: [], groups: listing.groups, skipped: [], activeUsers: 0 };
  const seen = new Set<string>();
  for (const source of listing.users) {
    if (seen.has(source.externalId)) continue;
    seen.add(source.externalId);
    let resource: ScimResource;
    try {
      resource = resourceOf(source);
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      out.skipped.push(`${source.externalId}: ${error.message}`);
      continue;
    }
    const user = current.users.get(source.externalId);
    if (!user) out.creates.push(resource);
    else if (user.active && resource.active === false) out.deprovisions.push({ user, kind: 'deactivate', resource });
    else if (!jsonEqual(resource, user.resource)) out.updates.push({ user, resource });
  }
  for (const [externalId, user] of current.users) {
    if (user.active) out.activeUsers += 1;
    // A user the listing skipped as unreadable is kept as it is: only a user the source no longer lists goes.
    if (!seen.has(externalId)) out.deprovisions.push({ user, kind: 'delete', resource: null });
  }
  for (const user of current.strays) {
    if (user.active) out.activeUsers += 1;
    out.deprovisions.push({ user, kind: 'delete', resource: null });
  }
  return out;
}

/** Applies the plan's creates and updates, then its groups; returns the counts. Deprovisions are the caller's. */
export async function applyUpserts(
  service: ScimService,
  q: ResourceQueries,
  db: Executor,
  dir: DirectoryRecord,
  p: Plan,
  keepMembers: Set<string>,
): Promise<SyncCounts> {
  const counts: SyncCounts = { ...NO_COUNTS };
  // Concurrent writes share group commits: a first sync of 10,000 users is not 10,000 transactions in a row.
  await inWindows(p.creates, 32, async (resource) => {
    await service.createUser(dir, resource);
    counts.users_created += 1;
  });
  await inWindows(p.updates, 32, async ({ user, resource }) => {
    await service.replaceUser(dir, user.id, resource);
    counts.users_updated += 1;
  });
  await applyGroups(service, q, db, dir, p.groups, keepMembers, counts);
  return counts;
}

async function applyGroups(
  service: ScimService,
  q: ResourceQueries,
  db: Executor,
  dir: DirectoryRecord,
  groups: SourceGroup[],
  keepMembers: Set<string>,
  counts: SyncCounts,
): Promise<void> {
  const current = await held(db, dir.id);
  const userIds = new Map([...current.users].map(([externalId, u]) => [externalId, u.id]));
  const listed = new Set<string>();
  for (const group of groups) {
    if (listed.has(group.externalId)) continue;
    listed.add(group.externalId);
    const members = [...new Set(group.memberExternalIds.map((e) => userIds.get(e)).filter((id): id is string => id !== undefined))];
    const existing = current.groups.get(group.externalId);
    const body = { schemas: [GROUP_SCHEMA], displayName: group.displayName, externalId: group.externalId };
    if (!existing) {
      await service.createGroup(dir, { ...body, members: members.map((value) => ({ value })) });
      counts.groups_created += 1;
      counts.memberships_added += members.length;
      continue;
    }
    const now = ((await q.membersOfGroups(db, [existing.id])).get(existing.id) ?? []).map((m) => m.id);
    // Members the guard keeps (held deletions) stay members until the held change is released.
    const wanted = [...new Set([...members, ...now.filter((id) => keepMembers.has(id))])];
    const added = wanted.filter((id) => !now.includes(id)).length;
    const removed = now.filter((id) => !wanted.includes(id)).length;
    if (!sameGroup(existing, body) || added + removed > 0) {
      await service.replaceGroup(dir, existing.id, { ...body, members: wanted.map((value) => ({ value })) }, { withMembers: false });
      if (!sameGroup(existing, body)) counts.groups_updated += 1;
      counts.memberships_added += added;
      counts.memberships_removed += removed;
    }
  }
  for (const [externalId, group] of current.groups) {
    if (listed.has(externalId)) continue;
    await service.deleteGroup(dir, group.id);
    counts.groups_deleted += 1;
  }
  for (const group of current.strayGroups) {
    await service.deleteGroup(dir, group.id);
    counts.groups_deleted += 1;
  }
}

function sameGroup(existing: GroupRecord, body: { displayName: string; externalId: string }): boolean {
  return jsonEqual(validGroup(body, 'replace').resource, existing.resource);
}

/** Applies deprovisions in order, counting them into `counts`. */
export async function applyDeprovisions(service: ScimService, dir: DirectoryRecord, deprovisions: { user_id: string; kind: 'deactivate' | 'delete'; resource: ScimResource | null }[], counts: SyncCounts): Promise<void> {
  for (const d of deprovisions) {
    try {
      if (d.kind === 'delete') await service.deleteUser(dir, d.user_id);
      else await service.replaceUser(dir, d.user_id, d.resource!);
    } catch (error) {
      // Gone meanwhile (deleted by an earlier change): nothing left to do for it.
      if (error instanceof ScimError && error.status === 404) continue;
      throw error;
    }
    if (d.kind === 'delete') counts.users_deleted += 1;
    else counts.users_deactivated += 1;
  }
}

async function inWindows<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
