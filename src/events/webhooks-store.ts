/**
 * Webhook endpoints and their deliveries, as stored. Secrets are decrypted only here: for the dispatcher
 * (`signingSecrets`), and once in plain text to the caller that creates or rotates one. Reads carry only
 * `secret_hint`, its last four characters.
 *
 * A secret that cannot be decrypted (GUESTLIST_SECRET_KEY changed without GUESTLIST_SECRET_KEY_PREVIOUS) never
 * stops reads or other endpoints' deliveries: the endpoint reads with `secret_hint: null`, and is disabled with
 * `disabled_reason: "secret_undecryptable"` by the dispatcher or by `upgradeSecrets` at start.
 */
import type { Selectable, Updateable } from 'kysely';
import type { Logger } from 'pino';
import { newId } from '../ids.ts';
import { secretSuffix } from '../secrets.ts';
import { fromJson, now, toJson } from '../store/codec.ts';
import { pageById } from '../store/pagination.ts';
import type { Executor, WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from '../store/db.ts';
import type { Page, PageQuery } from '../store/store.ts';
import { isTransientConflict } from '../store/errors.ts';
import { queueOf, setQueueDue, type DispatchStore } from './queues.ts';
import { UndecryptableSecret, encryptSecret, generateWebhookSecret, openSecret, toSecretKeys, type Decrypted, type SecretKeys } from './crypto.ts';

/** Why Guestlist disabled an endpoint by itself. */
export const DISABLED_REASONS = {
  /** Its secret cannot be decrypted with GUESTLIST_SECRET_KEY (or GUESTLIST_SECRET_KEY_PREVIOUS). */
  secretUndecryptable: 'secret_undecryptable',
  /** It answered 410 Gone. */
  gone: 'gone',
} as const;

export interface WebhookEndpoint {
  id: string;
  endpoint_url: string;
  /** The secret's last four characters; null when it cannot be decrypted. */
  secret_hint: string | null;
  /** While the secret before the last rotation still signs; null otherwise. */
  previous_secret_expires_at: string | null;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  events: string[];
  created_at: string;
  updated_at: string;
}

/** An endpoint with the plain-text secret: only what create and rotate return. */
export interface WebhookEndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

export interface SigningSecrets {
  secret: string;
  /** The secret before the last rotation, while it still signs (until previous_secret_expires_at). */
  previous_secret: string | null;
  /** The previous secret is live but cannot be decrypted, so only `secret` signs. */
  previous_unreadable: boolean;
}

export interface UpgradeReport {
  /** Endpoints whose stored secrets were re-encrypted with the current key (v2). */
  reencrypted: string[];
  /** Endpoints disabled because their secret cannot be decrypted. */
  disabled: string[];
}

/** One attempt of a delivery, as the delivery log shows it. */
export type AttemptRecord = Omit<Selectable<WebhookAttemptsTable>, 'id' | 'delivery_id'>;

/** A delivery as the delivery log shows it: without the dispatcher's bookkeeping (lease, retry window). */
export type DeliveryRecord = Omit<Selectable<WebhookDeliveriesTable>, 'locked_until' | 'first_attempt_at'> & { attempts?: AttemptRecord[] };

type Row = Selectable<WebhookEndpointsTable>;

const hintOf = (opened: Decrypted | undefined): string | null => (opened ? secretSuffix(opened.plaintext) : null);

/** What signing needs of an endpoint row. */
export type SecretColumns = Pick<Row, 'id' | 'secret_ciphertext' | 'previous_secret_ciphertext' | 'previous_secret_expires_at'>;

const liveUntil = (row: Omit<SecretColumns, 'id'>, at: Date): string | null => {
  const expires = row.previous_secret_expires_at;
  return row.previous_secret_ciphertext && expires && Date.parse(expires) > at.getTime() ? expires : null;
};

/**
 * Deletes an endpoint and, by cascade, its queues, deliveries and attempts. On PostgreSQL the endpoint row and
 * then its queues are locked first: the dispatcher records an outcome by locking a queue and then updating its
 * delivery, while the cascade alone would lock the deliveries and then wait for the queue, a deadlock that
 * PostgreSQL breaks by failing one side (the delete answered 500). A deadlock left possible (an outcome that
 * disables this very endpoint at the same moment) is retried.
 */
export async function deleteEndpoint(store: DispatchStore, id: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.db.transaction().execute(async (db) => {
        if (store.dialect === 'postgres') {
          await db.selectFrom('webhook_endpoints').select('id').where('id', '=', id).forUpdate().execute();
          await db.selectFrom('webhook_queues').select('endpoint_id').where('endpoint_id', '=', id).forUpdate().execute();
        }
        const res = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
        return Number(res.numDeletedRows) > 0;
      });
    } catch (error) {
      if (attempt >= 3 || !isTransientConflict(error)) throw error;
    }
  }
}

/** Enabled endpoints and what they subscribe to (fan-out needs nothing else, and no secret). */
export async function enabledEndpoints(db: Executor): Promise<{ id: string; events: string[] }[]> {
  const rows = await db.selectFrom('webhook_endpoints').select(['id', 'events']).where('status', '=', 'enabled').execute();
  return rows.map((r) => ({ id: r.id, events: fromJson<string[]>(r.events) }));
}

function toDeliveryRecord(d: Selectable<WebhookDeliveriesTable>, attempts: AttemptRecord[]): DeliveryRecord {
  return {
    id: d.id,
    endpoint_id: d.endpoint_id,
    event_id: d.event_id,
    event_seq: Number(d.event_seq),
    directory_id: d.directory_id,
    state: d.state,
    attempt_count: d.attempt_count,
    next_attempt_at: d.next_attempt_at,
    last_attempt_at: d.last_attempt_at,
    last_status: d.last_status,
    last_error: d.last_error,
    created_at: d.created_at,
    updated_at: d.updated_at,
    attempts,
  };
}

export class WebhookStore {
  private readonly keys: SecretKeys;

  constructor(
    private readonly db: Executor,
    keys: string | SecretKeys,
  ) {
    this.keys = toSecretKeys(keys);
  }

  /** Undefined when no key opens it, or when there is none (no previous secret). */
  private tryOpen(stored: string | null): Decrypted | undefined {
    if (stored === null) return undefined;
    try {
      return openSecret(stored, this.keys);
    } catch (error) {
      if (error instanceof UndecryptableSecret) return undefined;
      throw error;
    }
  }

  private decode(row: Row, at = new Date()): WebhookEndpoint {
    return {
      id: row.id,
      endpoint_url: row.endpoint_url,
      secret_hint: hintOf(this.tryOpen(row.secret_ciphertext)),
      previous_secret_expires_at: liveUntil(row, at),
      // Only the API and the dispatcher write it, and only these two values.
      status: row.status as WebhookEndpoint['status'],
      disabled_reason: row.disabled_reason ?? null,
      events: fromJson<string[]>(row.events),
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  async create(url: string, events: string[]): Promise<WebhookEndpointWithSecret> {
    const at = now();
    const id = newId('we');
    const secret = generateWebhookSecret();
    await this.db
      .insertInto('webhook_endpoints')
      .values({
        id,
        endpoint_url: url,
        secret_ciphertext: encryptSecret(secret, this.keys.current),
        previous_secret_ciphertext: null,
        previous_secret_expires_at: null,
        status: 'enabled',
        disabled_reason: null,
        events: toJson(events),
        created_at: at,
        updated_at: at,
      })
      .execute();
    return { endpoint: (await this.get(id))!, secret };
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.decode(row) : undefined;
  }

  async list(page: PageQuery): Promise<Page<WebhookEndpoint>> {
    const result = await pageById(this.db.selectFrom('webhook_endpoints').selectAll(), 'id', page);
    return { ...result, data: result.data.map((r) => this.decode(r)) };
  }

  /** Enabled endpoints and what they subscribe to (fan-out needs nothing else, and no secret). */
  enabled(): Promise<{ id: string; events: string[] }[]> {
    return enabledEndpoints(this.db);
  }

  /**
   * The secrets that sign an endpoint's deliveries; undefined when it does not exist. Throws
   * UndecryptableSecret when the current secret cannot be decrypted. A secret read with the previous key or in
   * the v1 format is re-encrypted with the current key on the way (lazily, if `upgradeSecrets` has not run).
   */
  async signingSecrets(id: string, at = new Date()): Promise<SigningSecrets | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.secretsOf(row, at) : undefined;
  }

  /** `signingSecrets` of an endpoint row already read (the dispatcher reads it with the delivery). */
  async secretsOf(row: SecretColumns, at = new Date()): Promise<SigningSecrets> {
    const current = this.tryOpen(row.secret_ciphertext);
    if (!current) throw new UndecryptableSecret();
    const live = liveUntil(row, at) !== null;
    const previous = live ? this.tryOpen(row.previous_secret_ciphertext) : undefined;
    if (current.stale || previous?.stale) await this.reencrypt(row, current, previous);
    return { secret: current.plaintext, previous_secret: previous?.plaintext ?? null, previous_unreadable: live && !previous };
  }

  /** Whether the endpoint's current secret can be decrypted (undefined: no such endpoint). */
  async secretReadable(id: string): Promise<boolean | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').select('secret_ciphertext').where('id', '=', id).executeTakeFirst();
    return row ? this.tryOpen(row.secret_ciphertext) !== undefined : undefined;
  }

  /**
   * Writes stale ciphertexts again under the current key (v2). Conditional on the stored ciphertexts being
   * unchanged, so a rotation or another process's upgrade in between wins; returns whether it wrote.
   */
  private async reencrypt(row: SecretColumns, current: Decrypted, previous: Decrypted | undefined): Promise<boolean> {
    const set: Updateable<WebhookEndpointsTable> = {};
    if (current.stale) set.secret_ciphertext = encryptSecret(current.plaintext, this.keys.current);
    if (previous?.stale) set.previous_secret_ciphertext = encryptSecret(previous.plaintext, this.keys.current);
    let update = this.db.updateTable('webhook_endpoints').set(set).where('id', '=', row.id).where('secret_ciphertext', '=', row.secret_ciphertext);
    update = row.previous_secret_ciphertext === null ? update.where('previous_secret_ciphertext', 'is', null) : update.where('previous_secret_ciphertext', '=', row.previous_secret_ciphertext);
    const res = await update.executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * Run at start: every secret readable only with GUESTLIST_SECRET_KEY_PREVIOUS or in the v1 format is
   * re-encrypted with GUESTLIST_SECRET_KEY, so the previous key can be dropped afterwards; every enabled
   * endpoint whose secret cannot be decrypted is disabled with reason `secret_undecryptable`.
   */
  async upgradeSecrets(at = new Date()): Promise<UpgradeReport> {
    const report: UpgradeReport = { reencrypted: [], disabled: [] };
    const rows = await this.db.selectFrom('webhook_endpoints').selectAll().execute();
    for (const row of rows) {
      const current = this.tryOpen(row.secret_ciphertext);
      if (!current) {
        if (row.status === 'enabled' && (await this.disableUndecryptable(row.id, row.secret_ciphertext))) report.disabled.push(row.id);
        continue;
      }
      const previous = liveUntil(row, at) !== null ? this.tryOpen(row.previous_secret_ciphertext) : undefined;
      if ((current.stale || previous?.stale) && (await this.reencrypt(row, current, previous))) report.reencrypted.push(row.id);
    }
    return report;
  }

  /** Disables an endpoint whose secret (still `ciphertext`: not rotated meanwhile) cannot be decrypted. */
  async disableUndecryptable(id: string, ciphertext?: string): Promise<boolean> {
    let update = this.db
      .updateTable('webhook_endpoints')
      .set({ status: 'disabled', disabled_reason: DISABLED_REASONS.secretUndecryptable, updated_at: now() })
      .where('id', '=', id)
      .where('status', '=', 'enabled');
    if (ciphertext !== undefined) update = update.where('secret_ciphertext', '=', ciphertext);
    const res = await update.executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** A status set through the API clears any reason Guestlist had disabled the endpoint for. */
  async update(id: string, patch: { endpoint_url?: string; events?: string[]; status?: string }): Promise<WebhookEndpoint | undefined> {
    const set: Updateable<WebhookEndpointsTable> = { updated_at: now() };
    if (patch.endpoint_url !== undefined) set.endpoint_url = patch.endpoint_url;
    if (patch.events !== undefined) set.events = toJson(patch.events);
    if (patch.status !== undefined) {
      set.status = patch.status;
      set.disabled_reason = null;
    }
    const res = await this.db.updateTable('webhook_endpoints').set(set).where('id', '=', id).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0 ? this.get(id) : undefined;
  }

  /**
   * A new secret; the old one keeps signing, next to it, for `overlapSeconds`. An old secret that cannot be
   * decrypted cannot sign either, so it is dropped rather than kept as the previous secret. The status is left
   * as it is: an endpoint disabled for `secret_undecryptable` is re-enabled with PATCH once its receiver knows
   * the new secret.
   */
  async rotate(id: string, overlapSeconds: number): Promise<WebhookEndpointWithSecret | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').select('secret_ciphertext').where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const old = this.tryOpen(row.secret_ciphertext);
    const keepOld = old !== undefined && overlapSeconds > 0;
    const secret = generateWebhookSecret();
    await this.db
      .updateTable('webhook_endpoints')
      .set({
        previous_secret_ciphertext: keepOld ? (old.stale ? encryptSecret(old.plaintext, this.keys.current) : row.secret_ciphertext) : null,
        previous_secret_expires_at: keepOld ? new Date(Date.now() + overlapSeconds * 1000).toISOString() : null,
        secret_ciphertext: encryptSecret(secret, this.keys.current),
        updated_at: now(),
      })
      .where('id', '=', id)
      .execute();
    const endpoint = await this.get(id);
    return endpoint ? { endpoint, secret } : undefined;
  }

  /** Deliveries of an endpoint, newest first, each with its attempts (oldest first). */
  async deliveries(endpointId: string, page: PageQuery, state?: string): Promise<Page<DeliveryRecord>> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
    if (state !== undefined) query = query.where('state', '=', state);
    const result = await pageById(query, 'id', page);
    const attempts = await this.attemptsOf(result.data.map((d) => d.id));
    return { ...result, data: result.data.map((d) => toDeliveryRecord(d, attempts.get(d.id) ?? [])) };
  }

  /** The attempts of these deliveries, oldest first, by delivery. */
  private async attemptsOf(deliveryIds: string[]): Promise<Map<string, AttemptRecord[]>> {
    const byDelivery = new Map<string, AttemptRecord[]>();
    if (deliveryIds.length === 0) return byDelivery;
    const rows = await this.db
      .selectFrom('webhook_attempts')
      .select(['delivery_id', 'attempted_at', 'status', 'error', 'duration_ms'])
      .where('delivery_id', 'in', deliveryIds)
      .orderBy('attempted_at')
      .execute();
    for (const { delivery_id, ...attempt } of rows) {
      const list = byDelivery.get(delivery_id);
      if (list) list.push(attempt);
      else byDelivery.set(delivery_id, [attempt]);
    }
    return byDelivery;
  }

  /** Puts a delivery back in its queue, due now, with a fresh retry window. */
  async resend(endpointId: string, deliveryId: string): Promise<boolean> {
    const at = now();
    const res = await this.db
      .updateTable('webhook_deliveries')
      .set({ state: 'pending', next_attempt_at: at, first_attempt_at: null, locked_until: null, updated_at: at })
      .where('id', '=', deliveryId)
      .where('endpoint_id', '=', endpointId)
      .where('state', 'in', ['succeeded', 'failed'])
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return false;
    // Re-queued in its place by event order: it is sent once the queue's earlier deliveries are done.
    const { directory_id } = await this.db.selectFrom('webhook_deliveries').select('directory_id').where('id', '=', deliveryId).executeTakeFirstOrThrow();
    await setQueueDue(this.db, queueOf(endpointId, directory_id), at);
    return true;
  }
}

/**
 * At start: re-encrypts webhook secrets with the current key (so GUESTLIST_SECRET_KEY_PREVIOUS can be dropped
 * afterwards) and disables, with a reason, each endpoint whose secret no key opens. Logged, never fatal: a
 * failure here leaves the dispatcher to do the same lazily, endpoint by endpoint.
 */
export async function upgradeWebhookSecrets(store: { db: Executor }, keys: SecretKeys, logger: Logger): Promise<UpgradeReport | undefined> {
  try {
    const report = await new WebhookStore(store.db, keys).upgradeSecrets();
    if (report.reencrypted.length > 0) logger.info({ endpoints: report.reencrypted }, 'webhook secrets re-encrypted with GUESTLIST_SECRET_KEY');
    if (report.disabled.length > 0) {
      logger.error(
        { endpoints: report.disabled, reason: DISABLED_REASONS.secretUndecryptable },
        'webhook endpoints disabled: their secrets cannot be decrypted with GUESTLIST_SECRET_KEY (or GUESTLIST_SECRET_KEY_PREVIOUS); rotate their secrets, then re-enable them',
      );
    }
    return report;
  } catch (err) {
    logger.error({ err }, 'webhook secret upgrade failed');
    return undefined;
  }
}
