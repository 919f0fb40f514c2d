/**
 * `/docs`: the API reference, rendered by this process from its own OpenAPI document. Self-contained: no
 * script, no CDN, one same-origin stylesheet, and a CSP that allows nothing else. Like `/openapi.json`, it
 * needs no API key and is not an operation in the document.
 */
import type { FastifyInstance } from 'fastify';
import { isObject } from '../../scim/json.ts';
import { STYLESHEET_PATH, renderReference } from './page.ts';
import { STYLE } from './style.ts';

const HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** `document` is read at the first request, when every route is registered; the page is rendered once. */
export function registerDocs(app: FastifyInstance, document: () => unknown): void {
  let page: string | undefined;
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => {
    const doc = document();
    page ??= renderReference(isObject(doc) ? doc : {});
    return reply.headers(HEADERS).type('text/html; charset=utf-8').send(page);
  });
  app.get(STYLESHEET_PATH, { schema: { hide: true } }, async (_request, reply) => reply.headers(HEADERS).type('text/css; charset=utf-8').send(STYLE));
}
