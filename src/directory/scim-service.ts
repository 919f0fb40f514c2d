/**
 * The SCIM operations of one directory: validate with the strict core, then change rows in one transaction.
 * This is the only code that writes users, groups and memberships. Events (a later issue) are decided here,
 * from the state before and after, inside the same transaction.
 */
import type { Expression, SqlBool } from 'kysely';
import { isId, newId, printableId as shown } from '../ids.ts';
import { ScimError, badRequest, conflict, notFound } from '../scim/errors.ts';
import { etagMatches } from '../scim/etag.ts';
import { jsonEqual } from '../scim/json.ts';
import type { Filter } from '../scim/filter/ast.ts';
import { parseFilter } from '../scim/filter/parser.ts';
import type { ListRequest } from '../scim/list.ts';
import { applyPatch, type MemberOp, type PatchOptions } from '../scim/patch/apply.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../scim/schema/definitions.ts';
import { compileProjection } from '../scim/schema/projection.ts';
import { resolveAttribute } from '../scim/schema/resolve.ts';
import type { ResourceTypeDef, ScimResource } from '../scim/schema/types.ts';
import { validateResource } from '../scim/schema/validate.ts';
import { now } from '../store/codec.ts';
import { isUniqueViolation } from '../store/errors.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import { compileFilter, compileMemberFilter, compileSortKey, type FilterContext } from '../store/scim/filter-sql.ts';
import type { Executor } from '../store/db.ts';
import * as memberships from '../store/scim/memberships.ts';
import type { EmailRow, GroupRecord, UserRecord } from '../store/scim/records.ts';
import { ResourceQueries } from '../store/scim/resources.ts';
import type { DirectoryRecord } from '../store/store.ts';
import { DirectoryEvents } from './events.ts';
import { renderGroup, renderUser, type ScimUrls } from './render.ts';

export interface Projection {
  attributes: string[];
  excludedAttributes: string[];
}

export interface WriteOptions {
  /** The request's If-Match header: the write happens only if the resource's ETag matches (else 412). */
  ifMatch?: string;
  /**
   * Groups only: whether the answer carries `members`. Without them the write costs the same whatever the
   * group's size (PATCH of one member in a group of 100,000).
   */
  withMembers?: boolean;
  /** How the PATCH engine reads tolerant forms (set by the dialect edge). */
  patch?: PatchOptions;
}

const NO_PROJECTION: Projection = { attributes: [], excludedAttributes: [] };

/** Whether a projection returns `name` at all: skip the membership queries when it does not. */
export function wants(p: Projection, name: string): boolean {
  const lower = name.toLowerCase();
  const mentions = (list: string[]) => list.some((a) => a.toLowerCase() === lower || a.toLowerCase().startsWith(`${lower}.`) || a.toLowerCase().endsWith(`:${lower}`));
  if (p.attributes.length > 0) return mentions(p.attributes);
  return !p.excludedAttributes.some((a) => a.toLowerCase() === lower || a.toLowerCase().endsWith(`:${lower}`));
}

/**
 * Ids are ours (`directory_user_…`, `directory_group_…`): anything else (NUL, control characters, 10,000
 * characters) names no resource, answered 404 without a query (PostgreSQL refuses NUL in text with an error).
 */
function assertId(id: string, kind: 'User' | 'Group'): void {
  if (!isId(id, kind === 'User' ? 'directory_user' : 'directory_group')) throw notFound(`${kind} not found: "${shown(id)}" is not a ${kind} id.`);
}

function checkIfMatch(options: WriteOptions, version: number): void {
  if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, version)) {
    throw new ScimError(412, undefined, 'The resource has changed: its ETag no longer matches If-Match.');
  }
}

/** Attributes unique within a directory (userName and displayName case-insensitively, by their indexes). */
const UNIQUE_ATTRIBUTES: Record<string, string[]> = { User: ['id', 'username'], Group: ['id', 'displayname'] };

/** Whether `filter` can match at most one resource: an equality on a unique attribute, alone or in an `and`. */
export function matchesAtMostOne(filter: Filter, rt: ResourceTypeDef): boolean {
  // A stack, not recursion: the filter comes from the client.
  const stack = [filter];
  while (stack.length > 0) {
    const term = stack.pop()!;
    if (term.kind === 'and') stack.push(term.right, term.left);
    else if (uniqueEquality(term, rt)) return true;
  }
  return false;
}

function uniqueEquality(term: Filter, rt: ResourceTypeDef): boolean {
  if (term.kind !== 'compare' || term.op !== 'eq' || term.path.sub !== undefined || typeof term.value !== 'string') return false;
  if (term.path.uri !== undefined && term.path.uri.toLowerCase() !== rt.schema.toLowerCase()) return false;
  return (UNIQUE_ATTRIBUTES[rt.id] ?? []).includes(term.path.attr.toLowerCase());
}

function emailRows(resource: ScimResource): EmailRow[] {
  const emails = Array.isArray(resource.emails) ? (resource.emails as Record<string, unknown>[]) : [];
  return emails
    .filter((e) => typeof e.value === 'string')
    .map((e) => ({ value: e.value as string, type: typeof e.type === 'string' ? e.type : null, primary: e.primary === true }));
}

function stripServerAttributes(resource: ScimResource, names: string[]): ScimResource {
  const out = { ...resource };
  for (const key of Object.keys(out)) if (names.includes(key.toLowerCase())) delete out[key];
  return out;
}

/**
 * Beyond this many member (or other multi-valued) values, a write runs in a transaction of its own instead of a
 * shared batch: on SQLite a batch runs without yielding, so several large writes in one would add up to a stall.
 */
const LARGE_MEMBERSHIP = 100;

/** Values of the multi-valued attributes a resource body carries (emails, addresses, …). */
function resourceValueCount(body: unknown): number {
  if (!body || typeof body !== 'object') return 0;
  let count = 0;
  for (const [key, value] of Object.entries(body)) if (key !== 'schemas' && Array.isArray(value)) count += value.length;
  return count;
}

/** Member values a PATCH carries (an estimate: values of every operation, and `members` inside object values). */
function patchValueCount(body: unknown): number {
  const ops = (body as { Operations?: unknown } | null)?.Operations;
  if (!Array.isArray(ops)) return 0;
  let count = 0;
  for (const op of ops) {
    const value = (op as { value?: unknown } | null)?.value;
    if (Array.isArray(value)) count += value.length;
    else if (value && typeof value === 'object') {
      const members = Object.entries(value).find(([k]) => k.toLowerCase() === 'members')?.[1];
      if (Array.isArray(members)) count += members.length;
    }
  }
  return count;
}

/** The values that can be user ids; the others are members of nothing. */
function userIds(values: string[]): string[] {
  return values.filter((v) => isId(v, 'directory_user'));
}

function memberIds(resource: ScimResource): string[] | undefined {
  if (!Array.isArray(resource.members)) return undefined;
  return (resource.members as Record<string, unknown>[]).map((m) => m.value as string);
}

export class ScimService {
  private readonly q: ResourceQueries;

  constructor(
    private readonly store: KyselyStore,
    private readonly publicUrl: string,
  ) {
    this.q = new ResourceQueries(store.dialect);
  }

  private urls(dir: DirectoryRecord): ScimUrls {
    return { base: `${this.publicUrl}/scim/v2/${dir.id}` };
  }

  private filterContext(rt: ResourceTypeDef, directoryId: string): FilterContext {
    return {
      dialect: this.store.dialect,
      directoryId,
      resourceType: rt.id,
      coreSchema: rt.schema,
      resolve: (path) => resolveAttribute(rt, path),
    };
  }

  /** One write transaction in a directory; the events it decides are appended last, before commit. */
  private write<T>(dir: DirectoryRecord, fn: (db: Executor, events: DirectoryEvents) => Promise<T>, alone = false): Promise<T> {
    // Large membership changes take a transaction of their own rather than hold up a batch of small writes.
    return this.store.batchedTransaction(
      async (trx, defer) => {
        const db = trx as unknown as Executor;
        const events = new DirectoryEvents(db, dir, this.publicUrl, this.q);
        const result = await fn(db, events);
        events.flush(defer);
        return result;
      },
      { alone, key: dir.id },
    );
  }

  // ── Users ───────────────────────────────────────────────────────────────

  async createUser(dir: DirectoryRecord, body: unknown): Promise<ScimResource> {
    const resource = stripServerAttributes(validateResource(USER_RESOURCE_TYPE, body, { mode: 'create' }), ['id', 'meta', 'groups']);
    const at = now();
    const user: UserRecord = {
      id: newId('directory_user'),
      directory_id: dir.id,
      user_name: resource.userName as string,
      external_id: (resource.externalId as string | undefined) ?? null,
      active: resource.active !== false,
      version: 1,
      resource,
      created_at: at,
      updated_at: at,
    };
    // The unique index on (directory, lowercased userName) decides; no lookup before the insert.
    await this.guardUnique(`userName "${user.user_name}" is already in use in this directory.`, () =>
      this.write(dir, async (db, events) => {
        await this.q.insertUser(db, user, emailRows(resource));
        this.adjustUserCounts(events, undefined, user.active);
        events.add('dsync.user.created', await events.user(user));
      }, resourceValueCount(resource) > LARGE_MEMBERSHIP),
    );
    return renderUser(user, [], this.urls(dir));
  }

  async getUser(dir: DirectoryRecord, id: string, projection: Projection = NO_PROJECTION): Promise<{ resource: ScimResource; version: number }> {
    assertId(id, 'User');
    const user = await this.q.getUser(this.store.db, dir.id, id);
    if (!user) throw notFound(`User ${id} not found.`);
    const groups = wants(projection, 'groups') ? (await this.q.groupsOfUsers(this.store.db, [user.id])).get(user.id) : undefined;
    return { resource: compileProjection(USER_RESOURCE_TYPE, projection)(renderUser(user, groups, this.urls(dir))), version: user.version };
  }

  async replaceUser(dir: DirectoryRecord, id: string, body: unknown, options: WriteOptions = {}): Promise<ScimResource> {
    assertId(id, 'User');
    const resource = stripServerAttributes(validateResource(USER_RESOURCE_TYPE, body, { mode: 'replace' }), ['id', 'meta', 'groups']);
    return this.updateUser(dir, id, options, () => resource, resourceValueCount(resource) > LARGE_MEMBERSHIP);
  }

  async patchUser(dir: DirectoryRecord, id: string, body: unknown, options: WriteOptions = {}): Promise<ScimResource> {
    assertId(id, 'User');
    return this.updateUser(dir, id, options, (current) => {
      const { resource } = applyPatch(USER_RESOURCE_TYPE, current.resource, body, options.patch);
      return stripServerAttributes(validateResource(USER_RESOURCE_TYPE, resource, { mode: 'replace' }), ['id', 'meta', 'groups']);
    }, patchValueCount(body) > LARGE_MEMBERSHIP);
  }

  private async updateUser(
    dir: DirectoryRecord,
    id: string,
    options: WriteOptions,
    change: (current: UserRecord) => ScimResource,
    alone = false,
  ): Promise<ScimResource> {
    const user = await this.guardUnique('userName is already in use in this directory.', () =>
      this.write(dir, async (db, events) => {
        const current = await this.q.getUser(db, dir.id, id, true);
        if (!current) throw notFound(`User ${id} not found.`);
        checkIfMatch(options, current.version);
        const resource = change(current);
        if (jsonEqual(resource, current.resource)) return current;
        const next: UserRecord = {
          ...current,
          user_name: resource.userName as string,
          external_id: (resource.externalId as string | undefined) ?? null,
          active: resource.active !== false,
          version: current.version + 1,
          resource,
          updated_at: now(),
        };
        if (current.active && !next.active && dir.settings.inactive_users === 'delete') {
          // Lifecycle policy `delete`: deactivation is deletion; a later return is a new user.
          await this.removeUser(db, events, current);
          return { ...next, deleted: true };
        }
        if (next.user_name.toLowerCase() !== current.user_name.toLowerCase()) {
          await this.assertUserNameFree(db, dir.id, next.user_name, id);
        }
        const before = await events.user(current);
        await this.q.updateUser(db, next, emailRows(resource), { user: current, emails: emailRows(current.resource) });
        if (next.active !== current.active) this.adjustUserCounts(events, current.active, next.active);
        events.updated('dsync.user.updated', before, await events.user(next));
        return next;
      }, alone),
    );
    const groups = 'deleted' in user ? [] : (await this.q.groupsOfUsers(this.store.db, [user.id])).get(user.id);
    return renderUser(user, groups, this.urls(dir));
  }

  async deleteUser(dir: DirectoryRecord, id: string, options: WriteOptions = {}): Promise<void> {
    assertId(id, 'User');
    await this.write(dir, async (db, events) => {
      const current = await this.q.getUser(db, dir.id, id, true);
      if (!current) throw notFound(`User ${id} not found.`);
      checkIfMatch(options, current.version);
      await this.removeUser(db, events, current);
    });
  }

  /**
   * Hard delete: the user, its memberships (each group's version moves) and its place in the counts. Each
   * membership's `dsync.group.user_removed` comes before the `dsync.user.deleted`.
   */
  private async removeUser(db: Executor, events: DirectoryEvents, user: UserRecord): Promise<void> {
    const directoryId = user.directory_id;
    const userObject = await events.user(user);
    const groups = await this.q.deleteUser(db, directoryId, user.id);
    await memberships.touchGroups(db, directoryId, groups, now());
    this.adjustUserCounts(events, user.active, undefined);
    for (const group of await this.q.groupsByIds(db, directoryId, groups)) {
      events.add('dsync.group.user_removed', { directory_id: directoryId, user: userObject, group: await events.group(group) });
    }
    events.add('dsync.user.deleted', userObject);
  }

  async listUsers(dir: DirectoryRecord, request: ListRequest): Promise<{ total: number; resources: ScimResource[] }> {
    const { total, rows } = await this.q.listUsers(this.store.db, dir.id, this.listQuery(USER_RESOURCE_TYPE, dir.id, request));
    const groups = wants(request, 'groups') && rows.length > 0 ? await this.q.groupsOfUsers(this.store.db, rows.map((r) => r.id)) : undefined;
    const urls = this.urls(dir);
    const projected = compileProjection(USER_RESOURCE_TYPE, request);
    return { total, resources: rows.map((u) => projected(renderUser(u, groups?.get(u.id), urls))) };
  }

  private async assertUserNameFree(db: Executor, directoryId: string, userName: string, selfId: string | undefined) {
    const owner = await this.q.userIdByUserName(db, directoryId, userName);
    if (owner !== undefined && owner !== selfId) throw conflict(`userName "${userName}" is already in use in this directory.`);
  }

  /** Moves a user between the directory's active and inactive counts (undefined: not a user before / after). */
  private adjustUserCounts(events: DirectoryEvents, before: boolean | undefined, after: boolean | undefined): void {
    const delta = (state: boolean | undefined, sign: number) => (state === undefined ? [0, 0] : state ? [sign, 0] : [0, sign]);
    const [a1, i1] = delta(before, -1);
    const [a2, i2] = delta(after, 1);
    events.count({ usersActive: a1! + a2!, usersInactive: i1! + i2! });
  }

  // ── Groups ──────────────────────────────────────────────────────────────

  async createGroup(dir: DirectoryRecord, body: unknown): Promise<ScimResource> {
    const validated = validateResource(GROUP_RESOURCE_TYPE, body, { mode: 'create' });
    const members = memberIds(validated) ?? [];
    const resource = stripServerAttributes(validated, ['id', 'meta', 'members']);
    const at = now();
    const group: GroupRecord = {
      id: newId('directory_group'),
      directory_id: dir.id,
      display_name: resource.displayName as string,
      external_id: (resource.externalId as string | undefined) ?? null,
      version: 1,
      resource,
      created_at: at,
      updated_at: at,
    };
    await this.guardUnique(`displayName "${group.display_name}" is already in use in this directory.`, () =>
      this.write(dir, async (db, events) => {
        await this.q.insertGroup(db, group);
        const added = await this.addMembers(db, dir.id, group.id, members, at);
        events.count({ groups: 1 });
        const groupObject = await events.group(group);
        events.add('dsync.group.created', groupObject);
        await events.memberships('dsync.group.user_added', groupObject, added);
      }, members.length > LARGE_MEMBERSHIP),
    );
    return renderGroup(group, (await this.q.membersOfGroups(this.store.db, [group.id])).get(group.id), this.urls(dir));
  }

  async getGroup(dir: DirectoryRecord, id: string, projection: Projection = NO_PROJECTION): Promise<{ resource: ScimResource; version: number }> {
    assertId(id, 'Group');
    const group = await this.q.getGroup(this.store.db, dir.id, id);
    if (!group) throw notFound(`Group ${id} not found.`);
    const members = wants(projection, 'members') ? (await this.q.membersOfGroups(this.store.db, [group.id])).get(group.id) : undefined;
    return { resource: compileProjection(GROUP_RESOURCE_TYPE, projection)(renderGroup(group, members, this.urls(dir))), version: group.version };
  }

  async replaceGroup(dir: DirectoryRecord, id: string, body: unknown, options: WriteOptions = {}): Promise<ScimResource> {
    assertId(id, 'Group');
    const validated = validateResource(GROUP_RESOURCE_TYPE, body, { mode: 'replace' });
    const members = memberIds(validated) ?? [];
    const resource = stripServerAttributes(validated, ['id', 'meta', 'members']);
    return this.updateGroup(dir, id, options, () => ({ resource, memberOps: [{ op: 'replace', ids: members }] }), members.length > LARGE_MEMBERSHIP);
  }

  async patchGroup(dir: DirectoryRecord, id: string, body: unknown, options: WriteOptions = {}): Promise<ScimResource | undefined> {
    assertId(id, 'Group');
    return this.updateGroup(dir, id, options, (current) => {
      const { resource, memberOps } = applyPatch(GROUP_RESOURCE_TYPE, current.resource, body, options.patch);
      const validated = validateResource(GROUP_RESOURCE_TYPE, { ...resource, members: undefined }, { mode: 'replace' });
      return { resource: stripServerAttributes(validated, ['id', 'meta', 'members']), memberOps };
    }, patchValueCount(body) > LARGE_MEMBERSHIP);
  }

  private async updateGroup(
    dir: DirectoryRecord,
    id: string,
    options: WriteOptions,
    change: (current: GroupRecord) => { resource: ScimResource; memberOps: MemberOp[] },
    alone = false,
  ): Promise<ScimResource> {
    const group = await this.guardUnique('displayName is already in use in this directory.', () =>
      this.write(dir, async (db, events) => {
        const current = await this.q.getGroup(db, dir.id, id, true);
        if (!current) throw notFound(`Group ${id} not found.`);
        checkIfMatch(options, current.version);
        const { resource, memberOps } = change(current);
        const at = now();
        const before = await events.group(current);
        const { added, removed } = await this.applyMemberOps(db, dir.id, id, memberOps, at);
        const resourceChanged = !jsonEqual(resource, current.resource);
        if (!resourceChanged && added.length === 0 && removed.length === 0) return current;
        const next: GroupRecord = {
          ...current,
          display_name: resource.displayName as string,
          external_id: (resource.externalId as string | undefined) ?? null,
          version: current.version + 1,
          resource,
          updated_at: at,
        };
        if (next.display_name.toLowerCase() !== current.display_name.toLowerCase()) {
          await this.assertDisplayNameFree(db, dir.id, next.display_name, id);
        }
        await this.q.updateGroup(db, next);
        const after = await events.group(next);
        if (resourceChanged) events.updated('dsync.group.updated', before, after);
        await events.memberships('dsync.group.user_removed', after, removed);
        await events.memberships('dsync.group.user_added', after, added);
        return next;
      }, alone),
    );
    const members = options.withMembers === false ? undefined : (await this.q.membersOfGroups(this.store.db, [group.id])).get(group.id);
    return renderGroup(group, members, this.urls(dir));
  }

  /** Applies membership operations in request order; returns the net change. */
  private async applyMemberOps(
    db: Executor,
    directoryId: string,
    groupId: string,
    ops: MemberOp[],
    at: string,
  ): Promise<{ added: string[]; removed: string[] }> {
    const added = new Set<string>();
    const removed = new Set<string>();
    const note = (ids: string[], into: Set<string>, other: Set<string>) =>
      ids.forEach((id) => (other.has(id) ? other.delete(id) : into.add(id)));
    for (const op of ops) {
      if (op.op === 'add') note(await this.addMembers(db, directoryId, groupId, op.ids, at, false), added, removed);
      else if (op.op === 'remove') note(await memberships.removeMembers(db, groupId, userIds(op.ids)), removed, added);
      else if (op.op === 'removeAll') note(await memberships.clearMembers(db, groupId), removed, added);
      else if (op.op === 'removeWhere') {
        const ids = await memberships.memberIdsWhere(db, groupId, this.memberPredicate(op.filter, directoryId));
        note(await memberships.removeMembers(db, groupId, ids), removed, added);
      } else if (op.op === 'replace') {
        const wanted = new Set(op.ids);
        const current = (await this.q.membersOfGroups(db, [groupId])).get(groupId) ?? [];
        const gone = current.filter((m) => !wanted.has(m.id)).map((m) => m.id);
        note(await memberships.removeMembers(db, groupId, gone), removed, added);
        note(await this.addMembers(db, directoryId, groupId, op.ids, at, false), added, removed);
      }
    }
    await memberships.touchUsers(db, directoryId, [...added, ...removed], at);
    return { added: [...added], removed: [...removed] };
  }

  private memberPredicate(filter: Filter, directoryId: string): Expression<SqlBool> {
    return compileMemberFilter(filter, this.filterContext(GROUP_RESOURCE_TYPE, directoryId)) as unknown as Expression<SqlBool>;
  }

  /** Adds members after checking every id is a user of this directory (400 naming the unknown ones). */
  private async addMembers(db: Executor, directoryId: string, groupId: string, ids: string[], at: string, touch = true): Promise<string[]> {
    if (ids.length === 0) return [];
    // A value that cannot be a user id is an unknown member: it never reaches the database.
    const known = await this.q.existingUserIds(db, directoryId, userIds(ids));
    const unknown = [...new Set(ids)].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const listed = unknown.slice(0, 5).map((id) => `"${shown(id)}"`).join(', ');
      throw badRequest('invalidValue', `members must be users of this directory; unknown: ${listed}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}.`);
    }
    const added = await memberships.addMembers(db, directoryId, groupId, ids, at);
    if (touch) await memberships.touchUsers(db, directoryId, added, at);
    return added;
  }

  async deleteGroup(dir: DirectoryRecord, id: string, options: WriteOptions = {}): Promise<void> {
    assertId(id, 'Group');
    await this.write(dir, async (db, events) => {
      const current = await this.q.getGroup(db, dir.id, id, true);
      if (!current) throw notFound(`Group ${id} not found.`);
      checkIfMatch(options, current.version);
      const groupObject = await events.group(current);
      const members = await this.q.deleteGroup(db, dir.id, id);
      await memberships.touchUsers(db, dir.id, members, now());
      events.count({ groups: -1 });
      // Each member's removal, then the group itself.
      await events.memberships('dsync.group.user_removed', groupObject, members);
      events.add('dsync.group.deleted', groupObject);
    });
  }

  async listGroups(dir: DirectoryRecord, request: ListRequest): Promise<{ total: number; resources: ScimResource[] }> {
    const { total, rows } = await this.q.listGroups(this.store.db, dir.id, this.listQuery(GROUP_RESOURCE_TYPE, dir.id, request));
    const members = wants(request, 'members') && rows.length > 0 ? await this.q.membersOfGroups(this.store.db, rows.map((r) => r.id)) : undefined;
    const urls = this.urls(dir);
    const projected = compileProjection(GROUP_RESOURCE_TYPE, request);
    return { total, resources: rows.map((g) => projected(renderGroup(g, members?.get(g.id) ?? [], urls))) };
  }

  private async assertDisplayNameFree(db: Executor, directoryId: string, displayName: string, selfId: string | undefined) {
    const owner = await this.q.groupIdByDisplayName(db, directoryId, displayName);
    if (owner !== undefined && owner !== selfId) throw conflict(`displayName "${displayName}" is already in use in this directory.`);
  }

  // ── Shared ──────────────────────────────────────────────────────────────

  private listQuery(rt: ResourceTypeDef, directoryId: string, request: ListRequest) {
    const ctx = this.filterContext(rt, directoryId);
    const filter = request.filter !== undefined ? parseFilter(request.filter) : undefined;
    return {
      where: filter ? (compileFilter(filter, ctx) as unknown) : undefined,
      sortKey: request.sortBy ? compileSortKey(request.sortBy, ctx) : undefined,
      descending: request.sortOrder === 'descending',
      offset: request.startIndex - 1,
      limit: request.count,
      atMostOne: filter !== undefined && matchesAtMostOne(filter, rt),
    };
  }

  /** A unique index violation (a duplicate, or a concurrent writer that won) is a 409 uniqueness. */
  private async guardUnique<T>(detail: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(detail);
      throw error;
    }
  }
}

