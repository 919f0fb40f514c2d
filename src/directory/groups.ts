/**
 * SCIM Groups of one directory: validated by the strict core, written in one transaction with the events they
 * decide. Members are rows of their own (member-ops.ts), never an array rewritten inside the group.
 *
 * A large group is never held whole: its membership events are made and written in chunks (events.ts), a PUT
 * walks its current members a page at a time (member-ops.ts), and a read can take its members a page at a time
 * (`paged`), for the HTTP layer to send as it goes.
 */
import { isId, newId } from '../ids.ts';
import { conflict, notFound } from '../scim/errors.ts';
import { jsonEqual } from '../scim/json.ts';
import type { ListRequest } from '../scim/list.ts';
import { applyPatch, type MemberOp } from '../scim/patch/apply.ts';
import { GROUP_RESOURCE_TYPE } from '../scim/schema/definitions.ts';
import { compileProjection } from '../scim/schema/projection.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import { now } from '../store/codec.ts';
import type { Executor } from '../store/db.ts';
import * as memberships from '../store/scim/memberships.ts';
import type { GroupRecord, MemberRef } from '../store/scim/records.ts';
import type { DirectoryRecord } from '../store/store.ts';
import type { DirectoryEvents } from './events.ts';
import type { DirectoryMapping } from './mapping.ts';
import { addMembers, applyMemberOps } from './member-ops.ts';
import { groupMapsToRole, refreshRoles, roleEvents } from './roles.ts';
import { assertId, checkIfMatch, guardUnique } from './preconditions.ts';
import { NO_PROJECTION, wants, type Projection } from './projection.ts';
import { renderGroup, renderMember } from './render.ts';
import type { ScimContext, WriteOptions } from './scim-context.ts';
import { mapInTurns } from './in-turns.ts';
import { boundedByIndex, listQuery } from './sql-filters.ts';
import { groupFields, validGroup } from './validated.ts';
import { isLargeMembership, isLargePatch } from './write-size.ts';

/** A group's new attributes and the membership operations that come with them. */
type GroupChange = (current: GroupRecord) => { resource: ScimResource; memberOps: MemberOp[] };

/** Members per page of a paged read. */
export const MEMBER_PAGE = 1000;

/**
 * A group as read with its members a page at a time: `resource` (projected) holds the first page, `more` the
 * others (each projected as `resource.members` is), when there are more than one.
 */
export interface PagedGroup {
  resource: ScimResource;
  more?: AsyncIterable<unknown[]>;
}

/** A group's members beyond the first page are read after it: a write between two pages can show in the later. */
async function* laterPages(read: (after: string) => Promise<memberships.MemberPage>, after: string, render: (page: MemberRef[]) => unknown[]): AsyncGenerator<unknown[]> {
  for (let next: string | undefined = after; next !== undefined; ) {
    const page = await read(next);
    if (page.members.length > 0) yield render(page.members);
    next = page.next;
  }
}

export class ScimGroups {
  constructor(private readonly ctx: ScimContext) {}

  async create(dir: DirectoryRecord, body: unknown): Promise<ScimResource> {
    const { resource, members } = validGroup(body, 'create');
    const at = now();
    const group: GroupRecord = { id: newId('directory_group'), directory_id: dir.id, ...groupFields(resource), version: 1, resource, created_at: at, updated_at: at };
    await guardUnique(`displayName "${group.display_name}" is already in use in this directory.`, () =>
      this.ctx.write(dir, async (db, events) => {
        await this.ctx.q.insertGroup(db, group);
        const added = await addMembers(this.ctx.q, db, dir.id, group.id, members, at);
        await memberships.touchUsers(db, dir.id, added, at);
        events.count({ groups: 1 });
        const groupObject = await events.group(group);
        events.add('dsync.group.created', groupObject);
        await events.memberships('dsync.group.user_added', groupObject, added);
      }, isLargeMembership(members)),
    );
    return renderGroup(group, (await this.ctx.q.membersOfGroups(this.ctx.store.reader, [group.id])).get(group.id), this.ctx.urls(dir));
  }

  /** The group; with `paged`, its members a page at a time (PagedGroup). */
  async get(dir: DirectoryRecord, id: string, projection: Projection = NO_PROJECTION, paged = false): Promise<PagedGroup & { version: number }> {
    assertId(id, 'Group');
    const { q, store } = this.ctx;
    const group = await q.getGroup(store.reader, dir.id, id);
    if (!group) throw notFound(`Group ${id} not found.`);
    if (paged && wants(projection, 'members')) return { ...(await this.withMembers(dir, renderGroup(group, undefined, this.ctx.urls(dir)), projection)), version: group.version };
    const members = wants(projection, 'members') ? (await q.membersOfGroups(store.reader, [group.id])).get(group.id) : undefined;
    return { resource: compileProjection(GROUP_RESOURCE_TYPE, projection)(renderGroup(group, members, this.ctx.urls(dir))), version: group.version };
  }

  async replace(dir: DirectoryRecord, id: string, body: unknown, options: WriteOptions = {}): Promise<ScimResource> {
    assertId(id, 'Group');
    const { resource, members } = validGroup(body, 'replace');
    return this.update(dir, id, options, () => ({ resource, memberOps: [{ op: 'replace', ids: members }] }), isLargeMembership(members));
  }

  async patch(dir: DirectoryRecord, id: string, body: unknown, options: WriteOptions = {}): Promise<ScimResource> {
    assertId(id, 'Group');
    const change: GroupChange = (current) => {
      const { resource, memberOps } = applyPatch(GROUP_RESOURCE_TYPE, current.resource, body, options.patch);
      return { resource: validGroup({ ...resource, members: undefined }, 'replace').resource, memberOps };
    };
    return this.update(dir, id, options, change, isLargePatch(body));
  }

  /**
   * A group's resource (as written or read, without members) with its members a page at a time, projected:
   * the first page read now, the others as `more` is drawn.
   */
  async withMembers(dir: DirectoryRecord, whole: ScimResource, projection: Projection): Promise<PagedGroup> {
    const { store } = this.ctx;
    const urls = this.ctx.urls(dir);
    const project = compileProjection(GROUP_RESOURCE_TYPE, projection);
    // The order renderGroup gives: the attributes, then members, then meta.
    const { meta, members: _, ...rest } = whole;
    const withPage = (page: MemberRef[]) => project({ ...rest, members: page.map((m) => renderMember(m, urls)), meta } as ScimResource);
    const read = (after: string | undefined) => memberships.memberPage(store.reader, store.dialect, whole.id as string, after, MEMBER_PAGE);
    const first = await read(undefined);
    const resource = withPage(first.members);
    if (first.next === undefined || !Array.isArray(resource.members)) return { resource };
    return { resource, more: laterPages(read, first.next, (page) => withPage(page).members as unknown[]) };
  }

  async delete(dir: DirectoryRecord, id: string, options: WriteOptions = {}): Promise<void> {
    assertId(id, 'Group');
    // A large group's deletion (one event per member) takes a transaction of its own, and streams its events.
    const size = isId(id, 'directory_group') ? ((await this.ctx.q.memberCounts(this.ctx.store.reader, [id])).get(id) ?? 0) : 0;
    await this.ctx.write(dir, async (db, events, mapping) => {
      const current = await this.locked(db, dir, id, options);
      const groupObject = await events.group(current);
      const hadRole = await groupMapsToRole(db, mapping, id);
      // The group's role mapping row goes with it (foreign key), so its members' roles are resolved again.
      const members = await this.ctx.q.deleteGroup(db, dir.id, id);
      await memberships.touchUsers(db, dir.id, members, now());
      const roleChanges = hadRole ? await refreshRoles(this.ctx, db, dir, mapping, members, false) : [];
      events.count({ groups: -1 });
      // Each member's removal, then the group itself, then the roles that moved with it.
      await events.memberships('dsync.group.user_removed', groupObject, members);
      events.add('dsync.group.deleted', groupObject);
      await roleEvents(events, roleChanges);
    }, isLargeMembership({ length: size }));
  }

  async list(dir: DirectoryRecord, request: ListRequest): Promise<{ total: number; resources: ScimResource[] }> {
    const { q, store } = this.ctx;
    const query = listQuery(store.dialect, GROUP_RESOURCE_TYPE, dir.id, request);
    const { total, rows } = await q.listGroups(boundedByIndex(query) ? store.reader : store.scanReader, dir.id, query);
    const members = wants(request, 'members') && rows.length > 0 ? await q.membersOfGroups(store.reader, rows.map((r) => r.id)) : undefined;
    const urls = this.ctx.urls(dir);
    const projected = compileProjection(GROUP_RESOURCE_TYPE, request);
    return { total, resources: await mapInTurns(rows, (g) => projected(renderGroup(g, members?.get(g.id) ?? [], urls))) };
  }

  private async update(dir: DirectoryRecord, id: string, options: WriteOptions, change: GroupChange, alone: boolean): Promise<ScimResource> {
    const group = await guardUnique('displayName is already in use in this directory.', () =>
      this.ctx.write(dir, async (db, events, mapping) => this.change(db, events, dir, mapping, await this.locked(db, dir, id, options), change), alone),
    );
    const members = options.withMembers === false ? undefined : (await this.ctx.q.membersOfGroups(this.ctx.store.reader, [group.id])).get(group.id);
    return renderGroup(group, members, this.ctx.urls(dir));
  }

  /** The group, locked for the write (on PostgreSQL), if it exists and matches If-Match. */
  private async locked(db: Executor, dir: DirectoryRecord, id: string, options: WriteOptions): Promise<GroupRecord> {
    const current = await this.ctx.q.getGroup(db, dir.id, id, true);
    if (!current) throw notFound(`Group ${id} not found.`);
    checkIfMatch(options.ifMatch, current.version);
    return current;
  }

  /** Inside the write: the membership operations, then the group's new version unless nothing changed. */
  private async change(db: Executor, events: DirectoryEvents, dir: DirectoryRecord, mapping: DirectoryMapping, current: GroupRecord, change: GroupChange): Promise<GroupRecord> {
    const { resource, memberOps } = change(current);
    const at = now();
    const before = await events.group(current);
    const { added, removed } = await applyMemberOps(this.ctx.q, db, dir.id, current.id, memberOps, at);
    const resourceChanged = !jsonEqual(resource, current.resource);
    if (!resourceChanged && added.length === 0 && removed.length === 0) return current;
    const next: GroupRecord = { ...current, ...groupFields(resource), version: current.version + 1, resource, updated_at: at };
    if (next.display_name.toLowerCase() !== current.display_name.toLowerCase()) await this.assertDisplayNameFree(db, dir.id, next.display_name, current.id);
    await this.ctx.q.updateGroup(db, next);
    const after = await events.group(next);
    const moved = added.length + removed.length > 0 && (await groupMapsToRole(db, mapping, current.id));
    const roleChanges = moved ? await refreshRoles(this.ctx, db, dir, mapping, [...removed, ...added], false) : [];
    if (resourceChanged) events.updated('dsync.group.updated', before, after);
    await events.memberships('dsync.group.user_removed', after, removed);
    await events.memberships('dsync.group.user_added', after, added);
    await roleEvents(events, roleChanges);
    return next;
  }

  private async assertDisplayNameFree(db: Executor, directoryId: string, displayName: string, selfId: string): Promise<void> {
    const owner = await this.ctx.q.groupIdByDisplayName(db, directoryId, displayName);
    if (owner !== undefined && owner !== selfId) throw conflict(`displayName "${displayName}" is already in use in this directory.`);
  }
}
