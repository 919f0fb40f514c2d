/**
 * The admin portal and operator console (docs/portal.md): portal links (single-use setup links and revocable
 * invites), browser sessions, and the audit log.
 *
 * Links and sessions belong to an organization and go with it. Audit rows do not reference anything: they are
 * history, kept when what they name is deleted. Secrets (link tokens, session ids) are stored only as hashes.
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('portal_links')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('organization_id', t.key, (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('kind', t.key, (c) => c.notNull())
    .addColumn('token_hash', t.key, (c) => c.notNull().unique())
    .addColumn('return_url', 'text')
    .addColumn('success_url', 'text')
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .addColumn('revoked_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('portal_links_organization').on('portal_links').columns(['organization_id', 'kind', 'id']).execute();
  await db.schema.createIndex('portal_links_kind_id').on('portal_links').columns(['kind', 'id']).execute();
  await db.schema.createIndex('portal_links_expiry').on('portal_links').columns(['kind', 'expires_at']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('id_hash', t.key, (c) => c.notNull().unique())
    .addColumn('kind', t.key, (c) => c.notNull())
    .addColumn('organization_id', t.key, (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('link_id', t.key, (c) => c.references('portal_links.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('ended_at', t.timestamp)
    // Console sessions: a keyed digest of the credentials in force when it started (src/portal/credentials.ts).
    .addColumn('credential_epoch', 'text')
    .execute();
  await db.schema.createIndex('sessions_organization').on('sessions').column('organization_id').execute();
  await db.schema.createIndex('sessions_link').on('sessions').column('link_id').execute();
  await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();

  await db.schema
    .createTable('audit_logs')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('organization_id', t.key)
    .addColumn('actor_type', t.key, (c) => c.notNull())
    .addColumn('actor_id', t.key)
    .addColumn('action', t.key, (c) => c.notNull())
    .addColumn('target_type', t.key, (c) => c.notNull())
    .addColumn('target_id', t.key)
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  // The list is newest first by id (time-ordered); these serve its two filters.
  await db.schema.createIndex('audit_logs_organization').on('audit_logs').columns(['organization_id', 'id']).execute();
  await db.schema.createIndex('audit_logs_action').on('audit_logs').columns(['action', 'id']).execute();
}
