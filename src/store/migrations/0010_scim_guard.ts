/**
 * The deprovision guard for SCIM directories (API.md §8): a SCIM IdP is answered normally while the app's view
 * holds its deactivations and deletions. A user then differs between the two views: `app_active` is the app's
 * `active` when a deactivation is held (or was discarded), and `scim_deleted` marks a user the IdP deleted while
 * the app keeps it (hidden from every SCIM read). `guard_deprovisions` are the deprovisions applied lately, the
 * window the guard counts in.
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema.alterTable('directory_users').addColumn('app_active', 'integer').execute();
  await db.schema.alterTable('directory_users').addColumn('scim_deleted', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // How many of its users the IdP deleted while the app keeps them: SCIM lists filter them out only when any.
  await db.schema.alterTable('directories').addColumn('scim_hidden_users', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('guard_deprovisions')
    .addColumn('seq', t.serial, (c) => c.primaryKey().$call(t.autoIncrement))
    .addColumn('directory_id', t.key, (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('guard_deprovisions_directory').on('guard_deprovisions').columns(['directory_id', 'at']).execute();
}
