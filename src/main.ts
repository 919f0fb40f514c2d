/**
 * Composition root: configuration → store (migrated) → secrets → HTTP app. Owns the process lifecycle,
 * including graceful shutdown: stop accepting, finish requests in flight, close the database, exit.
 */
import { boundHeapGrowth } from './heap.ts';
import { processIndex } from './cluster.ts';
import { createServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { setUpApiKey, loadSecretKey } from './bootstrap.ts';
import { Dispatcher } from './events/dispatcher.ts';
import { pruneEvents } from './events/reads.ts';
import { upgradeWebhookSecrets } from './events/webhooks-store.ts';
import { PostgresStore } from './store/postgres.ts';
import type { Config } from './config.ts';
import { buildApp } from './http/app.ts';
import { apiKeyVerifier } from './http/management/index.ts';
import { createMetrics, instrumentStore } from './http/metrics.ts';
import type { KyselyStore } from './store/kysely-store.ts';
import { openStore } from './store/open.ts';
import { pruneScimRequests } from './store/scim-requests.ts';

export interface Running {
  app: FastifyInstance;
  store: KyselyStore;
  url: string;
  stop(): Promise<void>;
}

/** Every process role (server, worker, migrate) opens the database the same way. */
function openConfiguredStore(config: Config, logger: Logger, role: 'server' | 'background' = 'server'): KyselyStore {
  const { groupCommitMaxBatch, groupCommitWaitMs, databaseStatementTimeoutMs: statementTimeoutMs } = config;
  // Only a server answers the reads that read workers take.
  const sqliteReadWorkers = role === 'server' ? config.sqliteReadWorkers : 0;
  return openStore(config.database, { groupCommitMaxBatch, groupCommitWaitMs, statementTimeoutMs, sqliteReadWorkers, logger });
}

/**
 * PORT=0 asks for any free port; the default public URL must then name the port really taken, or every link
 * the server hands out (SCIM base URLs, portal links) would point at port 0. The port is chosen before the app
 * is built, because routes read the public URL when they are built, and held (the probe keeps listening) until
 * just before the app listens on it: released at once, it could be taken by another process while migrations
 * ran (seen in CI as EADDRINUSE, with servers starting side by side).
 */
async function choosePort(config: Config): Promise<{ config: Config; release: () => Promise<void> }> {
  if (config.port !== 0) return { config, release: async () => {} };
  const probe = createServer();
  const port = await new Promise<number>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, config.host, () => resolve((probe.address() as AddressInfo).port));
  });
  let released: Promise<void> | undefined;
  const release = () => (released ??= new Promise<void>((resolve) => probe.close(() => resolve())));
  const derived = config.publicUrl === 'http://localhost:0';
  return { config: { ...config, port, publicUrl: derived ? `http://localhost:${port}` : config.publicUrl }, release };
}

export async function start(given: Config, logger: Logger): Promise<Running> {
  boundHeapGrowth(given.heapGrowingPercent);
  const { config, release } = await choosePort(given);
  const store = openConfiguredStore(config, logger);
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let background: Awaited<ReturnType<typeof startBackground>> | undefined;
  try {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    const secretKey = loadSecretKey(config);
    const apiKey = await setUpApiKey(config, store);
    if (apiKey.generated) announceApiKey(apiKey.generated);
    app = await buildApp({
      config,
      store,
      logger,
      secretKey,
      apiKeys: apiKeyVerifier(apiKey.hashes),
      metrics: instrumentStore(store, createMetrics({ processMetrics: true })),
    });
    if (runsBackground(config)) background = await startBackground(store, config, secretKey, logger);
    else logger.info({ serverBackground: config.serverBackground }, 'webhook delivery and pruning are left to other processes');
    await release();
    const url = await app.listen({ port: config.port, host: config.host });
    logger.info({ url, database: config.database.kind }, 'guestlist listening');
    let stopping: Promise<void> | undefined;
    const running = { app, store, background };
    const stop = () =>
      (stopping ??= (async () => {
        await running.app.close();
        await running.background?.stop();
        await running.store.close();
      })());
    return { app, store, url, stop };
  } catch (error) {
    // Nothing started is left running: background loops would otherwise go on against a closed store.
    await release();
    await background?.stop().catch(() => {});
    await app?.close().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}

/**
 * Whether this server process delivers webhooks and prunes. Each process running the dispatcher is woken by every
 * commit of every process (NOTIFY) and queues for the fan-out cursor: with `--processes 4` into one directory,
 * leaving it to the first process alone gave 277 -> 326 POST/s, and 613 -> 815 with two (docs/scaling.md).
 */
export function runsBackground(config: Pick<Config, 'serverBackground'>, index = processIndex()): boolean {
  if (config.serverBackground === 'none') return false;
  return config.serverBackground === 'all' || index === 0;
}

/**
 * The background work of `start` and `worker`: the webhook dispatcher, woken by commits in this process and,
 * on PostgreSQL, by NOTIFY from others (with polling as the fallback), and pruning of events and of the SCIM
 * request log.
 */
export async function startBackground(store: KyselyStore, config: Config, secretKey: string, logger: Logger) {
  await upgradeWebhookSecrets(store, { current: secretKey, previous: config.secretKeyPrevious }, logger);
  const dispatcher = new Dispatcher(store, { secretKey, previousSecretKey: config.secretKeyPrevious, blockPrivate: config.webhookBlockPrivate, concurrency: config.webhookConcurrency, logger });
  const wake = (due: boolean) => dispatcher.wake(due);
  const unsubscribe = store.onCommit(wake);
  const unlisten = store instanceof PostgresStore ? await store.listen(wake) : () => {};
  dispatcher.start();
  const pruning = [schedulePruning(store, config.eventRetentionDays, logger), scheduleRequestLogPruning(store, config, logger)];
  return {
    dispatcher,
    stop: async () => {
      for (const timer of pruning) clearInterval(timer);
      unsubscribe();
      unlisten();
      await dispatcher.stop();
    },
  };
}

/** Runs `job` now and then every hour, never keeping the process alive (cheap when there is nothing to prune). */
function hourly(job: () => Promise<void>): NodeJS.Timeout {
  void job();
  const timer = setInterval(job, 3_600_000);
  timer.unref();
  return timer;
}

/** Prunes events past retention. */
function schedulePruning(store: KyselyStore, retentionDays: number, logger: Logger): NodeJS.Timeout {
  return hourly(() =>
    // In chunks, each its own short transaction (pruneEvents).
    pruneEvents(store, retentionDays)
      .then((n) => void (n > 0 && logger.info({ pruned: n }, 'events pruned')))
      .catch((err) => logger.error({ err }, 'event pruning failed')),
  );
}

/**
 * Prunes the SCIM request log: past GUESTLIST_REQUEST_LOG_DAYS, and beyond the newest
 * GUESTLIST_REQUEST_LOG_MAX_PER_DIRECTORY of each directory. After the first run, only directories with requests
 * since the previous run (less a margin for entries still being flushed) can be over the bound, so only they
 * are looked at. Each delete is its own short statement, off any transaction.
 */
function scheduleRequestLogPruning(store: KyselyStore, config: Config, logger: Logger): NodeJS.Timeout {
  let activeSince: string | undefined;
  return hourly(async () => {
    const started = Date.now();
    try {
      const pruned = await pruneScimRequests(store.db, {
        retentionDays: config.requestLogDays,
        maxPerDirectory: config.requestLogMaxPerDirectory,
        ...(activeSince !== undefined ? { activeSince } : {}),
      });
      activeSince = new Date(started - 10 * 60_000).toISOString();
      if (pruned.expired + pruned.excess > 0) logger.info(pruned, 'SCIM request log pruned');
    } catch (err) {
      logger.error({ err }, 'SCIM request log pruning failed');
    }
  });
}

/** Printed once, outside the structured log, so the key never lands in log storage. */
function announceApiKey(key: string): void {
  process.stdout.write(
    [
      '',
      '  Guestlist generated a management API key. It is shown only this once; only its hash is stored.',
      `  GUESTLIST_API_KEY=${key}`,
      '',
      '',
    ].join('\n'),
  );
}

export function handleSignals(running: { stop(): Promise<void> }, logger: Logger): void {
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out after 30s; exiting');
      process.exit(1);
    }, 30_000);
    timer.unref();
    running.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** `guestlist worker`: only the background work, for scale-out next to stateless servers. */
export async function startWorker(config: Config, logger: Logger): Promise<{ stop(): Promise<void> }> {
  boundHeapGrowth(config.heapGrowingPercent);
  const store = openConfiguredStore(config, logger, 'background');
  await store.migrate();
  const background = await startBackground(store, config, loadSecretKey(config), logger);
  logger.info({ database: config.database.kind }, 'guestlist worker running');
  return {
    stop: async () => {
      await background.stop();
      await store.close();
    },
  };
}

export async function migrateOnly(config: Config, logger: Logger): Promise<void> {
  const store = openConfiguredStore(config, logger, 'background');
  try {
    const applied = await store.migrate();
    logger.info({ migrations: applied }, applied.length > 0 ? 'database migrated' : 'database already up to date');
  } finally {
    await store.close();
  }
}
