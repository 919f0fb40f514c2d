/**
 * Scale-out on one PostgreSQL database (docs/scaling.md): the real, built command as an operator runs it,
 * `guestlist start --processes 4` and `guestlist worker --processes 2`, sharing nothing but the database. The IdP
 * simulator drives four directories at once through the shared port (four profiles, churn and deprovision),
 * while a consumer pages the Events API and a loopback receiver takes every webhook; one server process is
 * killed with SIGKILL mid-run. Then:
 * - every simulator report has zero differences and zero violations (a request that died with the process is
 *   retried; a create or delete that had landed is adopted, src/simulator/client.ts);
 * - the consumer saw the event log without a gap or a duplicate: exactly the events of a full read afterwards,
 *   in the same order;
 * - each (endpoint, directory) queue reached the receiver in event order (a delivery repeated after a lost
 *   answer only repeats the latest), every event arrived, and no queue ever had two deliveries in flight at
 *   once, though six processes deliver;
 * - the killed process was restarted by the primary, and SIGTERM stops both primaries and all their processes.
 * PostgreSQL only (GUESTLIST_TEST_DATABASE_URL): on SQLite `--processes` is refused (test/cli.test.ts shape,
 * checked here too).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, type Scenario, type SimulationReport } from '../../src/simulator/simulate.ts';
import type { IdpName } from '../../src/simulator/profiles.ts';
import { until } from '../support/eventually.ts';
import { TEST_DATABASE_URL } from '../support/harness.ts';
import { SERVER_API_KEY, call, serverEnv } from '../support/server-process.ts';

const BIN = path.resolve('bin/guestlist.js');
const SERVERS = 4;
const WORKERS = 2;
/** Each response to a webhook is held this long, so that two deliveries of one queue at once would overlap. */
const HOLD_MS = 4;
const DIRECTORIES: { type: string; idp: IdpName; scenario: Scenario; seed: number }[] = [
  { type: 'okta scim v2.0', idp: 'okta', scenario: 'churn', seed: 11 },
  { type: 'azure scim v2.0', idp: 'entra', scenario: 'deprovision', seed: 12 },
  { type: 'onelogin scim v2.0', idp: 'onelogin', scenario: 'churn', seed: 13 },
  { type: 'generic scim v2.0', idp: 'generic', scenario: 'deprovision', seed: 14 },
];
const EVENT_TYPES = [
  'dsync.activated',
  'dsync.user.created',
  'dsync.user.updated',
  'dsync.user.deleted',
  'dsync.group.created',
  'dsync.group.updated',
  'dsync.group.deleted',
  'dsync.group.user_added',
  'dsync.group.user_removed',
];

interface Primary {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnPrimary(args: string[], env: NodeJS.ProcessEnv): Primary {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** The processes the primary forked (Linux: /proc lists a process's children). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The directory an event belongs to: in its data, or the directory itself for directory events. */
function directoryOf(event: { event: string; data: { directory_id?: string; id?: string } }): string | undefined {
  return event.data.directory_id ?? (event.event === 'dsync.activated' || event.event === 'dsync.deleted' ? event.data.id : undefined);
}

/** Webhooks as they arrive, per directory, and any moment one queue had two deliveries in flight. */
function startReceiver() {
  const arrivals = new Map<string, string[]>();
  const inFlight = new Map<string, number>();
  const overlaps: string[] = [];
  let total = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const queue = directoryOf(event) ?? 'none';
      const now = (inFlight.get(queue) ?? 0) + 1;
      inFlight.set(queue, now);
      if (now > 1) overlaps.push(`${queue}: ${event.id} while another delivery of the queue was in flight`);
      arrivals.set(queue, [...(arrivals.get(queue) ?? []), event.id]);
      total++;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        inFlight.set(queue, inFlight.get(queue)! - 1);
      };
      res.on('close', finish);
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}', finish), HOLD_MS);
    });
  });
  return {
    server,
    arrivals,
    overlaps,
    total: () => total,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`))),
  };
}

interface EventObject {
  id: string;
  event: string;
  data: { directory_id?: string; id?: string };
}

/** Every event, oldest first, paged through the Events API. */
async function readAll(base: string): Promise<EventObject[]> {
  const all: EventObject[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await call(base, 'GET', `/events?limit=100${after ? `&after=${after}` : ''}`, SERVER_API_KEY);
    if (page.status !== 200) throw new Error(`GET /events answered ${page.status}`);
    all.push(...page.body.data);
    if (page.body.data.length === 0) return all;
    after = page.body.list_metadata.after;
  }
}

describe.skipIf(!TEST_DATABASE_URL)('four server and two worker processes on one PostgreSQL (PostgreSQL only: set GUESTLIST_TEST_DATABASE_URL)', () => {
  const schema = `t_cluster_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-cluster-'));
  let servers: Primary | undefined;
  let workers: Primary | undefined;
  let base = '';

  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('dist/cli.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    const port = await freePort();
    const env = serverEnv({ url: TEST_DATABASE_URL!, schema }, dataDir, { PORT: String(port), LOG_LEVEL: 'warn' });
    base = `http://127.0.0.1:${port}`;
    // The servers' primary migrates the new schema before forking; the workers' waits for it to exist.
    servers = spawnPrimary(['start', '--processes', String(SERVERS)], env);
    await until(async () => (await call(base, 'GET', '/health', '')).status === 200, 60_000, 'the servers to answer');
    workers = spawnPrimary(['worker', '--processes', String(WORKERS)], env);
    await until(() => childrenOf(servers!.child.pid!).length === SERVERS && childrenOf(workers!.child.pid!).length === WORKERS, 30_000, 'every process to be forked');
  }, 120_000);

  afterAll(async () => {
    for (const p of [servers, workers]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the simulator finds nothing wrong, the event log has no gap or duplicate, each queue is delivered in order by one process at a time, and a SIGKILL loses nothing', async () => {
    const receiver = startReceiver();
    const hook = await receiver.listen();
    try {
      const org = await call(base, 'POST', '/organizations', SERVER_API_KEY, { name: 'Scale', domains: ['scale.example.com'] });
      expect(org.status).toBe(201);
      const endpoint = await call(base, 'POST', '/webhook_endpoints', SERVER_API_KEY, { endpoint_url: hook, events: EVENT_TYPES });
      expect(endpoint.status).toBe(201);
      const directories = [];
      for (const d of DIRECTORIES) {
        const dir = await call(base, 'POST', '/directories', SERVER_API_KEY, { organization_id: org.body.id, type: d.type, name: `${d.idp} directory` });
        expect(dir.status).toBe(201);
        directories.push({ ...d, id: dir.body.id as string, token: dir.body.bearer_token as string });
      }

      // The consumer: pages with the last cursor it has, the way docs/events.md tells a host app to.
      const seen: EventObject[] = [];
      let consuming = true;
      let cursor: string | undefined;
      const consumer = (async () => {
        for (;;) {
          const page = await call(base, 'GET', `/events?limit=100${cursor ? `&after=${cursor}` : ''}`, SERVER_API_KEY);
          // A page whose process was just killed: ask again.
          if (page.status === 0 || page.status >= 500) continue;
          expect(page.status).toBe(200);
          seen.push(...page.body.data);
          cursor = page.body.list_metadata.after ?? cursor;
          if (page.body.data.length === 0) {
            if (!consuming) return;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      })();

      // One server process dies mid-run, once the simulators are well into their writes.
      let requests = 0;
      let killed: number | undefined;
      let killedAt = 0;
      const victim = childrenOf(servers!.child.pid!)[1]!;
      const onProgress = () => {
        if (++requests === 400 && killed === undefined) {
          killed = victim;
          killedAt = Date.now() - started;
          process.kill(victim, 'SIGKILL');
        }
      };
      const started = Date.now();
      const reports: SimulationReport[] = await Promise.all(
        directories.map((d) =>
          simulate({ idp: d.idp, scenario: d.scenario, seed: d.seed, users: 60, groups: 10, target: `${base}/scim/v2/${d.id}`, token: d.token, retryBaseMs: 50, onProgress }),
        ),
      );
      const simulated = Date.now() - started;
      expect(killed).toBeDefined();
      for (const report of reports) {
        expect({ idp: report.idp, differences: report.differences, violations: report.violations }).toEqual({ idp: report.idp, differences: [], violations: [] });
      }

      // The killed process is back (the primary restarted it).
      await until(() => childrenOf(servers!.child.pid!).length === SERVERS && !childrenOf(servers!.child.pid!).includes(killed!), 30_000, 'the killed process to be replaced');
      expect(servers!.output()).toContain('process died; restarting it');

      const all = await readAll(base);
      const byDirectory = new Map<string, string[]>();
      for (const e of all) {
        const dir = directoryOf(e);
        if (dir && EVENT_TYPES.includes(e.event)) byDirectory.set(dir, [...(byDirectory.get(dir) ?? []), e.id]);
      }
      const expected = [...byDirectory.values()].reduce((n, ids) => n + ids.length, 0);
      expect(expected).toBeGreaterThan(4 * 60);

      // Every webhook arrives: a queue whose delivery died with the process waits out its lease (60 s), then goes on.
      const delivered = () => [...byDirectory].every(([dir, ids]) => new Set(receiver.arrivals.get(dir) ?? []).size === ids.length);
      await until(delivered, 90_000, `every webhook (${expected} events)`);

      consuming = false;
      await consumer;

      // The event log: what the consumer paged through while everything ran is exactly the log, in order.
      const seenIds = seen.map((e) => e.id);
      expect(new Set(seenIds).size).toBe(seenIds.length);
      expect(seenIds).toEqual(all.map((e) => e.id));

      // Each queue: in event order (a repeat only of the delivery just made), everything, never two at once.
      expect(receiver.overlaps).toEqual([]);
      for (const [dir, ids] of byDirectory) {
        const position = new Map(ids.map((id, i) => [id, i]));
        const arrived = receiver.arrivals.get(dir)!;
        const outOfOrder: string[] = [];
        let last = -1;
        for (const id of arrived) {
          const at = position.get(id)!;
          if (at < last) outOfOrder.push(`${id} (#${at}) after #${last}`);
          last = Math.max(last, at);
        }
        expect(outOfOrder).toEqual([]);
        expect(new Set(arrived).size).toBe(ids.length);
      }

      const repeats = [...receiver.arrivals.values()].reduce((n, ids) => n + ids.length - new Set(ids).size, 0);
      const dropped = reports.reduce((n, r) => n + r.errors, 0);
      console.log(
        `cluster: ${reports.reduce((n, r) => n + r.requests, 0)} SCIM requests in ${(simulated / 1000).toFixed(1)} s through ${SERVERS} processes; ` +
          `${dropped} failed attempts (dropped with the killed process, retried), ${reports.reduce((n, r) => n + r.retries, 0)} retries; ` +
          `${all.length} events, consumer saw ${seen.length}; ${receiver.total()} webhooks (${repeats} repeated after a lost answer); ` +
          reports.map((r) => `${r.idp} ${r.requests} requests in ${r.seconds} s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`).join('; ') +
          `; killed at ${killedAt} ms`,
      );
    } finally {
      await new Promise((resolve) => receiver.server.close(resolve));
      receiver.server.closeAllConnections();
    }

    // SIGTERM to each primary: every process shuts down gracefully, then the primary exits 0.
    servers!.child.kill('SIGTERM');
    workers!.child.kill('SIGTERM');
    expect(await servers!.exited).toBe(0);
    expect(await workers!.exited).toBe(0);
  }, 240_000);
});

describe('--processes on SQLite', () => {
  it('is refused with a message naming PostgreSQL, and a non-zero exit', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-cluster-sqlite-'));
    try {
      const { GUESTLIST_DATABASE_URL: _db, ...rest } = process.env;
      const res = spawnSync(process.execPath, [BIN, 'start', '--processes', '2'], { encoding: 'utf8', env: { ...rest, GUESTLIST_DATA_DIR: dir, PORT: '0' }, timeout: 30_000 });
      expect(res.status).toBe(2);
      expect(res.stderr).toContain('--processes 2 needs PostgreSQL');
      const worker = spawnSync(process.execPath, [BIN, 'worker', '--processes=3'], { encoding: 'utf8', env: { ...rest, GUESTLIST_DATA_DIR: dir }, timeout: 30_000 });
      expect(worker.status).toBe(2);
      expect(worker.stderr).toContain('needs PostgreSQL');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
