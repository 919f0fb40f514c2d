/** Webhook endpoints and their deliveries, as stored. Secrets are decrypted only here, on the way out. */
import { newId } from '../ids.ts';
import { fromJson, now, toJson } from '../store/codec.ts';
import { pageById } from '../store/pagination.ts';
import type { Executor } from '../store/scim/resources.ts';
import type { Page, PageQuery } from '../store/store.ts';
import { setQueueDue } from './queues.ts';
import { decryptSecret, encryptSecret, generateWebhookSecret } from './crypto.ts';

export interface WebhookEndpoint {
  id: string;
  endpoint_url: string;
  secret: string;
  /** The secret before the last rotation, while it still signs (until previous_secret_expires_at). */
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  status: 'enabled' | 'disabled';
  events: string[];
  created_at: string;
  updated_at: string;
}

export interface DeliveryRecord {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_seq: number;
  directory_id: string | null;
  state: string;
  attempt_count: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  attempts?: { attempted_at: string; status: number | null; error: string | null; duration_ms: number }[];
}

type Row = Record<string, unknown>;

export class WebhookStore {
  constructor(
    private readonly db: Executor,
    private readonly secretKey: string,
  ) {}

  private decode(row: Row, at = new Date()): WebhookEndpoint {
    const expires = (row.previous_secret_expires_at as string | null) ?? null;
    const previousLive = row.previous_secret_ciphertext && expires && Date.parse(expires) > at.getTime();
    return {
      id: row.id as string,
      endpoint_url: row.endpoint_url as string,
      secret: decryptSecret(row.secret_ciphertext as string, this.secretKey),
      previous_secret: previousLive ? decryptSecret(row.previous_secret_ciphertext as string, this.secretKey) : null,
      previous_secret_expires_at: previousLive ? expires : null,
      status: row.status as 'enabled' | 'disabled',
      events: fromJson<string[]>(row.events),
      created_at: row.created_at as string,
      updated_at: row.updated_at as string,
    };
  }

  async create(url: string, events: string[]): Promise<WebhookEndpoint> {
    const at = now();
    const id = newId('we');
    await this.db
      .insertInto('webhook_endpoints')
      .values({
        id,
        endpoint_url: url,
        secret_ciphertext: encryptSecret(generateWebhookSecret(), this.secretKey),
        previous_secret_ciphertext: null,
        previous_secret_expires_at: null,
        status: 'enabled',
        events: toJson(events),
        created_at: at,
        updated_at: at,
      })
      .execute();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.decode(row) : undefined;
  }

  async list(page: PageQuery): Promise<Page<WebhookEndpoint>> {
    const result = await pageById(this.db.selectFrom('webhook_endpoints').selectAll(), 'id', page);
    return { ...result, data: result.data.map((r) => this.decode(r)) };
  }

  async enabled(): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom('webhook_endpoints').selectAll().where('status', '=', 'enabled').execute();
    return rows.map((r) => this.decode(r));
  }

  async update(id: string, patch: { endpoint_url?: string; events?: string[]; status?: string }): Promise<WebhookEndpoint | undefined> {
    const set: Row = { updated_at: now() };
    if (patch.endpoint_url !== undefined) set.endpoint_url = patch.endpoint_url;
    if (patch.events !== undefined) set.events = toJson(patch.events);
    if (patch.status !== undefined) set.status = patch.status;
    const res = await this.db.updateTable('webhook_endpoints').set(set).where('id', '=', id).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0 ? this.get(id) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** A new secret; the old one keeps signing, next to it, for `overlapSeconds`. */
  async rotate(id: string, overlapSeconds: number): Promise<WebhookEndpoint | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').select('secret_ciphertext').where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    await this.db
      .updateTable('webhook_endpoints')
      .set({
        previous_secret_ciphertext: row.secret_ciphertext,
        previous_secret_expires_at: new Date(Date.now() + overlapSeconds * 1000).toISOString(),
        secret_ciphertext: encryptSecret(generateWebhookSecret(), this.secretKey),
        updated_at: now(),
      })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  /** Delivery attempts of an endpoint, newest first, each with its attempts. */
  async deliveries(endpointId: string, page: PageQuery, state?: string): Promise<Page<DeliveryRecord>> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
    if (state !== undefined) query = query.where('state', '=', state);
    const result = await pageById(query, 'id', page);
    const ids = result.data.map((d) => d.id);
    const attempts = ids.length
      ? await this.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', ids).orderBy('attempted_at').execute()
      : [];
    return {
      ...result,
      data: result.data.map((d) => ({
        ...(d as unknown as DeliveryRecord),
        event_seq: Number(d.event_seq),
        attempts: attempts
          .filter((a) => a.delivery_id === d.id)
          .map((a) => ({ attempted_at: a.attempted_at, status: a.status, error: a.error, duration_ms: a.duration_ms })),
      })),
    };
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
    await setQueueDue(this.db, { endpoint_id: endpointId, directory_key: directory_id ?? '' }, at);
    return true;
  }
}
