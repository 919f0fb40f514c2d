/**
 * Queries over SCIM resources, shared by both databases. Every function takes the executor it runs on, so the
 * same code serves plain reads and the write transaction of a SCIM request.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Executor } from '../db.ts';
import { fromFlag, fromJson, toFlag, toJson } from '../codec.ts';
import type { EmailRow, GroupRecord, MemberRef, Page, PageQuery, ResourceList, ResourceListQuery, UserRecord } from '../store.ts';
import { pageById } from '../pagination.ts';
import type { Dialect } from './sql-dialect.ts';
import { jsonText } from './sql-dialect.ts';

/** Rows per statement for bulk membership work: well under both databases' bound-parameter limits. */
const CHUNK = 1000;
/** Up to this many matching rows, sorting them beats walking the directory in id order (see idOrder). */
const SORT_IN_MEMORY = 10_000;

/** Email rows per INSERT: far below either database's limit on bound parameters (7 columns each). */
const EMAIL_CHUNK = 200;

export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type Row = Record<string, unknown>;

function toUser(row: Row): UserRecord {
  return {
    id: row.id as string,
    directory_id: row.directory_id as string,
    user_name: row.user_name as string,
    external_id: (row.external_id as string | null) ?? null,
    active: fromFlag(row.active),
    version: Number(row.version),
    resource: fromJson(row.resource),
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
  };
}

function toGroup(row: Row): GroupRecord {
  return {
    id: row.id as string,
    directory_id: row.directory_id as string,
    display_name: row.display_name as string,
    external_id: (row.external_id as string | null) ?? null,
    version: Number(row.version),
    resource: fromJson(row.resource),
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
  };
}

export class ResourceQueries {
  constructor(readonly dialect: Dialect) {}

  // ── Users ───────────────────────────────────────────────────────────────

  async getUser(db: Executor, directoryId: string, id: string, forUpdate = false): Promise<UserRecord | undefined> {
    let q = db.selectFrom('directory_users').selectAll().where('directory_id', '=', directoryId).where('id', '=', id);
    if (forUpdate && this.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async usersByIds(db: Executor, directoryId: string, ids: string[]): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const chunk of chunks([...new Set(ids)])) {
      const rows = await db.selectFrom('directory_users').selectAll().where('directory_id', '=', directoryId).where('id', 'in', chunk).execute();
      rows.forEach((r) => out.push(toUser(r)));
    }
    return out;
  }

  async groupsByIds(db: Executor, directoryId: string, ids: string[]): Promise<GroupRecord[]> {
    const out: GroupRecord[] = [];
    for (const chunk of chunks([...new Set(ids)])) {
      const rows = await db.selectFrom('directory_groups').selectAll().where('directory_id', '=', directoryId).where('id', 'in', chunk).execute();
      rows.forEach((r) => out.push(toGroup(r)));
    }
    return out;
  }

  async userIdByUserName(db: Executor, directoryId: string, userName: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('directory_users')
      .select('id')
      .where('directory_id', '=', directoryId)
      .where('user_name_lower', '=', userName.toLowerCase())
      .executeTakeFirst();
    return row?.id;
  }

  private userRow(user: UserRecord) {
    return {
      id: user.id,
      directory_id: user.directory_id,
      user_name: user.user_name,
      user_name_lower: user.user_name.toLowerCase(),
      external_id: user.external_id,
      active: toFlag(user.active),
      version: user.version,
      resource: toJson(user.resource),
      created_at: user.created_at,
      updated_at: user.updated_at,
    };
  }

  async insertUser(db: Executor, user: UserRecord, emails: EmailRow[]): Promise<void> {
    const rows = this.emailRows(user, emails);
    if (this.dialect === 'postgres' && rows.length > 0 && rows.length <= EMAIL_CHUNK) {
      // One round trip: the user's insert rides in a CTE. The emails' foreign key is checked at the end of the
      // statement, when the user row exists.
      await db
        .with('inserted_user', (w) => w.insertInto('directory_users').values(this.userRow(user)))
        .insertInto('directory_user_emails')
        .values(rows)
        .execute();
      return;
    }
    await db.insertInto('directory_users').values(this.userRow(user)).execute();
    await this.insertEmails(db, user, emails);
  }

  /**
   * `previous`, the user and its emails before the change: columns and email rows that did not change are left
   * alone. (SQLite rewrites the entries of every index on a column named in SET, changed or not.)
   */
  async updateUser(db: Executor, user: UserRecord, emails: EmailRow[], previous?: { user: UserRecord; emails: EmailRow[] }): Promise<void> {
    const { id, directory_id, created_at, ...changes } = this.userRow(user);
    if (previous) {
      const { user_name, user_name_lower, external_id, active } = this.userRow({ ...previous.user, resource: {} });
      const before: Partial<typeof changes> = { user_name, user_name_lower, external_id, active };
      for (const column of ['user_name', 'user_name_lower', 'external_id', 'active'] as const) {
        if (changes[column] === before[column]) delete changes[column];
      }
    }
    await db.updateTable('directory_users').set(changes).where('id', '=', id).where('directory_id', '=', directory_id).execute();
    if (previous && JSON.stringify(previous.emails) === JSON.stringify(emails)) return;
    await db.deleteFrom('directory_user_emails').where('user_id', '=', id).execute();
    await this.insertEmails(db, user, emails);
  }

  private async insertEmails(db: Executor, user: UserRecord, emails: EmailRow[]): Promise<void> {
    for (const chunk of chunks(this.emailRows(user, emails), EMAIL_CHUNK)) await db.insertInto('directory_user_emails').values(chunk).execute();
  }

  private emailRows(user: UserRecord, emails: EmailRow[]) {
    return emails.map((e, position) => ({
      user_id: user.id,
      directory_id: user.directory_id,
      position,
      value: e.value,
      value_lower: e.value.toLowerCase(),
      type: e.type,
      primary: toFlag(e.primary),
    }));
  }

  /** Deletes the user with its memberships; returns the ids of the groups it was removed from. */
  async deleteUser(db: Executor, directoryId: string, id: string): Promise<string[]> {
    const groups = await db.deleteFrom('directory_group_members').where('user_id', '=', id).returning('group_id').execute();
    await db.deleteFrom('directory_users').where('id', '=', id).where('directory_id', '=', directoryId).execute();
    return groups.map((g) => g.group_id);
  }

  async existingUserIds(db: Executor, directoryId: string, ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const chunk of chunks([...new Set(ids)])) {
      const rows = await db.selectFrom('directory_users').select('id').where('directory_id', '=', directoryId).where('id', 'in', chunk).execute();
      rows.forEach((r) => found.add(r.id));
    }
    return found;
  }

  /** A membership change is a change to each user it touches: version and lastModified move. */
  async touchUsers(db: Executor, directoryId: string, ids: string[], at: string): Promise<void> {
    for (const chunk of chunks(ids)) {
      await db
        .updateTable('directory_users')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: at }))
        .where('directory_id', '=', directoryId)
        .where('id', 'in', chunk)
        .execute();
    }
  }

  // ── Groups ──────────────────────────────────────────────────────────────

  async getGroup(db: Executor, directoryId: string, id: string, forUpdate = false): Promise<GroupRecord | undefined> {
    let q = db.selectFrom('directory_groups').selectAll().where('directory_id', '=', directoryId).where('id', '=', id);
    if (forUpdate && this.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? toGroup(row) : undefined;
  }

  async groupIdByDisplayName(db: Executor, directoryId: string, displayName: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('directory_groups')
      .select('id')
      .where('directory_id', '=', directoryId)
      .where('display_name_lower', '=', displayName.toLowerCase())
      .executeTakeFirst();
    return row?.id;
  }

  private groupRow(group: GroupRecord) {
    return {
      id: group.id,
      directory_id: group.directory_id,
      display_name: group.display_name,
      display_name_lower: group.display_name.toLowerCase(),
      external_id: group.external_id,
      version: group.version,
      resource: toJson(group.resource),
      created_at: group.created_at,
      updated_at: group.updated_at,
    };
  }

  async insertGroup(db: Executor, group: GroupRecord): Promise<void> {
    await db.insertInto('directory_groups').values(this.groupRow(group)).execute();
  }

  async updateGroup(db: Executor, group: GroupRecord): Promise<void> {
    const { id, directory_id, created_at, ...changes } = this.groupRow(group);
    await db.updateTable('directory_groups').set(changes).where('id', '=', id).where('directory_id', '=', directory_id).execute();
  }

  /** Deletes the group with its memberships; returns the ids of the users removed from it. */
  async deleteGroup(db: Executor, directoryId: string, id: string): Promise<string[]> {
    const members = await this.clearMembers(db, id);
    await db.deleteFrom('directory_groups').where('id', '=', id).where('directory_id', '=', directoryId).execute();
    return members;
  }

  // ── Memberships ─────────────────────────────────────────────────────────

  /** Adds memberships; returns the user ids that were not members before (re-adding is a no-op). */
  async addMembers(db: Executor, directoryId: string, groupId: string, userIds: string[], at: string): Promise<string[]> {
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

  /** Removes memberships; returns the user ids that were members (removing a non-member is a no-op). */
  async removeMembers(db: Executor, groupId: string, userIds: string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const chunk of chunks([...new Set(userIds)])) {
      const rows = await db
        .deleteFrom('directory_group_members')
        .where('group_id', '=', groupId)
        .where('user_id', 'in', chunk)
        .returning('user_id')
        .execute();
      rows.forEach((r) => removed.push(r.user_id));
    }
    return removed;
  }

  async clearMembers(db: Executor, groupId: string): Promise<string[]> {
    const rows = await db.deleteFrom('directory_group_members').where('group_id', '=', groupId).returning('user_id').execute();
    return rows.map((r) => r.user_id);
  }

  /** Members matching an element predicate compiled over `m` (membership) and `u` (user). */
  async memberIdsWhere(db: Executor, groupId: string, where: Expression<SqlBool>): Promise<string[]> {
    const rows = await db
      .selectFrom('directory_group_members as m')
      .innerJoin('directory_users as u', 'u.id', 'm.user_id')
      .select('m.user_id')
      .where('m.group_id', '=', groupId)
      .where(where)
      .execute();
    return rows.map((r) => r.user_id);
  }

  async touchGroups(db: Executor, directoryId: string, ids: string[], at: string): Promise<void> {
    for (const chunk of chunks([...new Set(ids)])) {
      await db
        .updateTable('directory_groups')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: at }))
        .where('directory_id', '=', directoryId)
        .where('id', 'in', chunk)
        .execute();
    }
  }

  /** Each user's groups, for the User resource's readOnly `groups`. */
  async groupsOfUsers(db: Executor, userIds: string[]): Promise<Map<string, MemberRef[]>> {
    const out = new Map<string, MemberRef[]>(userIds.map((id) => [id, []]));
    for (const chunk of chunks(userIds)) {
      const rows = await db
        .selectFrom('directory_group_members as m')
        .innerJoin('directory_groups as g', 'g.id', 'm.group_id')
        .select(['m.user_id', 'g.id', 'g.display_name'])
        .where('m.user_id', 'in', chunk)
        .orderBy('g.id')
        .execute();
      rows.forEach((r) => out.get(r.user_id)?.push({ id: r.id, display: r.display_name }));
    }
    return out;
  }

  /** Each group's members, with the display SCIM shows: the user's displayName, else its userName. */
  async membersOfGroups(db: Executor, groupIds: string[]): Promise<Map<string, MemberRef[]>> {
    const out = new Map<string, MemberRef[]>(groupIds.map((id) => [id, []]));
    const display = jsonText(this.dialect, sql.ref('u.resource'), ['displayName']);
    for (const chunk of chunks(groupIds)) {
      const rows = await db
        .selectFrom('directory_group_members as m')
        .innerJoin('directory_users as u', 'u.id', 'm.user_id')
        .select(['m.group_id', 'u.id', 'u.user_name', sql<string | null>`${display}`.as('display_name')])
        .where('m.group_id', 'in', chunk)
        .orderBy('m.group_id')
        .orderBy('u.id')
        .execute();
      rows.forEach((r) => out.get(r.group_id)?.push({ id: r.id, display: r.display_name ?? r.user_name }));
    }
    return out;
  }

  async memberCounts(db: Executor, groupIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>(groupIds.map((id) => [id, 0]));
    for (const chunk of chunks(groupIds)) {
      const rows = await db
        .selectFrom('directory_group_members')
        .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('group_id', 'in', chunk)
        .groupBy('group_id')
        .execute();
      rows.forEach((r) => out.set(r.group_id, Number(r.n)));
    }
    return out;
  }

  // ── Listing ─────────────────────────────────────────────────────────────

  listUsers(db: Executor, directoryId: string, q: ResourceListQuery): Promise<ResourceList<UserRecord>> {
    return this.list(db, 'directory_users', directoryId, q, toUser);
  }

  listGroups(db: Executor, directoryId: string, q: ResourceListQuery): Promise<ResourceList<GroupRecord>> {
    return this.list(db, 'directory_groups', directoryId, q, toGroup);
  }

  /**
   * The id ordering term. SQLite would walk the (directory_id, id) index to avoid a sort, filtering every row
   * of the directory, even when the filter's own index finds a handful (externalId is not unique, so its
   * estimate is "several"). With a filter and a small result, `+r.id` stops that index from serving ORDER BY,
   * so the filter's index is used and the few rows sorted. PostgreSQL's statistics choose well by themselves.
   */
  private idOrder(filtered: boolean, total: number) {
    return this.dialect === 'sqlite' && filtered && total <= SORT_IN_MEMORY ? sql`+r.id` : sql.ref('r.id');
  }

  /** The resources of a directory matching a compiled filter, as a query to select from (also for EXPLAIN). */
  filtered(db: Executor, table: 'directory_users' | 'directory_groups', directoryId: string, where: unknown) {
    const base = db.selectFrom(`${table} as r` as 'directory_users as r').where('r.directory_id', '=', directoryId);
    return where ? base.where(where as Expression<SqlBool>) : base;
  }

  private async list<T>(
    db: Executor,
    table: 'directory_users' | 'directory_groups',
    directoryId: string,
    q: ResourceListQuery,
    decode: (row: Row) => T,
  ): Promise<ResourceList<T>> {
    const base = this.filtered(db, table, directoryId, q.where);
    if (q.atMostOne && q.offset === 0 && q.limit > 0) {
      // At most one row matches, so it needs no ordering, and the page holds the whole result.
      const result = await base.selectAll('r').limit(1).execute();
      return { total: result.length, rows: result.map((r) => decode(r as Row)) };
    }
    const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const total = Number(counted.n);
    if (q.limit === 0 || q.offset >= total) return { total, rows: [] };
    let rows = base.selectAll('r');
    if (q.sortKey) {
      const key = q.sortKey as Expression<unknown>;
      // Resources without the attribute sort last in either direction; id keeps equal keys stable.
      rows = rows.orderBy(sql`(${key}) is null`).orderBy(key, q.descending ? 'desc' : 'asc');
    }
    const result = await rows.orderBy(this.idOrder(q.where !== undefined, total)).offset(q.offset).limit(q.limit).execute();
    return { total, rows: result.map((r) => decode(r as Row)) };
  }
}

// ── Management API reads ──────────────────────────────────────────────────

export interface UserListFilter {
  directoryId?: string;
  groupId?: string;
  email?: string;
  idpId?: string;
}

export interface GroupListFilter {
  directoryId?: string;
  userId?: string;
}

/** Cursor-paged reads for the management API, across directories. */
export class DirectoryReads {
  constructor(private readonly db: Executor) {}

  async user(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('directory_users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async group(id: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom('directory_groups').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toGroup(row) : undefined;
  }

  async users(filter: UserListFilter, page: PageQuery): Promise<Page<UserRecord>> {
    let q = this.db.selectFrom('directory_users as u').selectAll('u');
    if (filter.directoryId !== undefined) q = q.where('u.directory_id', '=', filter.directoryId);
    if (filter.groupId !== undefined) {
      const members = this.db.selectFrom('directory_group_members').select('user_id').where('group_id', '=', filter.groupId);
      q = q.where('u.id', 'in', members);
    }
    if (filter.email !== undefined) {
      const withEmail = this.db.selectFrom('directory_user_emails').select('user_id').where('value_lower', '=', filter.email.toLowerCase());
      q = q.where('u.id', 'in', withEmail);
    }
    if (filter.idpId !== undefined) {
      const idp = filter.idpId;
      // idp_id is the externalId, or the id itself for users without one.
      q = q.where((eb) => eb.or([eb('u.external_id', '=', idp), eb.and([eb('u.external_id', 'is', null), eb('u.id', '=', idp)])]));
    }
    const page0 = await pageById(q, 'u.id', page);
    return { ...page0, data: page0.data.map((r) => toUser(r as Row)) };
  }

  async groups(filter: GroupListFilter, page: PageQuery): Promise<Page<GroupRecord>> {
    let q = this.db.selectFrom('directory_groups as g').selectAll('g');
    if (filter.directoryId !== undefined) q = q.where('g.directory_id', '=', filter.directoryId);
    if (filter.userId !== undefined) {
      const memberships = this.db.selectFrom('directory_group_members').select('group_id').where('user_id', '=', filter.userId);
      q = q.where('g.id', 'in', memberships);
    }
    const page0 = await pageById(q, 'g.id', page);
    return { ...page0, data: page0.data.map((r) => toGroup(r as Row)) };
  }

  /** The groups of one user, in id order. */
  async groupsOfUser(userId: string): Promise<GroupRecord[]> {
    const rows = await this.db
      .selectFrom('directory_groups as g')
      .innerJoin('directory_group_members as m', 'm.group_id', 'g.id')
      .selectAll('g')
      .where('m.user_id', '=', userId)
      .orderBy('g.id')
      .execute();
    return rows.map((r) => toGroup(r as Row));
  }

  /**
   * Managers' primary emails, keyed by the value the IdP put in `manager.value`: the manager's SCIM id, or
   * their externalId (what several IdPs send instead).
   */
  async managerEmails(directoryId: string, values: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const wanted = [...new Set(values)];
    if (wanted.length === 0) return out;
    for (const chunk of chunks(wanted)) {
      const rows = await this.db
        .selectFrom('directory_users as u')
        .innerJoin('directory_user_emails as e', 'e.user_id', 'u.id')
        .select(['u.id', 'u.external_id', 'e.value', 'e.primary', 'e.type', 'e.position'])
        .where('u.directory_id', '=', directoryId)
        .where((eb) => eb.or([eb('u.id', 'in', chunk), eb('u.external_id', 'in', chunk)]))
        .orderBy('e.position')
        .execute();
      const byUser = new Map<string, typeof rows>();
      rows.forEach((r) => byUser.set(r.id, [...(byUser.get(r.id) ?? []), r]));
      for (const [id, emails] of byUser) {
        const best = emails.find((e) => Number(e.primary) === 1) ?? emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails[0];
        if (!best) continue;
        out.set(id, best.value);
        if (emails[0]!.external_id) out.set(emails[0]!.external_id, best.value);
      }
    }
    return out;
  }
}
