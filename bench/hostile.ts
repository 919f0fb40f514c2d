/**
 * `npm run bench hostile`: how a well-behaved client fares on its own directory while another directory sends
 * hostile requests that stay within every documented limit. The server runs on this process's main thread as
 * `npm start` builds it (same config defaults, real sockets); the victim and the hostile clients run in worker
 * threads, so the server's event-loop delay (`monitorEventLoopDelay`, main thread only) is the server's own.
 *
 * Phases: the victim alone (baseline); the victim beside each hostile kind alone (to tell which kind costs
 * what); the victim beside all kinds at once. Not a test: figures are reported with the targets beside them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';
import { apiKeyVerifier } from '../src/http/management/index.ts';
import { hashSecret } from '../src/secrets.ts';
import type { KyselyStore } from '../src/store/kysely-store.ts';
import { openStore } from '../src/store/open.ts';
import type { PostgresStore } from '../src/store/postgres.ts';
import { HOSTILE_KINDS, type HostileJob, type HostileKind, type HostileResult, type VictimJob, type VictimResult } from './hostile-client.ts';
import { seedUsers } from './scim.ts';
import { seededId } from './seeded.ts';

const API_KEY = 'sk_bench_0123456789abcdefghijklmnop';
const USERS = Number(process.env.BENCH_HOSTILE_USERS ?? 10_000);
const RATE = Number(process.env.BENCH_HOSTILE_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const KIND_SECONDS = Number(process.env.BENCH_HOSTILE_KIND_SECONDS ?? 4);

export const HOSTILE_TARGETS = { victimP99Ms: 50, loopMaxMs: 100 };

export interface PhaseFigures {
  phase: string;
  seconds: number;
  victim: { sent: number; answered: number; errors: number; p50: number; p99: number; max: number };
  loop: { maxMs: number; p99Ms: number; meanMs: number };
  hostile: Record<string, { completed: number; statuses: Record<string, number>; meanMs: number; maxMs: number }>;
}

export interface HostileFigures {
  database: string;
  users: number;
  ratePerSecond: number;
  phases: PhaseFigures[];
}

function runWorker<T>(job: VictimJob | HostileJob): { worker: Worker; result: Promise<T> } {
  const worker = new Worker(new URL('./hostile-worker.mjs', import.meta.url), { workerData: job });
  const result = new Promise<T>((resolve, reject) => {
    worker.once('message', (r: T) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
  return { worker, result };
}

const round = (x: number) => Math.round(x * 10) / 10;
const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

export async function runHostileBench(database: 'sqlite' | 'postgres'): Promise<HostileFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-hostile-'));
  const schema = `bench_hostile_${Date.now()}`;
  const config = loadConfig({
    GUESTLIST_API_KEY: API_KEY,
    PORT: '0',
    ...(database === 'postgres'
      ? { GUESTLIST_DATABASE_URL: process.env.GUESTLIST_TEST_DATABASE_URL!, GUESTLIST_DATABASE_SCHEMA: schema }
      : { GUESTLIST_DATABASE_URL: path.join(dir, 'bench.db') }),
  });
  const store: KyselyStore = openStore(config.database, { groupCommitMaxBatch: config.groupCommitMaxBatch, groupCommitWaitMs: config.groupCommitWaitMs });
  await store.migrate();
  const app = await buildApp({ config, store, logger: pino({ level: 'silent' }), secretKey: 'bench-secret-key-0123456789abcdefghijklmnop', apiKeys: apiKeyVerifier([hashSecret(API_KEY)]) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const api = async (method: string, url: string, body: unknown) =>
      (await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    // Both directories in one organization: the worst case for any per-organization sharing.
    const org = await api('POST', '/organizations', { name: 'Hostile bench' });
    const victimDir = await api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' });
    const hostileDir = await api('POST', '/directories', { organization_id: org.id, type: 'azure scim v2.0' });
    await seedUsers(store, victimDir.id, 0, USERS);
    await seedUsers(store, hostileDir.id, USERS, 2 * USERS);
    await store.db.updateTable('directories').set({ users_active: USERS }).where('id', '=', hostileDir.id).execute();
    const groupRes = await fetch(`${base}/scim/v2/${hostileDir.id}/Groups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hostileDir.bearer_token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Hostile', members: [{ value: seededId(USERS) }] }),
    });
    const groupId = ((await groupRes.json()) as { id: string }).id;
    if (database === 'postgres') await (store as PostgresStore).pool.query('analyze');

    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const phase = async (name: string, kinds: HostileKind[], seconds: number): Promise<PhaseFigures> => {
      const hostile =
        kinds.length > 0
          ? runWorker<HostileResult>({ role: 'hostile', base, directoryId: hostileDir.id, token: hostileDir.bearer_token, kinds, from: USERS + 1, to: 2 * USERS, groupId })
          : undefined;
      // Let the hostile load start before the victim's clock does.
      if (hostile) await new Promise((r) => setTimeout(r, 500));
      loop.reset();
      const victim = runWorker<VictimResult>({ role: 'victim', base, directoryId: victimDir.id, token: victimDir.bearer_token, users: USERS, ratePerSecond: RATE, durationMs: seconds * 1000 });
      // The hostile load stops when the phase ends, not when the victim has been answered: a starved victim
      // must not prolong the load that starves it.
      const stopAt = setTimeout(() => hostile?.worker.postMessage('stop'), seconds * 1000);
      const v = await victim.result;
      const loopFigures = { maxMs: round(loop.max / 1e6), p99Ms: round(loop.percentile(99) / 1e6), meanMs: round(loop.mean / 1e6) };
      clearTimeout(stopAt);
      hostile?.worker.postMessage('stop');
      const h: HostileResult = hostile ? await hostile.result : { byKind: {} };
      const latencies = v.latencies.sort((a, b) => a - b);
      const figures: PhaseFigures = {
        phase: name,
        seconds,
        victim: { sent: v.sent, answered: v.answered, errors: v.errors, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? NaN) },
        loop: loopFigures,
        hostile: Object.fromEntries(
          Object.entries(h.byKind).map(([k, s]) => [k, { completed: s.completed, statuses: s.statuses, meanMs: round(s.totalMs / Math.max(1, s.completed)), maxMs: round(s.maxMs) }]),
        ),
      };
      process.stderr.write(`  ${database} ${name}: victim p50 ${figures.victim.p50} / p99 ${figures.victim.p99} ms, loop max ${figures.loop.maxMs} ms ${JSON.stringify(figures.hostile)}\n`);
      // Let what the hostile clients left in flight drain before the next phase.
      await new Promise((r) => setTimeout(r, 1000));
      return figures;
    };

    // Warm up the victim's paths (JIT, statement cache, pool) before anything is measured.
    await runWorker<VictimResult>({ role: 'victim', base, directoryId: victimDir.id, token: victimDir.bearer_token, users: USERS, ratePerSecond: RATE, durationMs: 2000 }).result;
    const phases: PhaseFigures[] = [];
    phases.push(await phase('baseline (victim alone)', [], KIND_SECONDS));
    for (const kind of Object.keys(HOSTILE_KINDS) as HostileKind[]) phases.push(await phase(kind, [kind], KIND_SECONDS));
    phases.push(await phase('all hostile kinds at once', Object.keys(HOSTILE_KINDS) as HostileKind[], SECONDS));
    loop.disable();
    return { database, users: USERS, ratePerSecond: RATE, phases };
  } finally {
    await app.close();
    if (database === 'postgres') await (store as PostgresStore).pool.query(`drop schema if exists ${schema} cascade`);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
