/**
 * The initial schema, designed for the whole product: tenancy (organizations, directories, tokens), the SCIM
 * resources with their lookup tables, the event log, and webhook delivery state. See docs/schema.md.
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('organization_domains')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('organization_id', t.key, (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('domain', t.key, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('organization_domains_org_domain', ['organization_id', 'domain'])
    .execute();
  await db.schema.createIndex('organization_domains_domain').on('organization_domains').column('domain').execute();

  await db.schema
    .createTable('directories')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('organization_id', t.key, (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('domain', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('settings', t.json, (c) => c.notNull())
    .addColumn('users_active', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('users_inactive', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('groups_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('linked_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directories_org').on('directories').columns(['organization_id', 'id']).execute();

  await db.schema
    .createTable('directory_tokens')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('directory_id', t.key, (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .addColumn('token_hash', t.key, (c) => c.notNull().unique())
    .addColumn('token_suffix', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_used_at', t.timestamp)
    .addColumn('revoked_at', t.timestamp)
    .execute();
  await db.schema.createIndex('directory_tokens_directory').on('directory_tokens').columns(['directory_id', 'id']).execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('key_hash', t.key, (c) => c.notNull().unique())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();

  await createResourceTables(db, t);
  await createEventTables(db, t);
}

async function createResourceTables(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('directory_users')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('directory_id', t.key, (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_name_lower', t.key, (c) => c.notNull())
    .addColumn('external_id', t.key)
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('resource', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('directory_users_user_name', ['directory_id', 'user_name_lower'])
    .execute();
  await db.schema.createIndex('directory_users_directory').on('directory_users').columns(['directory_id', 'id']).execute();
  await db.schema.createIndex('directory_users_external_id').on('directory_users').columns(['directory_id', 'external_id']).execute();
  await db.schema.createIndex('directory_users_updated').on('directory_users').columns(['directory_id', 'updated_at']).execute();
  await db.schema.createIndex('directory_users_created').on('directory_users').columns(['directory_id', 'created_at']).execute();

  await db.schema
    .createTable('directory_user_emails')
    .addColumn('user_id', t.key, (c) => c.notNull().references('directory_users.id').onDelete('cascade'))
    .addColumn('directory_id', t.key, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('value_lower', t.key, (c) => c.notNull())
    .addColumn('type', t.key)
    .addColumn('primary', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_user_emails_pk', ['user_id', 'position'])
    .execute();
  await db.schema.createIndex('directory_user_emails_value').on('directory_user_emails').columns(['directory_id', 'value_lower']).execute();

  await db.schema
    .createTable('directory_groups')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('directory_id', t.key, (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('display_name_lower', t.key, (c) => c.notNull())
    .addColumn('external_id', t.key)
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('resource', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('directory_groups_display_name', ['directory_id', 'display_name_lower'])
    .execute();
  await db.schema.createIndex('directory_groups_directory').on('directory_groups').columns(['directory_id', 'id']).execute();
  await db.schema.createIndex('directory_groups_external_id').on('directory_groups').columns(['directory_id', 'external_id']).execute();
  await db.schema.createIndex('directory_groups_updated').on('directory_groups').columns(['directory_id', 'updated_at']).execute();

  await db.schema
    .createTable('directory_group_members')
    .addColumn('group_id', t.key, (c) => c.notNull().references('directory_groups.id').onDelete('cascade'))
    .addColumn('user_id', t.key, (c) => c.notNull().references('directory_users.id').onDelete('cascade'))
    .addColumn('directory_id', t.key, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('directory_group_members_user').on('directory_group_members').columns(['user_id', 'group_id']).execute();
}

async function createEventTables(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('seq', t.serial, (c) => c.primaryKey().$call(t.autoIncrement))
    .addColumn('id', t.key, (c) => c.notNull().unique())
    .addColumn('directory_id', t.key)
    .addColumn('organization_id', t.key)
    .addColumn('event', t.key, (c) => c.notNull())
    .addColumn('data', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_directory').on('events').columns(['directory_id', 'seq']).execute();
  await db.schema.createIndex('events_organization').on('events').columns(['organization_id', 'seq']).execute();
  await db.schema.createIndex('events_created').on('events').column('created_at').execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('endpoint_url', 'text', (c) => c.notNull())
    .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
    .addColumn('previous_secret_ciphertext', 'text')
    .addColumn('previous_secret_expires_at', t.timestamp)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('events', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('endpoint_id', t.key, (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('event_id', t.key, (c) => c.notNull())
    .addColumn('event_seq', t.bigint, (c) => c.notNull())
    .addColumn('directory_id', t.key)
    .addColumn('state', t.key, (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', t.timestamp)
    .addColumn('last_attempt_at', t.timestamp)
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_queue')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'directory_id', 'event_seq'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_attempt_at']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('delivery_id', t.key, (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('attempted_at', t.timestamp, (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'attempted_at']).execute();
}

