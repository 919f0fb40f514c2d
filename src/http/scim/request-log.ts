/**
 * Feeds the SCIM request log (src/portal/request-log.ts) from the SCIM scope's hooks: the error answered is
 * kept in onSend (status >= 400 only), and the entry is queued in onResponse, after the response has gone.
 * Every request to a directory that exists is recorded, 401s included (a wrong token is what an admin most needs
 * to see); requests to made-up directory ids never reach the buffer (authenticate.ts finds out on its 401 path),
 * and the writer still skips directories deleted meanwhile.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isId } from '../../ids.ts';
import type { ScimRequestCapture } from '../../portal/request-entry.ts';
import type { RequestLog } from '../../portal/request-log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** A body the SCIM parser refused: its text when it was not JSON, its value when it broke the text rule. */
    scimRejectedBody?: { json: unknown } | { text: string };
    /** The SCIM Error JSON answered (status >= 400), for the request log. */
    scimErrorPayload?: string;
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** POST `…/.search` only reads. */
const isWrite = (request: FastifyRequest) => WRITES.has(request.method) && !/\/\.search$/i.test(request.routeOptions.url ?? '');

function bodyOf(request: FastifyRequest): ScimRequestCapture['body'] {
  if (request.scimRejectedBody) return request.scimRejectedBody;
  return request.body === undefined ? undefined : { json: request.body };
}

function capture(request: FastifyRequest, reply: FastifyReply, directoryId: string): ScimRequestCapture {
  const userAgent = request.headers['user-agent'];
  return {
    directoryId,
    method: request.method,
    url: request.raw.url ?? request.url,
    status: reply.statusCode,
    durationMs: reply.elapsedTime,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
    receivedAt: Date.now() - reply.elapsedTime,
    body: bodyOf(request),
    errorPayload: request.scimErrorPayload,
    write: isWrite(request),
  };
}

export function recordScimRequests(app: FastifyInstance, log: RequestLog): void {
  // Callbacks, not async hooks: no promise and no microtask turn for each request. record() never throws.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400) {
      if (typeof payload === 'string') request.scimErrorPayload = payload;
      else if (Buffer.isBuffer(payload)) request.scimErrorPayload = payload.toString('utf8');
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const { directoryId } = request.params as { directoryId?: string };
    const known = request.scim !== undefined || request.scimDirectoryExists === true;
    if (known && isId(directoryId, 'directory')) log.record(capture(request, reply, directoryId!));
    done();
  });
}
