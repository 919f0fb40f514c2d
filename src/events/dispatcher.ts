/**
 * The webhook dispatcher. Two steps, repeated whenever woken (after a commit in this process) or every poll:
 * 1. Fan-out (fan-out.ts): events past the fan-out cursor become one delivery per subscribed, enabled endpoint.
 * 2. Send: due queues are claimed (claims.ts): for each (endpoint, directory), only the oldest unfinished
 *    delivery is due, so an endpoint gets one directory's events one at a time, in log order; other
 *    directories and endpoints are not held back. A claim is a lease; a worker that dies mid-send loses it and
 *    the delivery is sent again (at-least-once). Each answer is recorded (outcomes.ts).
 * Failures retry with exponential backoff and jitter, honouring Retry-After, for three days (retry-policy.ts);
 * a 410 disables the endpoint. An endpoint whose secret cannot be decrypted is disabled (reason
 * `secret_undecryptable`, logged) when its delivery comes up; fan-out and every other endpoint carry on, since
 * neither needs that secret.
 *
 * This module is the scheduling: the poll timer, wake-ups, one pass at a time, and the sends in flight.
 */
import type { Logger } from 'pino';
import type { WebhookDeliveriesTable } from '../store/db.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import { claimDueDeliveries, release, type Claim } from './claims.ts';
import { UndecryptableSecret, type SecretKeys } from './crypto.ts';
import { fanOutEvents } from './fan-out.ts';
import type { AllLookup } from './http-post.ts';
import { EVENT_GONE, outcomeOf, recordOutcome, type Outcome } from './outcomes.ts';
import { postEvent, type PostOptions } from './post-event.ts';
import { eventObject, readEvent, type EventRecord } from './reads.ts';
import { BASE_DELAY_MS, LEASE_MS, MAX_DELAY_MS, TIMEOUT_MS, type RetryDelays } from './retry-policy.ts';
import { DISABLED_REASONS, WebhookStore, type SigningSecrets, type WebhookEndpoint } from './webhooks-store.ts';

export interface DispatcherOptions {
  secretKey: string;
  /** GUESTLIST_SECRET_KEY_PREVIOUS: still decrypts secrets stored under it (re-encrypted with `secretKey`). */
  previousSecretKey?: string | undefined;
  blockPrivate: boolean;
  logger: Logger;
  pollMs?: number;
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

/** Deliveries of one queue sent in a row before the queue goes back to the pool. */
const MAX_RUN = 25;

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private newEvents = true;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  private readonly keys: SecretKeys;
  private readonly leaseMs: number;
  private readonly delays: RetryDelays;
  private readonly postOptions: PostOptions;
  /** Endpoints already warned about (once per process) for an unreadable previous secret. */
  private readonly warnedPrevious = new Set<string>();

  constructor(
    private readonly store: KyselyStore,
    private readonly options: DispatcherOptions,
  ) {
    this.keys = { current: options.secretKey, previous: options.previousSecretKey };
    this.leaseMs = options.leaseMs ?? LEASE_MS;
    this.delays = { baseMs: options.baseDelayMs ?? BASE_DELAY_MS, maxMs: options.maxDelayMs ?? MAX_DELAY_MS };
    this.postOptions = { timeoutMs: options.timeoutMs ?? TIMEOUT_MS, blockPrivate: options.blockPrivate, ...(options.lookup ? { lookup: options.lookup } : {}) };
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 500);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running || this.inFlight.size > 0) await Promise.race([...this.inFlight, new Promise((r) => setTimeout(r, 10))]);
  }

  /** New events may exist (a commit, a NOTIFY, the poll): fan out, then send. */
  wake(): void {
    this.newEvents = true;
    this.kick();
  }

  /** Turns up to 500 new events into deliveries, and marks their queues due; returns how many events it consumed. */
  fanOut(): Promise<number> {
    return fanOutEvents(this.store);
  }

  /** Leases up to `limit` due queues and returns each one's head delivery, marked sending (see claims.ts). */
  claimDue(limit: number): Promise<Claim[]> {
    return claimDueDeliveries(this.store, limit, this.leaseMs);
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
      .catch((err) => this.options.logger.error({ err }, 'webhook dispatch pass failed'))
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
      while (!this.stopped && (await this.fanOut()) > 0);
    }
    const limit = (this.options.concurrency ?? 16) - this.inFlight.size;
    if (limit <= 0) return;
    for (const claim of await this.claimDue(limit)) {
      const job = this.send(claim).catch((err) => this.options.logger.error({ err, delivery: claim.deliveryId }, 'webhook send failed'));
      this.inFlight.add(job);
      void job.finally(() => {
        this.inFlight.delete(job);
        this.kick();
      });
    }
  }

  /**
   * Sends a claimed queue's head, then, while the queue is ours and its next delivery is due, that one too (up
   * to a run of 25 before the queue goes back to the pool): one transaction per delivery instead of two.
   */
  private async send(first: Claim): Promise<void> {
    let claim: Claim | undefined = first;
    for (let run = 1; claim && !this.stopped; run++) claim = await this.sendOne(claim, run < MAX_RUN);
  }

  /** Sends one claimed delivery and records the outcome; returns the queue's next delivery if the run goes on. */
  private async sendOne(claim: Claim, mayContinue: boolean): Promise<Claim | undefined> {
    const db = this.store.db;
    const delivery = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', claim.deliveryId).executeTakeFirstOrThrow();
    const webhooks = new WebhookStore(db, this.keys);
    const endpoint = await webhooks.get(delivery.endpoint_id);
    const event = await readEvent(db, delivery.event_id);
    if (!endpoint) return undefined; // Deleted while we held it: its deliveries and queues went with it.
    if (endpoint.status !== 'enabled') return release(this.store, claim);
    const secrets = await this.signingSecrets(webhooks, endpoint);
    if (secrets === 'undecryptable') return release(this.store, claim);
    if (!secrets) return undefined;
    const outcome = event ? await this.attempt(endpoint, secrets, event, delivery) : EVENT_GONE;
    return recordOutcome(this.store, claim, outcome, mayContinue, this.leaseMs);
  }

  /**
   * The secrets that sign the endpoint's deliveries; 'undecryptable' when its secret cannot be decrypted, in
   * which case this endpoint alone stops: disabled with its reason, its delivery left pending for when it is
   * fixed.
   */
  private async signingSecrets(webhooks: WebhookStore, endpoint: WebhookEndpoint): Promise<SigningSecrets | 'undecryptable' | undefined> {
    let secrets: SigningSecrets | undefined;
    try {
      secrets = await webhooks.signingSecrets(endpoint.id);
    } catch (error) {
      if (!(error instanceof UndecryptableSecret)) throw error;
      if (await webhooks.disableUndecryptable(endpoint.id)) {
        this.options.logger.error(
          { endpoint: endpoint.id, reason: DISABLED_REASONS.secretUndecryptable },
          'webhook endpoint disabled: its secret cannot be decrypted with GUESTLIST_SECRET_KEY (or GUESTLIST_SECRET_KEY_PREVIOUS); rotate its secret, then re-enable it',
        );
      }
      return 'undecryptable';
    }
    if (secrets?.previous_unreadable && !this.warnedPrevious.has(endpoint.id)) {
      this.warnedPrevious.add(endpoint.id);
      this.options.logger.warn({ endpoint: endpoint.id }, 'webhook endpoint previous secret cannot be decrypted; signing with the current secret only');
    }
    return secrets;
  }

  /** POSTs the event to the endpoint, and judges the answer. */
  private async attempt(endpoint: WebhookEndpoint, secrets: SigningSecrets, event: EventRecord, delivery: Pick<WebhookDeliveriesTable, 'first_attempt_at' | 'attempt_count'>): Promise<Outcome> {
    const body = JSON.stringify(eventObject(event));
    const started = Date.now();
    const posted = await postEvent(endpoint.endpoint_url, secrets, event.id, body, this.postOptions);
    const attempt = { attempted_at: new Date(started).toISOString(), status: posted.status, error: posted.error, duration_ms: Date.now() - started };
    return outcomeOf(posted, attempt, delivery, this.delays);
  }
}
