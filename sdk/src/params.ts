/**
 * Request parameters, snake_case as the API takes them. List parameters are type aliases (not interfaces) so
 * that they are plain records of query values.
 */
import type { EventType } from './event-types.js';
import type {
  AttributeMappingEntry,
  CustomAttributeType,
  DirectorySettings,
  DirectoryType,
  RoleMappingEntry,
  WebhookDeliveryState,
  WebhookEndpointStatus,
  WorkdayColumns,
} from './objects.js';

/** Every list endpoint's paging: `limit` 1–100 (default 10), one of `before`/`after`, `order` (default `desc`). */
export type PageParams = {
  limit?: number;
  before?: string;
  after?: string;
  order?: 'asc' | 'desc';
};

export type CreateOrganizationParams = { name: string; domains?: string[] };
/** `domains` replaces the set; domains that stay keep their ids. */
export type UpdateOrganizationParams = { name?: string; domains?: string[] };
/** `domains`: organizations holding any of these domains. */
export type ListOrganizationsParams = PageParams & { domains?: string[] };

export type CreateDirectoryParams = { organization_id: string; type: DirectoryType; name?: string; domain?: string };
/** `settings` keys merge into the current ones. */
export type UpdateDirectoryParams = { name?: string; settings?: DirectorySettings };
/** Newest first unless `order: 'asc'`. */
export type ListDirectorySyncsParams = PageParams;
/** `search` matches the name, case-insensitively and literally. */
export type ListDirectoriesParams = PageParams & { organization_id?: string; search?: string; domain?: string };

/**
 * `directory` or `group` is required; `email` matches any of a user's emails, case-insensitively; `warnings: true`
 * lists only the users that lack a required custom attribute.
 */
export type ListDirectoryUsersParams = PageParams &
  ({ directory: string; group?: string } | { directory?: string; group: string }) & { email?: string; idp_id?: string; warnings?: boolean };

/** `directory` or `user` is required. */
export type ListDirectoryGroupsParams = PageParams & ({ directory: string; user?: string } | { directory?: string; user: string });

/** The Events API's filters (docs/events.md). Oldest first unless `order: 'desc'`. */
export type EventFilters = {
  events?: readonly EventType[];
  organization_id?: string;
  directory_id?: string;
  /** Inclusive start on `created_at`. */
  range_start?: string | Date;
};

export type ListEventsParams = EventFilters & {
  /** Exclusive end on `created_at`. */
  range_end?: string | Date;
  /** An event id: the events after it (before it when `order` is `desc`). */
  after?: string;
  limit?: number;
  order?: 'asc' | 'desc';
};

export type CreateWebhookEndpointParams = { endpoint_url: string; events: EventType[] };
export type UpdateWebhookEndpointParams = { endpoint_url?: string; events?: EventType[]; status?: WebhookEndpointStatus };
/** How long the old secret keeps signing next to the new one: 0 to 604,800 s, 86,400 by default. */
export type RotateSecretParams = { overlap_seconds?: number };
/** Newest first unless `order: 'asc'`. */
export type ListDeliveriesParams = PageParams & { state?: WebhookDeliveryState };

/** `name`: lowercase letters, digits and `_`, starting with a letter, at most 64 characters. */
export type CreateCustomAttributeParams = { name: string; type: CustomAttributeType; required?: boolean; description?: string | null };

/** The first role created is the default one; `default: true` moves the default to this role. */
export type CreateRoleParams = { slug: string; name: string; priority: number; default?: boolean };
/** A role keeps its slug. `default: true` moves the default here; it cannot be set to false (set another role instead). */
export type UpdateRoleParams = { name?: string; priority?: number; default?: boolean };

/** The explicit entries; attributes not listed take the directory type's default. Entries read back with `origin` are accepted. */
export type SetAttributeMappingParams = { mappings: AttributeMappingEntry[] };
/** Each group maps to at most one role; the set replaces the directory's current one. */
export type SetRoleMappingParams = { mappings: RoleMappingEntry[] };

/** A Google service account's JSON key file, as downloaded (`JSON.parse` of it); other fields are ignored. */
export type GoogleServiceAccountKey = { client_email: string; private_key: string; token_uri?: string; client_id?: string; [field: string]: unknown };

/** `gsuite directory`: a service account with domain-wide delegation, acting as `admin_email` (a super admin). */
export type GoogleConnectionParams = { service_account_key: GoogleServiceAccountKey; admin_email: string; customer?: string };
/**
 * `workday`: a custom report (RaaS) published as a web service, read as JSON with an integration system user's
 * Basic credentials; `columns` renames any of the default column names (`WORKDAY_COLUMNS`) to the report's own.
 */
export type WorkdayConnectionParams = { report_url: string; username: string; password: string; columns?: WorkdayColumns };
/** `bamboohr`: `subdomain` is the part before `.bamboohr.com`. */
export type BambooHrConnectionParams = { subdomain: string; api_key: string };

/** The credentials of a pulled directory's source, by its type; the server checks the one that fits the directory. */
export type SetConnectionParams = GoogleConnectionParams | WorkdayConnectionParams | BambooHrConnectionParams;
