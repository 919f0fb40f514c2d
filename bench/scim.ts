/**
 * `npm run bench scim`: SCIM throughput and latency against the real server over loopback, with 100,000 users
 * in one directory. Not a test: it reports figures (and the targets beside them), it does not assert.
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
import { hashSecret } from '../src/secrets.ts';
import type { KyselyStore } from '../src/store/kysely-store.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { Scenario } from './load.ts';
import { seededId } from './seeded.ts';

const API_KEY = 'sk_bench_0123456789abcdefghijklmnop';
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const GROUP_SIZE = Number(process.env.BENCH_GROUP_SIZE ?? 50_000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

export interface ScimFigures {
  database: string;
  users: number;
  seedSeconds: number;
  create: { concurrency: number; perSecond: number; p50: number; p99: number; errors: number };
  lookups: Record<string, { concurrency: number; perSecond: number; p50: number; p99: number; errors: number }>;
  memberAdd: { groupSize: number; p50: number; p99: number; smallGroupP50: number; smallGroupP99: number };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Inserts seeded users from..to-1 directly (ids and userNames derived from the index, as bench/load.ts expects). */
export async function seedUsers(store: KyselyStore, directoryId: string, from: number, to: number): Promise<string[]> {
  const at = new Date().toISOString();
  const ids: string[] = [];
  for (let start = from; start < to; start += 5000) {
    await store.transaction(async (trx) => {
      for (let i = start; i < Math.min(to, start + 5000); i += 250) {
        const users = [];
        const emails = [];
        for (let j = i; j < Math.min(to, i + 250); j++) {
          const id = seededId(j);
          const userName = `user${j}@bench.example.com`;
          ids.push(id);
          // What a SCIM POST of this user stores (test/bench/seed.test.ts): a resource without the externalId its
          // column holds made every PATCH of a seeded user a change of externalId too.
          const resource = {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName,
            externalId: `00u${j}`,
            name: { givenName: `Given${j}`, familyName: `Family${j % 977}` },
            emails: [{ value: userName, type: 'work', primary: true }],
            active: true,
          };
          users.push({ id, directory_id: directoryId, user_name: userName, user_name_lower: userName, external_id: `00u${j}`, active: 1, version: 1, resource: JSON.stringify(resource), created_at: at, updated_at: at });
          emails.push({ user_id: id, directory_id: directoryId, position: 0, value: userName, value_lower: userName, type: 'work', primary: 1 });
        }
        await trx.insertInto('directory_users').values(users).execute();
        await trx.insertInto('directory_user_emails').values(emails).execute();
      }
    });
  }
  await store.db.updateTable('directories').set({ users_active: to }).where('id', '=', directoryId).execute();
  return ids;
}

async function seed(store: KyselyStore, directoryId: string): Promise<{ ids: string[]; bigGroup: string; smallGroup: string }> {
  const at = new Date().toISOString();
  const ids = await seedUsers(store, directoryId, 0, USERS);
  const group = (id: string, name: string) => ({
    id,
    directory_id: directoryId,
    display_name: name,
    display_name_lower: name.toLowerCase(),
    external_id: null,
    version: 1,
    resource: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name }),
    created_at: at,
    updated_at: at,
  });
  const bigGroup = `directory_group_${'1'.padStart(26, '0')}`;
  const smallGroup = `directory_group_${'2'.padStart(26, '0')}`;
  await store.db.insertInto('directory_groups').values([group(bigGroup, 'Big'), group(smallGroup, 'Small')]).execute();
  for (let i = 0; i < GROUP_SIZE; i += 1000) {
    const rows = ids.slice(i, Math.min(GROUP_SIZE, i + 1000)).map((user_id) => ({ group_id: bigGroup, user_id, directory_id: directoryId, created_at: at }));
    await store.db.insertInto('directory_group_members').values(rows).execute();
  }
  await store.db
    .updateTable('directories')
    .set({ users_active: USERS, groups_count: 2 })
    .where('id', '=', directoryId)
    .execute();
  return { ids, bigGroup, smallGroup };
}

export type LoadResult = { perSecond: number; p50: number; p99: number; errors: number; /** Completed in the phase. */ requests?: number };

/** Runs one load scenario in a worker thread (its own core), so the server's event loop is measured alone. */
export function load(scenario: Scenario): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: scenario });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

export async function runScimBench(database: 'sqlite' | 'postgres'): Promise<ScimFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-bench-'));
  const schema = `bench_${Date.now()}`;
  const store: KyselyStore =
    database === 'postgres'
      ? new PostgresStore({ url: process.env.GUESTLIST_TEST_DATABASE_URL!, schema, poolSize: 10 })
      : new SqliteStore(path.join(dir, 'bench.db'));
  await store.migrate();
  const config = loadConfig({ GUESTLIST_API_KEY: API_KEY, PORT: '0' });
  const app = await buildApp({ config, store, logger: pino({ level: 'silent' }), secretKey: 'bench-secret-key-0123456789abcdefghijklmnop', apiKeys: apiKeyVerifier([hashSecret(API_KEY)]) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const api = async (method: string, url: string, body: unknown) =>
      (await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    const org = await api('POST', '/organizations', { name: 'Bench' });
    const directory = await api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' });
    const headers = { authorization: `Bearer ${directory.bearer_token}`, 'content-type': 'application/scim+json' };
    const scim = `/scim/v2/${directory.id}`;

    const seedStart = performance.now();
    const { ids, bigGroup, smallGroup } = await seed(store, directory.id);
    if (database === 'postgres') await (store as PostgresStore).pool.query('analyze');
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const create = await load({ kind: 'create', base, path: `${scim}/Users`, headers, connections: 32, duration: DURATION });
    const lookup = (filter: string) =>
      load({ kind: 'lookup', base, path: `${scim}/Users`, headers, connections: 8, duration: DURATION, filter, range: USERS });
    const byUserName = await lookup('userName eq "user{i}@bench.example.com"');
    const byEmail = await lookup('emails[type eq "work"].value eq "user{i}@bench.example.com"');
    const byExternalId = await lookup('externalId eq "00u{i}"');

    const memberAdd = async (groupId: string, from: number) => {
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: ids[from + i] }] }] });
        const start = performance.now();
        const res = await fetch(`${base}${scim}/Groups/${groupId}`, { method: 'PATCH', headers, body });
        await res.arrayBuffer();
        times.push(performance.now() - start);
        if (res.status !== 204) throw new Error(`member add answered ${res.status}`);
      }
      return times.sort((a, b) => a - b);
    };
    const big = await memberAdd(bigGroup, GROUP_SIZE);
    const small = await memberAdd(smallGroup, GROUP_SIZE + 1000);

    return {
      database,
      users: USERS,
      seedSeconds: Math.round(seedSeconds * 10) / 10,
      create: { concurrency: 32, ...create },
      lookups: {
        'userName eq': { concurrency: 8, ...byUserName },
        'emails[type eq "work"].value eq': { concurrency: 8, ...byEmail },
        'externalId eq': { concurrency: 8, ...byExternalId },
      },
      memberAdd: {
        groupSize: GROUP_SIZE,
        p50: round(percentile(big, 50)),
        p99: round(percentile(big, 99)),
        smallGroupP50: round(percentile(small, 50)),
        smallGroupP99: round(percentile(small, 99)),
      },
    };
  } finally {
    await app.close();
    if (database === 'postgres') await (store as PostgresStore).pool.query(`drop schema if exists ${schema} cascade`);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
