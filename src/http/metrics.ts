/** Prometheus metrics. Each app owns its registry, so tests can build many apps in one process. */
import type { PrefetchedUsers } from '../store/scim/prefetched-users.ts';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestLog } from '../portal/request-log.ts';
import type { GroupCommit } from '../store/group-commit.ts';
import type { DeferredUpdateStats } from '../store/tail-writes.ts';
import type { StatementShapes } from '../store/scim/statement-shapes.ts';
import { bearerMatches } from './auth.ts';
import { ApiError } from './errors.ts';
import type { Admission } from './scim/admission.ts';

export interface Metrics {
  registry: Registry;
}

export function createMetrics(options: { processMetrics: boolean }): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'guestlist_' });
  return { registry };
}

/**
 * Counts and times every request by route template (not raw URL), keeping label cardinality bounded, and serves
 * `/metrics`; with `token` (GUESTLIST_METRICS_TOKEN) only to `Authorization: Bearer <token>`.
 */
export function instrument(app: FastifyInstance, { registry }: Metrics, options: { token?: string } = {}): void {
  const requests = new Counter({
    name: 'guestlist_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'guestlist_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method and route.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  // A callback, not an async hook: no promise and no microtask turn for each request.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (options.token !== undefined && !bearerMatches(request.headers.authorization, options.token)) {
      reply.header('www-authenticate', 'Bearer realm="Guestlist metrics"');
      throw new ApiError(401, 'unauthorized', 'Send Authorization: Bearer <GUESTLIST_METRICS_TOKEN>.');
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

/** SCIM list statements: run from their shape's template, or built and compiled (store/scim/statement-shapes.ts). */
export function instrumentListShapes(shapes: StatementShapes, { registry }: Metrics): void {
  new Counter({
    name: 'guestlist_list_statements_total',
    help: 'SCIM list statements run, by source: templated (from its shape, nothing compiled) or compiled.',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ source: 'templated' }, shapes.stats.templated);
      this.inc({ source: 'compiled' }, shapes.stats.compiled);
    },
  });
  new Counter({
    name: 'guestlist_list_shapes_refused_total',
    help: 'List shapes whose statements depend on their values (sw, ew, dateTime, boolean), compiled every time.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(shapes.stats.refused);
    },
  });
}

/** SCIM admission control: current load, its limits, and refusals by reason. */
export function instrumentAdmission(admission: Admission, { registry }: Metrics): void {
  new Gauge({
    name: 'guestlist_scim_in_flight',
    help: 'SCIM requests being processed.',
    registers: [registry],
    collect() {
      this.set(admission.stats.inFlight);
    },
  });
  new Gauge({
    name: 'guestlist_scim_queued',
    help: 'SCIM requests waiting for an admission slot.',
    registers: [registry],
    collect() {
      this.set(admission.stats.queued);
    },
  });
  new Gauge({
    name: 'guestlist_scim_limit',
    help: 'Configured SCIM admission limits (GUESTLIST_SCIM_*).',
    labelNames: ['limit'],
    registers: [registry],
    collect() {
      for (const [limit, value] of Object.entries(admission.limits)) this.set({ limit }, value);
    },
  });
  new Counter({
    name: 'guestlist_scim_rejected_total',
    help: 'SCIM requests refused with 429, by reason.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(admission.rejected)) this.inc({ reason }, count);
    },
  });
}

/** Group commit, read from its running totals at scrape time. */
export function instrumentGroupCommit(groupCommit: GroupCommit<unknown, unknown>, { registry }: Metrics): void {
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  total('guestlist_group_commit_batches_total', 'Shared transactions committed by group commit.', () => groupCommit.stats.batches);
  total('guestlist_group_commit_writes_total', 'SCIM writes committed in shared transactions.', () => groupCommit.stats.writes);
  total('guestlist_group_commit_retried_alone_total', 'Writes run again alone after their batch failed as a whole.', () => groupCommit.stats.retriedAlone);
  total('guestlist_group_commit_failed_batches_total', 'Shared transactions that failed as a whole (their writes then ran again alone).', () => groupCommit.stats.failedBatches);
  total('guestlist_group_commit_deadlocks_total', 'Deadlocks the database broke by failing one of our write transactions (PostgreSQL 40P01).', () => groupCommit.stats.deadlocks);
  total('guestlist_group_commit_serialization_failures_total', 'Serialization failures seen by write transactions (PostgreSQL 40001).', () => groupCommit.stats.serializationFailures);
  total('guestlist_group_commit_conflict_retries_total', 'Write transactions run again after losing a deadlock or serialization conflict.', () => groupCommit.stats.conflictRetries);
  total('guestlist_group_commit_key_lock_busy_total', 'Batches that stopped early because another process held the next directory (PostgreSQL advisory lock).', () => groupCommit.stats.keyLockBusy);
  new Gauge({
    name: 'guestlist_group_commit_queued',
    help: 'SCIM writes waiting for a batch.',
    registers: [registry],
    collect() {
      this.set(groupCommit.queued);
    },
  });
  new Gauge({
    name: 'guestlist_group_commit_max_batch',
    help: 'Most writes one shared transaction takes (GUESTLIST_GROUP_COMMIT_MAX_BATCH).',
    registers: [registry],
    collect() {
      this.set(groupCommit.maxBatch);
    },
  });
}

/** Users read ahead for batched PUTs and PATCHes (PostgreSQL), and how many of them a write took. */
export function instrumentPrefetchedUsers(prefetched: Pick<PrefetchedUsers, 'stats'>, { registry }: Metrics): void {
  new Counter({
    name: 'guestlist_group_commit_prefetched_users_total',
    help: 'Users a write batch read ahead for its PUTs and PATCHes (read), and those a write took from there (taken).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'read' }, prefetched.stats.read);
      this.inc({ outcome: 'taken' }, prefetched.stats.taken);
    },
  });
}

/** Users' updates written with their batch's others (PostgreSQL, tail-writes.ts), and the statements they took. */
export function instrumentDeferredUpdates(stats: DeferredUpdateStats, { registry }: Metrics): void {
  new Counter({
    name: 'guestlist_group_commit_deferred_user_updates_total',
    help: "PUTs' and PATCHes' user updates written together at their batch's end (rows), and the statements that wrote them (statements).",
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ kind: 'rows' }, stats.rows);
      this.inc({ kind: 'statements' }, stats.statements);
    },
  });
}

/** The SCIM request log's writer, read from its running totals at scrape time. */
export function instrumentRequestLog(log: Pick<RequestLog, 'stats' | 'pending'>, { registry }: Metrics): void {
  new Counter({
    name: 'guestlist_scim_request_log_entries_total',
    help: 'SCIM request log entries, by outcome: written, or dropped (a failed batch, a full buffer, after close).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'written' }, log.stats.written);
      this.inc({ outcome: 'dropped' }, log.stats.dropped);
    },
  });
  new Counter({
    name: 'guestlist_scim_request_log_failed_flushes_total',
    help: 'SCIM request log batches that failed to write (each logged as a warning, its entries dropped).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(log.stats.failedFlushes);
    },
  });
  new Gauge({
    name: 'guestlist_scim_request_log_pending',
    help: 'SCIM request log entries waiting to be written.',
    registers: [registry],
    collect() {
      this.set(log.pending);
    },
  });
}

/**
 * Faults the store survived: lost idle connections, a lost LISTEN connection, batches
 * that failed as a whole, WAL checkpoints that failed; each is also logged. Read at scrape time. Returns
 * `metrics`, so the composition root can instrument inline.
 */
export function instrumentStore(store: { errors: Readonly<Record<string, number>> }, metrics: Metrics): Metrics {
  new Counter({
    name: 'guestlist_store_errors_total',
    help: 'Database faults survived (logged), by kind: pool, listen, group_commit, checkpoint.',
    labelNames: ['kind'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [kind, count] of Object.entries(store.errors)) this.inc({ kind }, count);
    },
  });
  return metrics;
}
