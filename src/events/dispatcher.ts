/**
 * The webhook dispatcher. Two steps, repeated whenever woken (after a commit in this process) or every poll:
 * 1. Fan-out: events past the fan-out cursor become one delivery per subscribed, enabled endpoint.
 * 2. Send: for each (endpoint, directory), only the oldest unfinished delivery is due, so an endpoint gets one
 *    directory's events one at a time, in log order; other directories and endpoints are not held back.
 *    A delivery is claimed by a conditional update (a row lock), leased for a minute; a worker that dies
 *    mid-send loses the lease and the delivery is sent again (at-least-once).
 * Failures retry with exponential backoff and jitter, honouring Retry-After, for three days; a 410 disables
 * the endpoint. An endpoint whose secret cannot be decrypted is disabled (reason `secret_undecryptable`, logged)
 * when its delivery comes up; fan-out and every other endpoint carry on, since neither needs that secret.
 */
import type { Logger } from 'pino';
import { newId } from '../ids.ts';
import { fromJson, now } from '../store/codec.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import type { Executor } from '../store/db.ts';
import { markDue, queueHead, setQueue, type QueueKey } from './queues.ts';
import { signatureHeaders } from './signing.ts';
import { postJson, type AllLookup } from './http-post.ts';
import { checkUrlShape } from './url-safety.ts';
import { UndecryptableSecret, type SecretKeys } from './crypto.ts';
import { DISABLED_REASONS, WebhookStore, type SigningSecrets, type WebhookEndpoint } from './webhooks-store.ts';

export const RETRY_WINDOW_MS = 3 * 24 * 3600 * 1000;
const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;

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

/** Exponential backoff with ±20% jitter: base·2^(n−1), capped. */
export function backoff(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, at = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - at);
}

export interface Claim {
  deliveryId: string;
  queue: QueueKey;
  /** The lease written on the queue; completing checks it is still ours. */
  lease: string;
}

interface Outcome {
  state: 'succeeded' | 'failed' | 'pending';
  status: number | null;
  error: string | null;
  attempt?: { attempted_at: string; status: number | null; error: string | null; duration_ms: number };
  disable?: string;
  firstAttemptAt?: string;
  retryAt?: string;
}

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private newEvents = true;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  private readonly keys: SecretKeys;
  /** Endpoints already warned about (once per process) for an unreadable previous secret. */
  private readonly warnedPrevious = new Set<string>();

  constructor(
    private readonly store: KyselyStore,
    private readonly options: DispatcherOptions,
  ) {
    this.keys = { current: options.secretKey, previous: options.previousSecretKey };
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

  /** Turns up to 500 new events into deliveries, and marks their queues due; returns how many events it consumed. */
  async fanOut(): Promise<number> {
    // Not store.transaction: that tells commit listeners (this dispatcher), which would wake it forever.
    return this.store.db.transaction().execute(async (trx) => {
      const db = trx as unknown as Executor;
      let state = db.selectFrom('dispatch_state').select('fanout_seq').where('id', '=', 1);
      if (this.store.dialect === 'postgres') state = state.forUpdate();
      const cursor = Number((await state.executeTakeFirstOrThrow()).fanout_seq);
      const events = await db.selectFrom('events').select(['seq', 'id', 'event', 'directory_id']).where('seq', '>', cursor).orderBy('seq').limit(500).execute();
      if (events.length === 0) return 0;
      const endpoints = await new WebhookStore(db, this.keys).enabled();
      const at = now();
      const rows = events.flatMap((e) =>
        endpoints
          .filter((we) => we.events.includes(e.event))
          .map((we) => ({
            id: newId('webhook_delivery'),
            endpoint_id: we.id,
            event_id: e.id,
            event_seq: Number(e.seq),
            directory_id: e.directory_id,
            state: 'pending',
            attempt_count: 0,
            next_attempt_at: at,
            last_attempt_at: null,
            last_status: null,
            last_error: null,
            locked_until: null,
            first_attempt_at: null,
            created_at: at,
            updated_at: at,
          })),
      );
      for (let i = 0; i < rows.length; i += 200) await db.insertInto('webhook_deliveries').values(rows.slice(i, i + 200)).execute();
      const queues = new Map(rows.map((r) => [`${r.endpoint_id} ${r.directory_id ?? ''}`, { endpoint_id: r.endpoint_id, directory_key: r.directory_id ?? '' }]));
      for (const queue of queues.values()) await markDue(db, queue, at);
      await db.updateTable('dispatch_state').set({ fanout_seq: Number(events[events.length - 1]!.seq) }).where('id', '=', 1).execute();
      return events.length;
    });
  }

  /**
   * Leases up to `limit` due queues of enabled endpoints and returns each one's head delivery, marked sending.
   * On PostgreSQL the queues are locked `FOR UPDATE SKIP LOCKED`, so concurrent workers split the queues
   * between them instead of waiting; a queue is leased to one worker at a time, so one (endpoint, directory)
   * never has two deliveries in flight.
   */
  async claimDue(limit: number): Promise<Claim[]> {
    const at = now();
    const lease = new Date(Date.now() + (this.options.leaseMs ?? LEASE_MS)).toISOString();
    return this.store.db.transaction().execute(async (trx) => {
      const db = trx as unknown as Executor;
      let due = db
        .selectFrom('webhook_queues as q')
        .innerJoin('webhook_endpoints as we', 'we.id', 'q.endpoint_id')
        .select(['q.endpoint_id', 'q.directory_key'])
        .where('we.status', '=', 'enabled')
        .where('q.next_attempt_at', '<=', at)
        .where((eb) => eb.or([eb('q.locked_until', 'is', null), eb('q.locked_until', '<', at)]))
        .orderBy('q.next_attempt_at')
        .limit(limit);
      if (this.store.dialect === 'postgres') due = due.forUpdate('q').skipLocked();
      const claims: Claim[] = [];
      for (const queue of await due.execute()) {
        const head = await queueHead(db, queue);
        if (!head || (head.state === 'pending' && head.next_attempt_at !== null && head.next_attempt_at > at)) {
          // Empty, or its head is waiting out a backoff: record when it is really due.
          await setQueue(db, queue, { next_attempt_at: head ? head.next_attempt_at : null, locked_until: null });
          continue;
        }
        await setQueue(db, queue, { locked_until: lease });
        await db.updateTable('webhook_deliveries').set({ state: 'sending', locked_until: lease, updated_at: at }).where('id', '=', head.id).execute();
        claims.push({ deliveryId: head.id, queue, lease });
      }
      return claims;
    });
  }

  /**
   * Sends a claimed queue's head, then, while the queue is ours and its next delivery is due, that one too (up
   * to a run of 25 before the queue goes back to the pool): one transaction per delivery instead of two.
   */
  private async send(first: Claim): Promise<void> {
    let claim: Claim | undefined = first;
    for (let run = 1; claim && !this.stopped; run++) claim = await this.sendOne(claim, run < 25);
  }

  private async sendOne(claim: Claim, mayContinue: boolean): Promise<Claim | undefined> {
    const db = this.store.db;
    const delivery = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', claim.deliveryId).executeTakeFirstOrThrow();
    const webhooks = new WebhookStore(db as unknown as Executor, this.keys);
    const endpoint = await webhooks.get(delivery.endpoint_id);
    const event = await db.selectFrom('events').selectAll().where('id', '=', delivery.event_id).executeTakeFirst();
    if (!endpoint) return undefined; // Deleted while we held it: its deliveries and queues went with it.
    if (endpoint.status !== 'enabled') return this.release(claim);
    let secrets: SigningSecrets | undefined;
    try {
      secrets = await webhooks.signingSecrets(endpoint.id);
    } catch (error) {
      if (!(error instanceof UndecryptableSecret)) throw error;
      // This endpoint alone stops: disabled with its reason, its delivery left pending for when it is fixed.
      if (await webhooks.disableUndecryptable(endpoint.id)) {
        this.options.logger.error(
          { endpoint: endpoint.id, reason: DISABLED_REASONS.secretUndecryptable },
          'webhook endpoint disabled: its secret cannot be decrypted with GUESTLIST_SECRET_KEY (or GUESTLIST_SECRET_KEY_PREVIOUS); rotate its secret, then re-enable it',
        );
      }
      return this.release(claim);
    }
    if (!secrets) return undefined;
    if (secrets.previous_unreadable && !this.warnedPrevious.has(endpoint.id)) {
      this.warnedPrevious.add(endpoint.id);
      this.options.logger.warn({ endpoint: endpoint.id }, 'webhook endpoint previous secret cannot be decrypted; signing with the current secret only');
    }
    if (!event) return this.complete(claim, { state: 'failed', status: null, error: 'event no longer retained' }, mayContinue);
    const body = JSON.stringify({ object: 'event', id: event.id, event: event.event, data: fromJson(event.data), created_at: event.created_at });
    const started = Date.now();
    const outcome = await this.post(endpoint, secrets, event.id, body);
    const attempt = { attempted_at: new Date(started).toISOString(), status: outcome.status, error: outcome.error, duration_ms: Date.now() - started };
    if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) return this.complete(claim, { state: 'succeeded', status: outcome.status, error: null, attempt }, mayContinue);
    if (outcome.status === 410) return this.complete(claim, { state: 'failed', status: 410, error: 'endpoint answered 410 Gone; endpoint disabled', attempt, disable: DISABLED_REASONS.gone }, mayContinue);
    const first = delivery.first_attempt_at ?? attempt.attempted_at;
    if (Date.now() - Date.parse(first) >= RETRY_WINDOW_MS) return this.complete(claim, { state: 'failed', status: outcome.status, error: outcome.error, attempt }, mayContinue);
    const wait = Math.max(backoff(delivery.attempt_count + 1, this.options.baseDelayMs ?? 5_000, this.options.maxDelayMs ?? 3_600_000), outcome.retryAfterMs ?? 0);
    return this.complete(claim, { state: 'pending', status: outcome.status, error: outcome.error, attempt, firstAttemptAt: first, retryAt: new Date(Date.now() + wait).toISOString() }, mayContinue);
  }

  /** Gives a claimed queue back untouched (its endpoint was disabled meanwhile); it waits until re-enabled. */
  private async release(claim: Claim): Promise<undefined> {
    const at = now();
    await this.store.db.transaction().execute(async (trx) => {
      const db = trx as unknown as Executor;
      await db.updateTable('webhook_deliveries').set({ state: 'pending', locked_until: null, updated_at: at }).where('id', '=', claim.deliveryId).where('state', '=', 'sending').execute();
      await setQueue(db, claim.queue, { next_attempt_at: at, locked_until: null });
    });
    return undefined;
  }

  /**
   * Records an attempt's outcome and moves the queue on, in one transaction. The queue row is locked first, so
   * a concurrent fan-out adding to this queue either commits before (and its deliveries are seen here) or
   * waits and then marks the queue due itself: a queue is never left idle with deliveries in it.
   */
  private async complete(claim: Claim, outcome: Outcome, mayContinue: boolean): Promise<Claim | undefined> {
    const at = now();
    return this.store.db.transaction().execute(async (trx) => {
      const db = trx as unknown as Executor;
      let locked = db.selectFrom('webhook_queues').select('locked_until').where('endpoint_id', '=', claim.queue.endpoint_id).where('directory_key', '=', claim.queue.directory_key);
      if (this.store.dialect === 'postgres') locked = locked.forUpdate();
      const queue = await locked.executeTakeFirst();
      if (outcome.attempt) await db.insertInto('webhook_attempts').values({ id: newId('webhook_delivery'), delivery_id: claim.deliveryId, ...outcome.attempt }).execute();
      await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          state: outcome.state,
          last_status: outcome.status,
          last_error: outcome.error,
          last_attempt_at: outcome.attempt?.attempted_at ?? at,
          attempt_count: outcome.attempt ? eb('attempt_count', '+', 1) : eb.ref('attempt_count'),
          next_attempt_at: outcome.retryAt ?? null,
          ...(outcome.firstAttemptAt ? { first_attempt_at: outcome.firstAttemptAt } : {}),
          locked_until: null,
          updated_at: at,
        }))
        .where('id', '=', claim.deliveryId)
        .execute();
      if (outcome.disable) await db.updateTable('webhook_endpoints').set({ status: 'disabled', disabled_reason: outcome.disable, updated_at: at }).where('id', '=', claim.queue.endpoint_id).execute();
      // Another worker took the queue over after our lease ran out: it moves the queue on, not us.
      if (!queue || queue.locked_until !== claim.lease) return undefined;
      if (outcome.retryAt) {
        await setQueue(db, claim.queue, { next_attempt_at: outcome.retryAt, locked_until: null });
        return undefined;
      }
      const next = await queueHead(db, claim.queue);
      const due = next && (next.next_attempt_at === null || next.next_attempt_at <= at);
      if (next && due && mayContinue && !outcome.disable) {
        const lease = new Date(Date.now() + (this.options.leaseMs ?? LEASE_MS)).toISOString();
        await setQueue(db, claim.queue, { locked_until: lease });
        await db.updateTable('webhook_deliveries').set({ state: 'sending', locked_until: lease, updated_at: at }).where('id', '=', next.id).execute();
        return { deliveryId: next.id, queue: claim.queue, lease };
      }
      await setQueue(db, claim.queue, { next_attempt_at: next ? (next.next_attempt_at ?? at) : null, locked_until: null });
      return undefined;
    });
  }

  private async post(endpoint: WebhookEndpoint, signing: SigningSecrets, eventId: string, body: string): Promise<{ status: number | null; error: string | null; retryAfterMs?: number }> {
    let url: URL;
    try {
      url = checkUrlShape(endpoint.endpoint_url);
    } catch (error) {
      return { status: null, error: (error as Error).message };
    }
    const secrets = [signing.secret, ...(signing.previous_secret ? [signing.previous_secret] : [])];
    const headers = { 'content-type': 'application/json', 'user-agent': 'Guestlist-Webhooks/1', ...signatureHeaders(secrets, eventId, body) };
    const result = await postJson(url, headers, body, { timeoutMs: this.options.timeoutMs ?? TIMEOUT_MS, blockPrivate: this.options.blockPrivate, ...(this.options.lookup ? { lookup: this.options.lookup } : {}) });
    const retry = retryAfterMs(result.retryAfter);
    return { status: result.status, error: result.error, ...(retry !== undefined ? { retryAfterMs: retry } : {}) };
  }
}
