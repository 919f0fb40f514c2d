/**
 * `npm run bench events`: how soon a SCIM write shows in `GET /events` and reaches a webhook receiver, and how
 * many deliveries per second the dispatcher sends. The server, its dispatcher (as `npm start` runs it) and the
 * load share this process; the receiver runs in a worker thread. Not a test: it reports, it does not assert.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';
import { apiKeyVerifier } from '../src/http/management/index.ts';
import { startBackground } from '../src/main.ts';
import { hashSecret } from '../src/secrets.ts';
import type { KyselyStore } from '../src/store/kysely-store.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { Arrival } from './receiver.ts';

const API_KEY = 'sk_bench_0123456789abcdefghijklmnop';
const SECRET_KEY = 'bench-secret-key-0123456789abcdefghijklmnop';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const DEFAULTS = {
  latencyWrites: Number(process.env.BENCH_LATENCY_WRITES ?? 400),
  directories: Number(process.env.BENCH_DIRECTORIES ?? 50),
  perDirectory: Number(process.env.BENCH_EVENTS_PER_DIRECTORY ?? 200),
};

type Latency = { p50: number; p99: number; max: number };

export interface EventsFigures {
  database: string;
  writes: number;
  visible: Latency;
  firstAttempt: Latency;
  /** `batchSize`: outcomes recorded per transaction, on average, while the backlog drained. */
  backlog: { directories: number; events: number; seconds: number; perSecond: number; fanOutSeconds: number; batchSize: number };
  live: { events: number; perSecond: number };
}

const now = () => performance.timeOrigin + performance.now();
const round = (x: number) => Math.round(x * 100) / 100;

function latency(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { p50: round(at(50)), p99: round(at(99)), max: round(sorted[sorted.length - 1]!) };
}

/** The receiver worker: resolves with its URL and a live map of first arrival time per subject id. */
async function startReceiver() {
  const worker = new Worker(new URL('./receiver-worker.mjs', import.meta.url));
  const first = new Map<string, number>();
  let total = 0;
  const port = await new Promise<number>((resolve, reject) => {
    worker.on('message', (m: { port?: number; arrivals?: Arrival[] }) => {
      if (m.port) resolve(m.port);
      for (const a of m.arrivals ?? []) {
        total++;
        if (!first.has(a.subjectId)) first.set(a.subjectId, a.at);
      }
    });
    worker.once('error', reject);
  });
  return { url: `http://127.0.0.1:${port}/hooks`, first, total: () => total, stop: () => worker.terminate() };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('bench timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function runEventsBench(database: 'sqlite' | 'postgres', sizes: Partial<typeof DEFAULTS> = {}): Promise<EventsFigures> {
  const { latencyWrites: LATENCY_WRITES, directories: BACKLOG_DIRECTORIES, perDirectory: BACKLOG_PER_DIRECTORY } = { ...DEFAULTS, ...sizes };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-bench-'));
  const schema = `bench_${Date.now()}`;
  const store: KyselyStore =
    database === 'postgres'
      ? new PostgresStore({ url: process.env.GUESTLIST_TEST_DATABASE_URL!, schema, poolSize: 10 })
      : new SqliteStore(path.join(dir, 'bench.db'));
  await store.migrate();
  const config = loadConfig({ GUESTLIST_API_KEY: API_KEY, PORT: '0' });
  const logger = pino({ level: 'silent' });
  const app = await buildApp({ config, store, logger, secretKey: SECRET_KEY, apiKeys: apiKeyVerifier([hashSecret(API_KEY)]) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const receiver = await startReceiver();
  let background = await startBackground(store, config, SECRET_KEY, logger);
  try {
    const api = async (method: string, url: string, body?: unknown) =>
      (await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })).json();
    const org = await api('POST', '/organizations', { name: 'Bench' });
    const newDirectory = async () => {
      const d = await api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' });
      return { id: d.id as string, headers: { authorization: `Bearer ${d.bearer_token}`, 'content-type': 'application/scim+json' } };
    };
    await api('POST', '/webhook_endpoints', { endpoint_url: receiver.url, events: ['dsync.user.created'] });
    const createUser = async (d: { id: string; headers: Record<string, string> }, userName: string): Promise<string> => {
      const res = await fetch(`${base}/scim/v2/${d.id}/Users`, { method: 'POST', headers: d.headers, body: JSON.stringify({ schemas: [USER], userName, active: true }) });
      if (res.status !== 201) throw new Error(`create answered ${res.status}`);
      return ((await res.json()) as { id: string }).id;
    };

    // 1. Latency, one write at a time, with a reader paging /events back to back.
    const directory = await newDirectory();
    const sent = new Map<string, number>();
    const seen = new Map<string, number>();
    let reading = true;
    const reader = (async () => {
      let after = '';
      while (reading) {
        const page = await api('GET', `/events?directory_id=${directory.id}&events=dsync.user.created&limit=100${after ? `&after=${after}` : ''}`);
        const at = now();
        for (const e of page.data as { data: { id: string } }[]) if (!seen.has(e.data.id)) seen.set(e.data.id, at);
        after = page.list_metadata.after ?? after;
      }
    })();
    for (let i = 0; i < LATENCY_WRITES; i++) {
      const start = now();
      const id = await createUser(directory, `latency${i}@bench.example.com`);
      sent.set(id, start);
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => [...sent.keys()].every((id) => seen.has(id) && receiver.first.has(id)));
    reading = false;
    await reader;
    const visible = latency([...sent].map(([id, t]) => seen.get(id)! - t));
    const firstAttempt = latency([...sent].map(([id, t]) => receiver.first.get(id)! - t));

    // 2. Throughput: a backlog written while no dispatcher runs, then drained.
    await background.stop();
    const directories = await Promise.all(Array.from({ length: BACKLOG_DIRECTORIES }, newDirectory));
    const backlogIds: string[] = [];
    await Promise.all(
      directories.map(async (d, n) => {
        for (let i = 0; i < BACKLOG_PER_DIRECTORY; i++) backlogIds.push(await createUser(d, `backlog${n}-${i}@bench.example.com`));
      }),
    );
    const drainStart = now();
    background = await startBackground(store, config, SECRET_KEY, logger);
    let fanOutSeconds = 0;
    await until(async () => {
      if (!fanOutSeconds && (await store.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n >= LATENCY_WRITES + backlogIds.length) fanOutSeconds = (now() - drainStart) / 1000;
      return backlogIds.every((id) => receiver.first.has(id));
    });
    const seconds = (now() - drainStart) / 1000;
    const { batches, outcomes } = background.dispatcher.stats;

    // 3. Live: writers and the dispatcher at once, as in production.
    const liveStart = now();
    const liveIds: string[] = [];
    await Promise.all(
      directories.slice(0, 16).map(async (d, n) => {
        for (let i = 0; i < 100; i++) liveIds.push(await createUser(d, `live${n}-${i}@bench.example.com`));
      }),
    );
    await until(() => liveIds.every((id) => receiver.first.has(id)));
    const liveSeconds = (now() - liveStart) / 1000;

    return {
      database,
      writes: LATENCY_WRITES,
      visible,
      firstAttempt,
      backlog: { directories: BACKLOG_DIRECTORIES, events: backlogIds.length, seconds: round(seconds), perSecond: Math.round(backlogIds.length / seconds), fanOutSeconds: round(fanOutSeconds), batchSize: round(outcomes / Math.max(1, batches)) },
      live: { events: liveIds.length, perSecond: Math.round(liveIds.length / liveSeconds) },
    };
  } finally {
    await app.close();
    await background.stop();
    await receiver.stop();
    if (database === 'postgres') await (store as PostgresStore).pool.query(`drop schema if exists ${schema} cascade`);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
