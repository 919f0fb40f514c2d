/**
 * The mass-deprovision guard (API.md §8) for pulled directories: a pull that would deactivate or delete more
 * than a share of the active users within a window (or whose listing is empty) trips it. From then on the
 * deactivations and deletions are held, not applied, with `dsync.guard.tripped`; an admin releases them (applied
 * in order, with their events) or discards them.
 */
import { isObject } from '../scim/json.ts';
import type { Executor } from '../store/db.ts';
import type { DirectoryRecord } from '../store/store.ts';
import { PULLED_TYPES } from './kinds.ts';

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
  /** Deactivations and deletions this pull would apply. */
  pending: number;
  /** Those applied within the window before it. */
  recent: number;
  /** Active users before this pull. */
  active: number;
  /** The source listed no user at all. */
  emptyListing: boolean;
}

/** Whether the pull must be held. */
export function trips(settings: GuardSettings, input: TripInput): boolean {
  if (!settings.enabled || input.pending === 0) return false;
  // An empty listing is a broken pull far more often than a company with no one left.
  if (input.emptyListing) return true;
  const total = input.pending + input.recent;
  return total >= settings.min_users && total > settings.max_share * Math.max(1, input.active + input.recent);
}

/** Deactivations and deletions applied by the directory's syncs that finished within the window. */
export async function recentDeprovisions(db: Executor, directoryId: string, windowMinutes: number, now: Date): Promise<number> {
  const since = new Date(now.getTime() - windowMinutes * 60_000).toISOString();
  const rows = await db
    .selectFrom('directory_syncs')
    .select('counts')
    .where('directory_id', '=', directoryId)
    .where('finished_at', '>=', since)
    .execute();
  let total = 0;
  for (const row of rows) {
    const counts = (typeof row.counts === 'string' ? JSON.parse(row.counts) : row.counts) as { users_deactivated?: number; users_deleted?: number };
    total += (counts.users_deactivated ?? 0) + (counts.users_deleted ?? 0);
  }
  return total;
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
