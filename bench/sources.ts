/**
 * `npm run bench sources`: a Google Workspace directory of 10,000 users (and groups of them) pulled from the
 * fake Google of the tests (test/fakes/google.ts, on loopback, checking the signed JWT and paging as Google
 * does): the first sync's time and memory, then a sync that finds nothing to change, then one that finds 1 %
 * changed. The server's RSS is sampled throughout; its growth over the baseline is reported.
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
import { startGoogleFake } from '../test/fakes/google.ts';

const API_KEY = 'sk_bench_0123456789abcdefghijklmnop';
const USERS = Number(process.env.BENCH_SOURCE_USERS ?? 10_000);
const GROUPS = 20;

export interface SourcesFigures {
  database: string;
  users: number;
  groups: number;
  first: { seconds: number; usersPerSecond: number; rssGrowthMb: number };
  unchanged: { seconds: number };
  onePercent: { seconds: number; changed: number };
  events: number;
}

export async function runSourcesBench(database: 'sqlite' | 'postgres'): Promise<SourcesFigures> {
  const google = await startGoogleFake();
  const users = google.data.addUsers(USERS);
  for (let g = 0; g < GROUPS; g++) {
    const group = google.data.addGroup({ email: `team${g}@${google.domain}`, name: `Team ${g}` });
    for (let i = g; i < users.length; i += GROUPS) google.data.addMember(group.id, users[i]!.id);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-bench-'));
  const schema = `bench_${Date.now()}`;
  const store: KyselyStore =
    database === 'postgres'
      ? new PostgresStore({ url: process.env.GUESTLIST_TEST_DATABASE_URL!, schema, poolSize: 10 })
      : new SqliteStore(path.join(dir, 'bench.db'));
  await store.migrate();
  const config = loadConfig({ GUESTLIST_API_KEY: API_KEY, PORT: '0', GUESTLIST_GOOGLE_API_URL: google.url, GUESTLIST_GOOGLE_TOKEN_URL: google.tokenUrl });
  const app = await buildApp({ config, store, logger: pino({ level: 'silent' }), secretKey: 'bench-secret-key-0123456789abcdefghijklmnop', apiKeys: apiKeyVerifier([hashSecret(API_KEY)]) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const org = await api('POST', '/organizations', { name: 'Bench' });
    const directory = await api('POST', '/directories', { organization_id: org.id, type: 'gsuite directory' });
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    /** Runs one sync and waits until its history row is finished. */
    const timed = async (start: () => Promise<unknown>) => {
      const began = performance.now();
      await start();
      await app.directorySyncs.settle();
      const [last] = (await api('GET', `/directories/${directory.id}/syncs?limit=1`)).data;
      if (last.state !== 'succeeded') throw new Error(`sync ${last.state}: ${last.error}`);
      return { seconds: Math.round((performance.now() - began) / 10) / 100, counts: last.counts };
    };
    const first = await timed(() => api('PUT', `/directories/${directory.id}/connection`, { service_account_key: google.serviceAccountKey, admin_email: google.adminEmail }));
    clearInterval(sampler);
    const unchanged = await timed(() => api('POST', `/directories/${directory.id}/sync`));
    for (let i = 0; i < USERS; i += 100) users[i]!.name = { givenName: `Renamed${i}`, familyName: 'Bench', fullName: `Renamed${i} Bench` };
    const onePercent = await timed(() => api('POST', `/directories/${directory.id}/sync`));
    const events = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return {
      database,
      users: first.counts.users_created,
      groups: first.counts.groups_created,
      first: { seconds: first.seconds, usersPerSecond: Math.round(first.counts.users_created / first.seconds), rssGrowthMb: Math.round((peak - baseline) / 2 ** 20) },
      unchanged: { seconds: unchanged.seconds },
      onePercent: { seconds: onePercent.seconds, changed: onePercent.counts.users_updated },
      events: Number(events.n),
    };
  } finally {
    await app.close();
    if (database === 'postgres') await (store as PostgresStore).pool.query(`drop schema if exists ${schema} cascade`);
    await store.close();
    await google.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function sourcesTable(results: SourcesFigures[]): string {
  const rows = ['| measure | ' + results.map((r) => r.database).join(' | ') + ' |', '| --- |' + results.map(() => ' ---: |').join('')];
  const row = (label: string, f: (r: SourcesFigures) => string) => rows.push(`| ${label} | ${results.map(f).join(' | ')} |`);
  row('users / groups pulled', (r) => `${r.users.toLocaleString('en')} / ${r.groups}`);
  row('first sync: seconds (users/s)', (r) => `${r.first.seconds} (${r.first.usersPerSecond.toLocaleString('en')})`);
  row('first sync: server RSS growth MB (peak over baseline)', (r) => String(r.first.rssGrowthMb));
  row('sync with nothing changed: seconds', (r) => String(r.unchanged.seconds));
  row('sync with 1 % of users renamed: seconds (users updated)', (r) => `${r.onePercent.seconds} (${r.onePercent.changed})`);
  row('events written in all', (r) => r.events.toLocaleString('en'));
  return rows.join('\n');
}
