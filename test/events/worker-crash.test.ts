/**
 * A real `guestlist worker` process, killed with SIGKILL in the middle of deliveries while writes go on, then
 * restarted: every event is still delivered (at least once), and each directory's events first succeed in log
 * order. Runs against the suite's database (a SQLite file, or a PostgreSQL schema).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { until } from '../support/eventually.ts';
import { createDirectory, createTestApp, TEST_DATABASE_URL, type TestApp } from '../support/harness.ts';

const BIN = path.resolve('bin/guestlist.js');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnop';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

function workerEnv(): NodeJS.ProcessEnv {
  const { GUESTLIST_DATABASE_URL: _u, GUESTLIST_DATABASE_SCHEMA: _s, ...rest } = process.env;
  const database =
    t.store instanceof PostgresStore
      ? { GUESTLIST_DATABASE_URL: TEST_DATABASE_URL!, GUESTLIST_DATABASE_SCHEMA: t.store.options.schema! }
      : { GUESTLIST_DATABASE_URL: (t.store as SqliteStore).file };
  return { ...rest, ...database, GUESTLIST_SECRET_KEY: SECRET_KEY, GUESTLIST_API_KEY: 'sk_test_0123456789abcdefghijklmnop', LOG_LEVEL: 'info' };
}

/** Spawns `guestlist worker` and resolves once it says it runs. */
function startWorker(): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [BIN, 'worker'], { env: workerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      if (out.includes('guestlist worker running')) {
        clearTimeout(timer);
        resolve({ child, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => reject(new Error(`worker exited:\n${out}`)));
  });
}

it('a worker killed mid-delivery and restarted loses nothing and keeps per-directory order', async () => {
  const received: { eventId: string; directoryId: string; ok: boolean }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const event = JSON.parse(body);
      // Slow answers, so the kill lands while requests are in flight.
      setTimeout(() => {
        if (res.destroyed) return;
        received.push({ eventId: event.id, directoryId: event.data.directory_id, ok: true });
        res.writeHead(200).end();
      }, 40);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  try {
    await t.api('POST', '/webhook_endpoints', { endpoint_url: url, events: ['dsync.user.created'] });
    const dirs = [await createDirectory(t), await createDirectory(t)];
    const createUsers = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        for (const dir of dirs) await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: `crash${i}@acme.com` });
      }
    };
    await createUsers(0, 15);

    const first = await startWorker();
    await until(() => received.length >= 8, 30_000, 'the first worker to deliver 8 events');
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeRestart = received.length;
    expect(beforeRestart).toBeLessThan(30);

    // Writes go on while no worker runs.
    await createUsers(15, 25);
    // A delivery the dead worker held stays leased until its lease runs out (a minute); let that time pass.
    await t.store.db.updateTable('webhook_queues').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('locked_until', 'is not', null).execute();

    const second = await startWorker();
    try {
      const events = async (dirId: string) =>
        (await t.api('GET', `/events?directory_id=${dirId}&events=dsync.user.created&limit=100`)).json().data.map((e: { id: string }) => e.id) as string[];
      const all = (await Promise.all(dirs.map((d) => events(d.id)))).flat();
      expect(all).toHaveLength(50);
      await until(() => all.every((id) => received.some((r) => r.eventId === id)), 30_000, 'every event delivered');
      for (const dir of dirs) {
        const firstSuccess = [...new Set(received.filter((r) => r.directoryId === dir.id).map((r) => r.eventId))];
        expect(firstSuccess).toEqual(await events(dir.id));
      }
      // The last answers were received; their outcomes are recorded a moment later.
      await until(async () => (await t.store.db.selectFrom('webhook_deliveries').select('state').execute()).every((s) => s.state === 'succeeded'), 30_000, 'every delivery recorded as succeeded');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}, 90_000);
