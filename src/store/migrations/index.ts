import { Migrator, type Kysely, type Migration } from 'kysely';
import * as initial from './0001_initial.ts';
import * as eventOrder from './0002_event_order.ts';
import * as webhookDispatch from './0003_webhook_dispatch.ts';
import * as webhookQueues from './0004_webhook_queues.ts';
import * as webhookDisabledReason from './0005_webhook_disabled_reason.ts';
import * as scimRequests from './0006_scim_requests.ts';
import * as portal from './0007_portal.ts';
import * as mapping from './0008_mapping.ts';
import * as sources from './0009_sources.ts';
import * as scimGuard from './0010_scim_guard.ts';
import * as webhookDeliveryIndexes from './0011_webhook_delivery_indexes.ts';
import type { ColumnTypes } from './types.ts';

/** Every migration, in order. Names are permanent once released: add new ones, never edit old ones. */
function migrations(types: ColumnTypes): Record<string, Migration> {
  return {
    '0001_initial': { up: (db) => initial.up(db, types) },
    '0002_event_order': { up: (db) => eventOrder.up(db, types) },
    '0003_webhook_dispatch': { up: (db) => webhookDispatch.up(db, types) },
    '0004_webhook_queues': { up: (db) => webhookQueues.up(db, types) },
    '0005_webhook_disabled_reason': { up: (db) => webhookDisabledReason.up(db, types) },
    '0006_scim_requests': { up: (db) => scimRequests.up(db, types) },
    '0007_portal': { up: (db) => portal.up(db, types) },
    '0008_mapping': { up: (db) => mapping.up(db, types) },
    '0009_sources': { up: (db) => sources.up(db, types) },
    '0010_scim_guard': { up: (db) => scimGuard.up(db, types) },
    '0011_webhook_delivery_indexes': { up: (db) => webhookDeliveryIndexes.up(db, types) },
  };
}

/** Applies pending migrations; a no-op when up to date, and safe when several processes start at once. */
export async function migrateToLatest(db: Kysely<any>, types: ColumnTypes, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(types) },
    migrationTableName: 'guestlist_migrations',
    migrationLockTableName: 'guestlist_migration_lock',
    // Named explicitly: Kysely otherwise finds another schema's migration tables when several share a database.
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
