/**
 * Everything the SDK throws is a GuestlistError. API answers carry the body's `code`, `message` and field
 * `errors` (`{message, code, errors?}`, docs/management-api.md); each status the API uses has its own class, so
 * `catch (e) { if (e instanceof NotFoundError) … }` reads naturally. Network failures and time-outs have no
 * status.
 */

export interface FieldError {
  /** The failing field or parameter: `name`, `domains.0`, `settings.inactive_users`, `limit`. */
  field: string;
  code: string;
  message?: string;
}

export interface ErrorDetails {
  message: string;
  code: string;
  status?: number | undefined;
  errors?: FieldError[] | undefined;
  /** The server's `x-request-id`, to find the request in its logs. */
  requestId?: string | undefined;
  /** How long the server asked the client to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

export class GuestlistError extends Error {
  override name = 'GuestlistError';
  readonly status: number | undefined;
  readonly code: string;
  readonly errors: FieldError[];
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(details: ErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.errors = details.errors ?? [];
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 400: `invalid_json` or `invalid_request` (a control character or lone surrogate in a parameter). */
export class BadRequestError extends GuestlistError {
  override name = 'BadRequestError';
}

/** 401 `unauthorized`: a missing or wrong API key. */
export class AuthenticationError extends GuestlistError {
  override name = 'AuthenticationError';
}

/** 403. */
export class PermissionDeniedError extends GuestlistError {
  override name = 'PermissionDeniedError';
}

/** 404: `entity_not_found` (no such object) or `not_found` (no such route). */
export class NotFoundError extends GuestlistError {
  override name = 'NotFoundError';
}

/**
 * 409: `token_limit_reached`, `secret_undecryptable`; `attribute_exists`, `role_exists`, `default_role`,
 * `attribute_limit_reached`, `role_limit_reached`; `guard_not_tripped`, `sync_running` (releasing or discarding
 * the deprovision guard).
 */
export class ConflictError extends GuestlistError {
  override name = 'ConflictError';
}

/** 422 `validation_error`: `errors[].field` names what is wrong; `not_pulled`: a pulled directory's route on a SCIM directory. */
export class UnprocessableEntityError extends GuestlistError {
  override name = 'UnprocessableEntityError';
}

/** 422 `cursor_expired`: the Events API cursor is unknown or past retention; restart with `range_start`. */
export class CursorExpiredError extends UnprocessableEntityError {
  override name = 'CursorExpiredError';
}

/** 429. `retryAfterMs` says when to come back. */
export class RateLimitError extends GuestlistError {
  override name = 'RateLimitError';
}

/** 5xx, such as 503 `service_unavailable` while the database is unreachable. */
export class ServerError extends GuestlistError {
  override name = 'ServerError';
}

/** The request never got an answer: DNS, a refused or reset connection. */
export class ConnectionError extends GuestlistError {
  override name = 'ConnectionError';
}

/** No answer within `timeoutMs`; or `waitForAttributeMapping` / `waitForSync` ran out of their `timeoutMs`. */
export class TimeoutError extends GuestlistError {
  override name = 'TimeoutError';
}

/** `webhooks.verify` refused a delivery; `code` says why. */
export class WebhookVerificationError extends GuestlistError {
  override name = 'WebhookVerificationError';
}

type ErrorClass = new (details: ErrorDetails) => GuestlistError;

const BY_STATUS: Record<number, ErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function errorClass(status: number, code: string): ErrorClass {
  if (status === 422 && code === 'cursor_expired') return CursorExpiredError;
  if (status >= 500) return ServerError;
  return BY_STATUS[status] ?? GuestlistError;
}

function isFieldError(value: unknown): value is FieldError {
  return typeof value === 'object' && value !== null && 'field' in value && typeof value.field === 'string' && 'code' in value && typeof value.code === 'string';
}

/** Reads `{message, code, errors}` from an error body; a body that is not ours (a proxy's page) still gives something. */
function readBody(status: number, body: unknown): Pick<ErrorDetails, 'message' | 'code' | 'errors'> {
  const fallback = { message: `HTTP ${status}`, code: `http_${status}` };
  if (typeof body !== 'object' || body === null) return typeof body === 'string' && body !== '' ? { ...fallback, message: `HTTP ${status}: ${body.slice(0, 200)}` } : fallback;
  const message = 'message' in body && typeof body.message === 'string' ? body.message : fallback.message;
  const code = 'code' in body && typeof body.code === 'string' ? body.code : fallback.code;
  const errors = 'errors' in body && Array.isArray(body.errors) ? body.errors.filter(isFieldError) : undefined;
  return { message, code, errors };
}

/** The error for an API answer with a 4xx or 5xx status. */
export function apiError(status: number, body: unknown, meta: { requestId?: string | undefined; retryAfterMs?: number | undefined } = {}): GuestlistError {
  const details = { ...readBody(status, body), status, ...meta };
  return new (errorClass(status, details.code))(details);
}
