/**
 * The web front end (docs/portal.md, "Pages"): the single-page app's `index.html` for the console and portal
 * paths, and Vite's hashed files under `/assets/`. The files come from `dist/web/`, which `npm run build` makes;
 * a process started from sources without that build answers 503 with the command to run, not a crash.
 *
 * An asset is served only if its name is in the listing of `dist/web/assets/` read with `index.html`: a request
 * path is never joined onto a directory, so no spelling of `..` can reach another file.
 */
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** `dist/web/` of this package: `src/http/` and `dist/http/` are both two levels below the package root. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  // A setup link's token is in the portal's first URL: it must not leak through Referer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const ASSET_CACHE = 'public, max-age=31536000, immutable';
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};
/** Precompressed siblings that `npm run build` writes next to each text asset, best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;
/** Paths under the pages' prefixes that belong to API routes: they answer 404 JSON, never the app. */
const NOT_PAGES = ['/portal/api/', '/portal/link/', '/console/api/'];

const NOT_BUILT =
  'The Guestlist web console has not been built in this installation.\n\n' +
  'Run `npm run build` (or `npm install`, which builds) in the Guestlist folder, then reload this page.\n' +
  'The management API and the SCIM endpoints work without it.\n';

interface Build {
  /** mtime of index.html when read: a rebuild under a running server is picked up at the next request. */
  mtimeMs: number;
  html: Buffer;
  assets: Set<string>;
}

/** Reads `index.html` and the asset listing, again only when index.html changed; undefined when not built. */
function buildReader(root: string): () => Build | undefined {
  let current: Build | undefined;
  return () => {
    const index = join(root, 'index.html');
    let mtimeMs: number;
    try {
      mtimeMs = statSync(index).mtimeMs;
    } catch {
      return (current = undefined);
    }
    if (current?.mtimeMs === mtimeMs) return current;
    const assetsDir = join(root, 'assets');
    const assets = new Set(existsSync(assetsDir) ? readdirSync(assetsDir) : []);
    current = { mtimeMs, html: readFileSync(index), assets };
    return current;
  };
}

function isPage(url: string): boolean {
  const path = url.split('?')[0]!.toLowerCase();
  return !NOT_PAGES.some((prefix) => path.startsWith(prefix) || `${path}/` === prefix);
}

export function registerWeb(app: FastifyInstance, root: string = DEFAULT_WEB_ROOT): void {
  const read = buildReader(root);

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isPage(request.url)) return reply.callNotFound();
    const build = read();
    if (!build) return reply.status(503).headers({ 'cache-control': 'no-store' }).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply.headers(HTML_HEADERS).type('text/html; charset=utf-8').send(build.html);
  };
  for (const path of ['/', '/console', '/console/*', '/portal', '/portal/*']) app.get(path, { schema: { hide: true } }, page);

  app.get<{ Params: { '*': string } }>('/assets/*', { schema: { hide: true } }, async (request, reply) => {
    const name = request.params['*'];
    const build = read();
    if (!build || !ASSET_NAME.test(name) || !build.assets.has(name)) return reply.callNotFound();
    const type = TYPES[name.slice(name.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
    const accepted = String(request.headers['accept-encoding'] ?? '');
    const encoding = ENCODINGS.find((e) => build.assets.has(name + e.suffix) && new RegExp(`\\b${e.name}\\b`).test(accepted));
    const file = join(root, 'assets', encoding ? name + encoding.suffix : name);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return reply.callNotFound(); // removed by a rebuild since the listing was read
    }
    reply.headers({ 'cache-control': ASSET_CACHE, vary: 'accept-encoding', 'content-length': size }).type(type);
    if (encoding) reply.header('content-encoding', encoding.name);
    return reply.send(createReadStream(file));
  });
}
