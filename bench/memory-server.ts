/**
 * The server process of `npm run bench memory` (bench/memory.ts): the real HTTP server on a database the bench
 * seeded, alone in its process, so that its RSS is its own. Started with --expose-gc. A worker thread samples
 * the process's RSS every 2 ms (it keeps sampling while the main thread is busy in SQLite), and the parent asks
 * over IPC for a baseline (after a full GC) and then for the peak since it.
 */
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { boundHeapGrowth } from '../src/heap.ts';
import { pruneEvents } from '../src/events/reads.ts';
import { buildApp } from '../src/http/app.ts';
import { apiKeyVerifier } from '../src/http/management/index.ts';
import { hashSecret } from '../src/secrets.ts';
import type { KyselyStore } from '../src/store/kysely-store.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';

export type MemoryRequest = { cmd: 'mark' } | { cmd: 'measure' } | { cmd: 'prune' } | { cmd: 'exit' };
export interface MemoryReply {
  rss: number;
  peak: number;
  maxRss: number;
  pruned?: number;
}

const API_KEY = process.env.BENCH_API_KEY!;
const SECRET_KEY = process.env.BENCH_SECRET_KEY!;

const peak = new BigInt64Array(new SharedArrayBuffer(8));
const sampler = new Worker(
  `const { workerData } = require('node:worker_threads');
   const peak = workerData;
   setInterval(() => { const r = BigInt(process.memoryUsage.rss()); if (r > Atomics.load(peak, 0)) Atomics.store(peak, 0, r); }, 2);`,
  { eval: true, workerData: peak },
);
sampler.unref();

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function main(): Promise<void> {
  const store: KyselyStore =
    process.env.BENCH_DATABASE === 'postgres'
      ? new PostgresStore({ url: process.env.GUESTLIST_TEST_DATABASE_URL!, schema: process.env.BENCH_SCHEMA!, poolSize: 10 })
      : new SqliteStore(process.env.BENCH_SQLITE_FILE!);
  const config = loadConfig({ GUESTLIST_API_KEY: API_KEY, PORT: '0', GUESTLIST_MAX_BODY_BYTES: String(64 * 2 ** 20), GUESTLIST_HEAP_GROWING_PERCENT: process.env.GUESTLIST_HEAP_GROWING_PERCENT });
  // As `guestlist start` does (src/heap.ts): the figures are of the server as it runs in production.
  boundHeapGrowth(config.heapGrowingPercent);
  const app = await buildApp({ config, store, logger: pino({ level: 'silent' }), secretKey: SECRET_KEY, apiKeys: apiKeyVerifier([hashSecret(API_KEY)]) });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const reply = (extra: Partial<MemoryReply> = {}) =>
    process.send!({ rss: process.memoryUsage.rss(), peak: Number(Atomics.load(peak, 0)), maxRss: process.resourceUsage().maxRSS * 1024, ...extra } satisfies MemoryReply);
  process.on('message', (message: MemoryRequest) => {
    void (async () => {
      if (message.cmd === 'mark') {
        await settle();
        Atomics.store(peak, 0, BigInt(process.memoryUsage.rss()));
        reply();
      } else if (message.cmd === 'measure') {
        // The peak is read before the GC that settles the figure after.
        const top = Number(Atomics.load(peak, 0));
        await settle();
        reply({ peak: Math.max(top, Number(Atomics.load(peak, 0))) });
      } else if (message.cmd === 'prune') {
        // Everything is past retention a day from now: the whole log goes, in chunks as the worker prunes it.
        const pruned = await pruneEvents(store, 1, new Date(Date.now() + 2 * 86_400_000));
        reply({ pruned });
      } else {
        await app.close();
        await store.close();
        process.exit(0);
      }
    })().catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
  });
  process.send!({ ready: url });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
