/**
 * `npm run bench mapping`: how long a directory of 100,000 users takes to re-evaluate after a mapping change
 * (API.md §7; issue target: under a minute), and what SCIM writes see meanwhile: the same POST /Users load is
 * run alone and then during a re-evaluation, and their rates and latencies are set side by side. Real server
 * over loopback; the load runs in a worker thread.
 */
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
import { load, type LoadResult } from './scim.ts';
import { seededId } from './seeded.ts';

const API_KEY = 'sk_bench_0123456789abcdefghijklmnop';
const USERS = Number(process.env.BENCH_MAPPING_USERS ?? 100_000);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'Legal', 'Marketing', 'People', 'Design'];

export interface Sweep {
  seconds: number;
  usersPerSecond: number;
  changed: number;
}

export interface MappingFigures {
  database: string;
  users: number;
  /** Defining two attributes: every user gains both (all change). */
  define: Sweep;
  /** A mapping change that moves every user's cost_center, with the write load running. */
  remap: Sweep;
  /** A mapping change that moves nobody: stamps only, no event. */
  noop: Sweep;
  writesAlone: LoadResult;
  writesDuringSweep: LoadResult;
  events: number;
  peakRssMb: number;
}

async function seed(store: KyselyStore, directoryId: string): Promise<void> {
  const at = new Date().toISOString();
  for (let start = 0; start < USERS; start += 5000) {
    await store.transaction(async (trx) => {
      for (let i = start; i < Math.min(USERS, start + 5000); i += 250) {
        const users = [];
        const emails = [];
        for (let j = i; j < Math.min(USERS, i + 250); j++) {
          const userName = `user${j}@bench.example.com`;
          const resource = {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
            userName,
            name: { givenName: `Given${j}`, familyName: `Family${j % 977}` },
            emails: [{ value: userName, type: 'work', primary: true }],
            title: j % 10 === 0 ? 'Manager' : 'Engineer',
            active: true,
            [ENTERPRISE]: { department: DEPARTMENTS[j % DEPARTMENTS.length], costCenter: `CC-${j % 50}`, employeeNumber: String(j) },
          };
          users.push({ id: seededId(j), directory_id: directoryId, user_name: userName, user_name_lower: userName, external_id: `00u${j}`, active: 1, version: 1, resource: JSON.stringify(resource), created_at: at, updated_at: at });
          emails.push({ user_id: seededId(j), directory_id: directoryId, position: 0, value: userName, value_lower: userName, type: 'work', primary: 1 });
        }
        await trx.insertInto('directory_users').values(users).execute();
        await trx.insertInto('directory_user_emails').values(emails).execute();
      }
    });
  }
  await store.db.updateTable('directories').set({ users_active: USERS }).where('id', '=', directoryId).execute();
}

export async function runMappingBench(database: 'sqlite' | 'postgres'): Promise<MappingFigures> {
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
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const org = await api('POST', '/organizations', { name: 'Bench' });
    const directory = await api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' });
    await seed(store, directory.id);
    if (database === 'postgres') await (store as PostgresStore).pool.query('analyze');
    const headers = { authorization: `Bearer ${directory.bearer_token}`, 'content-type': 'application/scim+json' };
    const writes = (prefix: string) => load({ kind: 'create', base, path: `/scim/v2/${directory.id}/Users`, headers, connections: 8, duration: LOAD_SECONDS, prefix });

    /** Time from a change until the directory's mapping is current again. */
    const sweep = async (change: () => Promise<unknown>): Promise<Sweep> => {
      const start = performance.now();
      await change();
      for (;;) {
        const mapping = await api('GET', `/directories/${directory.id}/attribute_mapping`);
        if (mapping.state === 'current') {
          const seconds = (performance.now() - start) / 1000;
          return { seconds: round(seconds), usersPerSecond: Math.round((mapping.progress?.done ?? 0) / seconds), changed: mapping.progress?.changed ?? 0 };
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const define = await sweep(async () => {
      await api('POST', '/custom_attributes', { name: 'department', type: 'string', required: true });
      await api('POST', '/custom_attributes', { name: 'cost_center', type: 'string' });
    });
    const writesAlone = await writes('alone');
    // The load starts with the change: the sweep runs under it.
    const during = writes('during');
    const remap = await sweep(() =>
      api('PUT', `/directories/${directory.id}/attribute_mapping`, {
        mappings: [{ attribute: 'cost_center', source: `${ENTERPRISE}:department`, transforms: ['uppercase', { map: { ENGINEERING: 'R&D' }, default: 'GENERAL' }] }],
      }),
    );
    const writesDuringSweep = await during;
    const noop = await sweep(() =>
      api('PUT', `/directories/${directory.id}/attribute_mapping`, {
        // `trim` changes the configuration but no value (the departments carry no spaces): every user is stamped, none changes.
        mappings: [{ attribute: 'cost_center', source: `${ENTERPRISE}:department`, transforms: ['uppercase', { map: { ENGINEERING: 'R&D' }, default: 'GENERAL' }] }, { attribute: 'department', source: `${ENTERPRISE}:department`, transforms: ['trim'] }],
      }),
    );
    const events = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return {
      database,
      users: USERS,
      define,
      remap,
      noop,
      writesAlone,
      writesDuringSweep,
      events: Number(events.n),
      peakRssMb: Math.round(peakRss / 2 ** 20),
    };
  } finally {
    clearInterval(rssTimer);
    await app.close();
    if (database === 'postgres') await (store as PostgresStore).pool.query(`drop schema if exists ${schema} cascade`);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

export function mappingTable(results: MappingFigures[]): string {
  const rows = ['| measure | ' + results.map((r) => r.database).join(' | ') + ' | target |', '| --- |' + results.map(() => ' ---: |').join('') + ' --- |'];
  const row = (label: string, f: (r: MappingFigures) => string, target = '') => rows.push(`| ${label} | ${results.map(f).join(' | ')} | ${target} |`);
  const sweep = (s: Sweep) => `${s.seconds} s (${s.usersPerSecond.toLocaleString('en')} users/s), ${s.changed.toLocaleString('en')} changed`;
  row('users in the directory', (r) => r.users.toLocaleString('en'));
  row('define 2 attributes → every user re-evaluated', (r) => sweep(r.define), '< 60 s');
  row('change the mapping (every user changes), under write load', (r) => sweep(r.remap), '< 60 s');
  row('change the mapping (nobody changes: no event)', (r) => sweep(r.noop), '');
  row('POST /Users c=8 alone: per s, p50 / p99 ms', (r) => `${r.writesAlone.perSecond.toLocaleString('en')}, ${r.writesAlone.p50} / ${r.writesAlone.p99}`);
  row('POST /Users c=8 during the re-evaluation: per s, p50 / p99 ms, errors', (r) => `${r.writesDuringSweep.perSecond.toLocaleString('en')}, ${r.writesDuringSweep.p50} / ${r.writesDuringSweep.p99}, ${r.writesDuringSweep.errors}`, 'not stalled');
  row('events written in all (one per changed user, plus creates)', (r) => r.events.toLocaleString('en'));
  row('peak RSS MB (whole benchmark process)', (r) => String(r.peakRssMb));
  return rows.join('\n');
}
