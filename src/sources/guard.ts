/**
 * The mass-deprovision guard (API.md §8) as pulls use it: the rules are src/directory/deprovision-guard.ts;
 * here, the window a pull counts in, read from the sync history.
 */
import type { Executor } from '../store/db.ts';

export { GUARD_DEFAULTS, guardObject, guardSettings, trips, type GuardSettings, type TripInput } from '../directory/deprovision-guard.ts';

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
