/**
 * SQLite reads that may scan many rows, run off the main thread. better-sqlite3 runs a statement synchronously
 * on the thread that calls it, so one list filtered on an unindexed attribute, or counting a directory of a
 * million users, held the event loop for as long as it ran: every tenant's requests waited (a filter of 200
 * comparisons stalled it 583 ms). Here such statements go to worker threads, each with its own read-only
 * connection; in WAL mode it reads the last commit, as the main read connection does.
 *
 * A statement that runs past `timeoutMs` fails with StoreUnavailable (503 with Retry-After), as PostgreSQL's
 * statement_timeout gives, and its worker is terminated; a worker that dies fails its statement the same way.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { StoreUnavailable } from './errors.ts';

// Plain CommonJS, evaluated in the worker: no TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.function('gl_lower', { deterministic: true }, (value) => (typeof value === 'string' ? value.toLowerCase() : value));
const statements = new Map();
parentPort.on('message', ({ sql, parameters }) => {
  try {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (statements.size >= 200) statements.delete(statements.keys().next().value);
      statements.set(sql, statement);
    }
    if (!statement.reader) throw Object.assign(new Error('Only reads run on a read worker.'), { code: 'GUESTLIST_NOT_A_READ' });
    parentPort.postMessage({ rows: statement.all(parameters) });
  } catch (error) {
    parentPort.postMessage({ error: { message: String((error && error.message) || error), code: error && error.code } });
  }
});
parentPort.postMessage({ ready: true });
`;

interface Job {
  sql: string;
  parameters: readonly unknown[];
  resolve: (rows: unknown[]) => void;
  reject: (error: unknown) => void;
  /** Ends the job past the statement timeout, counted from when it was asked for (waiting included). */
  timer?: NodeJS.Timeout;
}

/** The statement is over: its timer is cleared, and its caller answered once. */
function settle(job: Job, outcome: { rows: unknown[] } | { error: unknown }): void {
  if (job.timer) clearTimeout(job.timer);
  job.timer = undefined;
  if ('rows' in outcome) job.resolve(outcome.rows);
  else job.reject(outcome.error);
}

/** How long a slot stays empty after its worker died (not terminated for a timeout). */
const RESPAWN_DELAY_MS = 1000;

const closing = () => new StoreUnavailable(new Error('The store is closing.'));

/**
 * Threads terminated inside a statement that have not stopped yet. A statement past its timeout cannot be
 * interrupted (better-sqlite3 offers no sqlite3_interrupt, and a thread inside SQLite ends only when the
 * statement returns), so its worker is replaced at once only while fewer than `cap` such threads linger;
 * beyond that the slot stays empty until its thread has stopped. However many statements time out, at most
 * twice the pool's size of threads ever run.
 */
interface Stopping {
  count: number;
  cap: number;
}

/** One worker thread and the statement it runs. */
class ReadWorker {
  /** Undefined while a terminated thread finishes its statement. */
  private worker: Worker | undefined;
  private job: Job | undefined;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly stopping: Stopping,
    private readonly onIdle: (worker: ReadWorker) => void,
  ) {
    this.worker = this.spawn();
  }

  get idle(): boolean {
    return this.worker !== undefined && this.job === undefined;
  }

  run(job: Job): void {
    this.job = job;
    // Busy, it keeps the process alive until its statement answers.
    this.worker!.ref();
    this.worker!.postMessage({ sql: job.sql, parameters: job.parameters });
  }

  /** The running statement is past its timeout: it fails at once, and the thread is stopped. */
  abandon(job: Job, error: unknown): void {
    if (this.job !== job) return;
    this.finish({ error });
    const stuck = this.worker;
    this.worker = undefined;
    if (!stuck) return;
    const early = this.stopping.count < this.stopping.cap;
    this.stopping.count += 1;
    if (early) this.respawn();
    void stuck.terminate().finally(() => {
      this.stopping.count -= 1;
      if (!early) this.respawn();
    });
  }

  close(): void {
    this.closed = true;
    if (this.job) this.finish({ error: closing() });
    // Not awaited: a thread inside a long statement stops only when it returns, and must not hold up shutdown.
    this.worker?.unref();
    void this.worker?.terminate();
  }

  private spawn(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.file, driver } });
    // An idle worker must not keep the process alive.
    worker.unref();
    worker.on('message', (message: { ready?: true; rows?: unknown[]; error?: { message: string; code?: string } }) => {
      if (message.ready || worker !== this.worker) return;
      if (message.error) this.finish({ error: Object.assign(new Error(message.error.message), message.error.code ? { code: message.error.code } : {}) });
      else this.finish({ rows: message.rows ?? [] });
    });
    const died = (cause: unknown) => {
      if (worker !== this.worker || this.closed) return;
      this.worker = undefined;
      if (this.job) this.finish({ error: new StoreUnavailable(cause) });
      // Not at once: a worker that cannot open the database would die again, in a tight loop.
      setTimeout(() => this.respawn(), RESPAWN_DELAY_MS).unref();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`A SQLite read worker exited (code ${code}).`)));
    return worker;
  }

  private respawn(): void {
    if (this.closed) return;
    this.worker = this.spawn();
    this.onIdle(this);
  }

  private finish(outcome: { rows: unknown[] } | { error: unknown }): void {
    const job = this.job;
    if (!job) return;
    this.job = undefined;
    this.worker?.unref();
    settle(job, outcome);
    if (!this.closed && this.worker) queueMicrotask(() => this.onIdle(this));
  }

  /** The statement running now, if any. */
  get running(): Job | undefined {
    return this.job;
  }
}

export class SqliteReadWorkers {
  private readonly workers: ReadWorker[];
  private readonly queue: Job[] = [];
  private closed = false;
  private readonly stopping: Stopping;

  /**
   * `count` workers, each with its own read-only connection to `file`. `timeoutMs` (0: none) bounds a
   * statement's time from when it is asked for, waiting for a worker included.
   */
  constructor(
    file: string,
    count: number,
    private readonly timeoutMs: number,
  ) {
    const size = Math.max(1, count);
    this.stopping = { count: 0, cap: size };
    this.workers = Array.from({ length: size }, () => new ReadWorker(file, this.stopping, (w) => this.next(w)));
  }

  /** The rows of a read statement. */
  all(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.closed) return Promise.reject(closing());
    return new Promise((resolve, reject) => {
      const job: Job = { sql, parameters, resolve, reject };
      if (this.timeoutMs > 0) job.timer = setTimeout(() => this.timedOut(job), this.timeoutMs);
      this.queue.push(job);
      const idle = this.workers.find((w) => w.idle);
      if (idle) this.next(idle);
    });
  }

  /** Statements waiting for a worker. */
  get waiting(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) settle(job, { error: closing() });
    for (const w of this.workers) w.close();
  }

  private timedOut(job: Job): void {
    job.timer = undefined;
    const error = new StoreUnavailable(new Error(`canceling statement due to statement timeout (${this.timeoutMs} ms)`));
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      settle(job, { error });
      return;
    }
    this.workers.find((w) => w.running === job)?.abandon(job, error);
  }

  private next(worker: ReadWorker): void {
    if (!worker.idle) return;
    const job = this.queue.shift();
    if (job) worker.run(job);
  }
}
