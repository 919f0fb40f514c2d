/**
 * Group commit: concurrent write transactions run one after another inside a single database transaction, and
 * share its commit. A commit is the expensive part of a small write (SQLite writes every touched page to the WAL
 * again, PostgreSQL waits for a WAL flush, and on both the event counter and the directory's counters are hot
 * rows), so a batch of N writes pays for one instead of N.
 *
 * Each write keeps its own atomicity and isolation: it runs alone (never interleaved with another) inside its
 * own savepoint. A write that throws is rolled back to its savepoint and rejected with its own error (a 409
 * stays a 409); the others carry on and commit. A write is resolved only after the batch commits. If the batch
 * itself fails (the commit, a lost connection, a deadlock between processes), nothing of it was kept: every
 * write that had not failed on its own is run again in a transaction of its own, so it is never lost and never
 * blamed for another's failure.
 *
 * Hot rows are written once per batch, at its end: each write hands its "tail" (its events, its changes to the
 * directory's counters) to `defer`, and `finish` writes the tails of the writes that succeeded, in their order,
 * just before the commit. So the locks on those rows are held only from `finish` to the commit, and on
 * PostgreSQL several batches (`lanes`, each on its own connection) do their main work at the same time.
 *
 * Bounds: a batch takes at most `maxBatch` writes, and starts `waitMs` after the first write queues, or with 0
 * (the default) one event-loop turn after it, so that the writes whose requests were read in the same turn join
 * it at no cost in latency; writes arriving while a batch runs join it until it is full, then wait for the next
 * free lane.
 */

export interface Savepoints<Trx> {
  begin(trx: Trx): Promise<void>;
  release(trx: Trx): Promise<void>;
  rollback(trx: Trx): Promise<void>;
}

export interface GroupCommitStats {
  batches: number;
  writes: number;
  /** Writes run again on their own after their batch failed as a whole. */
  retriedAlone: number;
  largestBatch: number;
}

/** A write: its work through `trx`, and its tail handed to `defer`. */
export type BatchedWrite<Trx, Item, T> = (trx: Trx, defer: (...items: Item[]) => void) => Promise<T>;

interface Job<Trx, Item> {
  run: BatchedWrite<Trx, Item, unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  failed?: boolean;
}

export interface GroupCommitOptions {
  maxBatch: number;
  /** How long the first write of a batch waits for others (0: one event-loop turn). */
  waitMs?: number;
  /** Batches that may run at once (1 on SQLite, whose one connection writes alone). */
  lanes: number;
}

export class GroupCommit<Trx, Item> {
  private readonly queue: Job<Trx, Item>[] = [];
  private running = 0;
  private scheduled = false;
  public maxBatch: number;
  public waitMs: number;
  readonly lanes: number;
  readonly stats: GroupCommitStats = { batches: 0, writes: 0, retriedAlone: 0, largestBatch: 0 };

  /**
   * `transaction` runs its body in one transaction and commits it (rejecting if either fails); `finish` writes
   * the deferred tails of a transaction's writes, as its last step.
   */
  constructor(
    private readonly transaction: <T>(body: (trx: Trx) => Promise<T>) => Promise<T>,
    private readonly finish: (trx: Trx, items: Item[]) => Promise<void>,
    private readonly savepoints: Savepoints<Trx>,
    options: GroupCommitOptions,
  ) {
    this.maxBatch = options.maxBatch;
    this.waitMs = options.waitMs ?? 0;
    this.lanes = options.lanes;
  }

  /** Runs `run` as one atomic write, committed with whatever other writes share its batch. */
  submit<T>(run: BatchedWrite<Trx, Item, T>): Promise<T> {
    if (this.maxBatch <= 1) return this.alone(run);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Runs `run` in a transaction of its own (a large write, or batching turned off). */
  alone<T>(run: BatchedWrite<Trx, Item, T>): Promise<T> {
    return this.transaction(async (trx) => {
      const items: Item[] = [];
      const value = await run(trx, (...more) => items.push(...more));
      await this.finish(trx, items);
      return value;
    });
  }

  /** Writes waiting for a batch. */
  get queued(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.running >= this.lanes || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      void this.runBatch();
    };
    if (this.waitMs > 0) setTimeout(start, this.waitMs);
    else setImmediate(start);
  }

  private async runBatch(): Promise<void> {
    if (this.running >= this.lanes || this.queue.length === 0) return;
    this.running += 1;
    // Another lane may start as soon as this one has taken its first writes.
    this.schedule();
    const taken: Job<Trx, Item>[] = [];
    const results = new Map<Job<Trx, Item>, unknown>();
    try {
      await this.transaction(async (trx) => {
        const items: Item[] = [];
        while (taken.length < this.maxBatch && this.queue.length > 0) {
          const job = this.queue.shift()!;
          taken.push(job);
          await this.runOne(trx, job, results, items);
        }
        await this.finish(trx, items);
      });
      this.stats.batches += 1;
      this.stats.writes += results.size;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, taken.length);
      for (const [job, value] of results) job.resolve(value);
    } catch {
      // The batch's work is gone. Writes that had not failed on their own get a transaction each.
      for (const job of taken) {
        if (job.failed) continue;
        this.stats.retriedAlone += 1;
        this.alone(job.run).then(job.resolve, job.reject);
      }
    } finally {
      this.running -= 1;
      this.schedule();
    }
  }

  /** One write inside its savepoint. Its own failure is rolled back and reported; the batch goes on. */
  private async runOne(trx: Trx, job: Job<Trx, Item>, results: Map<Job<Trx, Item>, unknown>, items: Item[]): Promise<void> {
    await this.savepoints.begin(trx);
    let value: unknown;
    const tail: Item[] = [];
    try {
      value = await job.run(trx, (...more) => tail.push(...more));
    } catch (error) {
      // If even the rollback fails, the transaction is unusable: that propagates and fails the batch.
      await this.savepoints.rollback(trx);
      job.failed = true;
      job.reject(error);
      return;
    }
    await this.savepoints.release(trx);
    items.push(...tail);
    results.set(job, value);
  }
}
