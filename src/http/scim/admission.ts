/**
 * Admission control for the SCIM endpoint: bounded work in flight, in total and per directory, with a bounded
 * wait queue. A slot that frees goes to the next directory in turn (round robin) that has a request waiting
 * and room under its own cap, so one directory's burst cannot starve the others. Beyond the queue, or after
 * waiting too long, a request is refused with 429 and Retry-After (which Entra and Okta honour) instead of
 * timing out or failing with a 5xx.
 */

export interface AdmissionLimits {
  maxInFlight: number;
  maxInFlightPerDirectory: number;
  maxQueued: number;
  maxQueuedPerDirectory: number;
  maxWaitMs: number;
}

export type RejectReason = 'queue_full' | 'directory_queue_full' | 'wait_timeout';

export class Overloaded extends Error {
  constructor(
    readonly reason: RejectReason,
    readonly retryAfterSeconds: number,
  ) {
    super(`Too many requests (${reason.replace(/_/g, ' ')}); retry after ${retryAfterSeconds} s.`);
  }
}

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

interface DirectoryState {
  inFlight: number;
  waiting: Waiter[];
}

export class Admission {
  private inFlight = 0;
  private queued = 0;
  private readonly directories = new Map<string, DirectoryState>();
  /** Directories with waiters, in the order they get the next free slot. */
  private turn: string[] = [];
  readonly rejected: Record<RejectReason, number> = { queue_full: 0, directory_queue_full: 0, wait_timeout: 0 };

  constructor(readonly limits: AdmissionLimits) {}

  get stats() {
    return { inFlight: this.inFlight, queued: this.queued, directories: this.directories.size };
  }

  /**
   * Refuses at once, before any other work (authentication costs a database read), a request that could be
   * neither admitted nor queued now. Says nothing about the directory beyond "busy".
   */
  precheck(directoryId: string): void {
    const state = this.directories.get(directoryId);
    const inFlight = state?.inFlight ?? 0;
    const waiting = state?.waiting.length ?? 0;
    if (this.inFlight < this.limits.maxInFlight && inFlight < this.limits.maxInFlightPerDirectory && waiting === 0) return;
    if (this.queued >= this.limits.maxQueued) throw this.refusal('queue_full');
    if (waiting >= this.limits.maxQueuedPerDirectory) throw this.refusal('directory_queue_full');
  }

  private refusal(reason: RejectReason): Overloaded {
    this.rejected[reason]++;
    return new Overloaded(reason, this.retryAfter());
  }

  /** The release function when a slot is free now (nobody of the directory waiting); else undefined, nothing taken. */
  tryAcquire(directoryId: string): (() => void) | undefined {
    const state = this.directories.get(directoryId);
    if (this.inFlight >= this.limits.maxInFlight) return undefined;
    if (state && (state.inFlight >= this.limits.maxInFlightPerDirectory || state.waiting.length > 0)) return undefined;
    this.admit(state ?? this.state(directoryId));
    return this.releaser(directoryId);
  }

  /** Resolves with the release function once admitted; rejects with Overloaded when refused. */
  acquire(directoryId: string): Promise<() => void> {
    const state = this.state(directoryId);
    const release = this.releaser(directoryId);
    if (this.inFlight < this.limits.maxInFlight && state.inFlight < this.limits.maxInFlightPerDirectory && state.waiting.length === 0) {
      this.admit(state);
      return Promise.resolve(release);
    }
    if (this.queued >= this.limits.maxQueued) return this.reject('queue_full', directoryId);
    if (state.waiting.length >= this.limits.maxQueuedPerDirectory) return this.reject('directory_queue_full', directoryId);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => resolve(release),
        timer: setTimeout(() => {
          state.waiting.splice(state.waiting.indexOf(waiter), 1);
          this.queued--;
          this.forget(directoryId);
          this.rejected.wait_timeout++;
          reject(new Overloaded('wait_timeout', this.retryAfter()));
        }, this.limits.maxWaitMs),
      };
      state.waiting.push(waiter);
      this.queued++;
      if (!this.turn.includes(directoryId)) this.turn.push(directoryId);
    });
  }

  private state(directoryId: string): DirectoryState {
    let state = this.directories.get(directoryId);
    if (!state) this.directories.set(directoryId, (state = { inFlight: 0, waiting: [] }));
    return state;
  }

  private admit(state: DirectoryState): void {
    this.inFlight++;
    state.inFlight++;
  }

  private releaser(directoryId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const state = this.directories.get(directoryId)!;
      this.inFlight--;
      state.inFlight--;
      this.forget(directoryId);
      this.dispatch();
    };
  }

  /** Hands free slots to waiting directories in turn. */
  private dispatch(): void {
    let scanned = 0;
    while (this.inFlight < this.limits.maxInFlight && this.turn.length > 0 && scanned < this.turn.length) {
      const directoryId = this.turn.shift()!;
      const state = this.directories.get(directoryId);
      if (!state || state.waiting.length === 0) continue;
      if (state.inFlight >= this.limits.maxInFlightPerDirectory) {
        this.turn.push(directoryId);
        scanned++;
        continue;
      }
      const waiter = state.waiting.shift()!;
      clearTimeout(waiter.timer);
      this.queued--;
      this.admit(state);
      waiter.admit();
      if (state.waiting.length > 0) this.turn.push(directoryId);
      scanned = 0;
    }
  }

  private forget(directoryId: string): void {
    const state = this.directories.get(directoryId);
    if (state && state.inFlight === 0 && state.waiting.length === 0) {
      this.directories.delete(directoryId);
      this.turn = this.turn.filter((d) => d !== directoryId);
    }
  }

  private reject(reason: RejectReason, directoryId: string): Promise<never> {
    this.forget(directoryId);
    return Promise.reject(this.refusal(reason));
  }

  /** Seconds a refused client should wait: about how long the current queue takes to drain, at least 1. */
  private retryAfter(): number {
    return Math.max(1, Math.min(30, Math.ceil(this.queued / Math.max(1, this.limits.maxInFlight) / 10)));
  }
}
