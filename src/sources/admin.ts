/**
 * What the management API and the portal do to pulled directories and the guard (API.md §8): set the
 * connection, request a sync, read the history, release or discard what the guard holds. Routes check who may
 * and shape the answers; the rules live here once.
 */
import type { ScimContext } from '../directory/scim-context.ts';
import type { ScimService } from '../directory/scim-service.ts';
import type { MappingFieldError } from '../mapping/types.ts';
import { now } from '../store/codec.ts';
import * as rows from '../store/sources.ts';
import type { DirectoryRecord, PageQuery } from '../store/store.ts';
import { applyDeprovisions } from './apply.ts';
import { connectionSummary, openConnection, parseConnection, sealConnection } from './connection.ts';
import { authorizationUrl, exchangeCode, signState, type ConsentClient } from './consent.ts';
import { guardObject } from './guard.ts';
import { isPulled } from './kinds.ts';
import type { SyncRunner } from './runner.ts';

export interface GoogleConsentConfig {
  client: ConsentClient | undefined;
  authUrl: string;
  tokenUrl: string;
  /** Where Google sends the admin back: `{public URL}/portal/google/callback`. */
  redirectUri: string;
}

/** A request the rules refuse: 422 with field errors, 409 on a conflict. */
export class SourceRejected extends Error {
  constructor(
    readonly status: 409 | 422,
    readonly code: string,
    message: string,
    readonly errors?: MappingFieldError[],
  ) {
    super(message);
    this.name = 'SourceRejected';
  }
}

const notPulled = (dir: DirectoryRecord) => new SourceRejected(422, 'not_pulled', `A ${dir.type} directory receives SCIM from its IdP; Guestlist does not pull it.`);

const untripped = () => new SourceRejected(409, 'guard_not_tripped', 'The guard holds nothing: it has not tripped.');

/** How long a release or discard holds the directory's sync lease (no sync runs meanwhile). */
const LEASE_MS = 10 * 60_000;

export class SourcesAdmin {
  constructor(
    private readonly ctx: ScimContext,
    private readonly service: ScimService,
    private readonly runner: SyncRunner,
    private readonly secretKey: string,
  ) {}

  private get db() {
    return this.ctx.store.db;
  }

  async connection(dir: DirectoryRecord) {
    if (!isPulled(dir.type)) throw notPulled(dir);
    const stored = await rows.getConnection(this.db, dir.id);
    const opened = stored ? openConnection(stored.ciphertext, this.secretKey) : undefined;
    return {
      object: 'directory_connection' as const,
      directory_id: dir.id,
      type: dir.type,
      configured: stored !== undefined,
      updated_at: stored?.updated_at ?? null,
      summary: opened ? connectionSummary(opened) : {},
    };
  }

  /** Stores the credentials (encrypted) and queues a first sync with them. */
  async setConnection(dir: DirectoryRecord, body: unknown) {
    if (!isPulled(dir.type)) throw notPulled(dir);
    const parsed = parseConnection(dir.type, body);
    if (!parsed.ok) throw new SourceRejected(422, 'validation_error', `Invalid ${parsed.errors[0]!.field}: ${parsed.errors[0]!.message}`, parsed.errors);
    await rows.setConnection(this.db, dir.id, sealConnection(parsed.connection, this.secretKey), now());
    await this.runner.request(dir);
    return this.connection(dir);
  }

  /** Google's consent screen for this directory, bound to this portal session (consent.ts). */
  consentUrl(dir: DirectoryRecord, sessionId: string, google: GoogleConsentConfig): string {
    if (dir.type !== 'gsuite directory') throw new SourceRejected(422, 'not_google', 'Admin consent connects Google Workspace directories only.');
    if (!google.client) throw new SourceRejected(409, 'consent_not_configured', 'The operator has not configured a Google OAuth client (GUESTLIST_GOOGLE_CLIENT_ID); use a service account.');
    return authorizationUrl(google.authUrl, google.client, google.redirectUri, signState({ directoryId: dir.id, sessionId }, this.secretKey));
  }

  /** The consent's code exchanged for the connection, stored like any other, and a first sync queued. */
  async completeConsent(dir: DirectoryRecord, code: string, google: GoogleConsentConfig, fetchFn?: typeof fetch): Promise<void> {
    if (!google.client) throw new SourceRejected(409, 'consent_not_configured', 'The operator has not configured a Google OAuth client.');
    const connection = await exchangeCode(google.tokenUrl, google.client, google.redirectUri, code, fetchFn);
    await rows.setConnection(this.db, dir.id, sealConnection(connection, this.secretKey), now());
    await this.runner.request(dir);
  }

  async requestSync(dir: DirectoryRecord) {
    if (!isPulled(dir.type)) throw notPulled(dir);
    return this.runner.request(dir);
  }

  syncs(dir: DirectoryRecord, page: PageQuery) {
    return rows.listSyncs(this.db, dir.id, page);
  }

  async guard(dir: DirectoryRecord) {
    return guardObject(dir, await rows.heldCount(this.db, dir.id));
  }

  /** Applies what the guard holds, in order, each change with its events; then arms it again. */
  async release(dir: DirectoryRecord) {
    if (!isPulled(dir.type)) return this.settleScim(dir, 'release');
    return this.settle(dir, async () => {
      const held = await rows.heldChanges(this.db, dir.id);
      const counts = { ...rows.NO_COUNTS };
      await applyDeprovisions(this.service, dir, held, counts);
      return { released: held.length };
    });
  }

  /** Drops what the guard holds and arms it again; a later pull that finds the same may trip it anew. */
  async discard(dir: DirectoryRecord) {
    if (!isPulled(dir.type)) return this.settleScim(dir, 'discard');
    return this.settle(dir, async () => ({ discarded: await rows.heldCount(this.db, dir.id) }));
  }

  /** A SCIM directory's guard: its IdP is never paused, so the service settles it against concurrent writes. */
  private async settleScim(dir: DirectoryRecord, action: 'release' | 'discard') {
    if ((await this.service.settleGuard(dir, action)) === undefined) throw untripped();
    return guardObject({ ...dir, guard_tripped_at: null }, await rows.heldCount(this.db, dir.id));
  }

  /** Runs `work` with the directory's sync lease held, then arms the guard with `dsync.guard.released`. */
  private async settle(dir: DirectoryRecord, work: () => Promise<Record<string, number>>) {
    if (dir.guard_tripped_at === null) throw untripped();
    const at = new Date();
    if (!(await rows.leaseSync(this.db, dir.id, at.toISOString(), new Date(at.getTime() + LEASE_MS).toISOString()))) {
      throw new SourceRejected(409, 'sync_running', 'A sync of this directory is running; try again when it has finished.');
    }
    try {
      const outcome = await work();
      const armed = { ...dir, guard_tripped_at: null };
      await this.ctx.write(
        dir,
        async (db, events) => {
          await rows.clearHeld(db, dir.id);
          await rows.setGuardTripped(db, dir.id, null);
          events.add('dsync.guard.released', { ...guardObject(armed, 0), ...outcome });
        },
        true,
      );
      return guardObject(armed, 0);
    } finally {
      await rows.releaseSync(this.db, dir.id, dir.next_sync_at ?? now());
    }
  }
}
