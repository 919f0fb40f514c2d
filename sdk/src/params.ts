/**
 * Request parameters, snake_case as the API takes them. List parameters are type aliases (not interfaces) so
 * that they are plain records of query values.
 */
import type { EventType } from './event-types.js';
import type { DirectorySettings, DirectoryType, WebhookDeliveryState, WebhookEndpointStatus } from './objects.js';

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
/** `search` matches the name, case-insensitively and literally. */
export type ListDirectoriesParams = PageParams & { organization_id?: string; search?: string; domain?: string };

/** `directory` or `group` is required; `email` matches any of a user's emails, case-insensitively. */
export type ListDirectoryUsersParams = PageParams &
  ({ directory: string; group?: string } | { directory?: string; group: string }) & { email?: string; idp_id?: string };

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
