/**
 * The webhook dispatcher. Two steps, repeated whenever woken (after a commit in this process) or every poll:
 * 1. Fan-out: events past the fan-out cursor become one delivery per subscribed, enabled endpoint.
 * 2. Send: for each (endpoint, directory), only the oldest unfinished delivery is due, so an endpoint gets one
 *    directory's events one at a time, in log order; other directories and endpoints are not held back.
 *    A delivery is claimed by a conditional update (a row lock), leased for a minute; a worker that dies
 *    mid-send loses the lease and the delivery is sent again (at-least-once).
 * Failures retry with exponential backoff and jitter, honouring Retry-After, for three days; a 410 disables
 * the endpoint.
 */
import type { Logger } from 'pino';
import { sql } from 'kysely';
import { newId } from '../ids.ts';
import { fromJson, now } from '../store/codec.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import type { Executor } from '../store/scim/resources.ts';
import { signatureHeaders } from './signing.ts';
import { UnsafeUrl, checkEndpointUrl } from './url-safety.ts';
import { WebhookStore, type WebhookEndpoint } from './webhooks-store.ts';

export const RETRY_WINDOW_MS = 3 * 24 * 3600 * 1000;
const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;

export interface DispatcherOptions {
  secretKey: string;
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

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: KyselyStore,
    private readonly options: DispatcherOptions,
  ) {}

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

  /** Runs a pass now (or right after the current one). */
  wake(): void {
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
          setImmediate(() => this.wake());
        }
      });
  }

  private async pass(): Promise<void> {
    while (!this.stopped && (await this.fanOut()) > 0);
    const limit = (this.options.concurrency ?? 16) - this.inFlight.size;
    if (limit <= 0) return;
    for (const id of await this.claimDue(limit)) {
      const job = this.send(id).catch((err) => this.options.logger.error({ err, delivery: id }, 'webhook send failed'));
      this.inFlight.add(job);
      void job.finally(() => {
        this.inFlight.delete(job);
        this.wake();
      });
    }
  }

  /** Turns up to 500 new events into deliveries; returns how many events it consumed. */
  async fanOut(): Promise<number> {
    // Not store.transaction: that tells commit listeners (this dispatcher), which would wake it forever.
    return this.store.db.transaction().execute(async (trx) => {
      const db = trx as unknown as Executor;
      let state = db.selectFrom('dispatch_state').select('fanout_seq').where('id', '=', 1);
      if (this.store.dialect === 'postgres') state = state.forUpdate();
      const cursor = Number((await state.executeTakeFirstOrThrow()).fanout_seq);
      const events = await db.selectFrom('events').select(['seq', 'id', 'event', 'directory_id']).where('seq', '>', cursor).orderBy('seq').limit(500).execute();
      if (events.length === 0) return 0;
      const endpoints = await new WebhookStore(db, this.options.secretKey).enabled();
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
      await db.updateTable('dispatch_state').set({ fanout_seq: Number(events[events.length - 1]!.seq) }).where('id', '=', 1).execute();
      return events.length;
    });
  }

  /**
   * Claims the due heads of their (endpoint, directory) queues, in one transaction. On PostgreSQL the heads
   * are locked `FOR UPDATE SKIP LOCKED`, so concurrent workers split the work instead of waiting on each
   * other; a queue whose head another worker holds is skipped whole, because its later rows are not heads.
   */
  async claimDue(limit: number): Promise<string[]> {
    const at = now();
    const leaseUntil = new Date(Date.now() + (this.options.leaseMs ?? LEASE_MS)).toISOString();
    return this.store.db.transaction().execute(async (trx) => {
      let heads = trx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_endpoints as we', 'we.id', 'd.endpoint_id')
        .select('d.id')
        .where('we.status', '=', 'enabled')
        .where((eb) => eb.or([eb.and([eb('d.state', '=', 'pending'), eb('d.next_attempt_at', '<=', at)]), eb.and([eb('d.state', '=', 'sending'), eb('d.locked_until', '<', at)])]))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_deliveries as p')
                .select('p.id')
                .whereRef('p.endpoint_id', '=', 'd.endpoint_id')
                .where(sql<boolean>`coalesce(p.directory_id, '') = coalesce(d.directory_id, '')`)
                .whereRef('p.id', '!=', 'd.id')
                .where((eb) =>
                  eb.or([
                    // An earlier delivery of the queue is unfinished: this one waits its turn.
                    eb.and([eb('p.state', 'in', ['pending', 'sending']), eb('p.event_seq', '<', eb.ref('d.event_seq'))]),
                    // Another of the queue is in flight (a re-sent older delivery can be behind it).
                    eb.and([eb('p.state', '=', 'sending'), eb('p.locked_until', '>=', at)]),
                  ]),
                ),
            ),
          ),
        )
        .orderBy('d.event_seq')
        .limit(limit);
      if (this.store.dialect === 'postgres') heads = heads.forUpdate('d').skipLocked();
      const ids = (await heads.execute()).map((h) => h.id);
      if (ids.length === 0) return [];
      await trx.updateTable('webhook_deliveries').set({ state: 'sending', locked_until: leaseUntil, updated_at: at }).where('id', 'in', ids).execute();
      return ids;
    });
  }

  private async send(deliveryId: string): Promise<void> {
    const db = this.store.db;
    const delivery = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow();
    const endpoint = await new WebhookStore(db, this.options.secretKey).get(delivery.endpoint_id);
    const event = await db.selectFrom('events').selectAll().where('id', '=', delivery.event_id).executeTakeFirst();
    if (!endpoint || !event) {
      await this.finish(deliveryId, 'failed', null, !endpoint ? 'endpoint deleted' : 'event no longer retained');
      return;
    }
    const body = JSON.stringify({ object: 'event', id: event.id, event: event.event, data: fromJson(event.data), created_at: event.created_at });
    const started = Date.now();
    const outcome = await this.post(endpoint, event.id, body);
    await db
      .insertInto('webhook_attempts')
      .values({ id: newId('webhook_delivery'), delivery_id: deliveryId, attempted_at: new Date(started).toISOString(), status: outcome.status, error: outcome.error, duration_ms: Date.now() - started })
      .execute();
    if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) return this.finish(deliveryId, 'succeeded', outcome.status, null);
    if (outcome.status === 410) {
      // One transaction: whoever sees the endpoint disabled also sees why.
      await db.transaction().execute(async (trx) => {
        await this.finish(deliveryId, 'failed', 410, 'endpoint answered 410 Gone; endpoint disabled', trx);
        await new WebhookStore(trx as unknown as Executor, this.options.secretKey).update(endpoint.id, { status: 'disabled' });
      });
      return;
    }
    const first = delivery.first_attempt_at ?? new Date(started).toISOString();
    if (Date.now() - Date.parse(first) >= RETRY_WINDOW_MS) return this.finish(deliveryId, 'failed', outcome.status, outcome.error);
    const attempt = delivery.attempt_count + 1;
    const wait = Math.max(backoff(attempt, this.options.baseDelayMs ?? 5_000, this.options.maxDelayMs ?? 3_600_000), outcome.retryAfterMs ?? 0);
    await db
      .updateTable('webhook_deliveries')
      .set({
        state: 'pending',
        attempt_count: attempt,
        first_attempt_at: first,
        last_attempt_at: new Date(started).toISOString(),
        next_attempt_at: new Date(Date.now() + wait).toISOString(),
        last_status: outcome.status,
        last_error: outcome.error,
        locked_until: null,
        updated_at: now(),
      })
      .where('id', '=', deliveryId)
      .execute();
  }

  private async finish(id: string, state: 'succeeded' | 'failed', status: number | null, error: string | null, db: Executor = this.store.db as unknown as Executor): Promise<void> {
    const at = now();
    await db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ state, last_status: status, last_error: error, last_attempt_at: at, attempt_count: eb('attempt_count', '+', 1), locked_until: null, updated_at: at }))
      .where('id', '=', id)
      .execute();
  }

  private async post(endpoint: WebhookEndpoint, eventId: string, body: string): Promise<{ status: number | null; error: string | null; retryAfterMs?: number }> {
    try {
      await checkEndpointUrl(endpoint.endpoint_url, this.options.blockPrivate);
      const secrets = [endpoint.secret, ...(endpoint.previous_secret ? [endpoint.previous_secret] : [])];
      const res = await fetch(endpoint.endpoint_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Guestlist-Webhooks/1', ...signatureHeaders(secrets, eventId, body) },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      const retry = retryAfterMs(res.headers.get('retry-after'));
      return { status: res.status, error: res.ok ? null : `HTTP ${res.status}`, ...(retry !== undefined ? { retryAfterMs: retry } : {}) };
    } catch (error) {
      const message = error instanceof UnsafeUrl ? error.message : (error as Error).name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs ?? TIMEOUT_MS} ms` : `request failed: ${(error as Error).message}`;
      return { status: null, error: message };
    }
  }
}
