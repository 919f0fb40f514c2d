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
  scim_base_url: string;
  metadata?: { users: { active: number; inactive: number }; groups: number };
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
