/**
 * The SCIM endpoint's HTTP scope: body parsing, bearer-token authentication per directory, admission control,
 * and SCIM Error JSON for every failure (RFC 7644 §3.12). The protocol routes register inside this scope.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestLog } from '../../portal/request-log.ts';
import { ScimError } from '../../scim/errors.ts';
import { checkScimBody } from '../../scim/text.ts';
import type { AppContext } from '../context.ts';
import { Admission, Overloaded } from './admission.ts';
import { authenticateHook } from './authenticate.ts';
import { SCIM_CONTENT_TYPE, sendScimError } from './reply.ts';
import { recordScimRequests } from './request-log.ts';
import { scimRoutes } from './routes.ts';

/**
 * Waits for an admission slot for the request's directory; a refusal becomes 429 with Retry-After. The slot is
 * released when the response closes: sent, failed, or its client gone (whenever that happens).
 */
function admit(admission: Admission, request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
  const held = (release: () => void) => {
    if (reply.raw.closed || reply.raw.destroyed) return release();
    reply.raw.once('close', release);
  };
  const id = request.scim!.directory.id;
  // A free slot is taken at once, without a promise (most requests, whenever the server is not overloaded).
  const now = admission.tryAcquire(id);
  if (now) {
    held(now);
    return done();
  }
  admission.acquire(id).then(
    (release) => {
      held(release);
      done();
    },
    (error) => done(overloaded(error) as Error),
  );
}

function overloaded(error: unknown): unknown {
  return error instanceof Overloaded ? Object.assign(new ScimError(429, undefined, error.message), { retryAfterSeconds: error.retryAfterSeconds }) : error;
}

/**
 * Bodies are JSON whatever their declared type: IdPs send application/scim+json, application/json, or (rarely)
 * text/plain or nothing at all. An empty body is no body, whatever its declared type: clients send DELETE (and
 * GET) with the SCIM content type and nothing after it. Every string and key in a body obeys the text rule, and
 * the body nests at most 64 deep (src/scim/text.ts). A refused body is kept on the request for the request log.
 */
function parseBodiesAsJson(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  const parser = (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    json(request, text, (err, parsed) => {
      if (err) {
        request.scimRejectedBody = { text };
        return done(err);
      }
      const problem = checkScimBody(parsed);
      if (problem) request.scimRejectedBody = { json: parsed };
      done(problem ?? null, parsed);
    });
  };
  app.removeContentTypeParser('application/json');
  for (const type of ['application/json', SCIM_CONTENT_TYPE, '*']) app.addContentTypeParser(type, { parseAs: 'string' }, parser);
}

/** Registered under `/scim/v2/:directoryId` (SCIM_PATH). */
export async function scimApi(app: FastifyInstance, ctx: AppContext & { admission?: Admission; requestLog?: RequestLog }): Promise<void> {
  parseBodiesAsJson(app);
  app.setErrorHandler(sendScimError);
  // First, so that every request is recorded, refused ones included.
  if (ctx.requestLog) recordScimRequests(app, ctx.requestLog);
  const admission = ctx.admission;
  if (admission) {
    // Hooks that do not wait take a callback: an async one costs a promise and a turn of the microtask queue.
    app.addHook('onRequest', (request, _reply, done) => {
      try {
        admission.precheck((request.params as { directoryId: string }).directoryId);
      } catch (error) {
        return done(overloaded(error) as Error);
      }
      done();
    });
  }
  // Strangers are refused before their body is read; the slot is taken only once the whole body has arrived
  // (preValidation runs after parsing), so a client that stalls mid-body holds a socket until
  // GUESTLIST_REQUEST_TIMEOUT_MS, never a slot that other directories wait for.
  app.addHook('onRequest', authenticateHook(ctx));
  if (admission) app.addHook('preValidation', (request, reply, done) => admit(admission, request, reply, done));

  scimRoutes(app, ctx);
  const unknown = async (request: FastifyRequest) => {
    throw new ScimError(404, undefined, `No SCIM endpoint at ${request.url.split('?')[0]}.`);
  };
  app.all('/', unknown);
  app.all('/*', unknown);
}
