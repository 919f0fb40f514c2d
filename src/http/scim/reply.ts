/**
 * What the SCIM endpoint sends: SCIM JSON in the content type the client accepts, and SCIM Error JSON for every
 * failure (RFC 7644 §3.12), whatever raised it.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ScimError } from '../../scim/errors.ts';
import { stringify } from '../../scim/raw-json.ts';
import type { ScimResource } from '../../scim/schema/types.ts';
import { StoreUnavailable, toStoreUnavailable } from '../../store/errors.ts';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** Responds `application/scim+json` unless the client accepts only `application/json` (OneLogin). */
export function scimContentType(request: FastifyRequest): string {
  const accept = request.headers.accept;
  // Most clients send no Accept or */*: no pattern to test.
  if (accept === undefined || accept === '*/*') return SCIM_TYPE_HEADER;
  const wantsPlainJson = /application\/json/i.test(accept) && !/application\/scim\+json|\*\/\*|application\/\*/i.test(accept);
  return wantsPlainJson ? JSON_TYPE_HEADER : SCIM_TYPE_HEADER;
}

const SCIM_TYPE_HEADER = `${SCIM_CONTENT_TYPE}; charset=utf-8`;
const JSON_TYPE_HEADER = 'application/json; charset=utf-8';

export function sendScim(request: FastifyRequest, reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).type(scimContentType(request)).send(stringify(body));
}

export function versionOf(resource: ScimResource): string | undefined {
  return (resource.meta as { version?: string } | undefined)?.version;
}

/**
 * Answers a single resource with its ETag (and Location when created). Both come from the whole resource:
 * the body sent may be a projection without `meta`.
 */
export function sendResource(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  whole: ScimResource,
  body: ScimResource = whole,
  etag?: string,
): FastifyReply {
  const tag = etag ?? versionOf(whole);
  if (tag) reply.header('etag', tag);
  if (status === 201) reply.header('location', (whole.meta as { location: string }).location);
  return sendScim(request, reply, status, body);
}

/**
 * Answers a Group whose members come a page at a time: `body` holds the first page, `more` the others. The JSON
 * is the same text JSON.stringify would make of the whole group, sent as it is made, so a group of 100,000
 * members is never one string (nor one array of objects) in memory.
 */
export function sendPagedResource(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: ScimResource,
  more: AsyncIterable<unknown[]>,
  etag: string | undefined,
): FastifyReply {
  if (etag) reply.header('etag', etag);
  const mark = `\u0000members-${randomUUID()}\u0000`;
  // Replacing the value keeps the key where it was.
  const [head, tail] = JSON.stringify({ ...body, members: mark }).split(JSON.stringify(mark)) as [string, string];
  const first = body.members as unknown[];
  async function* text(): AsyncGenerator<string> {
    yield `${head}[${first.map((m) => JSON.stringify(m)).join(',')}`;
    // A page may be empty (its users all held by the deprovision guard): a comma only between members.
    let written = first.length > 0;
    for await (const page of more) {
      if (page.length === 0) continue;
      yield `${written ? ',' : ''}${page.map((m) => JSON.stringify(m)).join(',')}`;
      written = true;
    }
    yield `]${tail}`;
  }
  return reply.status(status).type(scimContentType(request)).send(Readable.from(text(), { objectMode: false }));
}

export function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  const fe = error as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new ScimError(400, 'invalidSyntax', 'The request body is not valid JSON.');
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ScimError(413, undefined, 'The request body is too large.');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ScimError(415, undefined, 'Send the request body as application/scim+json or application/json.');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ScimError(fe.statusCode, undefined, fe.message ?? 'Bad request.');
  }
  // The database is unreachable (StoreUnavailable, which also carries the Retry-After): try again later.
  if (error instanceof StoreUnavailable) return new ScimError(503, undefined, 'The service is temporarily unavailable; retry later.');
  return new ScimError(500, undefined, 'An internal error occurred.');
}

export function sendScimError(raw: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = toStoreUnavailable(raw);
  const scimError = toScimError(error);
  // An unreachable database is not the request's fault nor a bug: a warning, not an error.
  if (error instanceof StoreUnavailable) request.log.warn({ err: error }, 'database unavailable');
  else if (scimError.status >= 500) request.log.error({ err: error }, 'unhandled error');
  if (scimError.status === 401) reply.header('www-authenticate', 'Bearer realm="Guestlist SCIM"');
  const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return sendScim(request, reply, scimError.status, scimError.toJSON());
}
