/**
 * The mass-deprovision guard (API.md §8, docs/sources.md), for every directory: deactivations and deletions that
 * would exceed a share of the active users within a window trip it; from then on they are held from the app's
 * view (no event, no change the app can read) until an admin releases them (applied in order, with their
 * events) or discards them. A pull is held whole (src/sources/runner.ts); a SCIM IdP is answered as if its
 * change was made (decideDeprovision below), while the app keeps seeing the user as it was.
 */
import { isObject } from '../scim/json.ts';
import type { Executor } from '../store/db.ts';
import { deprovisionsSince, lockGuardState, noteDeprovision } from '../store/guard.ts';
import { appActive, type UserRecord } from '../store/scim/records.ts';
import type { Dialect } from '../store/scim/sql-dialect.ts';
import { heldCount, holdChanges, setGuardTripped } from '../store/sources.ts';
import type { DirectoryRecord } from '../store/store.ts';
import type { DirectoryEvents } from './events.ts';
import { PULLED_TYPES, isPulled } from './pulled.ts';

export interface GuardSettings {
  enabled: boolean;
  /** The share of active users (0–1) whose deprovisioning within the window trips the guard. */
  max_share: number;
  /** …and at least this many users. */
  min_users: number;
  window_minutes: number;
}

export const GUARD_DEFAULTS = { max_share: 0.3, min_users: 10, window_minutes: 60 };

/** The directory's guard settings: on by default for pulled directories, off for SCIM ones. */
export function guardSettings(dir: Pick<DirectoryRecord, 'type' | 'settings'>): GuardSettings {
  const given = isObject(dir.settings.deprovision_guard) ? (dir.settings.deprovision_guard as Partial<GuardSettings>) : {};
  return {
    enabled: given.enabled ?? (PULLED_TYPES as readonly string[]).includes(dir.type),
    max_share: given.max_share ?? GUARD_DEFAULTS.max_share,
    min_users: given.min_users ?? GUARD_DEFAULTS.min_users,
    window_minutes: given.window_minutes ?? GUARD_DEFAULTS.window_minutes,
  };
}

export interface TripInput {
  /** Deactivations and deletions about to be applied. */
  pending: number;
  /** Those applied within the window before them. */
  recent: number;
  /** Active users now. */
  active: number;
  /** A pull whose source listed no user at all. */
  emptyListing: boolean;
}

/** Whether the pending deprovisions must be held. */
export function trips(settings: GuardSettings, input: TripInput): boolean {
  if (!settings.enabled || input.pending === 0) return false;
  // An empty listing is a broken pull far more often than a company with no one left.
  if (input.emptyListing) return true;
  const total = input.pending + input.recent;
  return total >= settings.min_users && total > settings.max_share * Math.max(1, input.active + input.recent);
}

/** The guard as the API shows it. */
export function guardObject(dir: DirectoryRecord, heldChanges: number) {
  return {
    object: 'deprovision_guard' as const,
    directory_id: dir.id,
    state: dir.guard_tripped_at === null ? ('armed' as const) : ('tripped' as const),
    held_changes: heldChanges,
    tripped_at: dir.guard_tripped_at,
    settings: guardSettings(dir),
  };
}

export type DeprovisionKind = 'deactivate' | 'delete';

/**
 * Inside a SCIM write that deactivates or deletes `user`: whether the guard holds the change from the app's view
 * (then it is noted as held, and the guard trips if this change is the one too many). A change the guard lets
 * through is counted in its window. Only users the app sees active count toward tripping: deleting an inactive
 * user takes no one's access away, though a tripped guard holds that too.
 */
export async function decideDeprovision(
  db: Executor,
  dialect: Dialect,
  events: DirectoryEvents,
  dir: DirectoryRecord,
  user: UserRecord,
  kind: DeprovisionKind,
): Promise<'apply' | 'hold'> {
  const settings = guardSettings(dir);
  // A pull is judged whole before it is applied (src/sources/runner.ts); its changes come here already decided.
  if (!settings.enabled || isPulled(dir.type)) return 'apply';
  const state = await lockGuardState(db, dialect, dir.id);
  if (!state) return 'apply';
  const at = new Date();
  const iso = at.toISOString();
  if (state.tripped_at === null) {
    if (!appActive(user)) return 'apply';
    const since = new Date(at.getTime() - settings.window_minutes * 60_000).toISOString();
    const recent = await deprovisionsSince(db, dir.id, since);
    if (!trips(settings, { pending: 1, recent, active: state.users_active, emptyListing: false })) {
      await noteDeprovision(db, dir.id, iso, since);
      return 'apply';
    }
    await setGuardTripped(db, dir.id, iso);
    await holdChanges(db, dir.id, [{ user_id: user.id, kind, resource: null, created_at: iso }]);
    events.add('dsync.guard.tripped', guardObject({ ...dir, guard_tripped_at: iso }, await heldCount(db, dir.id)));
    return 'hold';
  }
  await holdChanges(db, dir.id, [{ user_id: user.id, kind, resource: null, created_at: iso }]);
  return 'hold';
}
