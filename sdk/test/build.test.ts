/**
 * The published package: `scripts/build.mjs` (tsc, twice) into a temporary package folder, then plain Node
 * child processes that load it by name, once with `import` and once with `require`, and talk to a real server.
 * Also: the type declarations resolve for both, and nothing outside Node's built-ins is imported.
 *
 * @database-independent: what is checked is the built package; its round trip through the server is the one
 * sdk/test/resources.test.ts runs on both databases, so CI's PostgreSQL pass leaves this file to the SQLite pass.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_KEY } from '../../test/support/harness.ts';
import { VERSION } from '../src/index.ts';
import { startServer, type TestServer } from './support.ts';

const run = promisify(execFile);
const SDK = path.resolve(import.meta.dirname, '..');
const pkg: { version: string; dependencies?: object; exports: object } = JSON.parse(fs.readFileSync(path.join(SDK, 'package.json'), 'utf8'));

let tmp: string;
let server: TestServer;
let installed: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-sdk-build-'));
  // A consumer project with the package installed under node_modules, as npm would lay it out.
  installed = path.join(tmp, 'node_modules', '@guestlist', 'sdk');
  fs.mkdirSync(installed, { recursive: true });
  fs.copyFileSync(path.join(SDK, 'package.json'), path.join(installed, 'package.json'));
  await run(process.execPath, [path.join(SDK, 'scripts', 'build.mjs'), path.join(installed, 'dist')]);
  server = await startServer();
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** What each consumer prints: which file Node loaded, and a round trip through the built client. */
const checks = (load: string, resolve: string) => `
${load}
const key = ${JSON.stringify(TEST_API_KEY)};
const client = new sdk.Guestlist({ apiKey: key, baseUrl: process.env.BASE_URL });
const org = await client.organizations.create({ name: 'Built ' + process.argv[2] + ' a' });
await client.organizations.create({ name: 'Built ' + process.argv[2] + ' b' });
const names = [];
for await (const o of client.organizations.list({ limit: 1 })) names.push(o.name);
const missing = await client.organizations.get('org_missing').catch((e) => e);
const wrongKey = await new sdk.Guestlist({ apiKey: 'sk_wrong', baseUrl: process.env.BASE_URL }).organizations.list().catch((e) => e);
let refused;
try { sdk.verifyWebhook('{}', { 'webhook-id': 'x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' }, 'whsec_c2VjcmV0'); } catch (e) { refused = e; }
console.log(JSON.stringify({
  resolved: ${resolve},
  version: sdk.VERSION,
  org: org.object,
  names,
  notFound: missing instanceof sdk.NotFoundError && missing instanceof sdk.GuestlistError && missing.code,
  unauthorized: wrongKey instanceof sdk.AuthenticationError && wrongKey.status,
  verify: refused instanceof sdk.WebhookVerificationError && refused.code,
}));
`;

async function consumer(file: string, source: string): Promise<Record<string, unknown>> {
  fs.writeFileSync(path.join(tmp, file), source);
  const { stdout } = await run(process.execPath, [path.join(tmp, file), file], { cwd: tmp, env: { ...process.env, BASE_URL: server.baseUrl } });
  return JSON.parse(stdout);
}

describe('the built package', () => {
  it('has no runtime dependencies, and its version is VERSION', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.version).toBe(VERSION);
  });

  it('loads as ES modules with import', async () => {
    const out = await consumer('esm.mjs', checks("import * as sdk from '@guestlist/sdk';", "import.meta.resolve('@guestlist/sdk')"));
    expect(String(out.resolved)).toMatch(/\/dist\/esm\/index\.js$/);
    expect(out).toMatchObject({ version: VERSION, org: 'organization', notFound: 'entity_not_found', unauthorized: 401, verify: 'invalid_signature' });
    expect(out.names).toEqual(expect.arrayContaining(['Built esm.mjs a', 'Built esm.mjs b']));
  });

  it('loads as CommonJS with require', async () => {
    // Top-level await is not CommonJS: the checks run inside an async function.
    const source = `const sdk = require('@guestlist/sdk');\n(async () => {${checks('', "require.resolve('@guestlist/sdk')")}})().catch((e) => { console.error(e); process.exit(1); });`;
    const out = await consumer('cjs.cjs', source);
    expect(String(out.resolved)).toMatch(/\/dist\/cjs\/index\.js$/);
    expect(out.names).toEqual(expect.arrayContaining(['Built cjs.cjs a', 'Built cjs.cjs b']));
    expect(out).toMatchObject({ version: VERSION, org: 'organization', notFound: 'entity_not_found', unauthorized: 401, verify: 'invalid_signature' });
    expect(fs.readFileSync(path.join(installed, 'dist', 'cjs', 'index.js'), 'utf8')).toMatch(/^"use strict";[\s\S]*require\("\.\/client\.js"\)/);
  });

  it('imports nothing but its own files and Node built-ins', () => {
    const specifiers = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.js')) for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:from |require\()["']([^"']+)["']/g)) specifiers.add(m[1]!);
      }
    };
    walk(path.join(installed, 'dist'));
    expect([...specifiers].filter((s) => !s.startsWith('.') && !s.startsWith('node:'))).toEqual([]);
    expect(specifiers).toContain('node:crypto');
  });

  it('ships type declarations that resolve for import and require', async () => {
    fs.writeFileSync(path.join(tmp, 'types.mts'), "import { Guestlist, type Event } from '@guestlist/sdk';\nexport const n: Promise<number> = new Guestlist({ apiKey: 'k', baseUrl: 'u' }).events.list().then((p) => p.data.length);\nexport type E = Event['event'];\n");
    fs.writeFileSync(path.join(tmp, 'types.cts'), "import sdk = require('@guestlist/sdk');\nexport const n: Promise<number> = new sdk.Guestlist({ apiKey: 'k', baseUrl: 'u' }).organizations.list().then((p) => p.data.length);\n");
    const tsc = path.resolve(SDK, '..', 'node_modules', 'typescript', 'bin', 'tsc');
    const types = path.resolve(SDK, '..', 'node_modules', '@types');
    await run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--typeRoots', types, '--types', 'node', 'types.mts', 'types.cts'], { cwd: tmp });
  }, 120_000);
});
