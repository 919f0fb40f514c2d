/**
 * Custom attributes, attribute mappings and roles (API.md §7, docs/mapping.md).
 *
 * The operator's definitions (`custom_attributes`, `roles`) are global. Each directory keeps its explicit
 * attribute mapping in `directories.attribute_mapping` (the directory type's defaults fill the rest) and its
 * group → role mapping as rows, so that a membership write can read its group's role inside its transaction.
 *
 * Each user carries what the mapping made of it: `mapped` ({values, warnings}), `role_slugs` (its resolved
 * roles, or null while no role is defined), `warning_count` (to list the users missing a required attribute),
 * and `mapped_fingerprint`, the digest of the configuration those were computed with. A configuration change
 * starts a `mapping_jobs` row: a background sweep re-evaluates, in chunks, the users whose fingerprint differs.
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('custom_attributes')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('name', t.key, (c) => c.notNull().unique())
    .addColumn('type', t.key, (c) => c.notNull())
    .addColumn('required', 'integer', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('roles')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('slug', t.key, (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('directory_role_mappings')
    // One role per group; the row goes with its group (and the group with its directory).
    .addColumn('group_id', t.key, (c) => c.primaryKey().references('directory_groups.id').onDelete('cascade'))
    .addColumn('directory_id', t.key, (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .addColumn('role_slug', t.key, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directory_role_mappings_directory').on('directory_role_mappings').columns(['directory_id', 'group_id']).execute();
  await db.schema.createIndex('directory_role_mappings_role').on('directory_role_mappings').column('role_slug').execute();

  await db.schema
    .createTable('mapping_jobs')
    .addColumn('directory_id', t.key, (c) => c.primaryKey().references('directories.id').onDelete('cascade'))
    .addColumn('fingerprint', t.key, (c) => c.notNull())
    .addColumn('state', t.key, (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull())
    .addColumn('changed', 'integer', (c) => c.notNull())
    // The sweep's position: the last user id it went past (ids are time-ordered).
    .addColumn('cursor', t.key, (c) => c.notNull())
    .addColumn('locked_until', t.timestamp)
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .execute();
  await db.schema.createIndex('mapping_jobs_state').on('mapping_jobs').column('state').execute();

  await db.schema.alterTable('directories').addColumn('attribute_mapping', t.json).execute();
  await db.schema.alterTable('directory_users').addColumn('mapped', t.json).execute();
  await db.schema.alterTable('directory_users').addColumn('role_slugs', t.json).execute();
  await db.schema.alterTable('directory_users').addColumn('mapped_fingerprint', t.key).execute();
  await db.schema.alterTable('directory_users').addColumn('warning_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('directory_users_warnings').on('directory_users').columns(['directory_id', 'warning_count', 'id']).execute();
}
