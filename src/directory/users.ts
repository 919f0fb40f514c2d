/**
 * SCIM Users of one directory: validated by the strict core, written in one transaction with the events they
 * decide. The directory's lifecycle policy applies here: with `inactive_users: delete`, deactivation deletes.
 */
import { newId } from '../ids.ts';
import { notFound, conflict } from '../scim/errors.ts';
import { jsonEqual } from '../scim/json.ts';
import type { ListRequest } from '../scim/list.ts';
import { applyPatch } from '../scim/patch/apply.ts';
import { USER_RESOURCE_TYPE } from '../scim/schema/definitions.ts';
import { compileProjection, type Projector } from '../scim/schema/projection.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import { now } from '../store/codec.ts';
import type { Executor } from '../store/db.ts';
import * as memberships from '../store/scim/memberships.ts';
import { addHiddenUsers, dropHeld, hiddenUserByExternalId } from '../store/guard.ts';
import { groupRoleSlugs } from '../store/mapping.ts';
import { appActive, parsedUser, type MemberRef, type StoredUser, type UserMapping, type UserRecord } from '../store/scim/records.ts';
import type { TailWrite } from '../store/tail-writes.ts';
import type { DirectoryRecord } from '../store/store.ts';
import { decideDeprovision, guardSettings, type DeprovisionKind } from './deprovision-guard.ts';
import type { DirectoryEvents } from './events.ts';
import type { DirectoryMapping } from './mapping.ts';
import { assertId, checkIfMatch, guardUnique } from './preconditions.ts';
import { NO_PROJECTION, wants, type Projection } from './projection.ts';
import { renderUser, renderUserText, type Answer, type ScimUrls } from './render.ts';
import type { ScimContext, WriteOptions } from './scim-context.ts';
import { mapInTurns } from './in-turns.ts';
import { boundedByIndex, listQuery } from './sql-filters.ts';
import { emailsOf, userFields, validUser } from './validated.ts';
import { isLargePatch, isLargeResource } from './write-size.ts';

/** A user as a write leaves it; `deleted` when the write deleted it (lifecycle policy). */
type Written = UserRecord | (UserRecord & { deleted: true });

export class ScimUsers {
  constructor(private readonly ctx: ScimContext) {}

  async create(dir: DirectoryRecord, body: unknown): Promise<ScimResource> {
    const resource = validUser(body, 'create');
    const at = now();
    const mapping = await this.ctx.mapping.forDirectory(dir);
    const user: UserRecord = {
      id: newId('directory_user'),
      directory_id: dir.id,
      ...userFields(resource),
      version: 1,
      resource,
      created_at: at,
      updated_at: at,
      // A new user is in no group yet: its roles are the default one.
      mapped: mapping.evaluate(resource),
      role_slugs: mapping.roles([]),
      mapped_fingerprint: mapping.fingerprint,
      app_active: null,
      scim_deleted: false,
    };
    // The unique index on (directory, lowercased userName) decides; no lookup before the insert.
    const created = await guardUnique(`userName "${user.user_name}" is already in use in this directory.`, () =>
      this.ctx.write(dir, async (db, events, mapping) => {
        const returning = await this.returning(db, events, dir, mapping, resource);
        if (returning) return returning;
        await this.ctx.q.insertUser(db, user, emailsOf(resource));
        events.countUser(undefined, user.active);
        events.add('dsync.user.created', await events.user(user));
        return user;
      }, isLargeResource(resource)),
    );
    if (created !== user) this.ctx.store.forgetDirectory(dir.id); // its count of kept users changed
    const groups = created === user ? [] : (await this.ctx.q.groupsOfUsers(this.ctx.store.reader, [created.id])).get(created.id);
    return renderUser(created, groups, this.ctx.urls(dir));
  }

  /**
   * A user the IdP deleted while the deprovision guard keeps it for the app, created again (same externalId):
   * the same person is back, so the kept user takes the new resource and its held changes are moot. The app sees
   * only what differs; the IdP gets the kept user's id.
   */
  private async returning(db: Executor, events: DirectoryEvents, dir: DirectoryRecord, mapping: DirectoryMapping, resource: ScimResource): Promise<UserRecord | undefined> {
    const externalId = userFields(resource).external_id;
    if (dir.scim_hidden_users === 0 || externalId === null) return undefined;
    const keptId = await hiddenUserByExternalId(db, dir.id, externalId);
    const kept = keptId === undefined ? undefined : await this.ctx.q.getUser(db, dir.id, keptId, true, true);
    if (!kept) return undefined;
    const next: UserRecord = {
      ...kept,
      ...userFields(resource),
      version: kept.version + 1,
      resource,
      updated_at: now(),
      ...(await this.mapped(db, mapping, kept, resource)),
      app_active: null,
      scim_deleted: false,
    };
    await dropHeld(db, dir.id, kept.id, ['deactivate', 'delete']);
    await addHiddenUsers(db, dir.id, -1);
    await this.write(db, events, kept, next);
    return next;
  }

  async get(dir: DirectoryRecord, id: string, projection: Projection = NO_PROJECTION): Promise<{ resource: Answer; version: number }> {
    assertId(id, 'User');
    const { q, store } = this.ctx;
    const found = wants(projection, 'groups') ? await q.getUserWithGroups(store.reader, dir.id, id) : { user: await q.getUser(store.reader, dir.id, id), groups: undefined };
    const user = found?.user;
    if (!user) throw notFound(`User ${id} not found.`);
    return { resource: answered(user, found.groups, this.ctx.urls(dir), projection), version: user.version };
  }

  async replace(dir: DirectoryRecord, id: string, body: unknown, options: WriteOptions = {}): Promise<ScimResource> {
    assertId(id, 'User');
    const resource = validUser(body, 'replace');
    return this.update(dir, id, options, () => resource, isLargeResource(resource));
  }

  async patch(dir: DirectoryRecord, id: string, body: unknown, options: WriteOptions = {}): Promise<ScimResource> {
    assertId(id, 'User');
    const change = (current: UserRecord) => validUser(applyPatch(USER_RESOURCE_TYPE, current.resource, body, options.patch).resource, 'replace');
    return this.update(dir, id, options, change, isLargePatch(body));
  }

  async delete(dir: DirectoryRecord, id: string, options: WriteOptions = {}): Promise<void> {
    assertId(id, 'User');
    await this.ctx.write(dir, async (db, events) => this.deleteOrHold(db, events, dir, await this.locked(db, dir, id, options)));
    this.forgetIfGuarded(dir);
  }

  /** A write the guard may have held changed the directory's count of kept users, which SCIM lists read. */
  private forgetIfGuarded(dir: DirectoryRecord): void {
    if (guardSettings(dir).enabled) this.ctx.store.forgetDirectory(dir.id);
  }

  /** The IdP's deletion: applied, or held by the deprovision guard (the user leaves SCIM's view, not the app's). */
  private async deleteOrHold(db: Executor, events: DirectoryEvents, dir: DirectoryRecord, user: UserRecord): Promise<void> {
    if ((await decideDeprovision(db, this.ctx.q.dialect, events, dir, user, 'delete')) === 'apply') return this.remove(db, events, user);
    await this.hide(db, dir, user);
  }

  /**
   * A held deletion: the user is kept for the app as it was (same version: nothing the app sees changed) and
   * gone for SCIM, whose view of its groups changes.
   */
  private async hide(db: Executor, dir: DirectoryRecord, user: UserRecord): Promise<void> {
    await this.ctx.q.updateUser(db, { ...user, scim_deleted: true }, emailsOf(user.resource), { user, emails: emailsOf(user.resource) });
    await addHiddenUsers(db, dir.id, 1);
    const groups = (await this.ctx.q.groupsOfUsers(db, [user.id])).get(user.id) ?? [];
    await memberships.touchGroups(db, dir.id, groups.map((g) => g.id), now());
  }

  /**
   * Applies one change the guard held (its release), inside the release's write: a held deactivation makes the
   * app see the user inactive, a held deletion deletes it, each with its events. A change the IdP undid since
   * (reactivated, created again) has nothing left to apply.
   */
  async applyHeld(db: Executor, events: DirectoryEvents, dir: DirectoryRecord, change: { user_id: string; kind: DeprovisionKind }): Promise<void> {
    const user = await this.ctx.q.getUser(db, dir.id, change.user_id, true, true);
    if (!user) return;
    if (change.kind === 'delete') {
      if (user.scim_deleted) await this.remove(db, events, user);
      return;
    }
    if (user.app_active === null) return;
    await this.write(db, events, user, { ...user, app_active: null, version: user.version + 1, updated_at: now() });
  }

  async list(dir: DirectoryRecord, request: ListRequest): Promise<{ total: number; resources: Answer[] }> {
    const { q, store } = this.ctx;
    const query = listQuery(store.dialect, USER_RESOURCE_TYPE, dir.id, request);
    const withGroups = wants(request, 'groups');
    const db = boundedByIndex(query) ? store.reader : store.scanReader;
    const { total, rows } = await q.listUsers(db, dir.id, query, dir.scim_hidden_users > 0, withGroups);
    const unread = withGroups ? rows.filter((u) => u.groups === undefined).map((u) => u.id) : [];
    const groups = unread.length > 0 ? await q.groupsOfUsers(store.reader, unread) : undefined;
    const urls = this.ctx.urls(dir);
    const projected = compileProjection(USER_RESOURCE_TYPE, request);
    return { total, resources: await mapInTurns(rows, (u) => answered(u, u.groups ?? groups?.get(u.id), urls, request, projected)) };
  }

  private async update(dir: DirectoryRecord, id: string, options: WriteOptions, change: (current: UserRecord) => ScimResource, alone: boolean): Promise<ScimResource> {
    const { user, groups } = await guardUnique('userName is already in use in this directory.', () =>
      this.ctx.write(
        dir,
        async (db, events, mapping) => {
          const found = await this.ctx.q.getUserForWrite(db, dir.id, id);
          const user = await this.change(db, events, dir, mapping, this.matching(found?.user, id, options), change);
          return { user, groups: 'deleted' in user ? [] : found!.groups };
        },
        alone,
        id,
      ),
    );
    this.forgetIfGuarded(dir);
    return renderUser(user, groups, this.ctx.urls(dir));
  }

  /** The user, locked for the write (on PostgreSQL), if it exists and matches If-Match. */
  private async locked(db: Executor, dir: DirectoryRecord, id: string, options: WriteOptions): Promise<UserRecord> {
    return this.matching(await this.ctx.q.getUser(db, dir.id, id, true), id, options);
  }

  private matching(current: UserRecord | undefined, id: string, options: WriteOptions): UserRecord {
    if (!current) throw notFound(`User ${id} not found.`);
    checkIfMatch(options.ifMatch, current.version);
    return current;
  }

  /** Inside the write: nothing when the resource stays the same, else the update (or the policy's deletion). */
  private async change(
    db: Executor,
    events: DirectoryEvents,
    dir: DirectoryRecord,
    mapping: DirectoryMapping,
    current: UserRecord,
    change: (current: UserRecord) => ScimResource,
  ): Promise<Written> {
    const resource = change(current);
    if (jsonEqual(resource, current.resource)) return current;
    // Object.assign, not a literal that starts with a spread: docs/performance.md, "Object spread".
    const next: UserRecord = Object.assign({}, current, userFields(resource), { version: current.version + 1, resource, updated_at: now() }, await this.mapped(db, mapping, current, resource));
    if (next.active && current.app_active !== null) {
      // Active again for the IdP: the app sees SCIM's state again, and a held deactivation has nothing to apply.
      next.app_active = null;
      await dropHeld(db, dir.id, current.id, ['deactivate']);
    }
    if (current.active && !next.active) {
      // Lifecycle policy `delete`: deactivation is deletion; a later return is a new user.
      const deletes = dir.settings.inactive_users === 'delete';
      const decision = await decideDeprovision(db, this.ctx.q.dialect, events, dir, current, deletes ? 'delete' : 'deactivate');
      if (deletes) {
        if (decision === 'apply') await this.remove(db, events, current);
        else await this.hide(db, dir, current);
        return { ...next, deleted: true };
      }
      // Held: SCIM reads the user inactive, the app keeps reading it active.
      if (decision === 'hold') next.app_active = true;
    }
    if (next.user_name.toLowerCase() !== current.user_name.toLowerCase()) await this.assertUserNameFree(db, dir.id, next.user_name, current.id);
    // The write's last statement, of the one user it read: it may wait for the batch's end (tail-writes.ts).
    await this.write(db, events, current, next, true);
    return next;
  }

  /**
   * A user's update as the app sees it: the row, the directory's counts, and `dsync.user.updated` if visible.
   * `deferrable`: nothing later in the write reads the user (a write that updates several users, or one twice,
   * must see its own updates).
   */
  private async write(db: Executor, events: DirectoryEvents, current: UserRecord, next: UserRecord, deferrable = false): Promise<void> {
    const before = await events.user(current);
    const defer = deferrable ? (item: TailWrite) => events.defer(item) : undefined;
    await this.ctx.q.updateUser(db, next, emailsOf(next.resource), { user: current, emails: emailsOf(current.resource) }, defer);
    if (appActive(next) !== appActive(current)) events.countUser(appActive(current), appActive(next));
    events.updated('dsync.user.updated', before, await events.user(next));
  }

  /**
   * Hard delete: the user, its memberships (each group's version moves) and its place in the counts. Each
   * membership's `dsync.group.user_removed` comes before the `dsync.user.deleted`.
   */
  private async remove(db: Executor, events: DirectoryEvents, user: UserRecord): Promise<void> {
    const directoryId = user.directory_id;
    const userObject = await events.user(user);
    const groups = await this.ctx.q.deleteUser(db, directoryId, user.id);
    await memberships.touchGroups(db, directoryId, groups, now());
    if (user.scim_deleted) await addHiddenUsers(db, directoryId, -1);
    events.countUser(appActive(user), undefined);
    for (const group of await this.ctx.q.groupsByIds(db, directoryId, groups)) {
      events.add('dsync.group.user_removed', { directory_id: directoryId, user: userObject, group: await events.group(group) });
    }
    events.add('dsync.user.deleted', userObject);
  }

  /**
   * The user's mapping after its resource changed. Its roles depend on its groups alone, so they are kept, unless
   * they were resolved under another configuration (then read again, with the user's groups' roles).
   */
  private async mapped(db: Executor, mapping: DirectoryMapping, current: UserRecord, resource: ScimResource): Promise<UserMapping> {
    const roleSlugs =
      current.mapped_fingerprint === mapping.fingerprint ? current.role_slugs : mapping.roles((await groupRoleSlugs(db, [current.id])).get(current.id) ?? []);
    return { mapped: mapping.evaluate(resource), role_slugs: roleSlugs, mapped_fingerprint: mapping.fingerprint };
  }

  private async assertUserNameFree(db: Executor, directoryId: string, userName: string, selfId: string): Promise<void> {
    const owner = await this.ctx.q.userIdByUserName(db, directoryId, userName);
    if (owner !== undefined && owner !== selfId) throw conflict(`userName "${userName}" is already in use in this directory.`);
  }
}

/**
 * A user as a read answers it: with nothing projected, from its stored text where the database handed back
 * text (renderUserText: no parse, no intermediate objects); otherwise rendered, then projected.
 */
function answered(user: StoredUser, groups: MemberRef[] | undefined, urls: ScimUrls, projection: Projection, projected?: Projector): Answer {
  if (typeof user.resource === 'string' && projection.attributes.length === 0 && projection.excludedAttributes.length === 0) {
    const text = renderUserText(user, user.resource, groups, urls);
    if (text) return text;
  }
  return (projected ?? compileProjection(USER_RESOURCE_TYPE, projection))(renderUser(parsedUser(user), groups, urls));
}
