/**
 * The re-evaluation sweep: after a mapping configuration changes, every user of the directory is evaluated
 * again, in chunks of users in id order, each chunk one short write transaction of its own (so SCIM writes go
 * on between chunks), with the job's progress written in the same transaction. A user whose values or roles
 * change gets a new version and a `dsync.user.updated` carrying the previous ones; the others are only stamped
 * with the new fingerprint.
 *
 * Any process may run a job: a lease on its row keeps it to one at a time, and a crashed process's lease runs
 * out. A write evaluated under an older configuration meanwhile (another process's definitions up to a second
 * old) is stamped with the older fingerprint: when the sweep reaches the end it looks for such users and, if
 * any, goes round again.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { jsonEqual } from '../scim/json.ts';
import { now } from '../store/codec.ts';
import type { Executor } from '../store/db.ts';
import {
  advanceJob,
  anyStale,
  getJob,
  groupRoleSlugs,
  leaseJob,
  releaseJob,
  runningJobs,
  startJob,
  stampUsers,
  updateMappedUsers,
  usersAfter,
  userCount,
  type MappingJobRecord,
} from '../store/mapping.ts';
import { mappingColumns, toUser, type UserRecord } from '../store/scim/records.ts';
import type { DirectoryRecord } from '../store/store.ts';
import type { DirectoryEvents } from './events.ts';
import { MappingDefinitions, type DirectoryMapping } from './mapping.ts';
import type { ScimContext } from './scim-context.ts';

export interface ReevaluatorOptions {
  /** Users per chunk (one transaction each). */
  chunkSize?: number;
  /** How often to look for jobs another process started. */
  pollMs?: number;
  /** How long a job is this process's before another may take it over. */
  leaseMs?: number;
  logger?: Pick<Logger, 'info' | 'error'>;
}

/** The fingerprint a job aims at: '' for "nothing defined" (users then carry no mapping). */
export const jobFingerprint = (mapping: DirectoryMapping) => mapping.fingerprint ?? '';

/**
 * Starts (or restarts, from its first user) the directory's sweep towards its current configuration, unless one
 * is already aiming there or no user needs it.
 */
export async function requestReevaluation(db: Executor, dir: DirectoryRecord, mapping: DirectoryMapping): Promise<boolean> {
  const fingerprint = jobFingerprint(mapping);
  const job = await getJob(db, dir.id);
  if (job?.state === 'running' && job.fingerprint === fingerprint) return false;
  // A running job aiming elsewhere is always restarted, or it would stay "reevaluating" for ever.
  if (job?.state !== 'running' && !(await anyStale(db, dir.id, mapping.fingerprint))) return false;
  await startJob(db, dir.id, fingerprint, await userCount(db, dir.id), now());
  return true;
}

export class Reevaluator {
  private readonly chunkSize: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  /** Its own definitions, read fresh for each job: a sweep must never work from a stale cache. */
  private readonly definitions: MappingDefinitions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;
  private stopped = false;

  constructor(
    private readonly ctx: ScimContext,
    private readonly options: ReevaluatorOptions = {},
  ) {
    // SQLite runs a chunk on the main thread: small chunks keep SCIM requests waiting briefly. PostgreSQL works
    // in its own process, where a chunk's cost is mostly round trips: larger chunks need fewer.
    this.chunkSize = options.chunkSize ?? (ctx.store.dialect === 'sqlite' ? 100 : 500);
    this.pollMs = options.pollMs ?? 5_000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.definitions = new MappingDefinitions(ctx.store.db);
  }

  start(): void {
    this.started = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Looks for work now (after a change in this process). */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.drain()
      .catch((err) => this.options.logger?.error({ err }, 'attribute re-evaluation failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        } else if (!this.stopped) {
          this.timer = setTimeout(() => this.wake(), this.pollMs);
          this.timer.unref();
        }
      });
  }

  /** Runs every job this process can take until none is left; resolves when done (tests wait on it). */
  async drain(): Promise<void> {
    for (;;) {
      const ids = await runningJobs(this.ctx.store.db, 20);
      let worked = false;
      for (const id of ids) {
        if (this.stopped) return;
        worked = (await this.run(id)) || worked;
      }
      if (!worked) return;
    }
  }

  /** Waits until the jobs running now are done (tests). */
  async settle(): Promise<void> {
    while (this.running) await this.running;
    await this.drain();
  }

  private async run(directoryId: string): Promise<boolean> {
    const { db } = this.ctx.store;
    let job = await leaseJob(db, directoryId, new Date(), this.leaseMs);
    if (!job) return false;
    try {
      const defs = await this.definitions.fresh();
      for (;;) {
        // Restarted by a newer change meanwhile: the next look takes the new job, with fresh definitions.
        const current = await getJob(db, directoryId);
        if (current?.state !== 'running' || current.started_at !== job.started_at || current.fingerprint !== job.fingerprint) return true;
        const dir = await this.ctx.store.getDirectory(directoryId);
        if (!dir) return true;
        const mapping = this.definitions.compile(defs, dir);
        // The configuration moved on since this job started: aim the job at the new one, from the first user.
        if (jobFingerprint(mapping) !== job.fingerprint) {
          await startJob(db, dir.id, jobFingerprint(mapping), await userCount(db, dir.id), now());
          return true;
        }
        const writesBefore = this.ctx.store.groupCommit.stats.writes;
        const started = performance.now();
        const step = await this.chunk(dir, mapping, job);
        await this.yieldToWrites(writesBefore, performance.now() - started);
        if (step.finished) {
          this.options.logger?.info({ directory_id: dir.id, changed: job.changed + step.changed }, 'attribute re-evaluation finished');
          return true;
        }
        job = { ...job, cursor: step.cursor, changed: job.changed + step.changed };
        if (this.stopped) return true;
      }
    } finally {
      await releaseJob(db, directoryId).catch(() => {});
    }
  }

  /**
   * A chunk keeps the main thread (SQLite runs on it) and its directory's write lane while it runs. When other
   * writes came meanwhile, the sweep rests one and a half times as long as the chunk took, so that SCIM traffic
   * keeps most of the time; alone, it runs flat out. (Measured: docs/benchmarks.md § Attribute re-evaluation.)
   */
  private async yieldToWrites(writesBefore: number, tookMs: number): Promise<void> {
    const others = this.ctx.store.groupCommit.stats.writes - writesBefore - 1;
    if (others > 0 || this.ctx.store.groupCommit.queued > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.ceil(tookMs * 1.5))));
  }

  /** One chunk, in one transaction with its events and the job's progress. */
  private chunk(dir: DirectoryRecord, mapping: DirectoryMapping, job: MappingJobRecord) {
    return this.ctx.write(
      dir,
      async (db, events) => {
        const users = (await usersAfter(db, this.ctx.store.dialect, dir.id, job.cursor, this.chunkSize)).map(toUser);
        const changed = await this.reevaluate(db, events, dir, mapping, users);
        let cursor = users.at(-1)?.id ?? job.cursor;
        let finished = users.length < this.chunkSize;
        // Writes evaluated under an older configuration behind the cursor: one more pass.
        if (finished && (await anyStale(db, dir.id, mapping.fingerprint))) [finished, cursor] = [false, ''];
        await advanceJob(db, job, { cursor, scanned: users.length, changed, finished, at: now() });
        return { cursor, finished, changed };
      },
      true,
    );
  }

  private async reevaluate(db: Executor, events: DirectoryEvents, dir: DirectoryRecord, mapping: DirectoryMapping, users: UserRecord[]): Promise<number> {
    const stale = users.filter((u) => u.mapped_fingerprint !== mapping.fingerprint);
    if (stale.length === 0) return 0;
    const hasRoles = mapping.definitions.roles.length > 0;
    const slugs = hasRoles ? await groupRoleSlugs(db, stale.map((u) => u.id)) : new Map<string, string[]>();
    const at = now();
    const unchanged: string[] = [];
    const changes: { before: UserRecord; after: UserRecord }[] = [];
    for (const user of stale) {
      const mapped = mapping.evaluate(user.resource);
      const roleSlugs = mapping.roles(slugs.get(user.id) ?? []);
      if (jsonEqual(mapped, user.mapped) && jsonEqual(roleSlugs, user.role_slugs)) unchanged.push(user.id);
      else changes.push({ before: user, after: { ...user, mapped, role_slugs: roleSlugs, mapped_fingerprint: mapping.fingerprint, version: user.version + 1, updated_at: at } });
    }
    await stampUsers(db, dir.id, unchanged, mapping.fingerprint);
    await updateMappedUsers(db, this.ctx.store.dialect, dir.id, changes.map(({ after }) => ({ id: after.id, ...mappingColumns(after) })), at);
    if (changes.length > 0) {
      const before = await events.users(changes.map((c) => c.before));
      const after = await events.users(changes.map((c) => c.after));
      for (const { before: b } of changes) events.updated('dsync.user.updated', before.get(b.id)!, after.get(b.id)!);
    }
    return changes.length;
  }
}
