/**
 * JSON request bodies outside the SCIM endpoint (which sets its own parser): an empty body is no body, even
 * with `Content-Type: application/json`.
 * WorkOS SDKs send `Content-Type: application/json` on every request, a body-less DELETE included (the Node
 * SDK without even a Content-Length), and Fastify's own parser refuses that with FST_ERR_CTP_EMPTY_JSON_BODY.
 * Anything else is parsed by Fastify's default parser, so malformed JSON and poisoned keys fail as before.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string | Buffer, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    json(request, text, done);
  });
}
