/**
 * What the management API and the portal do to the mapping configuration (API.md §7): the operator's custom
 * attributes and roles, each directory's attribute mapping (re-evaluated in the background) and role mapping
 * (applied in the same transaction, with its events). Routes check who may and shape the answers; the rules
 * live here once.
 */
import { isId, newId } from '../ids.ts';
import { PathExplorer, compileMapping, effectiveMappings, parseAttributeMapping, parseCustomAttributeInput, parseRoleInput } from '../mapping/index.ts';
import type { AttributeMappingEntry, MappingFieldError } from '../mapping/types.ts';
import { now } from '../store/codec.ts';
import * as rows from '../store/mapping.ts';
import { toUser } from '../store/scim/records.ts';
import type { DirectoryRecord } from '../store/store.ts';
import { normalizedEmails, userEmail } from './normalize.ts';
import { requestReevaluation } from './reevaluate.ts';
import { refreshRoles, roleEvents } from './roles.ts';
import type { ScimContext } from './scim-context.ts';

/** A request the rules refuse: 422 with field errors, 409 on a conflict, 404 for what does not exist. */
export class MappingRejected extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    readonly code: string,
    message: string,
    readonly errors?: MappingFieldError[],
  ) {
    super(message);
    this.name = 'MappingRejected';
  }
}

const invalid = (errors: MappingFieldError[]) =>
  new MappingRejected(422, 'validation_error', errors[0] ? `Invalid ${errors[0].field}: ${errors[0].message}` : 'Invalid request.', errors);

/** Users the schema explorer reads at most (the newest): enough to see every path IdPs send, bounded in time. */
const EXPLORER_SAMPLE = 5_000;
const PREVIEW_USERS = 10;
const MAX_ROLE_MAPPINGS = 10_000;

export interface MappingAdminOptions {
  /** Told when a re-evaluation job starts, so the sweep begins at once in this process. */
  onJob?: () => void;
}

export class MappingAdmin {
  constructor(
    private readonly ctx: ScimContext,
    private readonly options: MappingAdminOptions = {},
  ) {}

  private get db() {
    return this.ctx.store.db;
  }

  // ── Custom attributes ─────────────────────────────────────────────────────

  listAttributes() {
    return rows.listCustomAttributes(this.db);
  }

  async createAttribute(body: unknown) {
    const parsed = parseCustomAttributeInput(body);
    if (!parsed.ok) throw invalid(parsed.errors);
    const existing = await rows.listCustomAttributes(this.db);
    if (existing.some((a) => a.name === parsed.attribute.name)) {
      throw new MappingRejected(409, 'attribute_exists', `A custom attribute named "${parsed.attribute.name}" already exists.`);
    }
    if (existing.length >= 200) throw new MappingRejected(409, 'attribute_limit_reached', 'At most 200 custom attributes can be defined.');
    const record = { id: newId('custom_attribute'), ...parsed.attribute, created_at: now() };
    await rows.insertCustomAttribute(this.db, record);
    await this.definitionsChanged();
    return record;
  }

  async deleteAttribute(id: string): Promise<boolean> {
    if (!(await rows.deleteCustomAttribute(this.db, id))) return false;
    await this.definitionsChanged();
    return true;
  }

  // ── Roles ─────────────────────────────────────────────────────────────────

  listRoles() {
    return rows.listRoles(this.db);
  }

  async createRole(body: unknown) {
    const parsed = parseRoleInput(body, false);
    if (!parsed.ok) throw invalid(parsed.errors);
    const { slug, name, priority } = parsed.role as { slug: string; name: string; priority: number; default?: boolean };
    const existing = await rows.listRoles(this.db);
    if (existing.some((r) => r.slug === slug)) throw new MappingRejected(409, 'role_exists', `A role with slug "${slug}" already exists.`);
    if (existing.length >= 100) throw new MappingRejected(409, 'role_limit_reached', 'At most 100 roles can be defined.');
    // The first role is the default one: every user without a group role gets it.
    const isDefault = parsed.role.default === true || existing.length === 0;
    const at = now();
    await this.ctx.store.transaction(async (trx) => {
      await rows.insertRole(trx, { id: newId('role'), slug, name, priority, default: false, created_at: at, updated_at: at });
      if (isDefault) await rows.setDefaultRole(trx, slug, at);
    });
    await this.definitionsChanged();
    return (await rows.listRoles(this.db)).find((r) => r.slug === slug)!;
  }

  async updateRole(slug: string, body: unknown) {
    const parsed = parseRoleInput(body, true);
    if (!parsed.ok) throw invalid(parsed.errors);
    const patch = parsed.role;
    const current = (await rows.listRoles(this.db)).find((r) => r.slug === slug);
    if (!current) throw new MappingRejected(404, 'entity_not_found', `Role not found: '${slug}'.`);
    if (patch.slug !== undefined && patch.slug !== slug) throw invalid([{ field: 'slug', code: 'immutable', message: 'A role keeps its slug; create another role instead.' }]);
    // There is always exactly one default: another role becomes it by being set default, never by this one unsetting.
    if (patch.default === false && current.default) {
      throw invalid([{ field: 'default', code: 'default_required', message: 'Set another role as the default instead.' }]);
    }
    const at = now();
    await this.ctx.store.transaction(async (trx) => {
      await rows.updateRole(trx, slug, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.priority !== undefined ? { priority: patch.priority } : {}) }, at);
      if (patch.default === true) await rows.setDefaultRole(trx, slug, at);
    });
    await this.definitionsChanged();
    return (await rows.listRoles(this.db)).find((r) => r.slug === slug)!;
  }

  async deleteRole(slug: string): Promise<boolean> {
    const roles = await rows.listRoles(this.db);
    const role = roles.find((r) => r.slug === slug);
    if (!role) return false;
    if (role.default && roles.length > 1) {
      throw new MappingRejected(409, 'default_role', 'The default role cannot be deleted while other roles exist; make another role the default first.');
    }
    await this.ctx.store.transaction((trx) => rows.deleteRole(trx, slug));
    await this.definitionsChanged();
    return true;
  }

  /** Every directory's users are evaluated again under the new definitions, in the background. */
  private async definitionsChanged(): Promise<void> {
    this.ctx.mapping.invalidate();
    const defs = await this.ctx.mapping.current();
    let after: string | undefined;
    for (;;) {
      const page = await this.ctx.store.listDirectories({ limit: 100, order: 'asc', ...(after ? { after } : {}) }, {});
      for (const dir of page.data) await requestReevaluation(this.db, dir, this.ctx.mapping.compile(defs, dir));
      if (!page.after || page.data.length === 0) break;
      after = page.after;
    }
    this.options.onJob?.();
  }

  // ── A directory's attribute mapping ───────────────────────────────────────

  async attributeMapping(dir: DirectoryRecord) {
    const mapping = await this.ctx.mapping.forDirectory(dir);
    const job = await rows.getJob(this.db, dir.id);
    const reevaluating = job?.state === 'running';
    return {
      object: 'attribute_mapping' as const,
      directory_id: dir.id,
      mappings: mapping.mappings,
      state: reevaluating ? ('reevaluating' as const) : ('current' as const),
      ...(job ? { progress: { done: Math.min(job.done, job.total), total: job.total, changed: job.changed, started_at: job.started_at, finished_at: job.finished_at } } : {}),
    };
  }

  async setAttributeMapping(dir: DirectoryRecord, body: unknown) {
    const defs = await this.ctx.mapping.fresh();
    const parsed = parseAttributeMapping(body, defs.attributes);
    if (!parsed.ok) throw invalid(parsed.errors);
    await rows.setAttributeMapping(this.db, dir.id, parsed.mappings, now());
    this.ctx.store.forgetDirectory(dir.id);
    const updated: DirectoryRecord = { ...dir, attribute_mapping: parsed.mappings };
    if (await requestReevaluation(this.db, updated, this.ctx.mapping.compile(defs, updated))) this.options.onJob?.();
    return this.attributeMapping(updated);
  }

  /** The proposed mapping on the directory's newest users, nothing saved. */
  async preview(dir: DirectoryRecord, body: unknown) {
    const defs = await this.ctx.mapping.current();
    const parsed = parseAttributeMapping(body, defs.attributes);
    if (!parsed.ok) throw invalid(parsed.errors);
    const evaluate = compileMapping(defs.attributes, effectiveMappings(dir.type, defs.attributes, parsed.mappings));
    const users = await this.newestUsers(dir, PREVIEW_USERS);
    return {
      object: 'list' as const,
      data: users.map((u) => {
        const { values, warnings } = evaluate(u.resource);
        return { object: 'attribute_mapping_preview' as const, user_id: u.id, email: userEmail(normalizedEmails(u.resource), u.user_name), custom_attributes: values, warnings };
      }),
    };
  }

  /** The schema explorer: the attribute paths the directory's users carry, with counts and samples. */
  async attributePaths(dir: DirectoryRecord) {
    const explorer = new PathExplorer();
    const users = await this.newestUsers(dir, EXPLORER_SAMPLE);
    for (const u of users) explorer.add(u.resource);
    return { object: 'list' as const, data: explorer.result(), scanned: users.length, total_users: dir.users_active + dir.users_inactive };
  }

  private async newestUsers(dir: DirectoryRecord, limit: number) {
    const found = await this.db.selectFrom('directory_users').selectAll().where('directory_id', '=', dir.id).orderBy('id', 'desc').limit(limit).execute();
    return found.map(toUser);
  }

  // ── A directory's role mapping ────────────────────────────────────────────

  async roleMapping(dir: DirectoryRecord) {
    return { object: 'role_mapping' as const, directory_id: dir.id, mappings: await rows.roleMappings(this.db, dir.id) };
  }

  /**
   * Replaces the directory's group → role mapping, and in the same transaction resolves again the roles of the
   * members of every group whose role changed, each changed user with its `dsync.user.updated`.
   */
  async setRoleMapping(dir: DirectoryRecord, body: unknown) {
    const wanted = await this.parseRoleMapping(dir, body);
    const { q, store } = this.ctx;
    await this.ctx.write(
      dir,
      async (db, events, mapping) => {
        const current = new Map((await rows.roleMappings(db, dir.id)).map((m) => [m.group_id, m.role]));
        const next = new Map(wanted.map((m) => [m.group_id, m.role]));
        const changedGroups = [...new Set([...current.keys(), ...next.keys()])].filter((g) => current.get(g) !== next.get(g));
        if (changedGroups.length === 0) return;
        await rows.lockGroups(db, store.dialect, dir.id, changedGroups);
        // Groups deleted since the request was checked are skipped (their rows would break the foreign key).
        const present = new Set((await q.groupsByIds(db, dir.id, changedGroups)).map((g) => g.id));
        const removed = changedGroups.filter((g) => current.has(g));
        const added = changedGroups.filter((g) => next.has(g) && present.has(g)).map((g) => ({ group_id: g, role: next.get(g)! }));
        await rows.replaceRoleMappings(db, dir.id, removed, added, now());
        let after = '';
        for (;;) {
          const members = await rows.membersOfGroupsPage(db, changedGroups, after, 1_000);
          if (members.length === 0) break;
          await roleEvents(events, await refreshRoles(this.ctx, db, dir, mapping, members, true));
          after = members.at(-1)!;
        }
      },
      true,
    );
    return this.roleMapping(dir);
  }

  private async parseRoleMapping(dir: DirectoryRecord, body: unknown): Promise<{ group_id: string; role: string }[]> {
    const list = typeof body === 'object' && body !== null ? (body as { mappings?: unknown }).mappings : undefined;
    if (!Array.isArray(list)) throw invalid([{ field: 'mappings', code: 'required', message: 'mappings must be a list of {group_id, role}.' }]);
    if (list.length > MAX_ROLE_MAPPINGS) throw invalid([{ field: 'mappings', code: 'too_long', message: `At most ${MAX_ROLE_MAPPINGS} groups can map to roles.` }]);
    const roles = new Set((await rows.listRoles(this.db)).map((r) => r.slug));
    const errors: MappingFieldError[] = [];
    const seen = new Set<string>();
    const out: { group_id: string; role: string }[] = [];
    list.forEach((entry: unknown, i) => {
      const e = (typeof entry === 'object' && entry !== null ? entry : {}) as { group_id?: unknown; role?: unknown };
      const field = `mappings[${i}]`;
      if (typeof e.group_id !== 'string' || e.group_id === '') errors.push({ field: `${field}.group_id`, code: 'required', message: 'group_id must be a Directory Group id.' });
      else if (seen.has(e.group_id)) errors.push({ field: `${field}.group_id`, code: 'duplicate_group', message: 'A group maps to one role.' });
      if (typeof e.role !== 'string' || !roles.has(e.role)) errors.push({ field: `${field}.role`, code: 'unknown_role', message: 'role must be the slug of a defined role.' });
      if (typeof e.group_id === 'string' && typeof e.role === 'string') {
        seen.add(e.group_id);
        out.push({ group_id: e.group_id, role: e.role });
      }
    });
    if (errors.length > 0) throw invalid(errors);
    const ids = out.map((m) => m.group_id).filter((id) => isId(id, 'directory_group'));
    const known = new Set((await this.ctx.q.groupsByIds(this.db, dir.id, ids)).map((g) => g.id));
    const unknown = out.findIndex((m) => !known.has(m.group_id));
    if (unknown >= 0) throw invalid([{ field: `mappings[${unknown}].group_id`, code: 'unknown_group', message: 'group_id must be a group of this directory.' }]);
    return out;
  }
}

export type { AttributeMappingEntry };
