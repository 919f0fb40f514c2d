/**
 * The webhook dispatcher. Two steps, repeated whenever woken (after a commit in this process) or every poll:
 * 1. Fan-out (fan-out.ts): events past the fan-out cursor become one delivery per subscribed, enabled endpoint;
 *    a queue that was idle has its new head claimed on the way, so a fresh event costs no separate claim.
 * 2. Send: due queues are claimed (claims.ts): for each (endpoint, directory), only the oldest unfinished
 *    delivery is due, so an endpoint gets one directory's events one at a time, in log order; other
 *    directories and endpoints are not held back. A claim is a lease; a worker that dies mid-send loses it and
 *    the delivery is sent again (at-least-once). Each answer is recorded (outcomes.ts).
 * Failures retry with exponential backoff and jitter, honouring Retry-After, for three days (retry-policy.ts);
 * a 410 disables the endpoint. An endpoint whose secret cannot be decrypted is disabled (reason
 * `secret_undecryptable`, logged) when its delivery comes up; fan-out and every other endpoint carry on, since
 * neither needs that secret.
 *
 * This module is the scheduling: the poll timer, wake-ups, one pass at a time, the sends in flight (up to
 * `concurrency` queues at once), and the group commit of their outcomes: answers that arrive while a batch of
 * outcomes is being written wait for the next batch, which records them all and claims each queue's next
 * delivery in one transaction. So the database work per delivery shrinks as the load grows.
 */
import type { Logger } from 'pino';
import type { KyselyStore } from '../store/kysely-store.ts';
import { isTransientConflict } from '../store/errors.ts';
import { claimDueDeliveries, release, type Job } from './claims.ts';
import type { SecretKeys } from './crypto.ts';
import { BATCH_EVENTS, fanOutEvents } from './fan-out.ts';
import type { AllLookup } from './http-post.ts';
import { recordOutcomes, type Finished } from './outcomes.ts';
import { keyOf, type DispatchStore } from './queues.ts';
import { BASE_DELAY_MS, LEASE_MS, MAX_DELAY_MS, TIMEOUT_MS } from './retry-policy.ts';
import { Sender } from './sender.ts';
import { WebhookStore } from './webhooks-store.ts';

export interface DispatcherOptions {
  secretKey: string;
  /** GUESTLIST_SECRET_KEY_PREVIOUS: still decrypts secrets stored under it (re-encrypted with `secretKey`). */
  previousSecretKey?: string | undefined;
  blockPrivate: boolean;
  logger: Logger;
  pollMs?: number;
  /** Queues sent at once (GUESTLIST_WEBHOOK_CONCURRENCY). */
  concurrency?: number;
  /** Backoff base; tests shorten it. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a receiver may take to answer (10 s; tests shorten it). */
  timeoutMs?: number;
  /** How long a claimed delivery stays leased to this worker (a minute; tests shorten it). */
  leaseMs?: number;
  /** Resolves endpoint host names (dns.lookup; tests replace it). */
  lookup?: AllLookup;
}

/** Queues sent at once by default: as many as the HTTP agent keeps sockets per receiving host. */
export const DEFAULT_CONCURRENCY = 64;
/** Deliveries of one queue sent in a row before the queue goes back to the pool. */
const MAX_RUN = 25;
/** Outcomes recorded per transaction at most. */
const MAX_BATCH = 256;
/** Tries of a batch of outcomes that PostgreSQL failed for a deadlock or a serialization conflict. */
const CONFLICT_TRIES = 3;

/** An outcome waiting to be recorded, and how far into its queue's run it came. */
type Answered = Finished & { run: number };

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private newEvents = true;
  /**
   * A claim of due queues may find something: set by the poll, by a wake for a delivery made due (`wake(true)`), and
   * whenever this dispatcher left due queues unclaimed (its sends were at `concurrency`, a queue went back to
   * the pool after its run). Otherwise every queue with a due delivery is being sent by someone, who goes on
   * with it when its outcome is recorded, and a claim would be a transaction that finds nothing: after every
   * outcome, it made the next write's fan-out wait behind it.
   */
  private mayBeDue = true;
  private stopped = false;
  /** Queues this dispatcher holds: being sent, or their outcome waiting to be recorded. */
  private held = 0;
  /** Sends, releases and outcome batches in progress (stop waits for them). */
  private readonly tasks = new Set<Promise<void>>();
  private answered: Answered[] = [];
  private recording = false;
  /** Outcome batches written and the outcomes in them (the benchmark reports the mean batch). */
  readonly stats = { batches: 0, outcomes: 0 };

  private readonly leaseMs: number;
  private readonly concurrency: number;
  /** Where fan-out, claims and outcomes are written (KyselyStore.dispatchDb). */
  private readonly dispatch: DispatchStore;
  private readonly sender: Sender;

  constructor(
    private readonly store: KyselyStore,
    private readonly options: DispatcherOptions,
  ) {
    const keys: SecretKeys = { current: options.secretKey, previous: options.previousSecretKey };
    this.dispatch = { db: store.dispatchDb, dialect: store.dialect };
    this.leaseMs = options.leaseMs ?? LEASE_MS;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.sender = new Sender(
      new WebhookStore(store.db, keys),
      options.logger,
      { timeoutMs: options.timeoutMs ?? TIMEOUT_MS, blockPrivate: options.blockPrivate, ...(options.lookup ? { lookup: options.lookup } : {}) },
      { baseMs: options.baseDelayMs ?? BASE_DELAY_MS, maxMs: options.maxDelayMs ?? MAX_DELAY_MS },
    );
  }

  start(): void {
    this.stopped = false;
    this.mayBeDue = true;
    this.timer = setInterval(() => this.wake(true), this.options.pollMs ?? 500);
    this.timer.unref();
    this.wake();
  }

  /** Stops claiming; the sends in flight finish and their outcomes are recorded, without going on to the next. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running || this.tasks.size > 0) await Promise.race([...this.tasks, new Promise((r) => setTimeout(r, 10))]);
  }

  /**
   * New events may exist (a commit, a NOTIFY): fan out, then send. `due`: a delivery may also have become due
   * other than by a new event (a re-enabled endpoint, the poll): claim too.
   */
  wake(due = false): void {
    if (due) this.mayBeDue = true;
    this.newEvents = true;
    this.kick();
  }

  /** Turns up to 500 new events into deliveries, and marks their queues due; returns how many events it consumed. */
  async fanOut(): Promise<number> {
    return (await fanOutEvents(this.dispatch)).events;
  }

  /** Leases up to `limit` due queues and returns each one's head delivery, marked sending (see claims.ts). */
  claimDue(limit: number): Promise<Job[]> {
    return claimDueDeliveries(this.dispatch, limit, this.leaseMs);
  }

  /** Runs a pass now (or right after the current one). */
  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.pass()
      .catch((err) => {
        this.mayBeDue = true;
        this.options.logger.error({ err }, 'webhook dispatch pass failed');
      })
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          // On SQLite every query settles as a microtask; yield to the event loop between passes.
          setImmediate(() => this.kick());
        }
      });
  }

  private async pass(): Promise<void> {
    if (this.newEvents) {
      this.newEvents = false;
      // A batch short of full took every event there was; one committed since has woken us again.
      for (let full = true; full && !this.stopped; ) {
        // Idle queues' new heads are claimed by the fan-out itself, while there is room to send them.
        const claimLimit = this.concurrency - this.held;
        const { events, jobs } = await fanOutEvents(this.dispatch, claimLimit, this.leaseMs);
        this.held += jobs.length;
        for (const job of jobs) this.send(job, 1);
        // Claimed as many as there was room for: idle queues may be left over.
        if (events > 0 && jobs.length >= claimLimit) this.mayBeDue = true;
        full = events === BATCH_EVENTS;
      }
    }
    const limit = this.concurrency - this.held;
    if (limit <= 0 || this.stopped || !this.mayBeDue) return;
    this.mayBeDue = false;
    const jobs = await this.claimDue(limit);
    if (jobs.length >= limit) this.mayBeDue = true;
    this.held += jobs.length;
    for (const job of jobs) this.send(job, 1);
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  /** Sends a held queue's head; its outcome joins the next batch to be recorded. */
  private send(job: Job, run: number): void {
    this.track(
      (async () => {
        let outcome;
        try {
          outcome = await this.sender.send(job);
        } catch (err) {
          // Its lease runs out and the delivery is sent again, by this worker or another.
          this.options.logger.error({ err, delivery: job.claim.deliveryId }, 'webhook send failed');
          this.mayBeDue = true;
          return this.letGo(1);
        }
        if (outcome) {
          this.answered.push({ job, outcome, run, mayContinue: run < MAX_RUN });
          return this.record();
        }
        try {
          await release(this.dispatch, job.claim);
        } catch (err) {
          this.options.logger.error({ err, delivery: job.claim.deliveryId }, 'webhook queue not released');
        } finally {
          // Only now is the queue back in the pool: a claim that ran meanwhile could not see it.
          this.mayBeDue = true;
          this.letGo(1);
        }
      })(),
    );
  }

  /** Queues given back: room to claim others. */
  private letGo(count: number): void {
    this.held -= count;
    if (count > 0) this.kick();
  }

  /**
   * Records the answered outcomes in batches, one batch at a time, until none wait. One at a time makes the
   * batches as large as the load: several at once (tried on PostgreSQL, each on a connection of its own) made
   * them smaller and cost more database work per delivery than their overlapping saved.
   */
  private record(): void {
    if (this.recording) return;
    this.recording = true;
    this.track(
      (async () => {
        // Let the other answers that came in this turn of the event loop join: on SQLite a batch runs in
        // microtasks, before any further answer can arrive, and would otherwise hold the first one alone.
        await new Promise((resolve) => setImmediate(resolve));
        while (this.answered.length > 0) {
          const batch = this.answered.splice(0, MAX_BATCH);
          // Once stopping, no queue goes on to its next delivery: each is given back as it is recorded.
          if (this.stopped) for (const a of batch) a.mayContinue = false;
          // A queue at the end of its run goes back to the pool, due if it has more: once the batch has committed
          // (a claim running meanwhile would find it still leased, and a wake before it would be spent).
          const givenBack = batch.some((a) => !a.mayContinue);
          const runs = new Map(batch.map((a) => [keyOf(a.job.claim.queue), a.run]));
          this.stats.batches++;
          this.stats.outcomes += batch.length;
          let next: Job[] = [];
          try {
            next = await this.recordBatch(batch);
          } catch (err) {
            // Their leases run out and the deliveries are sent again.
            this.options.logger.error({ err, deliveries: batch.map((a) => a.job.claim.deliveryId) }, 'webhook outcomes not recorded');
            this.mayBeDue = true;
          }
          if (givenBack) this.mayBeDue = true;
          this.letGo(batch.length - next.length);
          for (const job of next) this.send(job, runs.get(keyOf(job.claim.queue))! + 1);
        }
      })().finally(() => {
        this.recording = false;
      }),
    );
  }

  private async recordBatch(batch: Finished[]): Promise<Job[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await recordOutcomes(this.dispatch, batch, this.leaseMs);
      } catch (error) {
        if (attempt >= CONFLICT_TRIES || !isTransientConflict(error)) throw error;
      }
    }
  }
}
