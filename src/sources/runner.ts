/**
 * The sync loop of pulled directories: each one syncs on its schedule (`settings.sync_interval_minutes`, 30 by
 * default) and on demand (a queued sync), one at a time across all processes (a lease on the directory's row,
 * which a crashed process's lease outlives by at most its length). A sync reads the source with its connector,
 * plans the difference, applies it through the SCIM service, and records what it did in the sync history.
 *
 * A source that refuses the credentials marks the directory `invalid_credentials` and changes nothing; a source
 * that fails otherwise fails the sync and changes nothing. Neither ever reads as an empty listing.
 */
import type { Logger } from 'pino';
import { newId } from '../ids.ts';
import type { ScimService } from '../directory/scim-service.ts';
import type { ScimContext } from '../directory/scim-context.ts';
import type { SecretKeys } from '../events/crypto.ts';
import { now } from '../store/codec.ts';
import * as rows from '../store/sources.ts';
import type { SyncCounts, SyncRecord } from '../store/sources.ts';
import type { DirectoryRecord } from '../store/store.ts';
import { applyDeprovisions, applyUpserts, plan } from './apply.ts';
import { openConnection, type Connection } from './connection.ts';
import { SourceAuthError, type Connector } from './connectors/types.ts';
import { guardObject, guardSettings, recentDeprovisions, trips } from './guard.ts';
import { DEFAULT_SYNC_INTERVAL_MINUTES, PULLED_TYPES, isPulled } from './kinds.ts';

export type ConnectorFactory = (dir: DirectoryRecord, connection: Connection) => Connector;

export interface SyncRunnerOptions {
  secretKeys: SecretKeys;
  connect: ConnectorFactory;
  /** Links an unlinked directory with `dsync.activated`, as a SCIM IdP's first request does (the API's object). */
  activate: (dir: DirectoryRecord) => Promise<void>;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** How often to look for due directories (another process's queued syncs included). */
  pollMs?: number;
  /** How long a sync may hold its directory before another process may take it over. */
  leaseMs?: number;
}

const intervalOf = (dir: DirectoryRecord) => {
  const minutes = dir.settings.sync_interval_minutes;
  return typeof minutes === 'number' && minutes >= 1 ? minutes : DEFAULT_SYNC_INTERVAL_MINUTES;
};

const sentence = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

export class SyncRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;
  private stopped = false;
  private readonly pollMs: number;
  private readonly leaseMs: number;

  constructor(
    private readonly ctx: ScimContext,
    private readonly service: ScimService,
    private readonly options: SyncRunnerOptions,
  ) {
    this.pollMs = options.pollMs ?? 30_000;
    this.leaseMs = options.leaseMs ?? 15 * 60_000;
  }

  start(): void {
    this.started = true;
    this.wake();
  }

  /** Stops the loop; a sync reading its source is aborted (its history row says so), one applying finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
  }

  private readonly abort = new AbortController();

  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.runDue()
      .catch((err) => this.options.logger?.error({ err }, 'directory sync loop failed'))
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

  /** Waits for the loop's current pass, then runs another until nothing is due (tests). */
  async settle(): Promise<void> {
    while (this.running) await this.running;
    await this.runDue();
  }

  /** Queues a sync of the directory, for the loop to run (`POST /directories/{id}/sync`). */
  async request(dir: DirectoryRecord): Promise<SyncRecord> {
    const existing = await rows.queuedSync(this.ctx.store.db, dir.id);
    if (existing) return existing;
    const sync: SyncRecord = { id: newId('directory_sync'), directory_id: dir.id, state: 'queued', trigger: 'manual', counts: { ...rows.NO_COUNTS }, error: null, created_at: now(), started_at: null, finished_at: null };
    await rows.insertSync(this.ctx.store.db, sync);
    this.wake();
    return sync;
  }

  private async runDue(): Promise<void> {
    const { db } = this.ctx.store;
    for (;;) {
      const due = await rows.dueDirectories(db, PULLED_TYPES, now(), 10);
      let ran = false;
      for (const id of due) {
        if (this.stopped) return;
        ran = (await this.runOne(id)) || ran;
      }
      if (!ran) return;
    }
  }

  /** Runs the directory's sync if this process can take its lease; false when another holds it. */
  private async runOne(directoryId: string): Promise<boolean> {
    const { db } = this.ctx.store;
    const at = new Date();
    if (!(await rows.leaseSync(db, directoryId, at.toISOString(), new Date(at.getTime() + this.leaseMs).toISOString()))) return false;
    let next = new Date(Date.now() + DEFAULT_SYNC_INTERVAL_MINUTES * 60_000);
    try {
      const dir = await this.ctx.store.getDirectory(directoryId);
      if (!dir || !isPulled(dir.type)) return true;
      next = new Date(Date.now() + intervalOf(dir) * 60_000);
      const sync = (await rows.queuedSync(db, dir.id)) ?? (await this.scheduled(dir));
      await this.sync(dir, sync);
    } catch (err) {
      this.options.logger?.error({ err, directory_id: directoryId }, 'directory sync failed');
    } finally {
      await rows.releaseSync(db, directoryId, next.toISOString());
    }
    return true;
  }

  private async scheduled(dir: DirectoryRecord): Promise<SyncRecord> {
    const sync: SyncRecord = { id: newId('directory_sync'), directory_id: dir.id, state: 'queued', trigger: 'schedule', counts: { ...rows.NO_COUNTS }, error: null, created_at: now(), started_at: null, finished_at: null };
    await rows.insertSync(this.ctx.store.db, sync);
    return sync;
  }

  /** One sync, start to finish; its outcome is in its history row, whatever happens. */
  async sync(dir: DirectoryRecord, sync: SyncRecord): Promise<void> {
    const { db } = this.ctx.store;
    await rows.updateSync(db, sync.id, { state: 'running', started_at: now() });
    const finish = (state: rows.SyncState, counts: SyncCounts, error: string | null) => rows.updateSync(db, sync.id, { state, counts, error, finished_at: now() });
    // The lease is renewed while the sync runs, so that a long one is never taken over by another process.
    const heartbeat = setInterval(() => {
      const until = new Date(Date.now() + this.leaseMs).toISOString();
      rows.renewSync(db, dir.id, until).catch((err) => this.options.logger?.warn({ err, directory_id: dir.id }, 'sync lease renewal failed'));
    }, Math.max(1_000, Math.floor(this.leaseMs / 3)));
    heartbeat.unref();
    try {
      await this.run(dir, finish);
    } catch (error) {
      await finish('failed', rows.NO_COUNTS, `Guestlist failed while applying the pull: ${sentence(error)}`).catch(() => {});
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async run(dir: DirectoryRecord, finish: (state: rows.SyncState, counts: SyncCounts, error: string | null) => Promise<void>): Promise<void> {
    const { db } = this.ctx.store;
    const stored = await rows.getConnection(db, dir.id);
    const connection = stored ? openConnection(stored.ciphertext, this.options.secretKeys) : undefined;
    if (!connection) {
      await finish('failed', rows.NO_COUNTS, stored ? 'The stored connection cannot be decrypted with GUESTLIST_SECRET_KEY.' : 'No connection is set up yet (PUT /directories/{id}/connection).');
      return;
    }
    let listing;
    try {
      listing = await this.options.connect(dir, connection).list(this.abort.signal);
    } catch (error) {
      if (error instanceof SourceAuthError) {
        // The source refused us: nothing is deleted; the admin must connect again.
        await rows.setDirectoryState(db, dir.id, 'invalid_credentials', now());
        await finish('failed', rows.NO_COUNTS, `The source refused the credentials: ${sentence(error)}`);
        return;
      }
      await finish('failed', rows.NO_COUNTS, sentence(error));
      return;
    }
    if (dir.state !== 'linked') await this.link(dir);
    const p = await plan(db, dir, listing);
    const settings = guardSettings(dir);
    const recent = await recentDeprovisions(db, dir.id, settings.window_minutes, new Date());
    const hold = dir.guard_tripped_at !== null || trips(settings, { pending: p.deprovisions.length, recent, active: p.activeUsers, emptyListing: listing.users.length === 0 });
    const held = new Set(hold ? p.deprovisions.filter((d) => d.kind === 'delete').map((d) => d.user.id) : []);
    const counts = await applyUpserts(this.service, this.ctx.q, db, dir, p, held);
    const skipped = p.skipped.length > 0 ? `${p.skipped.length} source users skipped: ${p.skipped.slice(0, 3).join('; ')}` : null;
    if (hold) {
      // The held set is always this pull's: a source that lists everyone again leaves nothing to release.
      await this.hold(dir, p.deprovisions);
      await finish(p.deprovisions.length > 0 ? 'held' : 'succeeded', counts, skipped);
      return;
    }
    await applyDeprovisions(this.service, dir, p.deprovisions.map((d) => ({ user_id: d.user.id, kind: d.kind, resource: d.resource })), counts);
    await finish('succeeded', counts, skipped);
  }

  /** The first pull that reads the source links the directory (`dsync.activated`); a refused one recovers. */
  private async link(dir: DirectoryRecord): Promise<void> {
    if (dir.state === 'invalid_credentials') await rows.setDirectoryState(this.ctx.store.db, dir.id, 'linked', now());
    else await this.options.activate(dir);
  }

  /**
   * Holds the pull's deprovisions (replacing what was held: the latest listing is the source's whole truth), and
   * trips the guard with `dsync.guard.tripped` unless it already was.
   */
  private async hold(dir: DirectoryRecord, deprovisions: { user: { id: string }; kind: 'deactivate' | 'delete'; resource: Record<string, unknown> | null }[]): Promise<void> {
    const at = now();
    await this.ctx.write(
      dir,
      async (db, events) => {
        await rows.clearHeld(db, dir.id);
        await rows.holdChanges(db, dir.id, deprovisions.map((d) => ({ user_id: d.user.id, kind: d.kind, resource: d.resource, created_at: at })));
        if (dir.guard_tripped_at === null && deprovisions.length > 0) {
          await rows.setGuardTripped(db, dir.id, at);
          events.add('dsync.guard.tripped', guardObject({ ...dir, guard_tripped_at: at }, deprovisions.length));
        }
      },
      true,
    );
    if (deprovisions.length > 0) this.options.logger?.warn({ directory_id: dir.id, held: deprovisions.length }, 'deprovision guard holding changes');
  }
}
