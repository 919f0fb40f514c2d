/**
 * Directories that Guestlist pulls (API.md §8, docs/sources.md): each one's credentials (encrypted, never
 * returned), its sync history, when it syncs next and who holds its sync lease; and the deprovision guard's
 * state and held changes, for every directory.
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('directory_connections')
    .addColumn('directory_id', t.key, (c) => c.primaryKey().references('directories.id').onDelete('cascade'))
    // AES-256-GCM under a key derived from GUESTLIST_SECRET_KEY (src/events/crypto.ts), purpose "connection".
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('directory_syncs')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('directory_id', t.key, (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .addColumn('state', t.key, (c) => c.notNull())
    .addColumn('trigger', t.key, (c) => c.notNull())
    .addColumn('counts', t.json, (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('started_at', t.timestamp)
    .addColumn('finished_at', t.timestamp)
    .execute();
  await db.schema.createIndex('directory_syncs_directory').on('directory_syncs').columns(['directory_id', 'id']).execute();
  await db.schema.createIndex('directory_syncs_state').on('directory_syncs').columns(['state', 'created_at']).execute();

  await db.schema.alterTable('directories').addColumn('next_sync_at', t.timestamp).execute();
  await db.schema.alterTable('directories').addColumn('sync_lease_until', t.timestamp).execute();
  await db.schema.alterTable('directories').addColumn('guard_tripped_at', t.timestamp).execute();
  await db.schema.createIndex('directories_next_sync').on('directories').column('next_sync_at').execute();

  // Changes the tripped guard holds back from the app's view, in the order they came.
  await db.schema
    .createTable('guard_held_changes')
    .addColumn('seq', t.serial, (c) => c.primaryKey().$call(t.autoIncrement))
    .addColumn('directory_id', t.key, (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .addColumn('user_id', t.key, (c) => c.notNull())
    // `deactivate` (with the resource to store) or `delete`.
    .addColumn('kind', t.key, (c) => c.notNull())
    .addColumn('resource', t.json)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('guard_held_changes_directory').on('guard_held_changes').columns(['directory_id', 'seq']).execute();
}
