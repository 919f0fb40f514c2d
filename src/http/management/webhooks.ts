/**
 * `/webhook_endpoints`: where events are delivered, their secrets, and the delivery log (API.md §5). A secret is
 * shown in plain text only in the answers that make it (create, rotate_secret); reads carry `secret_hint`.
 */
import { Type } from '@sinclair/typebox';
import { UnsafeUrl, checkEndpointUrl } from '../../events/url-safety.ts';
import { WebhookStore, type WebhookEndpoint as EndpointRecord, type WebhookEndpointWithSecret as CreatedRecord } from '../../events/webhooks-store.ts';
import { isObject } from '../../scim/json.ts';
import { EVENT_TYPES } from '../../store/event-log.ts';
import type { AppContext } from '../context.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import { Nullable } from '../objects.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { IdParams } from './fields.ts';
import type { ManagementScope } from './scope.ts';

const endpointFields = {
  object: Type.Literal('webhook_endpoint'),
  id: Type.String(),
  endpoint_url: Type.String(),
  secret_hint: Nullable(
    Type.String({ description: "The secret's last four characters, to tell secrets apart; null when it cannot be decrypted (see disabled_reason)." }),
  ),
  previous_secret_expires_at: Nullable(
    Type.String({ format: 'date-time', description: 'While the secret before the last rotation still signs next to the current one.' }),
  ),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  disabled_reason: Nullable(
    Type.String({
      description:
        'Why Guestlist disabled the endpoint: `secret_undecryptable` (its secret cannot be decrypted with GUESTLIST_SECRET_KEY: rotate it, then re-enable) or `gone` (it answered 410). Null otherwise.',
    }),
  ),
  events: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
};

/** What reads return: never the secret itself. */
export const WebhookEndpoint = Type.Object(endpointFields, { $id: 'WebhookEndpoint' });

/** What create and rotate_secret return: the only answers that carry the secret. */
export const WebhookEndpointWithSecret = Type.Object(
  {
    ...endpointFields,
    secret: Type.String({ description: 'whsec_…: verifies signatures. Shown only in this answer; store it now. Rotate with POST …/rotate_secret.' }),
  },
  { $id: 'WebhookEndpointWithSecret' },
);

const Delivery = Type.Object(
  {
    object: Type.Literal('webhook_delivery'),
    id: Type.String(),
    endpoint_id: Type.String(),
    event_id: Type.String(),
    directory_id: Nullable(Type.String()),
    state: Type.String(),
    attempt_count: Type.Integer(),
    next_attempt_at: Nullable(Type.String()),
    last_attempt_at: Nullable(Type.String()),
    last_status: Type.Union([Type.Integer(), Type.Null()]),
    last_error: Nullable(Type.String()),
    attempts: Type.Array(Type.Object({ attempted_at: Type.String(), status: Type.Union([Type.Integer(), Type.Null()]), error: Nullable(Type.String()), duration_ms: Type.Integer() })),
    created_at: Type.String(),
  },
  { $id: 'WebhookDelivery' },
);

const Events = Type.Array(Type.String(), { minItems: 1, maxItems: EVENT_TYPES.length });
const CreateBody = Type.Object({ endpoint_url: Type.String({ maxLength: 2048 }), events: Events });
const UpdateBody = Type.Object({
  endpoint_url: Type.Optional(Type.String({ maxLength: 2048 })),
  events: Type.Optional(Events),
  status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')])),
});
const DeliveryState = Type.Union(['pending', 'sending', 'succeeded', 'failed'].map((s) => Type.Literal(s)));
const DeliveriesQuery = Type.Object({ ...PageParams, state: Type.Optional(DeliveryState) });
const DeliveryParams = Type.Object({ id: Type.String(), delivery_id: Type.String() });

const toObject = (we: EndpointRecord) => ({ object: 'webhook_endpoint' as const, ...we });
const withSecret = ({ endpoint, secret }: CreatedRecord) => ({ ...toObject(endpoint), secret });

/**
 * `overlap_seconds`, 0 to 7 days, one day when absent. Read by hand: the body itself is optional, which a body
 * schema cannot say, so the route has none.
 */
function overlapSeconds(body: unknown): number {
  const overlap = (isObject(body) ? body.overlap_seconds : undefined) ?? 86_400;
  if (typeof overlap !== 'number' || !Number.isInteger(overlap) || overlap < 0 || overlap > 7 * 86_400) {
    throw invalid('overlap_seconds', 'invalid', 'overlap_seconds must be from 0 to 604800.');
  }
  return overlap;
}

function checkEvents(events: string[] | undefined): void {
  const unknown = events?.find((e) => !(EVENT_TYPES as readonly string[]).includes(e));
  if (unknown) throw invalid('events', 'invalid', `Unknown event type "${unknown}".`);
}

export function webhookRoutes(app: ManagementScope, { store, config, secretKey }: AppContext): void {
  const keys = { current: secretKey, previous: config.secretKeyPrevious };
  const webhooks = () => new WebhookStore(store.db, keys);
  const checkUrl = async (url: string | undefined) => {
    if (url === undefined) return;
    try {
      await checkEndpointUrl(url, config.webhookBlockPrivate);
    } catch (error) {
      if (error instanceof UnsafeUrl) throw invalid('endpoint_url', 'invalid', error.message);
      throw error;
    }
  };

  app.post(
    '/webhook_endpoints',
    { schema: { tags: ['webhooks'], body: CreateBody, response: { 201: WebhookEndpointWithSecret } } },
    async (request, reply) => {
      checkEvents(request.body.events);
      await checkUrl(request.body.endpoint_url);
      const created = await webhooks().create(request.body.endpoint_url, [...new Set(request.body.events)]);
      return reply.status(201).send(withSecret(created));
    },
  );

  app.get(
    '/webhook_endpoints',
    { schema: { tags: ['webhooks'], querystring: Type.Object(PageParams), response: { 200: ListOf(WebhookEndpoint) } } },
    async (request) => listEnvelope(await webhooks().list(parsePage(request.query)), toObject),
  );

  app.get(
    '/webhook_endpoints/:id',
    { schema: { tags: ['webhooks'], params: IdParams, response: { 200: WebhookEndpoint } } },
    async (request) => {
      const endpoint = await webhooks().get(request.params.id);
      if (!endpoint) throw notFound('Webhook endpoint', request.params.id);
      return toObject(endpoint);
    },
  );

  app.patch(
    '/webhook_endpoints/:id',
    { schema: { tags: ['webhooks'], params: IdParams, body: UpdateBody, response: { 200: WebhookEndpoint } } },
    async (request) => {
      checkEvents(request.body.events);
      await checkUrl(request.body.endpoint_url);
      const { endpoint_url, events, status } = request.body;
      // Enabling would only have it disabled again at its next delivery: the secret must be rotated first.
      if (status === 'enabled' && (await webhooks().secretReadable(request.params.id)) === false) {
        throw new ApiError(409, 'secret_undecryptable', "The endpoint's secret cannot be decrypted with GUESTLIST_SECRET_KEY; rotate it with POST …/rotate_secret, then enable the endpoint.");
      }
      const endpoint = await webhooks().update(request.params.id, {
        ...(endpoint_url !== undefined ? { endpoint_url } : {}),
        ...(events !== undefined ? { events: [...new Set(events)] } : {}),
        ...(status !== undefined ? { status } : {}),
      });
      if (!endpoint) throw notFound('Webhook endpoint', request.params.id);
      // Re-enabled: its waiting queues are due again; tell the dispatchers now rather than at their next poll.
      if (status === 'enabled') store.wakeDispatch();
      return toObject(endpoint);
    },
  );

  app.delete('/webhook_endpoints/:id', { schema: { tags: ['webhooks'], params: IdParams } }, async (request, reply) => {
    if (!(await webhooks().remove(request.params.id))) throw notFound('Webhook endpoint', request.params.id);
    return reply.status(204).send();
  });

  app.post(
    '/webhook_endpoints/:id/rotate_secret',
    { schema: { tags: ['webhooks'], params: IdParams, response: { 200: WebhookEndpointWithSecret } } },
    async (request) => {
      const rotated = await webhooks().rotate(request.params.id, overlapSeconds(request.body));
      if (!rotated) throw notFound('Webhook endpoint', request.params.id);
      return withSecret(rotated);
    },
  );

  app.get(
    '/webhook_endpoints/:id/deliveries',
    { schema: { tags: ['webhooks'], params: IdParams, querystring: DeliveriesQuery, response: { 200: ListOf(Delivery) } } },
    async (request) => {
      if (!(await webhooks().get(request.params.id))) throw notFound('Webhook endpoint', request.params.id);
      const page = await webhooks().deliveries(request.params.id, parsePage(request.query), request.query.state);
      return listEnvelope(page, (d) => ({ object: 'webhook_delivery' as const, ...d, attempts: d.attempts ?? [] }));
    },
  );

  app.post(
    '/webhook_endpoints/:id/deliveries/:delivery_id/resend',
    { schema: { tags: ['webhooks'], params: DeliveryParams } },
    async (request, reply) => {
      // One transaction (which wakes the dispatcher on commit): the delivery and its queue change together.
      const resent = await store.transaction((trx) => new WebhookStore(trx, keys).resend(request.params.id, request.params.delivery_id));
      if (!resent) throw new ApiError(404, 'entity_not_found', `No finished delivery '${request.params.delivery_id}' for this endpoint.`);
      return reply.status(202).send({ object: 'webhook_delivery', id: request.params.delivery_id, state: 'pending' });
    },
  );
}
