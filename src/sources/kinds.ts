export { PULLED_TYPES, isPulled, type PulledType } from '../directory/pulled.ts';

/** How often a pulled directory syncs unless `settings.sync_interval_minutes` says otherwise. */
export const DEFAULT_SYNC_INTERVAL_MINUTES = 30;
