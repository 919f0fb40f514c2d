/**
 * The SCIM operations of one directory, as the HTTP routes and Bulk call them: validate with the strict core,
 * then change rows in one transaction with the events decided from the state before and after. Users and Groups
 * (users.ts, groups.ts) are the only code that writes users, groups and memberships.
 */
import type { ListRequest } from '../scim/list.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import type { DirectoryRecord } from '../store/store.ts';
import { ScimGroups, type PagedGroup } from './groups.ts';
import type { Projection } from './projection.ts';
import type { Answer } from './render.ts';
import { lockGuardState, removeHeld } from '../store/guard.ts';
import { clearHeld, heldChanges, heldCount, setGuardTripped } from '../store/sources.ts';
import { guardObject } from './deprovision-guard.ts';
import { ScimContext, type WriteOptions } from './scim-context.ts';
import { ScimUsers } from './users.ts';

type Listed = { total: number; resources: Answer[] };
type Read = { resource: ScimResource; version: number };

export class ScimService {
  private readonly users: ScimUsers;
  private readonly groups: ScimGroups;
  private readonly ctx: ScimContext;

  constructor(store: KyselyStore, publicUrl: string) {
    this.ctx = new ScimContext(store, publicUrl);
    this.users = new ScimUsers(this.ctx);
    this.groups = new ScimGroups(this.ctx);
  }

  createUser(dir: DirectoryRecord, body: unknown): Promise<ScimResource> {
    return this.users.create(dir, body);
  }

  getUser(dir: DirectoryRecord, id: string, projection?: Projection): Promise<{ resource: Answer; version: number }> {
    return this.users.get(dir, id, projection);
  }

  replaceUser(dir: DirectoryRecord, id: string, body: unknown, options?: WriteOptions): Promise<ScimResource> {
    return this.users.replace(dir, id, body, options);
  }

  patchUser(dir: DirectoryRecord, id: string, body: unknown, options?: WriteOptions): Promise<ScimResource> {
    return this.users.patch(dir, id, body, options);
  }

  deleteUser(dir: DirectoryRecord, id: string, options?: WriteOptions): Promise<void> {
    return this.users.delete(dir, id, options);
  }

  listUsers(dir: DirectoryRecord, request: ListRequest): Promise<Listed> {
    return this.users.list(dir, request);
  }

  createGroup(dir: DirectoryRecord, body: unknown): Promise<ScimResource> {
    return this.groups.create(dir, body);
  }

  /** With `paged`, the members come a page at a time (PagedGroup: `more` beyond the first). */
  getGroup(dir: DirectoryRecord, id: string, projection?: Projection, paged = false): Promise<Read & PagedGroup> {
    return this.groups.get(dir, id, projection, paged);
  }

  /** A group as written (without members), with its members a page at a time. */
  groupWithMembers(dir: DirectoryRecord, written: ScimResource, projection: Projection): Promise<PagedGroup> {
    return this.groups.withMembers(dir, written, projection);
  }

  replaceGroup(dir: DirectoryRecord, id: string, body: unknown, options?: WriteOptions): Promise<ScimResource> {
    return this.groups.replace(dir, id, body, options);
  }

  patchGroup(dir: DirectoryRecord, id: string, body: unknown, options?: WriteOptions): Promise<ScimResource> {
    return this.groups.patch(dir, id, body, options);
  }

  deleteGroup(dir: DirectoryRecord, id: string, options?: WriteOptions): Promise<void> {
    return this.groups.delete(dir, id, options);
  }

  listGroups(dir: DirectoryRecord, request: ListRequest): Promise<Listed> {
    return this.groups.list(dir, request);
  }

  /**
   * Releases (applies, in order, with their events) or discards what the deprovision guard holds in a SCIM
   * directory, then arms it with `dsync.guard.released`. Undefined when the guard has not tripped. A release
   * goes in chunks, each its own transaction that takes its changes off the list, so one cut short holds the rest
   * still. The guard is armed in a transaction of its own under the guard's lock (lockGuardState), and only when
   * nothing is left: a deletion the IdP sends meanwhile is either held and released, or judged by the armed
   * guard, never lost.
   */
  async settleGuard(dir: DirectoryRecord, action: 'release' | 'discard'): Promise<{ released: number } | { discarded: number } | undefined> {
    const { dialect } = this.ctx.q;
    if ((await this.ctx.store.getDirectory(dir.id))?.guard_tripped_at == null) return undefined;
    let released = 0;
    for (;;) {
      if (action === 'release') {
        released += await this.ctx.write(
          dir,
          async (db, events) => {
            const held = await heldChanges(db, dir.id, RELEASE_CHUNK);
            for (const change of held) await this.users.applyHeld(db, events, dir, change);
            await removeHeld(db, held.map((h) => h.seq));
            return held.length;
          },
          true,
        );
      }
      const outcome = await this.ctx.write(
        dir,
        async (db, events) => {
          const state = await lockGuardState(db, dialect, dir.id);
          if (state?.tripped_at == null) return 'armed' as const;
          const left = await heldCount(db, dir.id);
          if (action === 'release' && left > 0) return 'more' as const;
          await clearHeld(db, dir.id);
          const outcome = action === 'release' ? { released } : { discarded: left };
          await setGuardTripped(db, dir.id, null);
          events.add('dsync.guard.released', { ...guardObject({ ...dir, guard_tripped_at: null }, 0), ...outcome });
          return outcome;
        },
        true,
      );
      this.ctx.store.forgetDirectory(dir.id);
      // Armed by a concurrent release: what this one applied is part of that release.
      if (outcome === 'armed') return action === 'release' ? { released } : { discarded: 0 };
      if (outcome !== 'more') return outcome;
    }
  }
}

/** Held changes applied per transaction of a release. */
const RELEASE_CHUNK = 100;
