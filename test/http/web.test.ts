/**
 * Serving the web front end (docs/portal.md, "Pages"): the SPA's index.html on the console and portal paths
 * with the security headers, hashed assets with immutable caching and no way out of their folder, a clear 503
 * when the front end was never built, and the API routes left as they were. Most tests run against a small
 * fake build in a temporary folder; one checks the real `dist/web/` that `npm run build` made.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from '../../src/http/web.ts';
import { createTestApp, type TestApp } from '../support/harness.ts';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("guestlist");'.repeat(100);

function fakeBuild(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-web-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), INDEX);
  fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js'), SCRIPT);
  fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js.gz'), gzipSync(SCRIPT));
  fs.writeFileSync(path.join(root, 'assets', 'index-def456.css'), 'body{color:#111}');
  // A file beside the build that no request may reach.
  fs.writeFileSync(path.join(root, 'secret.txt'), 'not for you');
  return root;
}

let root: string;
let t: TestApp;
beforeAll(async () => {
  root = fakeBuild();
  t = await createTestApp({}, {}, { webRoot: root });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

describe('pages', () => {
  it.each(['/', '/console', '/console/', '/console/organizations/org_1', '/portal', '/portal/', '/portal/setup/okta', '/portal/?error=link_invalid'])(
    '%s answers the app with the security headers',
    async (url) => {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('HEAD answers like GET, without a body', async () => {
    const res = await t.app.inject({ method: 'HEAD', url: '/portal/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toBe('');
  });

  it('leaves the portal and console API paths to their routes', async () => {
    // The portal's static and parametric routes win over the pages' wildcard.
    const session = await get('/portal/api/session');
    expect(session.statusCode).toBe(401);
    expect(session.json()).toMatchObject({ code: 'unauthorized' });
    const link = await get('/portal/link/abc');
    expect(link.statusCode).toBe(303);
    expect(link.headers.location).toBe('/portal/?error=link_invalid');
    for (const url of ['/portal/api/nope', '/portal/api', '/portal/link/', '/PORTAL/API/nope', '/console/api/nope']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: 'not_found' });
    }
  });

  it('leaves the management API as it was', async () => {
    const res = await get('/organizations');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ code: 'unauthorized' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('does not answer the app for other paths, or for other methods', async () => {
    expect((await get('/nope')).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/portal/' })).statusCode).toBe(404);
  });
});

describe('assets', () => {
  it('serves a hashed file with immutable caching and its type', async () => {
    const res = await get('/assets/index-abc123.js');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(SCRIPT);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect((await get('/assets/index-def456.css')).headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('sends the precompressed copy to a browser that accepts it', async () => {
    const res = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.rawPayload).toEqual(gzipSync(SCRIPT));
    // No .br copy of this file: brotli alone falls back to the plain file.
    expect((await get('/assets/index-abc123.js', { 'accept-encoding': 'br' })).headers['content-encoding']).toBeUndefined();
  });

  it('answers 404 for a missing asset', async () => {
    const res = await get('/assets/index-missing.js');
    expect(res.statusCode).toBe(404);
    expect(res.headers['cache-control']).toBeUndefined();
  });

  it.each([
    '/assets/../secret.txt',
    '/assets/..%2fsecret.txt',
    '/assets/%2e%2e/secret.txt',
    '/assets/%2e%2e%2fsecret.txt',
    '/assets/..%5csecret.txt',
    '/assets/../index.html',
    '/assets/..%2findex.html',
    '/assets/',
    '/assets/.',
    '/assets/sub/index-abc123.js',
    '/assets/index-abc123.js%00.txt',
    `/assets/${encodeURIComponent('/etc/passwd')}`,
  ])('never leaves the assets folder: %s', async (url) => {
    const res = await get(url);
    expect(res.body).not.toContain('not for you');
    expect(res.body).not.toContain('root:');
    expect(res.statusCode).toBe(404);
  });
});

describe('without a build', () => {
  let bare: TestApp;
  beforeAll(async () => {
    bare = await createTestApp({}, {}, { webRoot: path.join(os.tmpdir(), 'guestlist-no-such-build') });
  });
  afterAll(() => bare.close());

  it('answers the pages 503 with the command to run, and the API still works', async () => {
    for (const url of ['/', '/console/events', '/portal/']) {
      const res = await bare.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body).toContain('npm run build');
    }
    expect((await bare.app.inject({ method: 'GET', url: '/assets/index-abc123.js' })).statusCode).toBe(404);
    expect((await bare.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});

describe.skipIf(!fs.existsSync(path.join(DEFAULT_WEB_ROOT, 'index.html')))('the real build (dist/web)', () => {
  let real: TestApp;
  beforeAll(async () => {
    real = await createTestApp();
  });
  afterAll(() => real.close());

  it('serves index.html and every asset it references, from /assets only, with no inline script', async () => {
    const page = await real.app.inject({ method: 'GET', url: '/portal/' });
    expect(page.statusCode).toBe(200);
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(1);
    for (const ref of refs) {
      expect(ref).toMatch(/^\/assets\/[\w.-]+$/);
      const asset = await real.app.inject({ method: 'GET', url: ref });
      expect(asset.statusCode, ref).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    // script-src 'self': every <script> has a src, none has a body.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
