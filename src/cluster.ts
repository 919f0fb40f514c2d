/**
 * `--processes N` for `guestlist start` and `guestlist worker` (node:cluster): N processes of the same role, on
 * PostgreSQL only. They share nothing but the database (and, for `start`, the listening port, which the primary
 * hands out connection by connection). The primary serves nothing itself: it migrates the database once, forks
 * the processes, restarts one that dies unasked (with backoff), and on SIGTERM or SIGINT asks every process to
 * shut down gracefully (SIGTERM) and exits once they all have.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer, type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.ts';

export const MAX_PROCESSES = 64;

/** The first restart of a process that died waits this long; each further one within a minute twice as long. */
const RESTART_BASE_MS = 250;
const RESTART_MAX_MS = 30_000;
/** A process that ran this long before dying counts as healthy: its slot's backoff starts again. */
const HEALTHY_AFTER_MS = 60_000;
/** After a shutdown signal, processes still running after this long are killed. */
const SHUTDOWN_TIMEOUT_MS = 35_000;

/**
 * `--processes N` (or `--processes=N`) among a command's arguments: undefined when absent, an error message when
 * malformed. Other arguments are left to the command.
 */
export function parseProcesses(args: string[]): number | undefined | { error: string } {
  let raw: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--processes') {
      raw = args[i + 1];
      if (raw === undefined) return { error: '--processes needs a number' };
      i++;
    } else if (arg.startsWith('--processes=')) raw = arg.slice('--processes='.length);
  }
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PROCESSES) return { error: `--processes expects an integer from 1 to ${MAX_PROCESSES}, got "${raw}"` };
  return Number(raw);
}

/** Why `--processes` cannot run on this configuration, or undefined when it can. */
export function refusal(config: Config, processes: number): string | undefined {
  if (processes <= 1 || config.database.kind === 'postgres') return undefined;
  return (
    `--processes ${processes} needs PostgreSQL, and the database is SQLite (${config.database.file}).\n` +
    'Processes share nothing but the database, and a SQLite file takes one writer at a time: several processes would only wait on its lock.\n' +
    'Set GUESTLIST_DATABASE_URL to a postgres:// URL, or run without --processes (one process).'
  );
}

/** This process's slot among `--processes N` (0 to N - 1; a restarted process keeps its slot); 0 alone. */
export const processIndex = (): number => Number(process.env.GUESTLIST_PROCESS_INDEX ?? 0);

/** True in a process forked by `runPrimary`. */
export const isClusterWorker = (): boolean => cluster.isWorker;

/** A cluster process tells the primary it is up (listening, for `start`) once its role has started. */
export function announceReady(url?: string): void {
  process.send?.({ guestlist: 'ready', ...(url !== undefined ? { url } : {}) });
}

/**
 * In a cluster process: also shuts down gracefully when the primary is gone (its IPC channel closes), so that
 * killing the primary outright leaves no orphan serving on. Every stop request after the first is the same one.
 */
export function stopWhenOrphaned(running: { stop(): Promise<void> }, logger: Logger): { stop(): Promise<void> } {
  let stopping: Promise<void> | undefined;
  const once = { stop: () => (stopping ??= running.stop()) };
  process.once('disconnect', () => {
    logger.warn('the primary process is gone; shutting down');
    once.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  return once;
}

/** A free port on `host`, as the primary sees it, for PORT=0: every process must listen on the same one. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface PrimaryOptions {
  command: 'start' | 'worker';
  processes: number;
  config: Config;
  logger: Logger;
  /** Brings the database up to date once, before any process starts (they would otherwise queue on it). */
  migrate: () => Promise<void>;
}

/**
 * The primary: forks `processes` processes running the same command, keeps that many running, and exits once
 * all have stopped after a signal. Resolves once every process has started (or rejects if the first generation
 * cannot start at all); the process then lives until a signal.
 */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { command, processes, logger } = options;
  await options.migrate();
  const env: Record<string, string> = {};
  let { port } = options.config;
  if (command === 'start' && port === 0) {
    // Chosen here, once: each process asking for port 0 itself could be given a different one.
    port = await freePort(options.config.host);
    env.PORT = String(port);
  }

  let shuttingDown = false;
  /** Each slot's process, its start time and how many times in a row it died young. */
  const slots = Array.from({ length: processes }, () => ({ worker: undefined as Worker | undefined, started: 0, crashes: 0, timer: undefined as NodeJS.Timeout | undefined }));
  let readyCount = 0;
  let announced = false;
  let url: string | undefined;
  let resolveStarted: () => void = () => {};
  let rejectStarted: (error: Error) => void = () => {};
  const started = new Promise<void>((resolve, reject) => {
    resolveStarted = resolve;
    rejectStarted = reject;
  });

  const fork = (slot: number) => {
    const state = slots[slot]!;
    state.timer = undefined;
    const worker = cluster.fork({ ...env, GUESTLIST_PROCESS_INDEX: String(slot) });
    state.worker = worker;
    state.started = Date.now();
    let ready = false;
    worker.on('message', (message: { guestlist?: string; url?: string }) => {
      if (message?.guestlist !== 'ready' || ready) return;
      ready = true;
      url ??= message.url;
      if (!announced && ++readyCount === processes) {
        announced = true;
        logger.info({ ...(url !== undefined ? { url } : {}), database: options.config.database.kind, processes, command }, `guestlist: all ${processes} processes running`);
        resolveStarted();
      } else if (announced) logger.info({ slot, pid: worker.process.pid }, 'process restarted');
    });
    worker.on('exit', (code, signal) => {
      state.worker = undefined;
      if (shuttingDown) return;
      // A first generation that cannot start (a bad configuration, the database unreachable) would only fail again.
      if (!announced && !ready) {
        shuttingDown = true;
        for (const other of slots) other.worker?.process.kill('SIGTERM');
        rejectStarted(new Error(`process ${slot} exited before it started (code ${code}, signal ${signal})`));
        return;
      }
      state.crashes = Date.now() - state.started > HEALTHY_AFTER_MS ? 1 : state.crashes + 1;
      const delay = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** (state.crashes - 1));
      logger.error({ slot, pid: worker.process.pid, code, signal, restartInMs: delay }, 'process died; restarting it');
      state.timer = setTimeout(() => fork(slot), delay);
    });
  };

  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down all processes');
    for (const slot of slots) if (slot.timer) clearTimeout(slot.timer);
    const running = slots.flatMap((s) => (s.worker ? [s.worker] : []));
    // Each process stops gracefully on SIGTERM: stops accepting, finishes its requests, closes the database.
    // (SIGINT from a terminal reaches them too, with the same effect.)
    for (const worker of running) worker.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      logger.error('processes did not stop in time; killing them');
      for (const worker of running) worker.process.kill('SIGKILL');
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    void Promise.all(running.map((worker) => (worker.isDead() ? undefined : new Promise((resolve) => worker.once('exit', resolve))))).then(() => {
      const failed = running.some((worker) => worker.process.exitCode !== 0);
      logger.info('all processes stopped');
      process.exit(failed ? 1 : 0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  for (let slot = 0; slot < processes; slot++) fork(slot);
  await started;
}
