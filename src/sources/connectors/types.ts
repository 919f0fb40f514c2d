/**
 * What a pull connector hands the sync framework: one full, normalized listing of the source. Connectors only read
 * the source; they never touch the store. The framework diffs the listing against what is held, and its guard
 * decides what an empty or much smaller listing means.
 */

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * One user as the source lists it, already in SCIM shape (stored as the user's resource):
 * schemas, userName, name{givenName,familyName,formatted}, emails[{value,type:'work',primary:true}], active, title,
 * externalId, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` {department, costCenter, employeeNumber,
 * organization, division, manager:{value: the manager's externalId}}, and source extras under a source URN such as
 * `urn:guestlist:source:google:1.0:User` {orgUnitPath, customSchemas, …}.
 */
export interface SourceUser {
  externalId: string;
  resource: Record<string, unknown>;
}

export interface SourceGroup {
  externalId: string;
  displayName: string;
  description?: string;
  /** externalIds of users in the same listing (direct members only). */
  memberExternalIds: string[];
}

export interface Listing {
  users: SourceUser[];
  groups: SourceGroup[];
}

/**
 * The source refused our credentials (revoked grant, bad key, 401/403 for authentication or authorization): the
 * directory becomes invalid_credentials; nothing is deleted.
 */
export class SourceAuthError extends Error {
  override name = 'SourceAuthError';
}

/** Transient: quotas, 5xx, network. The framework retries later, after retryAfterMs when the source said so. */
export class SourceUnavailableError extends Error {
  override name = 'SourceUnavailableError';
  retryAfterMs?: number;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The source answered something this connector cannot read as a listing (an unexpected status, a body that is not
 * the documented shape). Never read as an empty listing; the sync fails and nothing is changed.
 */
export class SourceResponseError extends Error {
  override name = 'SourceResponseError';
}

export interface Connector {
  list(signal?: AbortSignal): Promise<Listing>;
}

/** Options every connector takes for its HTTP. */
export interface HttpOptions {
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Default: a timer that the abort signal cancels. Tests pass one that records the delay and returns at once. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Attempts per request before SourceUnavailableError (default 5). */
  maxAttempts?: number;
  /** First backoff delay (default 1000 ms); doubles each attempt, full jitter, capped at maxDelayMs. */
  baseDelayMs?: number;
  /** Cap of one backoff delay (default 32 000 ms). */
  maxDelayMs?: number;
  /**
   * A Retry-After longer than this is not waited out inside the sync: SourceUnavailableError is thrown at once with
   * retryAfterMs, for the framework to reschedule (default 60 000 ms).
   */
  maxRetryAfterMs?: number;
}
