/**
 * Management API errors: `{message, code, errors?}` (API.md §3). Route code throws ApiError; the error
 * handler also maps Fastify's own failures (bad JSON, schema validation, body too large) to this shape, and
 * anything unexpected to a 500 that reveals nothing internal.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MappingRejected } from '../directory/mapping-admin.ts';
import { SourceRejected } from '../sources/admin.ts';
import { StoreUnavailable, toStoreUnavailable } from '../store/errors.ts';

export interface FieldError {
  field: string;
  code: string;
  message?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): Record<string, unknown> {
    return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

export const notFound = (what: string, id: string) =>
  new ApiError(404, 'entity_not_found', `${what} not found: '${id}'.`);

export const invalid = (field: string, code: string, message: string) =>
  new ApiError(422, 'validation_error', message, [{ field, code, message }]);

/** Fastify's validation errors name the failing field by JSON pointer (`/name`) or by the message. */
function validationErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    const base = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
    const field = [error.validationContext === 'body' ? '' : error.validationContext, base, missing]
      .filter(Boolean)
      .join('.');
    return { field: field || String(error.validationContext ?? 'body'), code: missing ? 'required' : 'invalid', message: v.message ?? 'invalid' };
  });
}

/** Translates any error raised while handling a management request into the API's error shape. */
export function toApiError(error: FastifyError | ApiError | Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof MappingRejected || error instanceof SourceRejected) return new ApiError(error.status, error.code, error.message, error.errors);
  const fe = error as FastifyError;
  if (fe.validation) {
    const errors = validationErrors(fe);
    const first = errors[0];
    return new ApiError(422, 'validation_error', first ? `Invalid ${first.field}: ${first.message}` : 'Invalid request.', errors);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'Send the request body as application/json.');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError(fe.statusCode, 'bad_request', fe.message);
  }
  return new ApiError(500, 'internal_error', 'An internal error occurred.');
}

export function sendApiError(raw: Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = toStoreUnavailable(raw) as Error;
  // The database is unreachable: 503 with Retry-After, logged as a warning (the request itself was fine).
  if (error instanceof StoreUnavailable) {
    request.log.warn({ err: error }, 'database unavailable');
    reply.header('retry-after', String(error.retryAfterSeconds));
    return reply.status(503).type('application/json').send({ message: 'The service is temporarily unavailable; retry later.', code: 'service_unavailable' });
  }
  const apiError = toApiError(error);
  if (apiError.status >= 500) request.log.error({ err: error }, 'unhandled error');
  return reply.status(apiError.status).type('application/json').send(apiError.toJSON());
}
