/**
 * The management API's objects, as the server serializes them (src/http/management/*.ts). Times are ISO 8601
 * strings; ids are prefixed and time-ordered (`org_…`, `directory_…`, …).
 */

export interface ListMetadata {
  /** Pass as `before` for the previous page; null at the start. */
  before: string | null;
  /** Pass as `after` for the next page; null at the end (except on the Events API, which always sets it: see `events.list`). */
  after: string | null;
}

/** Every list endpoint's envelope. */
export interface List<T> {
  object: 'list';
  data: T[];
  list_metadata: ListMetadata;
}

export interface OrganizationDomain {
  object: 'organization_domain';
  id: string;
  organization_id: string;
  domain: string;
}

export interface Organization {
  object: 'organization';
  id: string;
  name: string;
  domains: OrganizationDomain[];
  created_at: string;
  updated_at: string;
}

export const DIRECTORY_TYPES = [
  'generic scim v2.0',
  'okta scim v2.0',
  'azure scim v2.0',
  'onelogin scim v2.0',
  'jump cloud scim v2.0',
  'pingfederate scim v2.0',
  'rippling scim v2.0',
  'cyberark scim v2.0',
  'sailpoint scim v2.0',
  'gsuite directory',
  'workday',
  'bamboohr',
] as const;

export type DirectoryType = (typeof DIRECTORY_TYPES)[number];

/** The types Guestlist pulls from their source (API.md §8) instead of receiving SCIM: they have no SCIM token. */
export const PULLED_DIRECTORY_TYPES = ['gsuite directory', 'workday', 'bamboohr'] as const;

export type PulledDirectoryType = (typeof PULLED_DIRECTORY_TYPES)[number];

/** The types an IdP pushes to over SCIM: `directories.create` answers with their first bearer token. */
export type ScimDirectoryType = Exclude<DirectoryType, PulledDirectoryType>;

/**
 * `linked` once the IdP has made its first authenticated request (a pulled directory: once its source was first
 * read); `deleting` only in `dsync.deleted` events; `invalid_credentials` when a pulled directory's source refused
 * the stored credentials (nothing was deleted; `setConnection` again).
 */
export type DirectoryState = 'linked' | 'unlinked' | 'deleting' | 'invalid_credentials';

/**
 * The mass-deprovision guard's settings, as `settings.deprovision_guard` takes them: a pull that would deactivate
 * or delete more than `max_share` of the active users, and at least `min_users`, within `window_minutes` (or
 * whose listing is empty) trips it, and those changes are held until released or discarded.
 */
export interface DeprovisionGuardSettings {
  /** Default: on for pulled directories, off for SCIM ones. */
  enabled?: boolean;
  /** A share of the active users, above 0 and at most 1; 0.3 by default. */
  max_share?: number;
  /** 10 by default. */
  min_users?: number;
  /** 60 by default. */
  window_minutes?: number;
}

export interface DirectorySettings {
  /** `retain` (the default) keeps deactivated users as `inactive`; `delete` deletes them on deactivation. */
  inactive_users?: 'retain' | 'delete';
  /** Pulled directories: minutes between scheduled syncs, 5 to 10,080; 30 by default. */
  sync_interval_minutes?: number;
  /** Google Workspace: only these groups (ids or emails), and only their members; empty: everything. */
  group_filter?: string[];
  /**
   * The mass-deprovision guard. `update` merges `settings` one level deep only, so this object replaces the
   * previous one as a whole: keys left out take their defaults (`getGuard` shows the effective values).
   */
  deprovision_guard?: DeprovisionGuardSettings;
}

export interface Directory {
  object: 'directory';
  id: string;
  organization_id: string;
  type: DirectoryType;
  state: DirectoryState;
  name: string;
  domain: string | null;
  scim_base_url: string;
  settings: DirectorySettings;
  metadata: { users: { active: number; inactive: number }; groups: number };
  created_at: string;
  updated_at: string;
}

/**
 * What `directories.create` returns: the first SCIM bearer token, shown only here; absent for a directory
 * Guestlist pulls (`PulledDirectoryType`), which has no SCIM token.
 */
export interface DirectoryWithToken extends Directory {
  bearer_token?: string;
  bearer_token_id?: string;
}

/** What `directories.create` returns for a SCIM type (`ScimDirectoryType`): the token is always there. */
export interface ScimDirectoryWithToken extends DirectoryWithToken {
  bearer_token: string;
  bearer_token_id: string;
}

export interface DirectoryToken {
  object: 'directory_token';
  id: string;
  directory_id: string;
  token_suffix: string;
  state: 'active' | 'revoked';
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** What `directories.tokens.create` returns: the token itself, shown only here. */
export interface NewDirectoryToken extends DirectoryToken {
  token: string;
}

export interface DirectoryUserEmail {
  primary: boolean;
  type: string | null;
  value: string;
}

export interface RoleSlug {
  slug: string;
}

/** A required custom attribute the user lacks. */
export interface DirectoryUserWarning {
  attribute: string;
  code: 'missing_required';
}

export interface DirectoryGroup {
  object: 'directory_group';
  id: string;
  idp_id: string;
  directory_id: string;
  organization_id: string;
  name: string;
  member_count: number;
  /** The SCIM resource as stored, without `members`. */
  raw_attributes: Record<string, unknown>;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * A Directory User as events and `directoryUsers.list` carry it. `directoryUsers.get` adds `groups`
 * (`DirectoryUserWithGroups`); API.md promises `groups` on list items too, which the server does not send yet.
 */
export interface DirectoryUser {
  object: 'directory_user';
  id: string;
  idp_id: string;
  directory_id: string;
  organization_id: string;
  email: string | null;
  emails: DirectoryUserEmail[];
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  username: string;
  state: 'active' | 'inactive';
  role: RoleSlug;
  roles: RoleSlug[];
  /**
   * Every custom attribute the operator defined (`customAttributes`), by name, as the directory's attribute
   * mapping fills it (null when unmapped, missing or not of its type); next to them WorkOS's auto-mapped names
   * (`job_title`, `department_name`, `manager_email`, …), present when sent. A defined attribute of the same
   * name wins.
   */
  custom_attributes: Record<string, unknown>;
  /** Each required custom attribute whose value is null. The user is never dropped or blocked for it. */
  warnings: DirectoryUserWarning[];
  /** The SCIM resource as last stored, with `id` and `meta`. */
  raw_attributes: Record<string, unknown>;
  version: number;
  created_at: string;
  updated_at: string;
  groups?: DirectoryGroup[];
}

export interface DirectoryUserWithGroups extends DirectoryUser {
  groups: DirectoryGroup[];
}

export const CUSTOM_ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'string_list', 'object'] as const;

/** What a mapped value is fitted to; a value that does not fit is null. */
export type CustomAttributeType = (typeof CUSTOM_ATTRIBUTE_TYPES)[number];

/** An attribute the application wants on every Directory User (API.md §7). */
export interface CustomAttribute {
  object: 'custom_attribute';
  id: string;
  /** The key in every Directory User's `custom_attributes`: lowercase letters, digits and `_`, starting with a letter. */
  name: string;
  type: CustomAttributeType;
  /** A user without a value lists it in its `warnings`. */
  required: boolean;
  /** What the IT admin sees in the admin portal. */
  description: string | null;
  created_at: string;
}

/** A role the application grants. A higher `priority` wins when a user's groups map to several roles. */
export interface Role {
  object: 'role';
  id: string;
  slug: string;
  name: string;
  priority: number;
  /** The role of users whose groups map to none. Exactly one role is the default. */
  default: boolean;
  created_at: string;
  updated_at: string;
}

/**
 * Where an attribute's value comes from: a SCIM attribute path (`name.givenName`, `emails[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, a custom extension's URN path), or
 * `{constant: value}` for every user (`{constant: null}` un-maps an attribute the directory type maps by default).
 */
export type AttributeSource = string | { constant: unknown };

/**
 * Applied in order to the value the source reached. `map` looks a value up (exactly, then case-insensitively);
 * an unknown value becomes `default` when given, else stays as it is.
 */
export type AttributeTransform =
  | 'lowercase'
  | 'uppercase'
  | 'trim'
  | 'first'
  | { split: string }
  | { join: string }
  | { map: Record<string, unknown>; default?: unknown };

/** One attribute's entry in a directory's attribute mapping, as `setAttributeMapping` takes it. */
export interface AttributeMappingEntry {
  /** A custom attribute's name. */
  attribute: string;
  source: AttributeSource;
  transforms?: AttributeTransform[];
}

/** An entry as `getAttributeMapping` reads it: set through the API or the portal (`custom`), or the directory type's (`default`). */
export interface EffectiveAttributeMappingEntry extends AttributeMappingEntry {
  origin: 'default' | 'custom';
}

/** The last re-evaluation of the directory's users (running, or finished). */
export interface AttributeMappingProgress {
  /** Users evaluated so far. */
  done: number;
  /** Users when the re-evaluation started. */
  total: number;
  /** Users whose values or roles changed, each with a `dsync.user.updated`. */
  changed: number;
  started_at: string;
  finished_at: string | null;
}

/** A directory's mapping from its SCIM users to the custom attributes. */
export interface AttributeMapping {
  object: 'attribute_mapping';
  directory_id: string;
  /** Every defined attribute's entry: the explicit ones, and the directory type's defaults for the rest. */
  mappings: EffectiveAttributeMappingEntry[];
  /** `reevaluating` while a change is being applied to every user, in the background (`waitForAttributeMapping`). */
  state: 'current' | 'reevaluating';
  /** Absent until the directory's users were first re-evaluated. */
  progress?: AttributeMappingProgress;
}

/** A proposed mapping evaluated on one of the directory's newest users. */
export interface AttributeMappingPreviewItem {
  object: 'attribute_mapping_preview';
  user_id: string;
  email: string | null;
  custom_attributes: Record<string, unknown>;
  warnings: DirectoryUserWarning[];
}

/** What `previewAttributeMapping` answers: up to 10 of the newest users; nothing is saved. */
export interface AttributeMappingPreview {
  object: 'list';
  data: AttributeMappingPreviewItem[];
}

/** An attribute path the directory's users carry (the schema explorer). */
export interface AttributePath {
  /** Usable as a `source` as it is. */
  path: string;
  /** How many of the scanned users carry it. */
  users: number;
  /** Up to three distinct values (long strings cut). */
  samples: unknown[];
  type: string;
}

/** What `listAttributePaths` answers: the paths of the directory's newest users, up to 5,000 of them. */
export interface AttributePathList {
  object: 'list';
  data: AttributePath[];
  /** Users read. */
  scanned: number;
  total_users: number;
}

/** A Directory Group of the directory and the slug of the role it grants. */
export interface RoleMappingEntry {
  group_id: string;
  role: string;
}

/** A directory's groups and the roles they grant. */
export interface RoleMapping {
  object: 'role_mapping';
  directory_id: string;
  mappings: RoleMappingEntry[];
}

/** What one sync did. Deactivations and deletions the guard held are not counted until released. */
export interface DirectorySyncCounts {
  users_created: number;
  users_updated: number;
  users_deactivated: number;
  users_deleted: number;
  groups_created: number;
  groups_updated: number;
  groups_deleted: number;
  memberships_added: number;
  memberships_removed: number;
}

/**
 * `queued` and `running` until it ends: `succeeded`, `failed` (see `error`; nothing was changed), or `held` (the
 * deprovision guard held its deactivations and deletions; the rest was applied).
 */
export type DirectorySyncState = 'queued' | 'running' | 'succeeded' | 'failed' | 'held';

/** One pull of a directory from its source (API.md §8). */
export interface DirectorySync {
  object: 'directory_sync';
  id: string;
  directory_id: string;
  state: DirectorySyncState;
  /** `schedule` (every `settings.sync_interval_minutes`) or `manual` (`directories.sync`, `setConnection`). */
  trigger: 'schedule' | 'manual';
  counts: DirectorySyncCounts;
  /** Why it failed, or what it skipped; null otherwise. */
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/**
 * What `getConnection` shows of the stored connection: its non-secret fields, per type. Google: `client_email`,
 * `admin_email`, `customer`; Workday: `report_url`, `username`, `columns`; BambooHR: `subdomain`. Empty until
 * one is set. Secrets (the key, the password, the API key) are never returned.
 */
export interface DirectoryConnectionSummary {
  client_email?: string;
  admin_email?: string;
  customer?: string;
  report_url?: string;
  username?: string;
  columns?: WorkdayColumns;
  subdomain?: string;
  [field: string]: unknown;
}

/** A pulled directory's connection to its source (never its secrets). */
export interface DirectoryConnection {
  object: 'directory_connection';
  directory_id: string;
  type: PulledDirectoryType;
  /** Whether credentials were set (`setConnection`). */
  configured: boolean;
  updated_at: string | null;
  summary: DirectoryConnectionSummary;
}

/** The columns a Workday report is read with; `columns` in the connection renames any of them. */
export const WORKDAY_COLUMNS = ['Employee_ID', 'Email', 'First_Name', 'Last_Name', 'Active', 'Job_Title', 'Department', 'Manager_Email', 'Groups'] as const;

export type WorkdayColumn = (typeof WORKDAY_COLUMNS)[number];

/** Default column name → the report's own column name. */
export type WorkdayColumns = Partial<Record<WorkdayColumn, string>>;

/**
 * A directory's mass-deprovision guard. While `tripped`, the directory's deactivations and deletions are held
 * (`held_changes`) instead of applied, until `releaseGuard` (applies them, in order, with their events) or
 * `discardGuard` (drops them). Also the data of `dsync.guard.tripped` and `dsync.guard.released`.
 */
export interface DeprovisionGuard {
  object: 'deprovision_guard';
  directory_id: string;
  state: 'armed' | 'tripped';
  /** Deactivations and deletions held back from the app. */
  held_changes: number;
  tripped_at: string | null;
  /** The effective settings, defaults filled in. */
  settings: Required<DeprovisionGuardSettings>;
  /** In `dsync.guard.released` after a release: how many held changes were applied. */
  released?: number;
  /** In `dsync.guard.released` after a discard: how many held changes were dropped. */
  discarded?: number;
}

export type WebhookEndpointStatus = 'enabled' | 'disabled';

export interface WebhookEndpoint {
  object: 'webhook_endpoint';
  id: string;
  endpoint_url: string;
  /** The secret's last four characters; null when the server cannot decrypt it (see `disabled_reason`). */
  secret_hint: string | null;
  /** Until when the secret before the last rotation still signs next to the current one. */
  previous_secret_expires_at: string | null;
  status: WebhookEndpointStatus;
  /** Why Guestlist disabled the endpoint itself: `gone` (it answered 410) or `secret_undecryptable`. */
  disabled_reason: string | null;
  events: string[];
  created_at: string;
  updated_at: string;
}

/** What create and rotate_secret return: the only answers that carry the `whsec_…` secret. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

export type WebhookDeliveryState = 'pending' | 'sending' | 'succeeded' | 'failed';

export interface WebhookDeliveryAttempt {
  attempted_at: string;
  /** The receiver's HTTP status; null when it never answered. */
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface WebhookDelivery {
  object: 'webhook_delivery';
  id: string;
  endpoint_id: string;
  event_id: string;
  directory_id: string | null;
  state: WebhookDeliveryState;
  attempt_count: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  attempts: WebhookDeliveryAttempt[];
  created_at: string;
}

/** What `deliveries.resend` answers (202): the delivery is queued again. */
export interface ResentDelivery {
  object: 'webhook_delivery';
  id: string;
  state: 'pending';
}
