/**
 * `npm run bench memory`: how much memory the server needs for the largest group operations. The directory
 * (BENCH_MEMORY_USERS users, 150,000 by default, and a group of BENCH_MEMORY_GROUP members, 100,000) is seeded
 * by direct inserts in this process; then the server runs alone in a child process (bench/memory-server.ts)
 * whose RSS is sampled every 2 ms by a thread of its own. Each operation is measured from a baseline taken
 * after a full GC: its peak RSS growth over that baseline. Reports; never asserts (thresholds are in the
 * table, beside the figures). BENCH_MEMORY_NODE_OPTIONS passes flags to the server process (e.g. --trace-gc, whose
 * lines are then headed by the operation they belong to).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';
import { apiKeyVerifier } from '../src/http/management/index.ts';
import { hashSecret } from '../src/secrets.ts';
import type { KyselyStore } from '../src/store/kysely-store.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { MemoryReply, MemoryRequest } from './memory-server.ts';
import { seedUsers } from './scim.ts';
import { seededId } from './seeded.ts';

const API_KEY = 'sk_bench_0123456789abcdefghijklmnop';
const SECRET_KEY = 'bench-secret-key-0123456789abcdefghijklmnop';
const USERS = Number(process.env.BENCH_MEMORY_USERS ?? 150_000);
const GROUP = Number(process.env.BENCH_MEMORY_GROUP ?? 100_000);
const PATCH_MEMBERS = 10_000;
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Peak RSS growth allowed per operation, in MB (issue 18). */
export const MEMORY_TARGETS = { patch10k: 20, largeGroup: 50 };

export interface MemoryOperation {
  name: string;
  /** Peak RSS over the baseline taken just before, MB. */
  peakGrowthMb: number;
  /** RSS after the operation and a full GC, over the baseline, MB. */
  retainedMb: number;
  seconds: number;
  /** What the operation did (members returned, events written…), checked against what it should have. */
  check: string;
  targetMb: number;
}

export interface MemoryFigures {
  database: string;
  users: number;
  groupMembers: number;
  baselineRssMb: number;
  operations: MemoryOperation[];
  /** The server process's peak RSS over its whole life (process.resourceUsage().maxRSS). */
  serverPeakRssMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function seed(database: 'sqlite' | 'postgres', store: KyselyStore): Promise<{ directoryId: string; token: string; bigGroup: string }> {
  const config = loadConfig({ GUESTLIST_API_KEY: API_KEY, PORT: '0' });
  const app = await buildApp({ config, store, logger: pino({ level: 'silent' }), secretKey: SECRET_KEY, apiKeys: apiKeyVerifier([hashSecret(API_KEY)]) });
  try {
    const api = async (method: string, url: string, body?: unknown, token = API_KEY) => {
      const res = await app.inject({ method: method as 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { payload: JSON.stringify(body) } : {}) });
      return res.json();
    };
    const org = await api('POST', '/organizations', { name: `Memory ${database}` });
    const directory = await api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' });
    await seedUsers(store, directory.id, 0, USERS);
    const group = await api('POST', `/scim/v2/${directory.id}/Groups`, { schemas: [GROUP_SCHEMA], displayName: 'Everyone' }, directory.bearer_token);
    const at = new Date().toISOString();
    for (let start = 0; start < GROUP; start += 1000) {
      const rows = [];
      for (let j = start; j < Math.min(GROUP, start + 1000); j++) rows.push({ group_id: group.id, user_id: seededId(j), directory_id: directory.id, created_at: at });
      await store.db.insertInto('directory_group_members').values(rows).execute();
    }
    return { directoryId: directory.id, token: directory.bearer_token, bigGroup: group.id };
  } finally {
    await app.close();
  }
}

class Server {
  private waiting: ((reply: MemoryReply) => void) | undefined;
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: MemoryReply) => this.waiting?.(m));
  }

  static async start(env: NodeJS.ProcessEnv): Promise<Server> {
    const child = fork(path.join(import.meta.dirname, 'memory-server.ts'), [], { env, execArgv: ['--expose-gc', ...(process.env.BENCH_MEMORY_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m: { ready: string }) => resolve(m.ready));
      child.once('exit', (code) => reject(new Error(`the memory bench server exited (${code})`)));
    });
    return new Server(child, url);
  }

  ask(request: MemoryRequest): Promise<MemoryReply> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.child.send(request);
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ cmd: 'exit' } satisfies MemoryRequest);
    await exited;
  }
}

export async function runMemoryBench(database: 'sqlite' | 'postgres'): Promise<MemoryFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-memory-'));
  const schema = `bench_memory_${Date.now()}`;
  const file = path.join(dir, 'bench.db');
  const open = (): KyselyStore =>
    database === 'postgres' ? new PostgresStore({ url: process.env.GUESTLIST_TEST_DATABASE_URL!, schema, poolSize: 4 }) : new SqliteStore(file);
  const seeding = open();
  await seeding.migrate();
  const { directoryId, token, bigGroup } = await seed(database, seeding);
  await seeding.close();

  const server = await Server.start({
    ...process.env,
    BENCH_DATABASE: database,
    BENCH_SCHEMA: schema,
    BENCH_SQLITE_FILE: file,
    BENCH_API_KEY: API_KEY,
    BENCH_SECRET_KEY: SECRET_KEY,
  });
  const scim = `${server.url}/scim/v2/${directoryId}`;
  const send = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${scim}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const countEvents = async () => {
    const store = open();
    try {
      const rows = await store.db.selectFrom('events').select(['event', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('event').execute();
      return Object.fromEntries(rows.map((r) => [r.event, Number(r.n)]));
    } finally {
      await store.close();
    }
  };

  const operations: MemoryOperation[] = [];
  const measure = async (name: string, targetMb: number, op: () => Promise<string>) => {
    if (process.env.BENCH_MEMORY_NODE_OPTIONS) console.log(`--- ${name}`);
    const base = await server.ask({ cmd: 'mark' });
    const started = performance.now();
    const check = await op();
    const seconds = Math.round((performance.now() - started) / 10) / 100;
    const after = await server.ask({ cmd: 'measure' });
    operations.push({ name, peakGrowthMb: mb(after.peak - base.rss), retainedMb: mb(after.rss - base.rss), seconds, check, targetMb });
  };
  const baseline = await server.ask({ cmd: 'mark' });
  try {
    // Warm-up: every code path once on a small group, so the baseline holds compiled code, not the operation.
    const small = (await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Warm-up', members: [{ value: seededId(0) }] })).json;
    await send('PATCH', `/Groups/${small.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'add', path: 'members', value: [{ value: seededId(1) }] }] });
    await send('PUT', `/Groups/${small.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Warm-up', members: [{ value: seededId(2) }] });
    await send('GET', `/Groups/${small.id}`);
    // And ordinary reads, so that V8's young generation has reached its working size, as in any server that has
    // served requests: its first growth would otherwise be charged to whichever operation comes first.
    for (let k = 0; k < 20; k++) await send('GET', `/Users?count=1000&startIndex=${k * 1000 + 1}`);
    // And a large membership write, so that the writer's page cache (SQLite: 16 MB per connection, better-sqlite3's
    // SQLITE_DEFAULT_CACHE_SIZE) is as full as in a server that has taken writes; other users than the measured ones.
    const warmMembers = Array.from({ length: PATCH_MEMBERS }, (_, j) => ({ value: seededId(j) }));
    await send('PATCH', `/Groups/${small.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'add', path: 'members', value: warmMembers }] });
    await send('PATCH', `/Groups/${small.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'remove', path: 'members', value: warmMembers }] });
    await send('DELETE', `/Groups/${small.id}`);

    const tenK = (await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ten thousand' })).json;
    const members = Array.from({ length: PATCH_MEMBERS }, (_, j) => ({ value: seededId(USERS - PATCH_MEMBERS + j) }));
    const before = await countEvents();
    await measure(`PATCH add ${PATCH_MEMBERS.toLocaleString('en')} members`, MEMORY_TARGETS.patch10k, async () => {
      await send('PATCH', `/Groups/${tenK.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'add', path: 'members', value: members }] });
      const added = ((await countEvents())['dsync.group.user_added'] ?? 0) - (before['dsync.group.user_added'] ?? 0);
      return `${added.toLocaleString('en')} user_added events`;
    });
    await measure(`PATCH remove ${PATCH_MEMBERS.toLocaleString('en')} members`, MEMORY_TARGETS.patch10k, async () => {
      await send('PATCH', `/Groups/${tenK.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'remove', path: 'members', value: members }] });
      return 'done';
    });
    await measure(`GET a group of ${GROUP.toLocaleString('en')}`, MEMORY_TARGETS.largeGroup, async () => {
      const got = await send('GET', `/Groups/${bigGroup}`);
      return `${(got.json.members?.length ?? 0).toLocaleString('en')} members returned`;
    });
    await measure(`GET a group of ${GROUP.toLocaleString('en')}, excludedAttributes=members`, MEMORY_TARGETS.largeGroup, async () => {
      const got = await send('GET', `/Groups/${bigGroup}?excludedAttributes=members`);
      return got.json.members === undefined ? 'no members' : 'members returned';
    });
    // Half the members stay, half are replaced: GROUP/2 removals and GROUP/2 additions.
    const shift = Math.min(GROUP / 2, USERS - GROUP);
    const replacement = Array.from({ length: GROUP }, (_, j) => ({ value: seededId(j + shift) }));
    await measure(`PUT a group of ${GROUP.toLocaleString('en')} (${shift.toLocaleString('en')} replaced)`, MEMORY_TARGETS.largeGroup, async () => {
      const put = await send('PUT', `/Groups/${bigGroup}`, { schemas: [GROUP_SCHEMA], displayName: 'Everyone', members: replacement });
      return `${(put.json.members?.length ?? 0).toLocaleString('en')} members returned`;
    });
    const beforeDelete = await countEvents();
    await measure(`DELETE a group of ${GROUP.toLocaleString('en')}`, MEMORY_TARGETS.largeGroup, async () => {
      await send('DELETE', `/Groups/${bigGroup}`);
      const removed = ((await countEvents())['dsync.group.user_removed'] ?? 0) - (beforeDelete['dsync.group.user_removed'] ?? 0);
      return `${removed.toLocaleString('en')} user_removed events`;
    });
    await measure('prune the whole event log', MEMORY_TARGETS.largeGroup, async () => {
      const { pruned } = await server.ask({ cmd: 'prune' });
      return `${(pruned ?? 0).toLocaleString('en')} events pruned`;
    });
    const last = await server.ask({ cmd: 'measure' });
    return { database, users: USERS, groupMembers: GROUP, baselineRssMb: mb(baseline.rss), operations, serverPeakRssMb: mb(last.maxRss) };
  } finally {
    await server.stop();
    if (database === 'postgres') {
      const store = open();
      await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await store.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function memoryTable(results: MemoryFigures[]): string {
  const rows = [
    '| operation | ' + results.map((r) => `${r.database}: peak MB over baseline (retained), s`).join(' | ') + ' | target | what it did |',
    '| --- |' + results.map(() => ' ---: |').join('') + ' --- | --- |',
  ];
  for (let i = 0; i < results[0]!.operations.length; i++) {
    const op = results[0]!.operations[i]!;
    const cells = results.map((r) => {
      const o = r.operations[i];
      if (!o) return '–';
      const peak = o.peakGrowthMb <= o.targetMb ? String(o.peakGrowthMb) : `**${o.peakGrowthMb}**`;
      return `${peak} (${o.retainedMb}), ${o.seconds}`;
    });
    rows.push(`| ${op.name} | ${cells.join(' | ')} | ≤ ${op.targetMb} MB | ${results.map((r) => r.operations[i]?.check ?? '–').join('; ')} |`);
  }
  rows.push(`| server baseline RSS MB (after seeding, GC) | ${results.map((r) => r.baselineRssMb).join(' | ')} | | |`);
  rows.push(`| server peak RSS MB (its whole life, maxRSS) | ${results.map((r) => r.serverPeakRssMb).join(' | ')} | | |`);
  return rows.join('\n');
}
