/** The objects of ../shared/API.md §3–6 and docs/portal.md, as the front end reads them. */

export interface List<T> {
  object: 'list';
  data: T[];
  list_metadata: { before: string | null; after: string | null };
}

export interface Organization {
  object: 'organization';
  id: string;
  name: string;
  domains: { id: string; domain: string }[];
  created_at: string;
  updated_at: string;
}

export interface Directory {
  object: 'directory';
  id: string;
  organization_id: string;
  type: string;
  state: string;
  name: string;
  domain?: string | null;
  /** Null or absent for the types Guestlist pulls (API.md §8). */
  scim_base_url: string | null;
  metadata?: { users: { active: number; inactive: number }; groups: number };
  /** The directory's settings, when the server includes them (API.md §3 PATCH; §8 for pulled types). */
  settings?: PulledSettings & Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface TokenSummary {
  id: string;
  token_suffix: string;
  created_at: string;
  last_used_at: string | null;
  state?: string;
  revoked_at?: string | null;
}

/** The portal's Directory: the management object plus its tokens and activity times. */
export interface PortalDirectory extends Directory {
  tokens: TokenSummary[];
  last_request_at: string | null;
  last_sync_at: string | null;
}

export interface NewToken extends TokenSummary {
  object: 'directory_token';
  token: string;
}

export interface ScimRequest {
  object: 'scim_request';
  id: string;
  directory_id: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  user_agent: string | null;
  request_body: unknown;
  error: string | null;
  created_at: string;
}

export interface DirectoryUser {
  object: 'directory_user';
  id: string;
  idp_id: string;
  directory_id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  name?: string | null;
  username?: string | null;
  state: string;
  groups?: DirectoryGroup[];
  raw_attributes: unknown;
  custom_attributes?: Record<string, unknown>;
  role?: { slug: string } | null;
  roles?: { slug: string }[];
  warnings?: { attribute: string; code: string }[];
  created_at: string;
  updated_at: string;
}

export interface DirectoryGroup {
  object: 'directory_group';
  id: string;
  idp_id: string;
  directory_id: string;
  name: string;
  member_count?: number;
  raw_attributes?: unknown;
  created_at: string;
  updated_at: string;
}

export interface GuestlistEvent {
  object: 'event';
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: string;
}

export interface WebhookEndpoint {
  object: 'webhook_endpoint';
  id: string;
  endpoint_url: string;
  secret_hint: string | null;
  status: 'enabled' | 'disabled';
  disabled_reason?: string | null;
  events: string[];
  secret?: string;
  created_at: string;
  updated_at: string;
}

export interface WebhookDelivery {
  object: 'webhook_delivery';
  id: string;
  endpoint_id: string;
  event_id: string;
  directory_id: string | null;
  state: string;
  attempt_count: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  attempts: { attempted_at: string; status: number | null; error: string | null; duration_ms: number }[];
  created_at: string;
}

export interface PortalInvite {
  object: 'portal_invite';
  id: string;
  organization_id: string;
  link?: string;
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
}

export interface AuditLog {
  object: 'audit_log';
  id: string;
  actor: { type: string; id?: string | null };
  action: string;
  target: { type: string; id: string };
  organization_id?: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
}

export const EVENT_TYPES = [
  'dsync.activated',
  'dsync.deleted',
  'dsync.user.created',
  'dsync.user.updated',
  'dsync.user.deleted',
  'dsync.group.created',
  'dsync.group.updated',
  'dsync.group.deleted',
  'dsync.group.user_added',
  'dsync.group.user_removed',
  'dsync.token.created',
  'dsync.token.revoked',
  'dsync.guard.tripped',
  'dsync.guard.released',
];

/** Provider names for directory types, as the server names them. */
export const TYPE_LABELS: Record<string, string> = {
  'generic scim v2.0': 'SCIM 2.0',
  'okta scim v2.0': 'Okta',
  'azure scim v2.0': 'Microsoft Entra ID',
  'onelogin scim v2.0': 'OneLogin',
  'jump cloud scim v2.0': 'JumpCloud',
  'pingfederate scim v2.0': 'PingFederate',
  'rippling scim v2.0': 'Rippling',
  'cyberark scim v2.0': 'CyberArk',
  'sailpoint scim v2.0': 'SailPoint',
  'gsuite directory': 'Google Workspace',
  workday: 'Workday',
  bamboohr: 'BambooHR',
};

export const typeLabel = (type: string) => TYPE_LABELS[type] ?? type;

/* API.md §7: custom attributes, attribute mapping, roles. */

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'string_list', 'object'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface CustomAttribute {
  object: 'custom_attribute';
  id: string;
  name: string;
  type: AttributeType;
  required: boolean;
  description: string | null;
  created_at: string;
}

export interface Role {
  object: 'role';
  id: string;
  slug: string;
  name: string;
  priority: number;
  default: boolean;
  created_at: string;
}

/** One step applied to a source's value, in order. */
export type Transform =
  | 'lowercase'
  | 'uppercase'
  | 'trim'
  | 'first'
  | { split: string }
  | { join: string }
  | { map: Record<string, unknown>; default?: unknown };

/** A SCIM attribute path, or a fixed value (`{constant: null}` un-maps a defaulted attribute). */
export type MappingSource = string | { constant: unknown };

export interface MappingEntry {
  attribute: string;
  source: MappingSource;
  transforms?: Transform[];
}

export interface AttributeMapping {
  object: 'attribute_mapping';
  directory_id: string;
  mappings: (MappingEntry & { origin: 'default' | 'custom' })[];
  state: 'current' | 'reevaluating';
  progress?: { done: number; total: number } | null;
}

export interface MappingWarning {
  attribute: string;
  code: string;
}

export interface MappingPreviewRow {
  user_id: string;
  email: string | null;
  custom_attributes: Record<string, unknown>;
  warnings: MappingWarning[];
}

/** One path of the schema explorer: present in `users` of the directory's users. */
export interface AttributePath {
  path: string;
  users: number;
  samples: unknown[];
  type: string;
}

export interface AttributePaths extends Omit<List<AttributePath>, 'list_metadata'> {
  list_metadata?: List<AttributePath>['list_metadata'];
  scanned: number;
  total_users: number;
  /** More distinct paths exist than the explorer keeps. */
  truncated?: boolean;
}

export interface RoleMapping {
  object: 'role_mapping';
  directory_id: string;
  mappings: { group_id: string; role: string }[];
}

/** A directory's user as the mapping screens read it: its mapped values, role and what it lacks. */
export interface MappedUser {
  object: 'directory_user';
  id: string;
  email: string | null;
  name?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  role?: { slug: string } | null;
  roles?: { slug: string }[];
  custom_attributes?: Record<string, unknown>;
  warnings?: MappingWarning[];
}

export interface GroupSummary {
  object: 'directory_group';
  id: string;
  name: string;
  member_count?: number;
}

/* API.md §8: directories Guestlist pulls, their syncs and the deprovision guard. */

/** The directory types Guestlist reads through the source's API: no SCIM base URL, no token. */
export const PULLED_TYPES = ['gsuite directory', 'workday', 'bamboohr'] as const;
export type PulledType = (typeof PULLED_TYPES)[number];
export const isPulled = (type: string): type is PulledType => (PULLED_TYPES as readonly string[]).includes(type);

/** The Workday report's default column names, which `columns` may rename. */
export const WORKDAY_COLUMNS = ['Employee_ID', 'Email', 'First_Name', 'Last_Name', 'Active', 'Job_Title', 'Department', 'Manager_Email', 'Groups'] as const;
export type WorkdayColumn = (typeof WORKDAY_COLUMNS)[number];

/** The non-secret half of a connection, as the server echoes it (secrets never come back). */
export interface ConnectionSummary {
  /** Google */
  client_email?: string;
  admin_email?: string;
  customer?: string | null;
  /** Workday */
  report_url?: string;
  username?: string;
  columns?: Partial<Record<WorkdayColumn, string>> | null;
  /** BambooHR */
  subdomain?: string;
}

export interface DirectoryConnection {
  object: 'directory_connection';
  directory_id: string;
  configured: boolean;
  updated_at: string | null;
  summary: ConnectionSummary;
}

export interface GoogleConnectionInput {
  service_account_key: Record<string, unknown>;
  admin_email: string;
  customer?: string;
}
export interface WorkdayConnectionInput {
  report_url: string;
  username: string;
  password: string;
  columns?: Partial<Record<WorkdayColumn, string>>;
}
export interface BambooConnectionInput {
  subdomain: string;
  api_key: string;
}
export type ConnectionInput = GoogleConnectionInput | WorkdayConnectionInput | BambooConnectionInput;

export const SYNC_COUNTS = [
  'users_created',
  'users_updated',
  'users_deactivated',
  'users_deleted',
  'groups_created',
  'groups_updated',
  'groups_deleted',
  'memberships_added',
  'memberships_removed',
] as const;
export type SyncCounts = Record<(typeof SYNC_COUNTS)[number], number>;

export type SyncState = 'queued' | 'running' | 'succeeded' | 'failed' | 'held';

export interface DirectorySync {
  object: 'directory_sync';
  id: string;
  directory_id: string;
  state: SyncState;
  trigger?: 'manual' | 'schedule' | string;
  counts: SyncCounts | null;
  error: string | null;
  created_at?: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface GuardSettings {
  enabled: boolean;
  /** 0–1: the share of users one sync may deactivate or delete before it is held. */
  max_share: number;
  min_users: number;
  window_minutes: number;
}

export interface DeprovisionGuard {
  object: 'deprovision_guard';
  directory_id: string;
  state: 'armed' | 'tripped';
  held_changes: number;
  tripped_at: string | null;
  settings?: GuardSettings;
}

/** `PATCH /directories/{id}` `{settings}` (console only): a SCIM directory takes only `deprovision_guard`. */
export interface PulledSettings {
  sync_interval_minutes?: number;
  group_filter?: string[];
  deprovision_guard?: GuardSettings;
}
