/**
 * Table shapes as Kysely sees them. The same migrations create them on SQLite and PostgreSQL; the few type
 * differences (JSON, timestamps) are absorbed in src/store/codec.ts, so rows read the same from both.
 * Booleans are stored as integers 0/1 on both databases.
 */
import type { ColumnType, Kysely } from 'kysely';

/** ISO-8601 UTC timestamps: `text` on SQLite, `timestamptz` on PostgreSQL (read back as ISO strings). */
type Timestamp = string;
/** JSON: `text` on SQLite, `jsonb` on PostgreSQL (read back parsed by pg, as text by SQLite). */
type Json = ColumnType<unknown, string, string>;

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrganizationDomainsTable {
  id: string;
  organization_id: string;
  domain: string;
  created_at: Timestamp;
}

export interface DirectoriesTable {
  id: string;
  organization_id: string;
  type: string;
  name: string;
  domain: string | null;
  state: string;
  settings: Json;
  users_active: number;
  users_inactive: number;
  groups_count: number;
  linked_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The last SCIM request to it, any outcome (migration 0006; written by the request log). */
  last_request_at: Timestamp | null;
  /** The last successful SCIM write (POST, PUT, PATCH, DELETE, Bulk) to it. */
  last_sync_at: Timestamp | null;
  /** The explicit attribute mapping (migration 0008); null: the directory type's defaults alone. */
  attribute_mapping: Json | null;
  /** Pulled directories (migration 0009): when the next scheduled sync is due; null: at once. */
  next_sync_at: Timestamp | null;
  /** Until when a process holds the directory's sync. */
  sync_lease_until: Timestamp | null;
  /** When the deprovision guard tripped; null while it is armed. */
  guard_tripped_at: Timestamp | null;
  /** How many users the IdP deleted while the app keeps them (`directory_users.scim_deleted`). */
  scim_hidden_users: ColumnType<number, number | undefined, number>;
}

export interface DirectoryTokensTable {
  id: string;
  directory_id: string;
  token_hash: string;
  token_suffix: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface ApiKeysTable {
  id: string;
  key_hash: string;
  created_at: Timestamp;
}

export interface DirectoryUsersTable {
  id: string;
  directory_id: string;
  user_name: string;
  /** userName lowercased in JS (Unicode-aware), the key of the case-insensitive unique index. */
  user_name_lower: string;
  external_id: string | null;
  active: number;
  version: number;
  resource: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** What the attribute mapping made of the user, `{values, warnings}` (migration 0008); null before any. */
  mapped: Json | null;
  /** The user's resolved role slugs, highest priority first; null while the operator defines no role. */
  role_slugs: Json | null;
  /** The digest of the mapping configuration `mapped` and `role_slugs` were computed with. */
  mapped_fingerprint: string | null;
  /** How many required attributes the user lacks: lists the users with warnings. */
  warning_count: ColumnType<number, number | undefined, number>;
  /** The app's `active` where it differs from SCIM's: a held (or discarded) deactivation (migration 0010). */
  app_active: number | null;
  /** 1: the IdP deleted the user while the app keeps it (held or discarded); SCIM reads never see it. */
  scim_deleted: ColumnType<number, number | undefined, number>;
}

export interface DirectoryUserEmailsTable {
  user_id: string;
  directory_id: string;
  position: number;
  value: string;
  value_lower: string;
  type: string | null;
  primary: number;
}

export interface DirectoryGroupsTable {
  id: string;
  directory_id: string;
  display_name: string;
  display_name_lower: string;
  external_id: string | null;
  version: number;
  resource: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DirectoryGroupMembersTable {
  group_id: string;
  user_id: string;
  directory_id: string;
  created_at: Timestamp;
}

export interface EventsTable {
  /** The total order: assigned from event_counter at commit time (see migration 0002). */
  seq: number;
  id: string;
  directory_id: string | null;
  organization_id: string | null;
  event: string;
  data: Json;
  created_at: Timestamp;
}

export interface EventCounterTable {
  id: number;
  seq: number;
}

export interface EventTombstonesTable {
  id: string;
  seq: number;
  pruned_at: Timestamp;
}

export interface WebhookEndpointsTable {
  id: string;
  endpoint_url: string;
  /** Signing secret, encrypted with GUESTLIST_SECRET_KEY (AES-256-GCM). */
  secret_ciphertext: string;
  /** The secret before the last rotation, which keeps signing until previous_secret_expires_at. */
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Timestamp | null;
  status: string;
  /** Why Guestlist disabled it (`secret_undecryptable`, `gone`); null when enabled or disabled through the API. */
  disabled_reason: string | null;
  events: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_seq: number;
  directory_id: string | null;
  state: string;
  attempt_count: number;
  next_attempt_at: Timestamp | null;
  last_attempt_at: Timestamp | null;
  last_status: number | null;
  last_error: string | null;
  locked_until: Timestamp | null;
  first_attempt_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookQueuesTable {
  endpoint_id: string;
  /** The directory id, or '' for an event without one. */
  directory_key: string;
  next_attempt_at: Timestamp | null;
  locked_until: Timestamp | null;
}

export interface DispatchStateTable {
  id: number;
  fanout_seq: number;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempted_at: Timestamp;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

/** The SCIM request log (migration 0006): bodies redacted and capped before they get here. */
export interface ScimRequestsTable {
  id: string;
  directory_id: string;
  method: string;
  /** The URL path and query as sent (sensitive query parameters redacted), capped. */
  path: string;
  status: number;
  duration_ms: number;
  user_agent: string | null;
  /**
   * Redacted JSON; past ~16 KB cut, ending `…[truncated]` (so no longer JSON). A body that was not JSON: a JSON
   * string of its first characters. Null when there was none, or it was not read.
   */
  request_body: string | null;
  /** For status >= 400: the SCIM error's `scimType: detail`. */
  error: string | null;
  created_at: Timestamp;
}

export interface PortalLinksTable {
  id: string;
  organization_id: string;
  /** `setup` (single use, minutes) or `invite` (reusable until it expires or is revoked). */
  kind: string;
  /** SHA-256 of the token in the link; the token itself is never stored. */
  token_hash: string;
  return_url: string | null;
  success_url: string | null;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  /** SHA-256 of the secret the cookie carries. */
  id_hash: string;
  /** `portal` or `console`. */
  kind: string;
  organization_id: string | null;
  link_id: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  /** The absolute end; idleness ends a session earlier. */
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  /** Console sessions: which API keys and admin password were in force when it started; they end with them. */
  credential_epoch: string | null;
}

export interface AuditLogsTable {
  id: string;
  organization_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
}

export interface CustomAttributesTable {
  id: string;
  name: string;
  type: string;
  required: number;
  description: string | null;
  created_at: Timestamp;
}

export interface RolesTable {
  id: string;
  slug: string;
  name: string;
  priority: number;
  is_default: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DirectoryRoleMappingsTable {
  group_id: string;
  directory_id: string;
  role_slug: string;
  created_at: Timestamp;
}

/** A directory's re-evaluation after its mapping configuration changed (src/directory/reevaluate.ts). */
export interface MappingJobsTable {
  directory_id: string;
  /** The configuration the sweep brings every user to. */
  fingerprint: string;
  /** `running` or `done`. */
  state: string;
  total: number;
  done: number;
  /** How many users the sweep changed (each with its `dsync.user.updated`). */
  changed: number;
  cursor: string;
  locked_until: Timestamp | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface DirectoryConnectionsTable {
  directory_id: string;
  ciphertext: string;
  updated_at: Timestamp;
}

export interface DirectorySyncsTable {
  id: string;
  directory_id: string;
  state: string;
  trigger: string;
  counts: Json;
  error: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface GuardHeldChangesTable {
  seq: ColumnType<number, never, never>;
  directory_id: string;
  user_id: string;
  kind: string;
  resource: Json | null;
  created_at: Timestamp;
}

/** A deprovision the guard let through, for its window's count. */
export interface GuardDeprovisionsTable {
  seq: ColumnType<number, never, never>;
  directory_id: string;
  at: Timestamp;
}

export interface Database {
  organizations: OrganizationsTable;
  organization_domains: OrganizationDomainsTable;
  directories: DirectoriesTable;
  directory_tokens: DirectoryTokensTable;
  api_keys: ApiKeysTable;
  directory_users: DirectoryUsersTable;
  directory_user_emails: DirectoryUserEmailsTable;
  directory_groups: DirectoryGroupsTable;
  directory_group_members: DirectoryGroupMembersTable;
  events: EventsTable;
  event_counter: EventCounterTable;
  event_tombstones: EventTombstonesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  dispatch_state: DispatchStateTable;
  webhook_queues: WebhookQueuesTable;
  scim_requests: ScimRequestsTable;
  portal_links: PortalLinksTable;
  sessions: SessionsTable;
  audit_logs: AuditLogsTable;
  custom_attributes: CustomAttributesTable;
  roles: RolesTable;
  directory_role_mappings: DirectoryRoleMappingsTable;
  mapping_jobs: MappingJobsTable;
  directory_connections: DirectoryConnectionsTable;
  directory_syncs: DirectorySyncsTable;
  guard_held_changes: GuardHeldChangesTable;
  guard_deprovisions: GuardDeprovisionsTable;
}

/** Whatever a query runs on: the database itself or an open transaction (Kysely types both the same). */
export type Executor = Kysely<Database>;
