/**
 * The SCIM endpoint's HTTP edge: content types, bearer-token authentication per directory, and SCIM Error JSON
 * for every failure (RFC 7644 §3.12). The protocol routes register inside this scope.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ScimError } from '../../scim/errors.ts';
import { hashSecret } from '../../secrets.ts';
import type { DirectoryRecord, TokenRecord } from '../../store/store.ts';
import { StoreUnavailable, toStoreUnavailable } from '../../store/errors.ts';
import type { AppContext } from '../management/context.ts';
import { bearerToken } from '../management/index.ts';
import { directoryObject } from '../management/objects.ts';
import { Admission, Overloaded } from './admission.ts';
import { scimRoutes } from './routes.ts';
import { checkScimBody } from '../../scim/text.ts';
import { isId } from '../../ids.ts';

declare module 'fastify' {
  interface FastifyRequest {
    scim?: { directory: DirectoryRecord; token: TokenRecord };
  }
}

export const SCIM_CONTENT_TYPE = 'application/scim+json';
/** last_used_at is a hint for humans; writing it at most once a minute keeps reads read-only. */
const TOUCH_INTERVAL_MS = 60_000;

/** Responds `application/scim+json` unless the client accepts only `application/json` (OneLogin). */
export function scimContentType(request: FastifyRequest): string {
  const accept = request.headers.accept ?? '';
  const wantsPlainJson = /application\/json/i.test(accept) && !/application\/scim\+json|\*\/\*|application\/\*/i.test(accept);
  return `${wantsPlainJson ? 'application/json' : SCIM_CONTENT_TYPE}; charset=utf-8`;
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
  return reply.status(scimError.status).type(scimContentType(request)).send(JSON.stringify(scimError.toJSON()));
}

async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<void> {
  const { directoryId } = request.params as { directoryId: string };
  const presented = bearerToken(request.headers.authorization);
  if (presented === undefined) throw new ScimError(401, undefined, 'Authorization: Bearer <token> is required.');
  // A directory id that cannot be ours (NUL: a PostgreSQL error) authenticates nothing, without a query.
  const found = isId(directoryId, 'directory') ? await ctx.store.authenticateDirectory(directoryId, hashSecret(presented)) : undefined;
  if (!found) throw new ScimError(401, undefined, 'The bearer token is not valid for this directory.');
  const { directory, token } = found;
  request.scim = { directory, token };
  const at = new Date();
  if (!token.last_used_at || at.getTime() - Date.parse(token.last_used_at) > TOUCH_INTERVAL_MS) {
    ctx.store.touchToken(token.id, at.toISOString()).catch((err) => request.log.warn({ err }, 'token touch failed'));
  }
  if (directory.state === 'unlinked' && (await ctx.store.markDirectoryLinked(directory.id, (dir) => directoryObject(dir, ctx.config.publicUrl)))) {
    directory.state = 'linked';
  }
}

/**
 * Waits for an admission slot for the request's directory; a refusal becomes 429 with Retry-After. The slot is
 * released when the response closes: sent, failed, or its client gone (whenever that happens).
 */
function admit(admission: Admission, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  return admission.acquire(request.scim!.directory.id).then(
    (release) => {
      if (reply.raw.closed || reply.raw.destroyed) return release();
      reply.raw.once('close', release);
    },
    (error) => {
      throw overloaded(error);
    },
  );
}

function overloaded(error: unknown): unknown {
  return error instanceof Overloaded ? Object.assign(new ScimError(429, undefined, error.message), { retryAfterSeconds: error.retryAfterSeconds }) : error;
}

/** Registered under `/scim/v2/:directoryId`. */
export async function scimApi(app: FastifyInstance, ctx: AppContext & { admission?: Admission }): Promise<void> {
  // Bodies are JSON whatever the declared type: IdPs send application/scim+json, application/json, or
  // (rarely) text/plain or nothing at all.
  // An empty body is no body, whatever its declared type: clients send DELETE (and GET) with the SCIM content
  // type and nothing after it.
  const json = app.getDefaultJsonParser('error', 'error');
  // Every string and key in a body obeys the text rule and the body nests at most 64 deep (src/scim/text.ts).
  const parser = (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) =>
    String(body).trim() === ''
      ? done(null, undefined)
      : json(request, String(body), (err, parsed) => (err ? done(err) : done(checkScimBody(parsed) ?? null, parsed)));
  app.removeContentTypeParser('application/json');
  for (const type of ['application/json', SCIM_CONTENT_TYPE, '*']) app.addContentTypeParser(type, { parseAs: 'string' }, parser);
  app.setErrorHandler(sendScimError);
  const admission = ctx.admission;
  if (admission) {
    app.addHook('onRequest', async (request) => {
      try {
        admission.precheck((request.params as { directoryId: string }).directoryId);
      } catch (error) {
        throw overloaded(error);
      }
    });
  }
  // Strangers are refused before their body is read; the slot is taken only once the whole body has arrived
  // (preValidation runs after parsing), so a client that stalls mid-body holds a socket until
  // GUESTLIST_REQUEST_TIMEOUT_MS, never a slot that other directories wait for.
  app.addHook('onRequest', (request) => authenticate(ctx, request));
  if (admission) app.addHook('preValidation', (request, reply) => admit(admission, request, reply));

  scimRoutes(app, ctx);
  const unknown = async (request: FastifyRequest) => {
    throw new ScimError(404, undefined, `No SCIM endpoint at ${request.url.split('?')[0]}.`);
  };
  app.all('/', unknown);
  app.all('/*', unknown);
}
