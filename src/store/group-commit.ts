/**
 * Group commit: concurrent write transactions run one after another inside a single database transaction, and
 * share its commit. A commit is the expensive part of a small write (SQLite writes every touched page to the WAL
 * again, PostgreSQL waits for a WAL flush, and on both the event counter and the directory's counters are hot
 * rows), so a batch of N writes pays for one instead of N.
 *
 * Each write keeps its own atomicity and isolation: it runs alone (never interleaved with another) inside its
 * own savepoint (the first write of a batch directly in the transaction, which is rolled back if it throws). A
 * write that throws is rolled back to its savepoint and rejected with its own error (a 409 stays a 409); the
 * others carry on and commit. A write is resolved only after the batch commits. If the batch
 * itself fails (the commit, a lost connection, a deadlock between processes), nothing of it was kept: every
 * write that had not failed on its own is run again in a transaction of its own, so it is never lost and never
 * blamed for another's failure. If the database itself is gone (`isUnavailable`), the first write run again
 * finds out, and the batch's remaining writes are rejected with the same error at once: each request is
 * answered (503) instead of queueing behind connection attempts, and the next batch starts afresh.
 *
 * Hot rows are written once per batch, at its end: each write hands its "tail" (its events, its changes to the
 * directory's counters) to `defer`, and `finish` writes the tails of the writes that succeeded, in their order,
 * just before the commit. So the locks on those rows are held only from `finish` to the commit, and on
 * PostgreSQL several batches (`lanes`, each on its own connection) do their main work at the same time.
 *
 * Writes carry a key (their directory). A key belongs to one running batch at a time, so the writes of one
 * directory never run in two concurrent transactions of this process: they cannot deadlock each other, and they
 * commit in the order they arrived. Lanes serve different directories at once.
 *
 * Across processes (several servers on one PostgreSQL), `keyLock` does the same: a batch takes a
 * transaction-scoped lock on its first write's key as its first statement, waiting for it while it holds nothing
 * else, so the wait can never be part of a deadlock; a key that joins the batch later is only tried
 * (`tryLock`, never waiting, then the savepoint is renewed so a later rollback cannot drop it), and when another
 * process holds it the batch stops taking writes and commits, leaving that write first in the queue for the
 * next batch. Since nothing is ever waited for while holding a key, the order in which keys are locked does not
 * matter. Two processes' batches then never share a directory, and writes of different directories meet only on
 * the event counter (one row, locked last), so they cannot deadlock either.
 *
 * A write that loses a deadlock or a serialization conflict (against a transaction that does not take the key
 * locks, or a write running alone) is not blamed for it: it is rolled back to its savepoint and run again on its
 * own after its batch. Deadlocks and retries are counted in `stats` (and exported as metrics).
 * A large write submitted `alone` gets a transaction of its own, but still holds its key while it runs.
 *
 * Bounds: a batch takes at most `maxBatch` writes, and takes no new write once it has run for BATCH_BUDGET_MS
 * (with a `keyLock`, counted from the end of its first write, where a pipelined lock's wait ends)
 * (on SQLite a batch runs on the main thread, giving the event loop a turn only every
 * `writerSlices.sliceMs`, sqlite-dialect.ts, so its length is how long other writes wait); it starts `waitMs` after the first write queues, or with 0
 * (the default) one event-loop turn after it, so that the writes whose requests were read in the same turn join
 * it at no cost in latency; writes arriving while a batch runs join it until it is full, then wait for the next
 * free lane.
 */

/** A batch's first write failed: its transaction is rolled back, and the write gets its own error. */
class FirstWriteFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('The first write of a batch failed.');
  }
}

/** One savepoint, reused by each write of a batch in turn. */
export interface Savepoints<Trx> {
  begin(trx: Trx): Promise<void>;
  release(trx: Trx): Promise<void>;
  /** Rolls back to the savepoint, which stays open. */
  rollback(trx: Trx): Promise<void>;
  /** Releases the savepoint and opens it again for the next write (on PostgreSQL, in one round trip). */
  renew(trx: Trx): Promise<void>;
}

export interface GroupCommitStats {
  batches: number;
  writes: number;
  /** Writes run again on their own: their batch failed as a whole, or they lost a deadlock inside it. */
  retriedAlone: number;
  largestBatch: number;
  /** Batches that failed as a whole (their commit, a lost connection, a conflict with another process). */
  failedBatches: number;
  /** Deadlocks the database broke by failing one of our transactions or writes (PostgreSQL 40P01). */
  deadlocks: number;
  /** Other transient conflicts seen (serialization failures, 40001). */
  serializationFailures: number;
  /** Transactions of a write running alone that were run again after losing such a conflict. */
  conflictRetries: number;
  /** Times a batch stopped taking writes because another process held the next write's key (`keyLock`). */
  keyLockBusy: number;
}

/**
 * Locks a write key for the rest of the transaction, across processes (PostgreSQL: a transaction-scoped
 * advisory lock). `lock` waits; `tryLock` does not, and says whether it got the lock.
 */
export interface KeyLock<Trx> {
  lock(trx: Trx, key: string): Promise<void>;
  tryLock(trx: Trx, key: string): Promise<boolean>;
}

/** A write: its work through `trx`, and its tail handed to `defer`. */
export type BatchedWrite<Trx, Item, T> = (trx: Trx, defer: (...items: Item[]) => void) => Promise<T>;

interface Job<Trx, Item> {
  run: BatchedWrite<Trx, Item, unknown>;
  key: string;
  /** What the write will read first and write, for `prefetch` (a user's id). */
  hint?: string;
  /** Runs in a transaction of its own (still holding its key). */
  alone: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Settled inside the batch: failed on its own, or set aside to run again. */
  settled?: boolean;
}

/**
 * Reads ahead, for the writes of a batch, the rows they will lock and read first: one statement for the next
 * writes of a key instead of one each (on PostgreSQL, a round trip each, in a row: a directory's batch is
 * serialized). `load` reads (and locks) the rows of `hints` under `key` into a cache of the transaction's;
 * each write takes its row from it at most once, reading the database when it is not there. `forget` drops the
 * transaction's cache: after a write that gave no hint (it may have changed what was read, such as a user's
 * groups) and after a rollback to the savepoint (which also released the rows' locks, if they were taken in it).
 */
export interface Prefetch<Trx> {
  load(trx: Trx, key: string, hints: string[]): Promise<void>;
  forget(trx: Trx): void;
}

export interface GroupCommitOptions<Item = unknown> {
  maxBatch: number;
  /** How long the first write of a batch waits for others (0: one event-loop turn). */
  waitMs?: number;
  /** Batches that may run at once (1 on SQLite, whose one connection writes alone). */
  lanes: number;
  /** Errors that say "try again" (a deadlock, a serialization failure) rather than "this write is wrong". */
  isTransient?: (error: unknown) => boolean;
  /**
   * Errors that say "the database cannot be reached". After a batch fails, its writes run again alone; once
   * one of them fails this way, the rest are rejected with that error at once instead of each waiting for a
   * connection that will not come.
   */
  isUnavailable?: (error: unknown) => boolean;
  /** Told of every batch that failed as a whole, with the number of writes it held (for logs and metrics). */
  onBatchError?: (error: unknown, writes: number) => void;
  /** Among transient errors, those that are deadlocks (counted apart); by default PostgreSQL's 40P01. */
  isDeadlock?: (error: unknown) => boolean;
  /** Locks each write's key across processes (none on SQLite, whose writes are serial anyway). */
  keyLock?: KeyLock<unknown>;
  /** Reads ahead the rows of hinted writes (PostgreSQL, where each statement is a round trip). */
  prefetch?: Prefetch<unknown>;
  /**
   * Writes now the deferred items a later write of the batch could read (a user's update, tail-writes.ts),
   * returning the items left for `finish`. A hinted write reads only its hint's row, so this runs before a write
   * without a hint, and before a write whose hint a kept write of the batch had. Its failure fails the batch.
   */
  settle?: (trx: unknown, items: Item[]) => Promise<Item[]>;
}

const isPostgresDeadlock = (error: unknown) => (error as { code?: unknown } | null)?.code === '40P01';

/**
 * A batch takes no new write after running this long: the rest wait one event-loop turn for the next batch,
 * so other directories' reads are served in between (see Bounds above).
 */
export const BATCH_BUDGET_MS = 20;

/** Attempts a write running alone gets when it keeps losing deadlocks. */
const ALONE_ATTEMPTS = 5;

export class GroupCommit<Trx, Item> {
  private readonly queue: Job<Trx, Item>[] = [];
  /** Keys held by running batches, each by its batch's token. */
  private readonly claimed = new Map<string, symbol>();
  private running = 0;
  private scheduled = false;
  public maxBatch: number;
  public waitMs: number;
  /** How long a batch keeps taking writes (BATCH_BUDGET_MS; settable for benchmarks). */
  public budgetMs = BATCH_BUDGET_MS;
  readonly lanes: number;
  private readonly isTransient: (error: unknown) => boolean;
  private readonly isUnavailable: (error: unknown) => boolean;
  private readonly onBatchError: (error: unknown, writes: number) => void;
  private readonly isDeadlock: (error: unknown) => boolean;
  /** Locks keys across processes; set by a store whose database is shared by several (PostgreSQL). */
  keyLock: KeyLock<Trx> | undefined;
  private readonly prefetch: Prefetch<Trx> | undefined;
  private readonly settle: ((trx: Trx, items: Item[]) => Promise<Item[]>) | undefined;
  readonly stats: GroupCommitStats = {
    batches: 0,
    writes: 0,
    retriedAlone: 0,
    largestBatch: 0,
    failedBatches: 0,
    deadlocks: 0,
    serializationFailures: 0,
    conflictRetries: 0,
    keyLockBusy: 0,
  };

  /**
   * `transaction` runs its body in one transaction and commits it (rejecting if either fails); `finish` writes
   * the deferred tails of a transaction's writes, as its last step.
   */
  constructor(
    private readonly transaction: <T>(body: (trx: Trx) => Promise<T>) => Promise<T>,
    private readonly finish: (trx: Trx, items: Item[]) => Promise<void>,
    private readonly savepoints: Savepoints<Trx>,
    options: GroupCommitOptions<Item>,
  ) {
    this.maxBatch = options.maxBatch;
    this.waitMs = options.waitMs ?? 0;
    this.lanes = options.lanes;
    this.isTransient = options.isTransient ?? (() => false);
    this.isUnavailable = options.isUnavailable ?? (() => false);
    this.onBatchError = options.onBatchError ?? (() => {});
    this.isDeadlock = options.isDeadlock ?? isPostgresDeadlock;
    this.keyLock = options.keyLock as KeyLock<Trx> | undefined;
    this.prefetch = options.prefetch as Prefetch<Trx> | undefined;
    this.settle = options.settle;
  }

  /** Counts a deadlock or another transient conflict; says whether `error` was one. */
  private noteConflict(error: unknown): boolean {
    if (this.isDeadlock(error)) this.stats.deadlocks += 1;
    else if (this.isTransient(error)) this.stats.serializationFailures += 1;
    else return false;
    return true;
  }

  /**
   * Runs `run` as one atomic write, committed with whatever other writes of any key share its batch; or, with
   * `alone`, in a transaction of its own, in its turn among its key's writes.
   */
  submit<T>(run: BatchedWrite<Trx, Item, T>, key = '', alone = false, hint?: string): Promise<T> {
    if (this.maxBatch <= 1) return this.alone(run, key);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, key, alone, ...(hint === undefined ? {} : { hint }), resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /**
   * Runs `run` in a transaction of its own (a large write, or batching turned off), again if it loses a
   * deadlock or a serialization conflict; holding `key`'s lock across processes, when there is a `keyLock`.
   */
  async alone<T>(run: BatchedWrite<Trx, Item, T>, key = ''): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.transaction(async (trx) => {
          if (key !== '' && this.keyLock) await this.keyLock.lock(trx, key);
          const items: Item[] = [];
          const value = await run(trx, (...more) => items.push(...more));
          await this.finish(trx, items);
          return value;
        });
      } catch (error) {
        if (!this.noteConflict(error) || attempt >= ALONE_ATTEMPTS) throw error;
        this.stats.conflictRetries += 1;
        // The other side of a deadlock usually finishes within milliseconds; a jitter keeps two losers apart.
        await new Promise((resolve) => setTimeout(resolve, attempt * 5 + Math.random() * 20));
      }
    }
  }

  /** Writes waiting for a batch. */
  get queued(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.running >= this.lanes || this.scheduled || this.next(undefined) < 0) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      void this.runBatch();
    };
    if (this.waitMs > 0) setTimeout(start, this.waitMs);
    else setImmediate(start);
  }

  /**
   * The first queued write that the batch `token` may take: its key is free or already the batch's, and it is
   * not an `alone` write joining a batch. A key's writes are taken in order, so one that must wait holds back
   * the key's later writes.
   */
  private next(token: symbol | undefined, first = true): number {
    const held = new Set<string>();
    return this.queue.findIndex((job) => {
      if (held.has(job.key)) return false;
      const holder = this.claimed.get(job.key);
      if ((holder === undefined || holder === token) && (first || !job.alone)) return true;
      held.add(job.key);
      return false;
    });
  }

  private take(token: symbol, first = false): Job<Trx, Item> | undefined {
    const index = this.next(token, first);
    if (index < 0) return undefined;
    const [job] = this.queue.splice(index, 1);
    this.claimed.set(job!.key, token);
    return job;
  }

  private async runBatch(): Promise<void> {
    if (this.running >= this.lanes) return;
    const token = Symbol('batch');
    // Taken before the transaction begins, so that the next lane, scheduled now, sees the key as held.
    const first = this.take(token, true);
    if (!first) return;
    this.running += 1;
    this.schedule();
    const taken: Job<Trx, Item>[] = [first];
    try {
      if (first.alone) await this.alone(first.run, first.key).then(first.resolve, first.reject);
      else await this.runShared(token, taken);
    } finally {
      for (const job of taken) if (this.claimed.get(job.key) === token) this.claimed.delete(job.key);
      this.running -= 1;
      this.schedule();
    }
  }

  /**
   * Runs `taken` (its first write, and whatever it takes while it runs) in one transaction and resolves the writes
   * once it commits; then runs again, alone, the writes set aside or left without a result by a failed batch.
   */
  private async runShared(token: symbol, taken: Job<Trx, Item>[]): Promise<void> {
    const results = new Map<Job<Trx, Item>, unknown>();
    const again: Job<Trx, Item>[] = [];
    try {
      await this.transaction((trx) => this.runWrites(trx, token, taken, results, again));
      this.stats.batches += 1;
      this.stats.writes += results.size;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, taken.length);
      for (const [job, value] of results) job.resolve(value);
    } catch (error) {
      if (error instanceof FirstWriteFailed) {
        // Its own failure, with nothing else in the transaction: as a write failing in its savepoint would be.
        const job = taken[0]!;
        job.settled = true;
        if (this.noteConflict(error.cause)) again.push(job);
        else job.reject(error.cause);
        await this.runAgain(again);
        return;
      }
      // The batch's work is gone. Writes that had not failed on their own get a transaction each.
      this.stats.failedBatches += 1;
      this.noteConflict(error);
      try {
        this.onBatchError(error, taken.length);
      } catch {
        // A failing observer must not strand the batch's writes.
      }
      const retry = taken.filter((job) => !job.settled || again.includes(job));
      again.splice(0, again.length, ...retry);
    }
    // Still holding the batch's keys, so these run in order and before the keys' next writes.
    await this.runAgain(again);
  }

  /**
   * The batch's transaction: each write in turn inside the savepoint, taking the next while the batch has room
   * and time left, then the tails of the writes kept.
   */
  private async runWrites(
    trx: Trx,
    token: symbol,
    taken: Job<Trx, Item>[],
    results: Map<Job<Trx, Item>, unknown>,
    again: Job<Trx, Item>[],
  ): Promise<void> {
    const items: Item[] = [];
    // Before the savepoint, holding nothing yet: waiting here cannot deadlock (see keyLock above).
    const keyLocked = taken[0]!.key !== '' && this.keyLock !== undefined;
    if (keyLocked) await this.keyLock!.lock(trx, taken[0]!.key);
    // The budget runs from here: time spent waiting for another process's batch on the same directory is not
    // this batch's length. Counted from before the wait, a batch that had waited took no second write, and four
    // processes writing one directory made batches of one (49 POST/s where one process made 597).
    let started = performance.now();
    // The first write runs without a savepoint: the transaction holds nothing else to protect, and a batch of one
    // (most of them, under light load) saves two round trips on PostgreSQL. If it fails, the whole transaction is
    // rolled back instead (FirstWriteFailed). The savepoint opens when a second write joins.
    const loaded = new Set<string>();
    // Hints of the kept writes whose deferred items are not settled yet (undefined: a write without one).
    const unsettled = new Set<string | undefined>();
    await this.runFirst(trx, taken[0]!, results, items, loaded);
    // Pipelined (PostgreSQL), the lock is answered at once and its wait ends inside the first write's first
    // statement: then the budget runs from the first write's end.
    if (keyLocked) started = performance.now();
    let open = false;
    for (let job: Job<Trx, Item> | undefined = taken[0]; job; ) {
      const kept = job === taken[0] || (await this.runOne(trx, job, results, items, again, loaded));
      if (kept) unsettled.add(job.hint);
      let locked = false;
      if (taken.length < this.maxBatch && performance.now() - started < this.budgetMs) [job, locked] = await this.takeLocked(trx, token);
      else job = undefined;
      if (job) taken.push(job);
      // Before the savepoint is renewed, so that a rollback of the next write cannot undo what is settled.
      const settled = job !== undefined && (await this.settleFor(trx, job, items, unsettled, loaded));
      // After a rollback the savepoint is still open, ready for the next write. A key locked inside it is kept
      // by renewing it (the lock passes to the transaction), so that a later rollback to it cannot drop the lock.
      if (!job) {
        if (open) await this.savepoints.release(trx);
      } else if (!open) {
        await this.savepoints.begin(trx);
        open = true;
      } else if (kept || locked || settled) await this.savepoints.renew(trx);
    }
    await this.finish(trx, items);
  }

  /**
   * Settles the deferred items before `next` runs, if it may read what they write (see `settle`); says whether it
   * wrote anything. Rows read ahead before are dropped then: they may predate what was settled.
   */
  private async settleFor(trx: Trx, next: Job<Trx, Item>, items: Item[], unsettled: Set<string | undefined>, loaded: Set<string>): Promise<boolean> {
    if (!this.settle || unsettled.size === 0) return false;
    // A write with a hint reads no row another hinted write deferred; an unhinted write's deferred rows are unknown.
    if (next.hint !== undefined && !unsettled.has(next.hint) && !unsettled.has(undefined)) return false;
    const left = await this.settle(trx, items);
    unsettled.clear();
    if (left === items) return false;
    items.splice(0, items.length, ...left);
    this.forget(trx, loaded);
    return true;
  }

  /** The batch's first write, outside any savepoint: its failure ends the transaction (see runShared). */
  private async runFirst(trx: Trx, job: Job<Trx, Item>, results: Map<Job<Trx, Item>, unknown>, items: Item[], loaded: Set<string>): Promise<void> {
    const tail: Item[] = [];
    try {
      results.set(job, await this.runPrefetched(trx, job, tail, loaded));
    } catch (error) {
      throw new FirstWriteFailed(error);
    }
    items.push(...tail);
  }

  /**
   * Runs a write of the batch, its row read ahead with those of the key's next hinted writes when it is not yet
   * (see Prefetch). A write without a hint may change what was read: the cache is dropped after it.
   */
  private async runPrefetched(trx: Trx, job: Job<Trx, Item>, tail: Item[], loaded: Set<string>): Promise<unknown> {
    const prefetch = this.prefetch;
    if (!prefetch) return job.run(trx, (...more) => tail.push(...more));
    if (job.hint === undefined) {
      try {
        return await job.run(trx, (...more) => tail.push(...more));
      } finally {
        this.forget(trx, loaded);
      }
    }
    if (!loaded.has(job.hint)) {
      const hints = new Set([job.hint]);
      for (const next of this.queue) {
        // An `alone` write holds its key's later writes back: this batch will not take them.
        if (hints.size >= this.maxBatch || (next.key === job.key && next.alone)) break;
        if (next.key === job.key && next.hint !== undefined && !loaded.has(next.hint)) hints.add(next.hint);
      }
      await prefetch.load(trx, job.key, [...hints]);
      for (const hint of hints) loaded.add(hint);
    }
    return job.run(trx, (...more) => tail.push(...more));
  }

  private forget(trx: Trx, loaded: Set<string>): void {
    if (!this.prefetch || loaded.size === 0) return;
    this.prefetch.forget(trx);
    loaded.clear();
  }

  /**
   * The next write the batch may take, as `take`; with a `keyLock`, a key new to the batch is first tried across
   * processes. When another process holds it, the batch takes nothing more (the write stays first in line).
   * Also says whether a lock was taken.
   */
  private async takeLocked(trx: Trx, token: symbol): Promise<[Job<Trx, Item> | undefined, boolean]> {
    const index = this.next(token);
    if (index < 0) return [undefined, false];
    const job = this.queue[index]!;
    if (!this.keyLock || job.key === '' || this.claimed.get(job.key) === token) return [this.take(token), false];
    // Held in this process while the database is asked, so no other lane takes the key meanwhile.
    this.claimed.set(job.key, token);
    let got = false;
    try {
      got = await this.keyLock.tryLock(trx, job.key);
    } finally {
      if (!got) this.claimed.delete(job.key);
    }
    if (!got) {
      this.stats.keyLockBusy += 1;
      return [undefined, false];
    }
    this.queue.splice(this.queue.indexOf(job), 1);
    return [job, true];
  }

  /**
   * Runs each write in a transaction of its own, in order. Once one finds the database unreachable, the rest are
   * rejected with the same error at once.
   */
  private async runAgain(jobs: Job<Trx, Item>[]): Promise<void> {
    let unavailable: { error: unknown } | undefined;
    for (const job of jobs) {
      if (unavailable) {
        job.reject(unavailable.error);
        continue;
      }
      this.stats.retriedAlone += 1;
      try {
        job.resolve(await this.alone(job.run, job.key));
      } catch (error) {
        if (this.isUnavailable(error)) unavailable = { error };
        job.reject(error);
      }
    }
  }

  /**
   * One write inside the open savepoint. Its own failure is rolled back and reported, or, if transient, set
   * aside in `again`; the batch goes on. Says whether the write was kept.
   */
  private async runOne(
    trx: Trx,
    job: Job<Trx, Item>,
    results: Map<Job<Trx, Item>, unknown>,
    items: Item[],
    again: Job<Trx, Item>[],
    loaded: Set<string>,
  ): Promise<boolean> {
    const tail: Item[] = [];
    try {
      results.set(job, await this.runPrefetched(trx, job, tail, loaded));
    } catch (error) {
      // If even the rollback fails, the transaction is unusable: that propagates and fails the batch.
      await this.savepoints.rollback(trx);
      this.forget(trx, loaded); // rows read ahead inside the savepoint lost their locks with it
      job.settled = true;
      if (this.noteConflict(error)) again.push(job);
      else job.reject(error);
      return false;
    }
    items.push(...tail);
    return true;
  }
}
