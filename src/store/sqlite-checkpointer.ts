/**
 * WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside the commit that crosses its
 * threshold: on the one connection that serves every request, it stalls the event loop while it copies the WAL
 * into the database file and syncs it, and every request in flight waits (it showed as the p99 of SCIM writes).
 * Here a worker thread with its own connection runs a PASSIVE checkpoint every `intervalMs`: it copies what the
 * WAL holds without blocking writers or readers, and once it has caught up, the next write starts the WAL over.
 * The main connection keeps an automatic checkpoint at a much higher threshold, as a safety valve in case the
 * worker falls behind.
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
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private closed: Promise<void> | undefined;
  private exited = false;
  /** The last error the worker reported (a checkpoint it could not run); the next tick tries again. */
  lastError: string | undefined;

  constructor(file: string, intervalMs = 100) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
    this.worker.on('message', (message: { error?: string }) => {
      this.lastError = message.error;
    });
    // A worker that dies leaves the safety valve in charge; it must not take the process with it.
    this.worker.on('error', (error) => {
      this.lastError = String(error);
    });
    this.worker.once('exit', () => {
      this.exited = true;
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
