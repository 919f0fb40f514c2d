/**
 * `npm run bench performance`: the whole-service table of issue "burst-proof and fast". This machine's ceiling
 * first (a bare node:http server, and the same with one SQLite insert per request), then Guestlist on
 * directories of growing size: reads, durable writes at several concurrencies, Events API pages, a 10,000-member
 * PATCH, and peak RSS. Every throughput is also given as a share of the ceiling. Reports; never asserts.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';
import { apiKeyVerifier } from '../src/http/management/index.ts';
import { hashSecret } from '../src/secrets.ts';
import type { KyselyStore } from '../src/store/kysely-store.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import { runEventsBench } from './events.ts';
import { profiled, type Shares } from './profile.ts';
import { fillFilter, seededId } from './seeded.ts';
import { load, seedUsers, type LoadResult } from './scim.ts';
import { costed, type RequestCost } from './thread-cpu.ts';
import { measureReadCeiling, type ReadCeiling } from './read-ceiling.ts';

const API_KEY = 'sk_bench_0123456789abcdefghijklmnop';
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const CONCURRENCIES = [1, 16, 64, 256];
/** Reads run at the issue's concurrency, as many sockets as the write phases' c=64. */
export const READ_CONNECTIONS = 64;

export interface Ceiling {
  bareHttp: LoadResult;
  httpSqliteInsert: LoadResult;
}

export interface PerformanceFigures {
  database: string;
  reads: Record<string, { users: number; result: LoadResult; dbMsPerRequest: number }[]>;
  writes: Record<string, Record<number, LoadResult>>;
  /** POST /Users at c=64 with group commit turned off (every write its own transaction), for the ratio. */
  postAlone64: LoadResult;
  /** POST /Users at c=64 spread over four directories: the lanes serve directories at once. */
  postFourDirectories64: LoadResult;
  groupCommit: { batches: number; writes: number; largestBatch: number };
  /** The same phases again under the CPU profiler: throughput (slowed by the profiler) and where time went. */
  profiles: Record<string, { perSecond: number; shares: Shares }>;
  eventsPage: { p50: number; p99: number };
  writeToWebhook: { p50: number; p99: number };
  members10k: { addSeconds: number; removeSeconds: number; rssGrowthMb: number };
  peakRssMb: number;
  /** The server thread's event-loop delay p99 (ms) during each c=64 write phase. */
  loopDelayP99Ms: Record<string, number>;
  /**
   * Per-request cost under load (Linux): the main thread's CPU, of it kernel time, and database time, for each
   * read at the largest size and each write at c=64. What one core can serve is 1,000 / cpuMs per second.
   */
  costs: Record<string, RequestCost>;
  /** node:http with one indexed lookup in this run's own database at the largest size, under the same load. */
  readCeiling: ReadCeiling;
}

const round = (x: number) => Math.round(x * 100) / 100;
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** The machine's ceiling for a small JSON POST: node:http alone, and with one durable SQLite insert. */
export async function measureCeiling(): Promise<Ceiling> {
  const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ceiling@bench.example.com', active: true });
  const answer = (res: http.ServerResponse) => res.writeHead(201, { 'content-type': 'application/scim+json' }).end('{"id":"x"}');
  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-ceiling-'));
  const db = new BetterSqlite3(path.join(dir, 'c.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table t (id integer primary key, body text not null)');
  const insert = db.prepare('insert into t (body) values (?)');
  const withInsert = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      insert.run(text);
      answer(res);
    });
  });
  try {
    const run = async (server: http.Server) => load({ kind: 'raw', base: await listen(server), path: '/', headers: { 'content-type': 'application/json' }, connections: 64, duration: DURATION, method: 'POST', body });
    return { bareHttp: await run(bare), httpSqliteInsert: await run(withInsert) };
  } finally {
    bare.close();
    withInsert.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPerformanceBench(database: 'sqlite' | 'postgres'): Promise<PerformanceFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-bench-'));
  const schema = `bench_${Date.now()}`;
  let dbMs = 0;
  const onQuery = (_sql: string, ms: number) => (dbMs += ms);
  const store: KyselyStore =
    database === 'postgres'
      ? new PostgresStore({ url: process.env.GUESTLIST_TEST_DATABASE_URL!, schema, poolSize: 10, onQuery })
      : new SqliteStore(path.join(dir, 'bench.db'), { onQuery });
  await store.migrate();
  // The limits are raised above the load, so these figures are of the work itself, not of refusals.
  const config = loadConfig({ GUESTLIST_API_KEY: API_KEY, PORT: '0', GUESTLIST_SCIM_MAX_IN_FLIGHT: '512', GUESTLIST_SCIM_MAX_IN_FLIGHT_PER_DIRECTORY: '512' });
  const app = await buildApp({ config, store, logger: pino({ level: 'silent' }), secretKey: 'bench-secret-key-0123456789abcdefghijklmnop', apiKeys: apiKeyVerifier([hashSecret(API_KEY)]) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const api = async (method: string, url: string, body?: unknown) =>
      (await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })).json();
    const org = await api('POST', '/organizations', { name: 'Bench' });
    const directory = await api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' });
    const headers = { authorization: `Bearer ${directory.bearer_token}`, 'content-type': 'application/scim+json' };
    const scim = `/scim/v2/${directory.id}`;
    const send = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${base}${scim}${url}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
    // A group of 1,000 seeded members, for the members[value eq] lookup.
    await seedUsers(store, directory.id, 0, 1000);
    await send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Lookup group', members: Array.from({ length: 1000 }, (_, j) => ({ value: seededId(j) })) });

    const reads: PerformanceFigures['reads'] = {};
    const costs: PerformanceFigures['costs'] = {};
    let seeded = 1000;
    for (const size of SIZES) {
      await seedUsers(store, directory.id, seeded, size);
      seeded = size;
      if (database === 'postgres') await (store as PostgresStore).pool.query('analyze');
      const lookups: Record<string, { path: string; filter?: string }> = {
        'get by id': { path: `${scim}/Users` },
        'userName eq': { path: `${scim}/Users`, filter: 'userName eq "user{i}@bench.example.com"' },
        'externalId eq': { path: `${scim}/Users`, filter: 'externalId eq "00u{i}"' },
        'emails[type eq "work"].value eq': { path: `${scim}/Users`, filter: 'emails[type eq "work"].value eq "user{i}@bench.example.com"' },
        // As Entra asks it: is this user a member? Without the member list in the answer.
        'members[value eq]': { path: `${scim}/Groups?excludedAttributes=members`, filter: 'members[value eq "{id}"]' },
      };
      // Untimed: the code's first runs (JIT) and the newly seeded pages (the WAL's checkpoint) are not what is measured.
      await load({ kind: 'get', base, path: `${scim}/Users`, headers, connections: READ_CONNECTIONS, duration: 2, range: size });
      await load({ kind: 'lookup', base, path: `${scim}/Users`, headers, connections: READ_CONNECTIONS, duration: 2, filter: lookups['userName eq']!.filter!, range: size });
      for (const [name, { path: p, filter }] of Object.entries(lookups)) {
        const range = name === 'members[value eq]' ? 1000 : size;
        const { result, cost } = await costed(
          () =>
            filter
              ? load({ kind: 'lookup', base, path: p, headers, connections: READ_CONNECTIONS, duration: DURATION, filter, range })
              : load({ kind: 'get', base, path: p, headers, connections: READ_CONNECTIONS, duration: DURATION, range }),
          () => dbMs,
        );
        if (cost && size === SIZES[SIZES.length - 1]) costs[`${name} at ${size.toLocaleString('en')} users`] = cost;
        // Database time: the same lookup, one at a time, with every query's duration summed.
        const before = dbMs;
        for (let k = 0; k < 200; k++) {
          const j = Math.floor(Math.random() * range);
          const rel = p.slice(scim.length);
          await send('GET', filter ? `${rel}${rel.includes('?') ? '&' : '?'}filter=${encodeURIComponent(fillFilter(filter, j))}` : `/Users/${seededId(j)}`);
        }
        (reads[name] ??= []).push({ users: size, result, dbMsPerRequest: round((dbMs - before) / 200) });
      }
    }

    const readCeiling = await measureReadCeiling(
      database === 'postgres' ? { pool: (store as PostgresStore).pool, schema } : { sqliteFile: (store as SqliteStore).file },
      directory.id,
      seeded,
      READ_CONNECTIONS,
      DURATION,
    );

    const writes: PerformanceFigures['writes'] = { POST: {}, PUT: {}, PATCH: {} };
    const loopDelayP99Ms: PerformanceFigures['loopDelayP99Ms'] = {};
    for (const c of CONCURRENCIES) {
      // The loop delay is the server thread's (autocannon runs in a worker thread), over the phase.
      const timed = async (method: string, phase: () => Promise<LoadResult>) => {
        const delay = monitorEventLoopDelay({ resolution: 5 });
        delay.enable();
        try {
          const { result, cost } = await costed(phase, () => dbMs);
          if (cost && c === 64) costs[`${method} /Users c=64`] = cost;
          return result;
        } finally {
          delay.disable();
          if (c === 64) loopDelayP99Ms[method] = round(delay.percentile(99) / 1e6);
        }
      };
      writes.POST![c] = await timed('POST', () => load({ kind: 'create', base, path: `${scim}/Users`, headers, connections: c, duration: DURATION, prefix: `c${c}-` }));
      writes.PUT![c] = await timed('PUT', () => load({ kind: 'put', base, path: `${scim}/Users`, headers, connections: c, duration: DURATION, range: seeded }));
      writes.PATCH![c] = await timed('PATCH', () => load({ kind: 'patch', base, path: `${scim}/Users`, headers, connections: c, duration: DURATION, range: seeded }));
    }

    const profiles: PerformanceFigures['profiles'] = {};
    const phases: Record<string, () => Promise<LoadResult>> = {
      'POST /Users c=64': () => load({ kind: 'create', base, path: `${scim}/Users`, headers, connections: 64, duration: DURATION, prefix: 'profile-' }),
      'PATCH /Users c=64': () => load({ kind: 'patch', base, path: `${scim}/Users`, headers, connections: 64, duration: DURATION, range: seeded }),
      'get by id c=64': () => load({ kind: 'get', base, path: `${scim}/Users`, headers, connections: READ_CONNECTIONS, duration: DURATION, range: seeded }),
      'userName eq c=64': () =>
        load({ kind: 'lookup', base, path: `${scim}/Users`, headers, connections: READ_CONNECTIONS, duration: DURATION, filter: 'userName eq "user{i}@bench.example.com"', range: seeded }),
    };
    for (const [name, phase] of Object.entries(phases)) {
      const { result, shares } = await profiled(phase);
      profiles[name] = { perSecond: result.perSecond, shares };
    }

    const batchedStats = { ...store.groupCommit.stats };
    const maxBatch = store.groupCommit.maxBatch;
    store.groupCommit.maxBatch = 1;
    const postAlone64 = await load({ kind: 'create', base, path: `${scim}/Users`, headers, connections: 64, duration: DURATION, prefix: 'alone-' });
    store.groupCommit.maxBatch = maxBatch;

    const others = [directory, ...(await Promise.all([1, 2, 3].map(() => api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' }))))];
    // One load generator (one worker, as in every other phase) rotating its creates over the four directories.
    const postFourDirectories64 = await load({
      kind: 'create',
      base,
      path: `${scim}/Users`,
      headers,
      connections: 64,
      duration: DURATION,
      prefix: 'spread-',
      spread: others.map((d) => ({ path: `/scim/v2/${d.id}/Users`, authorization: `Bearer ${d.bearer_token}` })),
    });

    const pages: number[] = [];
    let after = '';
    for (let k = 0; k < 200; k++) {
      const started = performance.now();
      const page = await api('GET', `/events?directory_id=${directory.id}&limit=100${after ? `&after=${after}` : ''}`);
      pages.push(performance.now() - started);
      after = page.list_metadata.after ?? after;
    }

    if (seeded < 11_000) await seedUsers(store, directory.id, seeded, 11_000);
    const members = Array.from({ length: 10_000 }, (_, j) => ({ value: seededId(j + 1000) }));
    const patchGroup = await send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Ten thousand' });
    const rssBefore = process.memoryUsage().rss;
    const timed = async (operations: unknown[]) => {
      const started = performance.now();
      const res = await send('PATCH', `/Groups/${patchGroup.json.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });
      if (res.status !== 204 && res.status !== 200) throw new Error(`10k PATCH answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`);
      return round((performance.now() - started) / 1000);
    };
    const addSeconds = await timed([{ op: 'add', path: 'members', value: members }]);
    const removeSeconds = await timed([{ op: 'remove', path: 'members', value: members }]);
    const rssGrowthMb = round((process.memoryUsage().rss - rssBefore) / 2 ** 20);

    const events = await runEventsBench(database, { latencyWrites: 200, directories: 4, perDirectory: 25 });
    return {
      database,
      reads,
      writes,
      postAlone64,
      postFourDirectories64,
      profiles,
      groupCommit: { batches: batchedStats.batches, writes: batchedStats.writes, largestBatch: batchedStats.largestBatch },
      eventsPage: { p50: percentile(pages, 50), p99: percentile(pages, 99) },
      writeToWebhook: { p50: events.firstAttempt.p50, p99: events.firstAttempt.p99 },
      members10k: { addSeconds, removeSeconds, rssGrowthMb },
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      loopDelayP99Ms,
      costs,
      readCeiling,
    };
  } finally {
    await app.close();
    if (database === 'postgres') await (store as PostgresStore).pool.query(`drop schema if exists ${schema} cascade`);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
