/**
 * The per-directory SCIM request log (docs/portal.md): one row per SCIM request to a directory that exists,
 * written in batches off the request's transaction (src/portal/request-log.ts). Paged newest first by
 * `(directory_id, id)`; retention deletes by primary key range (ids are time-ordered). Rows go with their
 * directory. `directories` gains the times of its last request and of its last successful change.
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('scim_requests')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('directory_id', t.key, (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('request_body', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scim_requests_directory').on('scim_requests').columns(['directory_id', 'id']).execute();
  await db.schema.alterTable('directories').addColumn('last_request_at', t.timestamp).execute();
  await db.schema.alterTable('directories').addColumn('last_sync_at', t.timestamp).execute();
}
