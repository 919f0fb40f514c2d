/**
 * docs/integrate.md, followed as written: a real `guestlist start`, an organization, a directory and a webhook
 * endpoint made over the management API, the sample receiver (examples/receiver.mjs) started with the secret,
 * and `guestlist simulate okta` as the IdP. The receiver must print the events the guide promises, in log order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_API_KEY, serverEnv, startServer, type ServerProcess } from './support/server-process.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import type { SqliteStore } from '../src/store/sqlite.ts';
import { TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from './support/harness.ts';
import { until } from './support/eventually.ts';

const EVENTS = [
  'dsync.activated', 'dsync.deleted', 'dsync.user.created', 'dsync.user.updated', 'dsync.user.deleted',
  'dsync.group.created', 'dsync.group.updated', 'dsync.group.deleted', 'dsync.group.user_added', 'dsync.group.user_removed',
];

describe('docs/integrate.md', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: ServerProcess;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-integrate-'));
    const connection = db.store instanceof PostgresStore ? { url: TEST_DATABASE_URL!, schema: db.store.options.schema! } : { url: (db.store as SqliteStore).file };
    // A fixed port, as in the guide, so that the scim_base_url the server hands out is the one it listens on.
    const port = await freePort();
    server = await startServer(serverEnv(connection, dataDir, { PORT: String(port), GUESTLIST_PUBLIC_URL: `http://127.0.0.1:${port}` }));
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    server?.child.kill('SIGTERM');
    await server?.exited;
    await db?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes a newcomer from nothing to dsync.user.created in the sample receiver', async () => {
    const api = async (url: string, body: unknown) => {
      const res = await fetch(server.url + url, { method: 'POST', headers: { authorization: `Bearer ${SERVER_API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as Record<string, any>;
      expect(res.status, JSON.stringify(json)).toBe(201);
      return json;
    };
    const org = await api('/organizations', { name: 'Acme', domains: ['acme.com'] });
    const directory = await api('/directories', { organization_id: org.id, type: 'okta scim v2.0' });
    const port = await freePort();
    const endpoint = await api('/webhook_endpoints', { endpoint_url: `http://127.0.0.1:${port}/webhooks`, events: EVENTS });

    let printed = '';
    const receiver = spawn(process.execPath, ['examples/receiver.mjs'], { env: { ...process.env, WEBHOOK_SECRET: endpoint.secret, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(receiver);
    receiver.stdout!.on('data', (chunk) => (printed += chunk));
    receiver.stderr!.on('data', (chunk) => (printed += chunk));
    await until(() => printed.includes('listening on'), 15_000, 'the receiver to listen');

    const simulate = spawn(process.execPath, ['bin/guestlist.js', 'simulate', 'okta', '--target', directory.scim_base_url, '--token', directory.bearer_token, '--users', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(simulate);
    let report = '';
    simulate.stdout!.on('data', (chunk) => (report += chunk));
    simulate.stderr!.on('data', (chunk) => (report += chunk));
    const code = await new Promise<number | null>((resolve) => simulate.once('exit', resolve));
    expect(code, report).toBe(0);

    // The simulator's Okta makes 5 users and puts them in groups: every one of them reaches the receiver.
    await until(() => (printed.match(/^dsync\.user\.created /gm) ?? []).length === 5, 60_000, `five dsync.user.created lines; the receiver printed:\n${printed}`).catch((error: unknown) => {
      throw new Error(`${String(error)}\nthe receiver printed:\n${printed}\nthe server logged:\n${server.output().slice(-3000)}`);
    });
    const lines = printed.split('\n').filter((l) => l.startsWith('dsync.'));
    expect(lines[0]).toMatch(/^dsync\.activated /);
    const firstMembership = lines.findIndex((l) => l.startsWith('dsync.group.user_added'));
    const lastUser = lines.map((l) => l.startsWith('dsync.user.created')).lastIndexOf(true);
    if (firstMembership >= 0) expect(firstMembership).toBeGreaterThan(lastUser);
    // One line per event: no event printed twice.
    const ids = lines.map((l) => /\((event_[0-9A-Z]+)\)$/.exec(l)?.[1]);
    expect(ids.every((id) => id !== undefined)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);

    // The receiver prints only what it verified: a forged delivery is refused.
    const forged = await fetch(`http://127.0.0.1:${port}/webhooks`, {
      method: 'POST',
      headers: { 'webhook-id': 'event_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` },
      body: JSON.stringify({ id: 'event_forged', event: 'dsync.user.created', data: {} }),
    });
    expect(forged.status).toBe(400);
  }, 120_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
