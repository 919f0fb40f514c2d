/** The real `guestlist` command, as a newcomer runs it: start, health, SIGTERM, migrate, config errors. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from './support/eventually.ts';

const BIN = path.resolve('bin/guestlist.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-cli-'));
  dirs.push(dir);
  return dir;
}

function env(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { GUESTLIST_DATABASE_URL: _db, GUESTLIST_API_KEY: _key, ...rest } = process.env;
  return { ...rest, GUESTLIST_DATA_DIR: dataDir, GUESTLIST_DATABASE_URL: path.join(dataDir, 'g.db'), PORT: '0', HOST: '127.0.0.1', ...extra };
}

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts the server and resolves once it logs the address it listens on. */
function startServer(environment: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'start'], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /"url":"(http:\/\/[^"]+)","database"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stdout: () => out, exited });
      }
    });
    child.stderr!.on('data', (chunk) => (out += chunk));
    child.on('exit', () => reject(new Error(`server exited:\n${out}`)));
  });
}

describe('guestlist command', () => {
  it('prints help', () => {
    const res = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('Usage: guestlist <command>');
    expect(res.stdout).toContain('migrate');
  });

  it('rejects an unknown command', () => {
    const res = spawnSync(process.execPath, [BIN, 'frobnicate'], { encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('unknown command "frobnicate"');
  });

  it('stops on bad configuration, naming the variable', () => {
    const res = spawnSync(process.execPath, [BIN, 'start'], { encoding: 'utf8', env: env(tempDir(), { PORT: 'eighty' }) });
    expect(res.status).toBe(78);
    expect(res.stderr).toContain('PORT: expected an integer from 0 to 65535, got "eighty"');
  });

  it('migrates idempotently', () => {
    const dir = tempDir();
    const first = spawnSync(process.execPath, [BIN, 'migrate'], { encoding: 'utf8', env: env(dir) });
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('0001_initial');
    const second = spawnSync(process.execPath, [BIN, 'migrate'], { encoding: 'utf8', env: env(dir) });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('already up to date');
  });

  it('starts with no configuration, prints a generated API key once, and shuts down on SIGTERM', async () => {
    const dir = tempDir();
    const server = await startServer(env(dir));
    const health = await fetch(`${server.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });

    const key = /GUESTLIST_API_KEY=(sk_\S+)/.exec(server.stdout())?.[1];
    // 32 random bytes, base64url.
    expect(key).toMatch(/^sk_[\w-]{43}$/);
    // The key is printed once, outside the JSON log lines, and works.
    expect(server.stdout().split('\n').filter((l) => l.startsWith('{') && l.includes(key!))).toEqual([]);
    const orgs = await fetch(`${server.url}/organizations`, { headers: { authorization: `Bearer ${key}` } });
    expect(orgs.status).toBe(200);

    // A request in flight when SIGTERM arrives still completes: its body is only half sent at the signal.
    const body = JSON.stringify({ name: 'Acme' });
    const request = http.request(`${server.url}/organizations`, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': body.length },
    });
    const response = new Promise<number>((resolve, reject) => {
      request.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 5));
    // The signal goes once the server has the request (it logs it on receiving the headers, before the body)...
    await until(() => /"method":"POST","url":"\/organizations".*"msg":"incoming request"/.test(server.stdout()), 10_000, 'the POST to be received');
    server.child.kill('SIGTERM');
    // ...and the rest of the body once the server has begun to shut down (it logs that before closing).
    await until(() => server.stdout().includes('"msg":"shutting down"'), 10_000, 'the server to begin shutting down');
    request.end(body.slice(5));
    expect(await response).toBe(201);
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('shutting down');
    expect(fs.readFileSync(path.join(dir, 'secret.key'), 'utf8').trim().length).toBeGreaterThanOrEqual(32);

    const again = await startServer(env(dir));
    expect(again.stdout()).not.toContain('GUESTLIST_API_KEY=');
    const reuse = await fetch(`${again.url}/organizations`, { headers: { authorization: `Bearer ${key}` } });
    expect(reuse.status).toBe(200);
    expect((await reuse.json()).data).toHaveLength(1);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});
