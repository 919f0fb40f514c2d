/**
 * The real `guestlist start` process killed with SIGKILL in the middle of a burst of concurrent SCIM creates,
 * then started again on the same database (the suite's: a SQLite file, or a PostgreSQL schema). Every write
 * that was acknowledged (2xx received) is there, with exactly one `dsync.user.created` event; no user has two;
 * the event sequence has no gap; and webhook deliveries resume: the endpoint receives every event.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/harness.ts';
import { call, createDirectoryOver, SERVER_API_KEY, serverEnv, startServer, USER_SCHEMA, type ServerProcess } from '../support/server-process.ts';
import { until } from '../support/eventually.ts';

let t: TestDatabase;
const servers: ServerProcess[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-crash-'));
const received = new Set<string>();
let receiver: http.Server;
let hookUrl = '';

beforeAll(async () => {
  t = await createTestDatabase();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.add(JSON.parse(body).id);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
});
afterAll(async () => {
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.exited));
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await t?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function database(): { url: string; schema?: string } {
  return t.store instanceof PostgresStore ? { url: TEST_DATABASE_URL!, schema: t.store.options.schema! } : { url: (t.store as SqliteStore).file };
}

async function start(): Promise<ServerProcess> {
  const server = await startServer(serverEnv(database(), dataDir));
  servers.push(server);
  return server;
}

it('a server killed mid-burst and restarted loses no acknowledged write, duplicates no event, and delivers every event', async () => {
  const first = await start();
  const dir = await createDirectoryOver(first.url);
  const hook = await call(first.url, 'POST', '/webhook_endpoints', SERVER_API_KEY, { endpoint_url: hookUrl, events: ['dsync.user.created'] });
  expect(hook.status).toBe(201);

  const acknowledged = new Map<string, string>(); // userName → SCIM id
  const outcomes: number[] = [];
  let killAt = Infinity;
  const create = async (base: string, userName: string) => {
    const r = await call(base, 'POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER_SCHEMA], userName });
    outcomes.push(r.status);
    if (r.status >= 200 && r.status < 300) acknowledged.set(userName, r.body.id);
    if (acknowledged.size >= killAt && first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
    return r;
  };

  // 300 concurrent creates; the process dies as the 40th is acknowledged, with the rest in flight or queued.
  killAt = 40;
  const burst = Array.from({ length: 300 }, (_, i) => create(first.url, `burst${i}@acme.com`));
  await first.exited;
  killAt = Infinity;
  await Promise.all(burst);
  const ackedBeforeKill = acknowledged.size;
  // Every request was answered with a 201 or lost with the connection; nothing else.
  expect(outcomes.every((s) => s === 201 || s === 0)).toBe(true);
  expect(ackedBeforeKill).toBeLessThan(300);

  // A delivery the dead process held stays leased until its lease runs out (a minute); let that time pass.
  await t.store.db.updateTable('webhook_queues').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('locked_until', 'is not', null).execute();

  const second = await start();
  // The restarted process serves writes at once, the lost ones (sent again) included.
  const again = await Promise.all(Array.from({ length: 300 }, (_, i) => `burst${i}@acme.com`).filter((u) => !acknowledged.has(u)).slice(0, 30).map((u) => create(second.url, u)));
  // A lost write may have committed before the kill: sent again, it is then a 409 (uniqueness), never a second user.
  for (const r of again) expect([201, 409]).toContain(r.status);

  // Every acknowledged write is there, as acknowledged.
  const users = await t.store.db.selectFrom('directory_users').select(['id', 'user_name']).where('directory_id', '=', dir.id).execute();
  const held = new Map(users.map((u) => [u.user_name, u.id]));
  expect(new Set(users.map((u) => u.user_name)).size).toBe(users.length);
  for (const [userName, id] of acknowledged) expect([userName, held.get(userName)]).toEqual([userName, id]);

  // Exactly one dsync.user.created per user, none for a user that is not there.
  const events = await t.store.db.selectFrom('events').select(['id', 'seq', 'data']).where('event', '=', 'dsync.user.created').where('directory_id', '=', dir.id).execute();
  const perUser = new Map<string, number>();
  for (const e of events) {
    const data = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as { id: string };
    perUser.set(data.id, (perUser.get(data.id) ?? 0) + 1);
  }
  expect([...perUser.values()].filter((n) => n !== 1)).toEqual([]);
  expect([...perUser.keys()].sort()).toEqual([...held.values()].sort());

  // The event sequence (every event of this database) has no gap and no repeat.
  const seqs = (await t.store.db.selectFrom('events').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));

  // Deliveries resume: every user.created event reaches the endpoint.
  await until(() => events.every((e) => received.has(e.id)), 60_000, 'every event delivered');
  expect(second.child.exitCode).toBeNull();
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
}, 180_000);
