/**
 * What every management route has in common, added to its schema as it is registered (an onRoute hook in
 * management/index.ts): the API key, and the error responses its shape can produce. A route's own schema
 * names the rest (its success, a 409) and wins over these.
 */
import type { RouteOptions } from 'fastify';
import { isObject } from '../../scim/json.ts';
import { ApiErrorObject } from '../objects.ts';
import { ref } from '../schema.ts';

export const SECURITY = [{ apiKey: [] }];

/** The shared error responses: `#/components/responses/<name>` in the document (see shareErrorResponses). */
export const ERRORS = {
  400: {
    name: 'BadRequest',
    description:
      'The body is not JSON (`invalid_json`); or a parameter, or a string or key in the body, holds a control character or a lone surrogate, or the body nests deeper than 64 (`invalid_request`).',
  },
  401: { name: 'Unauthorized', description: 'Missing or wrong API key, or an ended console session (`unauthorized`).' },
  403: {
    name: 'Forbidden',
    description: 'A change authenticated by the console session cookie without its `X-CSRF-Token`, or from another origin (`csrf_failed`).',
  },
  404: { name: 'NotFound', description: 'No object with this id (`entity_not_found`).' },
  413: { name: 'PayloadTooLarge', description: 'The body is larger than `GUESTLIST_MAX_BODY_BYTES` (`payload_too_large`).' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not `application/json` (`unsupported_media_type`).' },
  422: {
    name: 'ValidationError',
    description: 'A field or parameter is missing, of the wrong type or out of range (`validation_error`); `errors[].field` names it.',
  },
  500: { name: 'InternalError', description: 'An unexpected error (`internal_error`); the answer reveals nothing internal.' },
  503: { name: 'ServiceUnavailable', description: 'The database is unreachable (`service_unavailable`): retry after `Retry-After` seconds.' },
} as const;

type ErrorStatus = keyof typeof ERRORS;

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** The errors a route can answer, judged by its shape: path ids, a body, validated input. */
export function errorStatuses(route: Pick<RouteOptions, 'method' | 'url' | 'schema'>): ErrorStatus[] {
  const methods = [route.method].flat();
  const takesBody = methods.some((m) => WITH_BODY.has(m));
  const validates = route.schema?.querystring !== undefined || route.schema?.body !== undefined;
  return [
    400,
    401,
    ...(takesBody || methods.includes('DELETE') ? [403 as const] : []),
    ...(route.url.includes(':') ? [404 as const] : []),
    ...(takesBody ? [413 as const, 415 as const] : []),
    ...(validates ? [422 as const] : []),
    500,
    503,
  ];
}

export function documentManagementRoute(route: RouteOptions): void {
  const schema = route.schema ?? {};
  const errors = Object.fromEntries(errorStatuses(route).map((status) => [status, ref(ApiErrorObject, ERRORS[status].description)]));
  route.schema = {
    ...schema,
    security: SECURITY,
    response: { ...errors, ...(isObject(schema.response) ? schema.response : {}) },
  };
}
