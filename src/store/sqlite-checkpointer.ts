/**
 * WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside the commit that crosses its
 * threshold: on the one connection that serves every request, it stalls the event loop while it copies the WAL
 * into the database file and syncs it, and every request in flight waits (it showed as the p99 of SCIM writes).
 * Here a worker thread with its own connection runs a PASSIVE checkpoint every `intervalMs`: it copies what the
 * WAL holds without blocking writers or readers, and once it has caught up, the next write starts the WAL over.
 * The main connection keeps an automatic checkpoint at a much higher threshold, as a safety valve in case the
 * worker falls behind.
 *
 * A checkpoint that fails (the database locked by another process, an I/O error) is reported to `onFailure`,
 * every time; the next tick tries again, and the first success after failures is reported to `onRecovered`. A
 * worker that dies is reported too: the safety valve then keeps the WAL bounded, but someone should know.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** WAL pages (4 KiB each) after which the main connection checkpoints by itself: the worker has fallen behind. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_000;

// Plain CommonJS, evaluated in the worker: no TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
parentPort.postMessage({ ready: true });
let failing = false;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    if (failing) parentPort.postMessage({ recovered: true });
    failing = false;
  } catch (error) {
    failing = true;
    parentPort.postMessage({ error: String(error && error.message || error), code: error && error.code });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointerEvents {
  /** A checkpoint failed (`fatal`: the worker itself died, and no further checkpoint will run). */
  onFailure?: (error: Error, fatal: boolean) => void;
  /** A checkpoint succeeded after failures. */
  onRecovered?: () => void;
}

export class WalCheckpointer {
  private readonly worker: Worker;
  private closed: Promise<void> | undefined;
  private exited = false;
  /** The last error the worker reported (a checkpoint it could not run); the next tick tries again. */
  lastError: string | undefined;
  /** Checkpoints that failed, and worker deaths. */
  failures = 0;
  /** Settles once the worker has opened its connection (or died trying); tests wait for it. */
  readonly ready: Promise<void>;

  constructor(file: string, intervalMs = 100, events: CheckpointerEvents = {}) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
    let markReady = () => {};
    this.ready = new Promise<void>((resolve) => (markReady = resolve));
    this.worker.once('exit', () => markReady());
    const fail = (error: Error, fatal: boolean) => {
      this.lastError = error.message;
      this.failures += 1;
      events.onFailure?.(error, fatal);
    };
    this.worker.on('message', (message: { error?: string; code?: string; recovered?: boolean; ready?: boolean }) => {
      if (message.ready) markReady();
      else if (message.error !== undefined) fail(Object.assign(new Error(message.error), message.code ? { code: message.code } : {}), false);
      else if (message.recovered) {
        this.lastError = undefined;
        events.onRecovered?.();
      }
    });
    // A worker that dies leaves the safety valve in charge; it must not take the process with it.
    let died = false;
    this.worker.on('error', (error) => {
      died = true;
      fail(error, true);
    });
    this.worker.once('exit', (code) => {
      this.exited = true;
      if (!this.closed && !died) fail(new Error(`checkpoint worker exited with code ${code}`), true);
    });
    this.worker.unref();
  }

  /** Stops the worker and closes its connection (before the main connection closes). */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      this.worker.once('exit', () => resolve());
      // Referenced again, so that the event loop waits for the worker's exit instead of ending under it.
      this.worker.ref();
      this.worker.postMessage('close');
      // If the worker is stuck, do not hang the shutdown.
      setTimeout(() => void this.worker.terminate(), 2000).unref();
    });
    return this.closed;
  }
}
