/**
 * The package a user installs: `npm pack` gives a tarball that installs into an empty folder and runs
 * `npx guestlist start` with plain Node, from the compiled JavaScript (no TypeScript loader, no sources).
 * It runs once, in the SQLite pass of the suite: nothing in it depends on the database the rest of the suite
 * is pointed at. Install scripts are skipped and better-sqlite3's native addon is copied from this checkout
 * (the same version, checked, and the same Node): compiling it again takes minutes of the suite's budget and
 * tests better-sqlite3's build, which `npm ci` of this checkout has just done.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const API_KEY = 'sk_test_packaged_0123456789abcdefghij';

describe.skipIf(process.env.GUESTLIST_TEST_DATABASE_URL)('npm pack', () => {
  let dir: string;
  let tarball: string;
  let files: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-pack-'));
    // npm test has just built dist/; --ignore-scripts packs that build instead of making another.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { maxBuffer: 16 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(dir, packed!.filename);
    files = packed!.files.map((f) => f.path);
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
    reuseNativeAddon(path.join(app, 'node_modules', 'better-sqlite3'));
  }, 600_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ships the compiled service and its docs, not the sources or the tests', () => {
    expect(files).toContain('bin/guestlist.js');
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('dist/store/migrations/index.js');
    expect(files).toContain('README.md');
    expect(files.filter((f) => /^(src|test|bench)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
  });

  it('installs without any TypeScript tooling', () => {
    const modules = path.join(dir, 'app', 'node_modules');
    for (const dev of ['tsx', 'typescript', 'vitest', 'esbuild']) expect(fs.existsSync(path.join(modules, dev)), dev).toBe(false);
  });

  it('starts with `npx guestlist start` on SQLite, migrates, and serves both APIs', async () => {
    const app = path.join(dir, 'app');
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.homedir(),
      GUESTLIST_DATA_DIR: path.join(app, 'data'),
      GUESTLIST_API_KEY: API_KEY,
      PORT: String(port),
      GUESTLIST_PUBLIC_URL: `http://127.0.0.1:${port}`,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
    // Its own process group: npx does not pass SIGTERM on to the server it runs, which would outlive the test.
    const child = spawn('npx', ['--no-install', 'guestlist', 'start'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    try {
      const url = await listening(child);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);

      const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
      const org = await post(`${url}/organizations`, headers, { name: 'Packaged Inc' });
      const directory = await post(`${url}/directories`, headers, { organization_id: org.id, name: 'Okta', type: 'okta scim v2.0' });
      expect(directory.scim_base_url).toBe(`${url}/scim/v2/${directory.id}`);

      const scimHeaders = { authorization: `Bearer ${directory.bearer_token}`, 'content-type': 'application/scim+json' };
      const user = await post(`${directory.scim_base_url}/Users`, scimHeaders, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'ada@packaged.example',
        name: { givenName: 'Ada', familyName: 'Lovelace' },
      });
      expect(user.userName).toBe('ada@packaged.example');
      const listed = await fetch(`${url}/directory_users?directory=${directory.id}`, { headers });
      expect(((await listed.json()) as { data: { id: string }[] }).data.map((u) => u.id)).toEqual([user.id]);
    } finally {
      const exited = child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // The group is gone already.
      }
      await exited;
      // The server (npx's child) stops with its group; wait until no process of the group is left.
      for (let i = 0; i < 100 && groupAlive(child.pid!); i++) await new Promise((r) => setTimeout(r, 100));
      expect(groupAlive(child.pid!)).toBe(false);
    }
  }, 120_000);
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function reuseNativeAddon(installed: string): void {
  const ours = path.resolve('node_modules', 'better-sqlite3');
  const version = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  expect(version(installed)).toBe(version(ours));
  const addon = path.join('build', 'Release', 'better_sqlite3.node');
  fs.mkdirSync(path.dirname(path.join(installed, addon)), { recursive: true });
  fs.copyFileSync(path.join(ours, addon), path.join(installed, addon));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Resolves with the URL the server logs once it listens; rejects with its output if it exits first. */
function listening(child: ReturnType<typeof spawn>): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 60 s:\n${out}`)), 60_000);
    const read = (chunk: Buffer) => {
      out += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<Record<string, any>> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, any>;
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json;
}
