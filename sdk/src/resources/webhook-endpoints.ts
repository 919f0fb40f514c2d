/** `/webhook_endpoints`: where events are delivered, their secrets, and the delivery log. */
import type { HttpClient } from '../http.js';
import type { ResentDelivery, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from '../objects.js';
import type { AutoPaginatable } from '../pagination.js';
import type { CreateWebhookEndpointParams, ListDeliveriesParams, PageParams, RotateSecretParams, UpdateWebhookEndpointParams } from '../params.js';
import { path } from '../query.js';
import { listOf } from './list.js';

export class WebhookDeliveries {
  constructor(private readonly http: HttpClient) {}

  /** Delivery attempts, newest first unless `order: 'asc'`, each with all its `attempts`. */
  list(endpointId: string, params: ListDeliveriesParams = {}): AutoPaginatable<WebhookDelivery> {
    return listOf(this.http, path`/webhook_endpoints/${endpointId}/deliveries`, params);
  }

  /** Queues a finished (succeeded or failed) delivery again, at its place in event order; NotFoundError otherwise. */
  resend(endpointId: string, deliveryId: string): Promise<ResentDelivery> {
    return this.http.request('POST', path`/webhook_endpoints/${endpointId}/deliveries/${deliveryId}/resend`);
  }
}

export class WebhookEndpoints {
  readonly deliveries: WebhookDeliveries;

  constructor(private readonly http: HttpClient) {
    this.deliveries = new WebhookDeliveries(http);
  }

  /** The endpoint with its `whsec_…` secret: store it now, no read returns it again. */
  create(params: CreateWebhookEndpointParams): Promise<WebhookEndpointWithSecret> {
    return this.http.request('POST', '/webhook_endpoints', { body: params });
  }

  list(params: PageParams = {}): AutoPaginatable<WebhookEndpoint> {
    return listOf(this.http, '/webhook_endpoints', params);
  }

  get(id: string): Promise<WebhookEndpoint> {
    return this.http.request('GET', path`/webhook_endpoints/${id}`);
  }

  /** Setting `status` clears `disabled_reason`; ConflictError `secret_undecryptable` when enabling needs a rotation first. */
  update(id: string, params: UpdateWebhookEndpointParams): Promise<WebhookEndpoint> {
    return this.http.request('PATCH', path`/webhook_endpoints/${id}`, { body: params });
  }

  /** Deletes the endpoint and its pending deliveries. */
  async delete(id: string): Promise<void> {
    await this.http.request('DELETE', path`/webhook_endpoints/${id}`);
  }

  /** A new secret (shown only here); the old one keeps signing for `overlap_seconds` (a day by default). */
  rotateSecret(id: string, params: RotateSecretParams = {}): Promise<WebhookEndpointWithSecret> {
    return this.http.request('POST', path`/webhook_endpoints/${id}/rotate_secret`, { body: params });
  }
}
