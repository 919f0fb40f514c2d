/**
 * Queries over SCIM users and groups, shared by both databases. Every method takes the executor it runs on, so
 * the same code serves plain reads and the write transaction of a SCIM request.
 */
import { CompiledQuery, sql, type Compilable, type Expression, type Insertable, type SqlBool } from 'kysely';
import { chunks } from '../chunks.ts';
import type { Database, Executor } from '../db.ts';
import { filteredResources, listResources, type ListOptions, type ResourceTable } from './list.ts';
import { clearMembers } from './memberships.ts';
import { StatementShapes } from './statement-shapes.ts';
import { rowsShape, WriteShapes } from './write-shapes.ts';
import type { PrefetchedUsers, UserForWrite, UsersForWrite } from './prefetched-users.ts';
import {
  emailRows,
  groupRow,
  toGroup,
  toStoredUser,
  toUser,
  userRow,
  type EmailRow,
  type GroupRecord,
  type MemberRef,
  type ResourceList,
  type ResourceListQuery,
  type Row,
  type StoredUser,
  type UserRecord,
} from './records.ts';
import type { Dialect } from './sql-dialect.ts';
import { jsonText } from './sql-dialect.ts';
import { toFlag } from '../codec.ts';
import type { DeferredUserUpdate, TailWrite } from '../tail-writes.ts';

/** Email rows per INSERT: far below either database's limit on bound parameters (7 columns each). */
const EMAIL_CHUNK = 200;

export class ResourceQueries {
  /** `listShapes`: the store's statement templates of the lists IdPs repeat (a lookup by userName before each create). */
  constructor(
    readonly dialect: Dialect,
    readonly listShapes: StatementShapes = new StatementShapes(),
    /** Users its store's batches read ahead for their writes (PostgreSQL). */
    private readonly prefetched?: PrefetchedUsers,
    /** Whether `updateUser` may defer an update to the batch's end (KyselyStoreOptions.deferUserUpdates). */
    private readonly deferUpdates = false,
  ) {
    // In the constructor, not a field initializer: esbuild (tsx, vitest) runs those before `dialect` is set.
    this.userListOptions = [false, true].flatMap((withKept) =>
      [false, true].map((withGroups) => ({
        ...(withGroups ? { extra: groupsJson(dialect, 'r') } : {}),
        ...(withKept ? { also: sql<SqlBool>`r.scim_deleted = 0` } : {}),
        shapes: listShapes,
        variant: `${withKept}|${withGroups}`,
      })),
    );
  }

  // ── Users ───────────────────────────────────────────────────────────────

  /**
   * A user as SCIM sees it: never one the IdP deleted while the app keeps it (`kept` reads those too, for the
   * guard's release).
   */
  async getUser(db: Executor, directoryId: string, id: string, forUpdate = false, kept = false): Promise<UserRecord | undefined> {
    const locks = forUpdate && this.dialect === 'postgres';
    const [row] = await this.shaped(db, `getUser:${locks}:${kept}`, kept ? [directoryId, id] : [directoryId, id, 0], () => {
      let q = db.selectFrom('directory_users').selectAll().where('directory_id', '=', directoryId).where('id', '=', id);
      if (!kept) q = q.where('scim_deleted', '=', 0);
      return locks ? q.forUpdate() : q;
    });
    return row ? toUser(row as Row) : undefined;
  }

  /**
   * A user as SCIM sees it with its groups (`groups` of the User resource), in one statement: on PostgreSQL one
   * round trip rather than two.
   */
  async getUserWithGroups(db: Executor, directoryId: string, id: string): Promise<{ user: StoredUser; groups: MemberRef[] } | undefined> {
    const [row] = (await this.shaped(db, 'getUserWithGroups', [directoryId, id], () => {
      return sql`select u.*, ${groupsJson(this.dialect, 'u')} as member_of from directory_users u
                 where u.directory_id = ${directoryId} and u.id = ${id} and u.scim_deleted = 0`.compile(db);
    })) as (Row & { member_of: unknown })[];
    if (!row) return undefined;
    return { user: toStoredUser(row), groups: fromGroupsJson(row.member_of) };
  }

  /**
   * A user about to be written, locked (on PostgreSQL) and read with its groups in one statement. A user's write
   * never changes its memberships, so these are its groups after the write too, and its answer needs no second
   * read after the commit (on PostgreSQL a statement and a round trip fewer per write). Taken from the users its
   * batch read ahead, when it is there (prefetched-users.ts).
   */
  async getUserForWrite(db: Executor, directoryId: string, id: string): Promise<UserForWrite | undefined> {
    return this.prefetched?.take(db, directoryId, id) ?? (await this.usersForWrite(db, directoryId, [id]))[0];
  }

  /** Users about to be written (see getUserForWrite), locked in id order. */
  readonly usersForWrite: UsersForWrite = async (db, directoryId, ids) => {
    // One text for any number of users on PostgreSQL (an array parameter): one prepared statement.
    const many = ids.length > 1 && this.dialect === 'postgres';
    const key = `usersForWrite:${many ? 'any' : ids.length}`;
    const rows = (await this.shaped(db, key, many ? [directoryId, ids] : [directoryId, ...ids], () => {
      const lock = this.dialect === 'postgres' ? sql` for update of u` : sql``;
      const id = many ? sql`u.id = any(${ids})` : ids.length === 1 ? sql`u.id = ${ids[0]}` : sql`u.id in (${sql.join(ids)})`;
      return sql`select u.*, ${groupsJson(this.dialect, 'u')} as member_of from directory_users u
                 where u.directory_id = ${directoryId} and ${id} and u.scim_deleted = 0 order by u.id${lock}`.compile(db);
    })) as (Row & { member_of: unknown })[];
    return rows.map((row) => ({ user: toUser(row), groups: fromGroupsJson(row.member_of) }));
  };

  /** SQL text by query shape: a hot query is built and compiled by Kysely once, then only its parameters change. */
  private readonly shapes = new Map<string, string>();

  /**
   * Runs the query `build` makes, with `parameters` in the order the built query binds them; its SQL is compiled
   * on the first run of `key` only (the shape must not depend on the values).
   */
  private async shaped(db: Executor, key: string, parameters: unknown[], build: () => Compilable | CompiledQuery): Promise<unknown[]> {
    let text = this.shapes.get(key);
    if (text === undefined) {
      const built = build();
      const compiled = 'compile' in built ? built.compile() : built;
      if (compiled.parameters.length !== parameters.length) throw new Error(`query shape ${key}: ${compiled.parameters.length} parameters, given ${parameters.length}`);
      text = compiled.sql;
      this.shapes.set(key, text);
    }
    return (await db.executeQuery(CompiledQuery.raw(text, parameters))).rows;
  }

  async usersByIds(db: Executor, directoryId: string, ids: string[]): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const chunk of chunks([...new Set(ids)])) {
      const rows = await db.selectFrom('directory_users').selectAll().where('directory_id', '=', directoryId).where('id', 'in', chunk).execute();
      rows.forEach((r) => out.push(toUser(r)));
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

  async existingUserIds(db: Executor, directoryId: string, ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const chunk of chunks([...new Set(ids)])) {
      const rows = await db
        .selectFrom('directory_users')
        .select('id')
        .where('directory_id', '=', directoryId)
        .where('id', 'in', chunk)
        .where('scim_deleted', '=', 0)
        .execute();
      rows.forEach((r) => found.add(r.id));
    }
    return found;
  }

  async insertUser(db: Executor, user: UserRecord, emails: EmailRow[]): Promise<void> {
    const rows = emailRows(user, emails);
    const row = userRow(user);
    if (this.dialect === 'postgres' && rows.length > 0 && rows.length <= EMAIL_CHUNK) {
      // One round trip: the user's insert rides in a CTE. The emails' foreign key is checked at the end of the
      // statement, when the user row exists.
      const build = () => db.with('inserted_user', (w) => w.insertInto('directory_users').values(row)).insertInto('directory_user_emails').values(rows);
      const shape = rowsShape([row, ...rows]);
      if (!shape) await build().execute();
      else await this.writeShapes.run(db, `insertUserWithEmails:${shape.shape}`, shape.values, build);
      return;
    }
    await this.insertRows(db, 'directory_users', [row]);
    await this.insertEmails(db, user, emails);
  }

  /** Statements of hot writes by shape (write-shapes.ts). */
  private readonly writeShapes = new WriteShapes();

  private async insertRows<T extends 'directory_users' | 'directory_user_emails'>(db: Executor, table: T, rows: Insertable<Database[T]>[]): Promise<void> {
    const build = () => db.insertInto(table).values(rows as never);
    const shape = rowsShape(rows as Record<string, unknown>[]);
    if (!shape) await build().execute();
    else await this.writeShapes.run(db, `insert:${table}:${shape.shape}`, shape.values, build);
  }

  private async insertEmails(db: Executor, user: UserRecord, emails: EmailRow[]): Promise<void> {
    for (const chunk of chunks(emailRows(user, emails), EMAIL_CHUNK)) await this.insertRows(db, 'directory_user_emails', chunk);
  }

  /**
   * `previous`, the user and its emails before the change: columns and email rows that did not change are left
   * alone. (SQLite rewrites the entries of every index on a column named in SET, changed or not.)
   */
  async updateUser(
    db: Executor,
    user: UserRecord,
    emails: EmailRow[],
    previous?: { user: UserRecord; emails: EmailRow[] },
    defer?: (item: TailWrite) => void,
  ): Promise<void> {
    if (defer && previous && this.deferUpdates && deferrable(previous, user, emails)) {
      defer({ kind: 'user', update: deferredUpdate(user) });
      return;
    }
    const { id, directory_id, created_at, ...changes } = userRow(user);
    if (previous) {
      const { user_name, user_name_lower, external_id, active, warning_count } = userRow({ ...previous.user, resource: {} });
      const before: Partial<typeof changes> = { user_name, user_name_lower, external_id, active, warning_count };
      for (const column of ['user_name', 'user_name_lower', 'external_id', 'active', 'warning_count'] as const) {
        if (changes[column] === before[column]) delete changes[column];
      }
    }
    const build = () => db.updateTable('directory_users').set(changes).where('id', '=', id).where('directory_id', '=', directory_id);
    const shape = rowsShape([changes]);
    if (!shape) await build().execute();
    else await this.writeShapes.run(db, `updateUser:${shape.shape}`, [...shape.values, id, directory_id], build);
    if (previous && JSON.stringify(previous.emails) === JSON.stringify(emails)) return;
    await db.deleteFrom('directory_user_emails').where('user_id', '=', id).execute();
    await this.insertEmails(db, user, emails);
  }

  /** Deletes the user with its memberships; returns the ids of the groups it was removed from. */
  async deleteUser(db: Executor, directoryId: string, id: string): Promise<string[]> {
    const groups = await db.deleteFrom('directory_group_members').where('user_id', '=', id).returning('group_id').execute();
    await db.deleteFrom('directory_users').where('id', '=', id).where('directory_id', '=', directoryId).execute();
    return groups.map((g) => g.group_id);
  }

  // ── Groups ──────────────────────────────────────────────────────────────

  async getGroup(db: Executor, directoryId: string, id: string, forUpdate = false): Promise<GroupRecord | undefined> {
    let q = db.selectFrom('directory_groups').selectAll().where('directory_id', '=', directoryId).where('id', '=', id);
    if (forUpdate && this.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? toGroup(row) : undefined;
  }

  async groupsByIds(db: Executor, directoryId: string, ids: string[]): Promise<GroupRecord[]> {
    const out: GroupRecord[] = [];
    for (const chunk of chunks([...new Set(ids)])) {
      const rows = await db.selectFrom('directory_groups').selectAll().where('directory_id', '=', directoryId).where('id', 'in', chunk).execute();
      rows.forEach((r) => out.push(toGroup(r)));
    }
    return out;
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

  async insertGroup(db: Executor, group: GroupRecord): Promise<void> {
    await db.insertInto('directory_groups').values(groupRow(group)).execute();
  }

  async updateGroup(db: Executor, group: GroupRecord): Promise<void> {
    const { id, directory_id, created_at, ...changes } = groupRow(group);
    await db.updateTable('directory_groups').set(changes).where('id', '=', id).where('directory_id', '=', directory_id).execute();
  }

  /** Deletes the group with its memberships; returns the ids of the users removed from it. */
  async deleteGroup(db: Executor, directoryId: string, id: string): Promise<string[]> {
    const members = await clearMembers(db, id);
    await db.deleteFrom('directory_groups').where('id', '=', id).where('directory_id', '=', directoryId).execute();
    return members;
  }

  // ── Membership attributes, as SCIM shows them ───────────────────────────

  /** Each user's groups, for the User resource's readOnly `groups`. */
  async groupsOfUsers(db: Executor, userIds: string[]): Promise<Map<string, MemberRef[]>> {
    const out = new Map<string, MemberRef[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 1) {
      // One user (a GET, a write's answer): the hot shape, compiled once.
      const rows = (await this.shaped(db, 'groupsOfUser', userIds, () => groupsOfUsersQuery(db, userIds))) as { id: string; display_name: string }[];
      out.set(userIds[0]!, rows.map((r) => ({ id: r.id, display: r.display_name })));
      return out;
    }
    for (const chunk of chunks(userIds)) {
      const rows = await groupsOfUsersQuery(db, chunk).execute();
      rows.forEach((r) => out.get(r.user_id)?.push({ id: r.id, display: r.display_name }));
    }
    return out;
  }

  /**
   * Each group's members, with the display SCIM shows: the user's displayName, else its userName. Users the IdP
   * deleted while the app keeps them are members for the app only.
   */
  async membersOfGroups(db: Executor, groupIds: string[]): Promise<Map<string, MemberRef[]>> {
    const out = new Map<string, MemberRef[]>(groupIds.map((id) => [id, []]));
    const display = jsonText(this.dialect, sql.ref('u.resource'), ['displayName']);
    for (const chunk of chunks(groupIds)) {
      const rows = await db
        .selectFrom('directory_group_members as m')
        .innerJoin('directory_users as u', 'u.id', 'm.user_id')
        .select(['m.group_id', 'u.id', 'u.user_name', sql<string | null>`${display}`.as('display_name')])
        .where('m.group_id', 'in', chunk)
        .where('u.scim_deleted', '=', 0)
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

  /**
   * `withKept`: the directory keeps users its IdP deleted (the deprovision guard), which a SCIM list must skip;
   * only then does the list pay for the extra predicate (an index-only count stays one otherwise).
   */
  listUsers(db: Executor, directoryId: string, q: ResourceListQuery, withKept = false, withGroups = false): Promise<ResourceList<StoredUser & { groups?: MemberRef[] }>> {
    // With `groups` wanted, a lookup's user comes with them (listResources' `extra`); a page's are read after.
    const decode = withGroups
      ? (row: Row) => {
          const user: StoredUser & { groups?: MemberRef[] } = toStoredUser(row);
          if (row.extra != null) user.groups = fromGroupsJson(row.extra);
          return user;
        }
      : toStoredUser;
    return listResources(db, this.dialect, 'directory_users', directoryId, q, decode, this.userListOptions[Number(withKept) * 2 + Number(withGroups)]);
  }

  /** By (withKept, withGroups): built once, as Kysely's builders are immutable. */
  private readonly userListOptions: ListOptions[];

  listGroups(db: Executor, directoryId: string, q: ResourceListQuery): Promise<ResourceList<GroupRecord>> {
    return listResources(db, this.dialect, 'directory_groups', directoryId, q, toGroup, { shapes: this.listShapes });
  }

  /** The resources of a directory matching a compiled filter, as a query to select from (also for EXPLAIN). */
  filtered(db: Executor, table: ResourceTable, directoryId: string, where: Expression<SqlBool> | undefined) {
    return filteredResources(db, table, directoryId, where);
  }
}

/**
 * A user's groups (`{id, display}`, in id order) as one JSON array, correlated on the user's table alias. On
 * SQLite ordered by m.group_id (equal to g.id): the (user_id, group_id) index already yields that order, where
 * ordering by g.id took a temporary B-tree per user.
 */
/**
 * Whether a user's update may wait for its batch's end: it keeps the columns other writes look users up by
 * (userName, unique; externalId, for managers), its emails (their rows) and its deletion mark.
 */
function deferrable(previous: { user: UserRecord; emails: EmailRow[] }, user: UserRecord, emails: EmailRow[]): boolean {
  const before = previous.user;
  return (
    before.id === user.id &&
    before.directory_id === user.directory_id &&
    before.user_name === user.user_name &&
    before.external_id === user.external_id &&
    before.scim_deleted === user.scim_deleted &&
    before.created_at === user.created_at &&
    JSON.stringify(previous.emails) === JSON.stringify(emails)
  );
}

/** The columns a deferred update writes (userRow's, less those `deferrable` keeps), JSON as objects. */
function deferredUpdate(user: UserRecord): DeferredUserUpdate {
  return {
    id: user.id,
    directory_id: user.directory_id,
    active: toFlag(user.active),
    app_active: user.app_active === null ? null : toFlag(user.app_active),
    version: user.version,
    resource: user.resource,
    updated_at: user.updated_at,
    mapped: user.mapped,
    role_slugs: user.role_slugs,
    mapped_fingerprint: user.mapped_fingerprint,
    warning_count: user.mapped?.warnings.length ?? 0,
  };
}

function groupsJson(dialect: Dialect, alias: 'u' | 'r') {
  const user = sql.ref(`${alias}.id`);
  return dialect === 'postgres'
    ? sql`(select coalesce(json_agg(json_build_object('id', g.id, 'display', g.display_name) order by g.id), '[]'::json)
           from directory_group_members m join directory_groups g on g.id = m.group_id where m.user_id = ${user})`
    : sql`(select json_group_array(json_object('id', g.id, 'display', g.display_name))
           from (select g.id, g.display_name from directory_group_members m join directory_groups g on g.id = m.group_id
                 where m.user_id = ${user} order by m.group_id) g)`;
}

function fromGroupsJson(value: unknown): MemberRef[] {
  return (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as MemberRef[];
}

function groupsOfUsersQuery(db: Executor, userIds: string[]) {
  return db
    .selectFrom('directory_group_members as m')
    .innerJoin('directory_groups as g', 'g.id', 'm.group_id')
    .select(['m.user_id', 'g.id', 'g.display_name'])
    .where('m.user_id', 'in', userIds)
    .orderBy('g.id');
}


