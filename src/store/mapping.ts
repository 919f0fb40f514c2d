/**
 * Rows of the mapping configuration (migration 0008): the operator's custom attributes and roles, each
 * directory's group → role rows and explicit attribute mapping, and the re-evaluation jobs.
 */
import { sql } from 'kysely';
import type { AttributeMappingEntry, AttributeType, CustomAttributeDef, RoleDef } from '../mapping/types.ts';
import { chunks } from './chunks.ts';
import { fromFlag, toFlag, toJson } from './codec.ts';
import type { Executor } from './db.ts';

export interface CustomAttributeRecord extends CustomAttributeDef {
  id: string;
  description: string | null;
  created_at: string;
}

export interface RoleRecord extends RoleDef {
  id: string;
  created_at: string;
  updated_at: string;
}

export interface RoleMappingRow {
  group_id: string;
  role: string;
}

export interface MappingJobRecord {
  directory_id: string;
  fingerprint: string;
  state: 'running' | 'done';
  total: number;
  done: number;
  changed: number;
  cursor: string;
  started_at: string;
  finished_at: string | null;
}

// ── Definitions ────────────────────────────────────────────────────────────

export async function listCustomAttributes(db: Executor): Promise<CustomAttributeRecord[]> {
  const rows = await db.selectFrom('custom_attributes').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ ...r, type: r.type as AttributeType, required: fromFlag(r.required), description: r.description ?? null }));
}

export async function insertCustomAttribute(db: Executor, a: CustomAttributeRecord): Promise<void> {
  await db
    .insertInto('custom_attributes')
    .values({ id: a.id, name: a.name, type: a.type, required: toFlag(a.required), description: a.description, created_at: a.created_at })
    .execute();
}

export async function deleteCustomAttribute(db: Executor, id: string): Promise<boolean> {
  const rows = await db.deleteFrom('custom_attributes').where('id', '=', id).returning('id').execute();
  return rows.length > 0;
}

const toRole = (r: { id: string; slug: string; name: string; priority: number; is_default: number; created_at: string; updated_at: string }): RoleRecord => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  priority: Number(r.priority),
  default: fromFlag(r.is_default),
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** Highest priority first; ties by slug, so the order is total. */
export async function listRoles(db: Executor): Promise<RoleRecord[]> {
  const rows = await db.selectFrom('roles').selectAll().orderBy('priority', 'desc').orderBy('slug').execute();
  return rows.map(toRole);
}

export async function insertRole(db: Executor, r: RoleRecord): Promise<void> {
  await db
    .insertInto('roles')
    .values({ id: r.id, slug: r.slug, name: r.name, priority: r.priority, is_default: toFlag(r.default), created_at: r.created_at, updated_at: r.updated_at })
    .execute();
}

export async function updateRole(db: Executor, slug: string, patch: { name?: string; priority?: number; default?: boolean }, at: string): Promise<void> {
  await db
    .updateTable('roles')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
      ...(patch.default !== undefined ? { is_default: toFlag(patch.default) } : {}),
      updated_at: at,
    })
    .where('slug', '=', slug)
    .execute();
}

/** Makes `slug` the one default role. */
export async function setDefaultRole(db: Executor, slug: string, at: string): Promise<void> {
  await db.updateTable('roles').set({ is_default: 0, updated_at: at }).where('is_default', '=', 1).where('slug', '<>', slug).execute();
  await db.updateTable('roles').set({ is_default: 1, updated_at: at }).where('slug', '=', slug).execute();
}

/** Deletes the role and every group's mapping to it; returns the directories whose mappings named it. */
export async function deleteRole(db: Executor, slug: string): Promise<string[]> {
  const mapped = await db.deleteFrom('directory_role_mappings').where('role_slug', '=', slug).returning('directory_id').execute();
  await db.deleteFrom('roles').where('slug', '=', slug).execute();
  return [...new Set(mapped.map((r) => r.directory_id))];
}

// ── A directory's mappings ───────────────────────────────────────────────────

export async function setAttributeMapping(db: Executor, directoryId: string, mappings: AttributeMappingEntry[], at: string): Promise<void> {
  await db.updateTable('directories').set({ attribute_mapping: toJson(mappings), updated_at: at }).where('id', '=', directoryId).execute();
}

export async function roleMappings(db: Executor, directoryId: string): Promise<RoleMappingRow[]> {
  const rows = await db
    .selectFrom('directory_role_mappings')
    .select(['group_id', 'role_slug'])
    .where('directory_id', '=', directoryId)
    .orderBy('group_id')
    .execute();
  return rows.map((r) => ({ group_id: r.group_id, role: r.role_slug }));
}

/** The role each of these groups maps to, for those that map to one. */
export async function rolesOfGroups(db: Executor, groupIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const chunk of chunks([...new Set(groupIds)])) {
    const rows = await db.selectFrom('directory_role_mappings').select(['group_id', 'role_slug']).where('group_id', 'in', chunk).execute();
    rows.forEach((r) => out.set(r.group_id, r.role_slug));
  }
  return out;
}

export async function replaceRoleMappings(db: Executor, directoryId: string, removed: string[], added: RoleMappingRow[], at: string): Promise<void> {
  for (const chunk of chunks(removed)) {
    await db.deleteFrom('directory_role_mappings').where('directory_id', '=', directoryId).where('group_id', 'in', chunk).execute();
  }
  for (const chunk of chunks(added)) {
    await db
      .insertInto('directory_role_mappings')
      .values(chunk.map((m) => ({ group_id: m.group_id, directory_id: directoryId, role_slug: m.role, created_at: at })))
      .execute();
  }
}

/** Each user's role slugs through its groups (users with none are absent). */
export async function groupRoleSlugs(db: Executor, userIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const chunk of chunks([...new Set(userIds)])) {
    const rows = await db
      .selectFrom('directory_group_members as m')
      .innerJoin('directory_role_mappings as r', 'r.group_id', 'm.group_id')
      .select(['m.user_id', 'r.role_slug'])
      .where('m.user_id', 'in', chunk)
      .execute();
    for (const row of rows) out.set(row.user_id, [...(out.get(row.user_id) ?? []), row.role_slug]);
  }
  return out;
}

/** The members of these groups, each once, in id order, a page at a time after `after`. */
export async function membersOfGroupsPage(db: Executor, groupIds: string[], after: string, limit: number): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const rows = await db
    .selectFrom('directory_group_members')
    .select('user_id')
    .distinct()
    .where('group_id', 'in', groupIds)
    .where('user_id', '>', after)
    .orderBy('user_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.user_id);
}

/** Locks the groups' rows for the rest of the transaction, as membership writes do (SQLite writes one at a time). */
export async function lockGroups(db: Executor, dialect: 'sqlite' | 'postgres', directoryId: string, groupIds: string[]): Promise<void> {
  if (dialect === 'sqlite') return;
  for (const chunk of chunks(groupIds)) {
    await db.selectFrom('directory_groups').select('id').where('directory_id', '=', directoryId).where('id', 'in', chunk).forUpdate().execute();
  }
}

// ── Re-evaluation jobs ───────────────────────────────────────────────────────

const toJob = (r: Record<string, unknown>): MappingJobRecord => ({
  directory_id: r.directory_id as string,
  fingerprint: r.fingerprint as string,
  state: r.state as 'running' | 'done',
  total: Number(r.total),
  done: Number(r.done),
  changed: Number(r.changed),
  cursor: r.cursor as string,
  started_at: r.started_at as string,
  finished_at: (r.finished_at as string | null) ?? null,
});

export async function getJob(db: Executor, directoryId: string): Promise<MappingJobRecord | undefined> {
  const row = await db.selectFrom('mapping_jobs').selectAll().where('directory_id', '=', directoryId).executeTakeFirst();
  return row ? toJob(row) : undefined;
}

/** (Re)starts a directory's sweep towards `fingerprint`, from its first user. */
export async function startJob(db: Executor, directoryId: string, fingerprint: string, total: number, at: string): Promise<void> {
  const values = { fingerprint, state: 'running', total, done: 0, changed: 0, cursor: '', locked_until: null, started_at: at, finished_at: null };
  await db
    .insertInto('mapping_jobs')
    .values({ directory_id: directoryId, ...values })
    .onConflict((oc) => oc.column('directory_id').doUpdateSet(values))
    .execute();
}

export async function runningJobs(db: Executor, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('mapping_jobs').select('directory_id').where('state', '=', 'running').orderBy('started_at').limit(limit).execute();
  return rows.map((r) => r.directory_id);
}

/** Takes the job for `ms` unless another process holds it; the job as taken, or undefined. */
export async function leaseJob(db: Executor, directoryId: string, at: Date, ms: number): Promise<MappingJobRecord | undefined> {
  const until = new Date(at.getTime() + ms).toISOString();
  const row = await db
    .updateTable('mapping_jobs')
    .set({ locked_until: until })
    .where('directory_id', '=', directoryId)
    .where('state', '=', 'running')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at.toISOString())]))
    .returningAll()
    .executeTakeFirst();
  return row ? toJob(row) : undefined;
}

/** Records a chunk's progress, unless the job was restarted meanwhile (another fingerprint or started_at). */
export async function advanceJob(
  db: Executor,
  job: MappingJobRecord,
  progress: { cursor: string; scanned: number; changed: number; finished: boolean; at: string },
): Promise<void> {
  await db
    .updateTable('mapping_jobs')
    .set((eb) => ({
      cursor: progress.cursor,
      done: eb('done', '+', progress.scanned),
      changed: eb('changed', '+', progress.changed),
      ...(progress.finished ? { state: 'done', finished_at: progress.at, locked_until: null } : {}),
    }))
    .where('directory_id', '=', job.directory_id)
    .where('fingerprint', '=', job.fingerprint)
    .where('started_at', '=', job.started_at)
    .execute();
}

export async function releaseJob(db: Executor, directoryId: string): Promise<void> {
  await db.updateTable('mapping_jobs').set({ locked_until: null }).where('directory_id', '=', directoryId).execute();
}

/**
 * The next users after `cursor`, in id order: the sweep's chunk, locked until its transaction ends (PostgreSQL),
 * so that a write from another process cannot slip between the sweep's read and its update.
 */
export async function usersAfter(db: Executor, dialect: 'sqlite' | 'postgres', directoryId: string, cursor: string, limit: number) {
  const q = db.selectFrom('directory_users').selectAll().where('directory_id', '=', directoryId).where('id', '>', cursor).orderBy('id').limit(limit);
  return (dialect === 'postgres' ? q.forUpdate() : q).execute();
}

/** Whether any user of the directory was evaluated with another configuration than `fingerprint`. */
export async function anyStale(db: Executor, directoryId: string, fingerprint: string | null): Promise<boolean> {
  let q = db.selectFrom('directory_users').select('id').where('directory_id', '=', directoryId);
  q =
    fingerprint === null
      ? q.where('mapped_fingerprint', 'is not', null)
      : q.where((eb) => eb.or([eb('mapped_fingerprint', 'is', null), eb('mapped_fingerprint', '<>', fingerprint)]));
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

export interface MappedUserUpdate {
  id: string;
  mapped: string | null;
  role_slugs: string | null;
  mapped_fingerprint: string | null;
  warning_count: number;
}

/**
 * Stores re-evaluated users, each one version further. PostgreSQL takes the whole chunk in one statement (one
 * round trip instead of one per user); SQLite runs in-process, where a statement per user costs microseconds.
 */
export async function updateMappedUsers(db: Executor, dialect: 'sqlite' | 'postgres', directoryId: string, users: MappedUserUpdate[], at: string): Promise<void> {
  if (dialect === 'sqlite') {
    for (const u of users) {
      const { id, ...columns } = u;
      await db
        .updateTable('directory_users')
        .set((eb) => ({ ...columns, version: eb('version', '+', 1), updated_at: at }))
        .where('directory_id', '=', directoryId)
        .where('id', '=', id)
        .execute();
    }
    return;
  }
  for (const chunk of chunks(users, 1_000)) {
    const values = sql.join(
      chunk.map((u) => sql`(${u.id}, ${u.mapped}::jsonb, ${u.role_slugs}::jsonb, ${u.mapped_fingerprint}::text, ${u.warning_count}::integer)`),
    );
    await sql`
      update directory_users as u
      set mapped = v.mapped, role_slugs = v.role_slugs, mapped_fingerprint = v.fingerprint, warning_count = v.warning_count,
          version = u.version + 1, updated_at = ${at}::timestamptz
      from (values ${values}) as v(id, mapped, role_slugs, fingerprint, warning_count)
      where u.directory_id = ${directoryId} and u.id = v.id`.execute(db);
  }
}

/** Marks users as evaluated with `fingerprint` when nothing else about them changed. */
export async function stampUsers(db: Executor, directoryId: string, ids: string[], fingerprint: string | null): Promise<void> {
  for (const chunk of chunks(ids)) {
    await db.updateTable('directory_users').set({ mapped_fingerprint: fingerprint }).where('directory_id', '=', directoryId).where('id', 'in', chunk).execute();
  }
}

export async function userCount(db: Executor, directoryId: string): Promise<number> {
  const row = await db
    .selectFrom('directory_users')
    .select(sql<number>`count(*)`.as('n'))
    .where('directory_id', '=', directoryId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
