/**
 * PostgreSQL restarted under a running `guestlist start` process. While it is away, SCIM and management
 * requests get 503 with Retry-After (SCIM Error JSON; `{message, code}`), never a 500, and writes caught in
 * flight by the shutdown fail the same way instead of hanging. Once it is back, requests succeed with no
 * process restart, and every acknowledged write is there with exactly one event.
 *
 * Runs on a PostgreSQL cluster of its own (pg_createcluster, a free port, trust auth on localhost), dropped
 * afterwards whatever happens: only in the PostgreSQL run (GUESTLIST_TEST_DATABASE_URL), as root, where the
 * Debian cluster tools exist.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../support/harness.ts';
import {
  call,
  createDirectoryOver,
  SERVER_API_KEY,
  serverEnv,
  startServer,
  USER_SCHEMA,
  type Reply,
  type ServerProcess,
} from '../support/server-process.ts';
import { until } from '../support/eventually.ts';

const VERSION = '15';
const canRun =
  TEST_DATABASE_URL !== undefined &&
  process.getuid?.() === 0 &&
  spawnSync('sh', ['-c', 'command -v pg_createcluster && command -v pg_ctlcluster && command -v pg_dropcluster']).status === 0;

const cluster = `gl_restart_${process.pid}_${randomBytes(3).toString('hex')}`;
let created = false;
let port = 0;
let server: ServerProcess | undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-pg-restart-'));

/** A TCP port free right now (taken from the kernel, then released). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port: p } = probe.address() as net.AddressInfo;
  await new Promise((r) => probe.close(r));
  return p;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe', encoding: 'utf8' });
const asPostgres = (sql: string) => run('su', ['postgres', '-c', `psql -v ON_ERROR_STOP=1 -q -p ${port} -c "${sql}"`]);
/** Asynchronous, so that requests keep flowing while the cluster stops or starts. */
const ctl = (action: 'start' | 'stop') => promisify(execFile)('pg_ctlcluster', [VERSION, cluster, action, ...(action === 'stop' ? ['-m', 'fast'] : [])]);

beforeAll(async () => {
  if (!canRun) return;
  port = await freePort();
  // Trust on local connections (the cluster listens on localhost only, its default, and lives for this file).
  run('pg_createcluster', [VERSION, cluster, '-p', String(port), '-o', 'shared_buffers=16MB', '-o', 'max_connections=30', '-o', 'fsync=off', '--', '--auth-local=trust', '--auth-host=trust']);
  created = true;
  await ctl('start');
  await until(() => spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0, 30_000, 'the cluster to start');
  asPostgres('create role guestlist login');
  asPostgres('create database guestlist owner guestlist');
}, 120_000);

afterAll(async () => {
  if (server) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  if (created) spawnSync('pg_dropcluster', [VERSION, cluster, '--stop'], { stdio: 'ignore' });
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

it.runIf(canRun)('a server outlives a PostgreSQL restart: 503 + Retry-After while it is away, nothing acknowledged lost after', async () => {
  const url = `postgres://guestlist@127.0.0.1:${port}/guestlist`;
  server = await startServer(serverEnv({ url }, dataDir));
  const base = server.url;
  const dir = await createDirectoryOver(base);
  const scim = (method: string, p: string, body?: unknown) => call(base, method, `/scim/v2/${dir.id}${p}`, dir.bearer_token, body);
  const create = (name: string) => scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: `${name}@acme.com` });

  const acknowledged = new Map<string, string>(); // userName → SCIM id
  const record = (name: string, reply: Reply) => {
    if (reply.status === 201) acknowledged.set(`${name}@acme.com`, reply.body.id);
    return reply;
  };
  for (let i = 0; i < 10; i++) expect(record(`before${i}`, await create(`before${i}`)).status).toBe(201);

  // A burst in flight while the database shuts down: each write is acknowledged or refused with a 503.
  const burst = Array.from({ length: 40 }, (_, i) => create(`burst${i}`).then((r) => record(`burst${i}`, r)));
  await Promise.all([ctl('stop'), ...burst]);
  const outcomes = await Promise.all(burst);
  for (const r of outcomes) expect([201, 503]).toContain(r.status);

  // Away: every kind of request is 503 with Retry-After, in its API's error shape.
  const scimWrite = await create('while-down');
  const scimRead = await scim('GET', '/Users?filter=userName%20eq%20%22before0%40acme.com%22');
  for (const r of [scimWrite, scimRead]) {
    expect(r.status).toBe(503);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
  }
  for (const [method, p, body] of [
    ['GET', '/organizations', undefined],
    ['POST', '/organizations', { name: 'Late', domains: [] }],
    ['GET', `/directories/${dir.id}`, undefined],
  ] as const) {
    const r = await call(base, method, p, SERVER_API_KEY, body);
    expect([method, p, r.status]).toEqual([method, p, 503]);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r.body).toEqual({ message: expect.any(String), code: 'service_unavailable' });
  }
  expect((await call(base, 'GET', '/health', '')).status).toBe(503);

  // Back: the same process serves again, once the pool has new connections.
  await ctl('start');
  await until(async () => (await call(base, 'GET', '/health', '')).status === 200, 60_000, 'health after restart');
  await until(async () => record('after0', await create('after0')).status === 201, 30_000, 'a SCIM write after restart');
  for (let i = 1; i < 10; i++) expect(record(`after${i}`, await create(`after${i}`)).status).toBe(201);
  expect((await call(base, 'GET', '/organizations', SERVER_API_KEY)).status).toBe(200);
  expect(server.child.exitCode).toBeNull();
  expect(server.output()).not.toMatch(/"statusCode":500|"level":60/);

  // Every acknowledged write is there, with exactly one dsync.user.created event (and no event without a user).
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const users = (await client.query<{ id: string; user_name: string }>('select id, user_name from directory_users where directory_id = $1', [dir.id])).rows;
    const held = new Map(users.map((u) => [u.user_name, u.id]));
    for (const [userName, id] of acknowledged) expect([userName, held.get(userName)]).toEqual([userName, id]);
    const events = (await client.query<{ data: Record<string, unknown> }>(`select data from events where event = 'dsync.user.created' and directory_id = $1`, [dir.id])).rows;
    const perUser = new Map<string, number>();
    for (const { data } of events) {
      const id = String(data.id);
      perUser.set(id, (perUser.get(id) ?? 0) + 1);
    }
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);
    expect([...perUser.keys()].sort()).toEqual([...held.values()].sort());
  } finally {
    await client.end();
  }
}, 180_000);
