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
] as const;

export type DirectoryType = (typeof DIRECTORY_TYPES)[number];

/** `linked` once the IdP has made its first authenticated request; `deleting` only in `dsync.deleted` events. */
export type DirectoryState = 'linked' | 'unlinked' | 'deleting';

export interface DirectorySettings {
  /** `retain` (the default) keeps deactivated users as `inactive`; `delete` deletes them on deactivation. */
  inactive_users?: 'retain' | 'delete';
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

/** What `directories.create` returns: the first SCIM bearer token, shown only here. */
export interface DirectoryWithToken extends Directory {
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
  /** WorkOS's auto-mapped names (`job_title`, `department_name`, `manager_email`, …), present when sent. */
  custom_attributes: Record<string, unknown>;
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
