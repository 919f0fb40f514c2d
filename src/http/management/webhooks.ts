/**
 * `/webhook_endpoints`: where events are delivered, their secrets, and the delivery log (API.md §5). A secret is
 * shown in plain text only in the answers that make it (create, rotate_secret); reads carry `secret_hint`.
 */
import { Type } from '@sinclair/typebox';
import { UnsafeUrl, checkEndpointUrl } from '../../events/url-safety.ts';
import { WebhookStore, deleteEndpoint, type WebhookEndpoint as EndpointRecord, type WebhookEndpointWithSecret as CreatedRecord } from '../../events/webhooks-store.ts';
import { isObject } from '../../scim/json.ts';
import { EVENT_TYPES } from '../../store/event-log.ts';
import { fromParams, fromResult } from '../audit.ts';
import type { AppContext } from '../context.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import { ApiErrorObject } from '../objects.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { NoContent, Nullable, StringEnum, ref } from '../schema.ts';
import { IdParams } from './fields.ts';
import type { ManagementScope } from './scope.ts';

const STATUSES = ['enabled', 'disabled'] as const;

const endpointFields = {
  object: Type.Literal('webhook_endpoint'),
  id: Type.String({ description: '`we_…`' }),
  endpoint_url: Type.String(),
  secret_hint: Nullable(
    Type.String({ description: "The secret's last four characters, to tell secrets apart; null when it cannot be decrypted (see disabled_reason)." }),
  ),
  previous_secret_expires_at: Nullable(
    Type.String({ format: 'date-time', description: 'While the secret before the last rotation still signs next to the current one.' }),
  ),
  status: StringEnum(STATUSES),
  disabled_reason: Nullable(
    Type.String({
      description:
        'Why Guestlist disabled the endpoint: `secret_undecryptable` (its secret cannot be decrypted with GUESTLIST_SECRET_KEY: rotate it, then re-enable) or `gone` (it answered 410). Null otherwise.',
    }),
  ),
  events: Type.Array(StringEnum<string>(EVENT_TYPES), { description: 'The event types it receives.' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
};

/** What reads return: never the secret itself. */
export const WebhookEndpoint = Type.Object(endpointFields, { $id: 'WebhookEndpoint', description: 'Where events are delivered (never its secret).' });

/** What create and rotate_secret return: the only answers that carry the secret. */
export const WebhookEndpointWithSecret = Type.Object(
  {
    ...endpointFields,
    secret: Type.String({ description: 'whsec_…: verifies signatures. Shown only in this answer; store it now. Rotate with POST …/rotate_secret.' }),
  },
  { $id: 'WebhookEndpointWithSecret', description: 'A webhook endpoint with its secret: only in the answers to create and rotate_secret.' },
);

const DELIVERY_STATES = ['pending', 'sending', 'succeeded', 'failed'] as const;

const Attempt = Type.Object({
  attempted_at: Type.String({ format: 'date-time' }),
  status: Nullable(Type.Integer(), { description: "The receiver's HTTP status; null when it did not answer." }),
  error: Nullable(Type.String()),
  duration_ms: Type.Integer(),
});

export const WebhookDelivery = Type.Object(
  {
    object: Type.Literal('webhook_delivery'),
    id: Type.String(),
    endpoint_id: Type.String(),
    event_id: Type.String(),
    directory_id: Nullable(Type.String()),
    state: StringEnum<string>(DELIVERY_STATES),
    attempt_count: Type.Integer(),
    next_attempt_at: Nullable(Type.String({ format: 'date-time' })),
    last_attempt_at: Nullable(Type.String({ format: 'date-time' })),
    last_status: Nullable(Type.Integer()),
    last_error: Nullable(Type.String()),
    attempts: Type.Array(Attempt, { description: 'Every attempt, oldest first.' }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'WebhookDelivery', description: 'One event on its way to one endpoint, with every attempt.' },
);

/** The answer to a resend: the delivery is queued again. */
export const ResentDelivery = Type.Object(
  { object: Type.Literal('webhook_delivery'), id: Type.String(), state: Type.Literal('pending') },
  { $id: 'ResentDelivery', description: 'A delivery queued again.' },
);

export const WebhookEndpointList = ListOf(WebhookEndpoint, 'A page of webhook endpoints.');
export const WebhookDeliveryList = ListOf(WebhookDelivery, 'A page of deliveries.');

// Event names are checked by the handler, not by an enum here, so that its 422 names the unknown one.
const Events = Type.Array(Type.String(), { minItems: 1, maxItems: EVENT_TYPES.length, description: `Event types to receive: ${EVENT_TYPES.join(', ')}.` });
const EndpointUrl = Type.String({ maxLength: 2048, description: 'An `http` or `https` URL, without credentials.' });
const CreateBody = Type.Object({ endpoint_url: EndpointUrl, events: Events });
const UpdateBody = Type.Object({
  endpoint_url: Type.Optional(EndpointUrl),
  events: Type.Optional(Events),
  status: Type.Optional(StringEnum(STATUSES, { description: 'Setting it clears `disabled_reason`.' })),
});
const DeliveriesQuery = Type.Object({ ...PageParams, state: Type.Optional(StringEnum(DELIVERY_STATES, { description: 'Only deliveries in this state.' })) });
const DeliveryParams = Type.Object({ id: Type.String({ description: 'The endpoint id.' }), delivery_id: Type.String() });
/** Optional (Fastify validates a body by media type only when one is sent): `{}` or no body rotates with a day of overlap. */
const RotateBody = Type.Object({
  // One `type` list rather than anyOf with null, so that a wrong value gets one error, not one per branch.
  overlap_seconds: Type.Optional(
    Type.Unsafe<number | null>({
      type: ['integer', 'null'],
      minimum: 0,
      maximum: 7 * 86_400,
      description: 'How long the previous secret keeps signing next to the new one: 0 to 604800 seconds; absent or null, 86400.',
    }),
  ),
});
const tags = ['webhook endpoints'];

const toObject = (we: EndpointRecord) => ({ object: 'webhook_endpoint' as const, ...we });
const withSecret = ({ endpoint, secret }: CreatedRecord) => ({ ...toObject(endpoint), secret });

/**
 * `overlap_seconds`, 0 to 7 days, one day when absent. Read here too: the body is optional, and the route's
 * schema checks it only when it comes as JSON.
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
    {
      schema: {
        operationId: 'createWebhookEndpoint',
        summary: 'Create a webhook endpoint',
        description: 'Answers with its `whsec_…` secret, shown only here. 422 when the URL is refused (see `GUESTLIST_WEBHOOK_BLOCK_PRIVATE`).',
        tags,
        body: CreateBody,
        response: { 201: ref(WebhookEndpointWithSecret, 'The new endpoint, with its secret.') },
      },
      config: { audit: { action: 'webhook_endpoint.created', target: fromResult('webhook_endpoint') } },
    },
    async (request, reply) => {
      checkEvents(request.body.events);
      await checkUrl(request.body.endpoint_url);
      const created = await webhooks().create(request.body.endpoint_url, [...new Set(request.body.events)]);
      return reply.status(201).send(withSecret(created));
    },
  );

  app.get(
    '/webhook_endpoints',
    {
      schema: {
        operationId: 'listWebhookEndpoints',
        summary: 'List webhook endpoints',
        tags,
        querystring: Type.Object(PageParams),
        response: { 200: ref(WebhookEndpointList, 'A page of webhook endpoints.') },
      },
    },
    async (request) => listEnvelope(await webhooks().list(parsePage(request.query)), toObject),
  );

  app.get(
    '/webhook_endpoints/:id',
    { schema: { operationId: 'getWebhookEndpoint', summary: 'Get a webhook endpoint', tags, params: IdParams, response: { 200: ref(WebhookEndpoint, 'The endpoint.') } } },
    async (request) => {
      const endpoint = await webhooks().get(request.params.id);
      if (!endpoint) throw notFound('Webhook endpoint', request.params.id);
      return toObject(endpoint);
    },
  );

  app.patch(
    '/webhook_endpoints/:id',
    {
      schema: {
        operationId: 'updateWebhookEndpoint',
        summary: 'Update a webhook endpoint',
        description: 'Changes its URL or events, or enables or disables it.',
        tags,
        params: IdParams,
        body: UpdateBody,
        response: {
          200: ref(WebhookEndpoint, 'The updated endpoint.'),
          409: ref(ApiErrorObject, 'Enabling an endpoint whose secret cannot be decrypted (`secret_undecryptable`): rotate it first.'),
        },
      },
      config: { audit: { action: 'webhook_endpoint.updated', target: fromParams('webhook_endpoint') } },
    },
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

  const deleteSchema = {
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete a webhook endpoint',
    description: 'Its pending deliveries go with it.',
    tags,
    params: IdParams,
    response: { 204: NoContent('Deleted.') },
  };
  const deleted = { action: 'webhook_endpoint.deleted', target: fromParams('webhook_endpoint') };
  app.delete('/webhook_endpoints/:id', { schema: deleteSchema, config: { audit: deleted } }, async (request, reply) => {
    if (!(await deleteEndpoint(store, request.params.id))) throw notFound('Webhook endpoint', request.params.id);
    return reply.status(204).send();
  });

  app.post(
    '/webhook_endpoints/:id/rotate_secret',
    {
      schema: {
        operationId: 'rotateWebhookEndpointSecret',
        summary: "Rotate a webhook endpoint's secret",
        description:
          'Answers with the new secret, shown only here. The previous one keeps signing next to it until `previous_secret_expires_at`. The body is optional.',
        tags,
        params: IdParams,
        body: { content: { 'application/json': { schema: RotateBody } } },
        'x-optional-body': true,
        response: { 200: ref(WebhookEndpointWithSecret, 'The endpoint, with its new secret.') },
      },
      config: { audit: { action: 'webhook_endpoint.secret_rotated', target: fromParams('webhook_endpoint') } },
    },
    async (request) => {
      const rotated = await webhooks().rotate(request.params.id, overlapSeconds(request.body));
      if (!rotated) throw notFound('Webhook endpoint', request.params.id);
      return withSecret(rotated);
    },
  );

  app.get(
    '/webhook_endpoints/:id/deliveries',
    {
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: "List a webhook endpoint's deliveries",
        description: 'The delivery log, newest first unless `order=asc`, each delivery with all its attempts.',
        tags,
        params: IdParams,
        querystring: DeliveriesQuery,
        response: { 200: ref(WebhookDeliveryList, 'A page of deliveries.') },
      },
    },
    async (request) => {
      if (!(await webhooks().get(request.params.id))) throw notFound('Webhook endpoint', request.params.id);
      const page = await webhooks().deliveries(request.params.id, parsePage(request.query), request.query.state);
      return listEnvelope(page, (d) => ({ object: 'webhook_delivery' as const, ...d, attempts: d.attempts ?? [] }));
    },
  );

  app.post(
    '/webhook_endpoints/:id/deliveries/:delivery_id/resend',
    {
      schema: {
        operationId: 'resendWebhookDelivery',
        summary: 'Resend a delivery',
        description: 'Queues a finished (`succeeded` or `failed`) delivery again, at its place in event order.',
        tags,
        params: DeliveryParams,
        response: { 202: ref(ResentDelivery, 'Queued.') },
      },
      config: { audit: { action: 'webhook_delivery.resent', target: fromParams('webhook_delivery', 'delivery_id') } },
    },
    async (request, reply) => {
      // One transaction (which wakes the dispatcher on commit): the delivery and its queue change together.
      const resent = await store.transaction((trx) => new WebhookStore(trx, keys).resend(request.params.id, request.params.delivery_id));
      if (!resent) throw new ApiError(404, 'entity_not_found', `No finished delivery '${request.params.delivery_id}' for this endpoint.`);
      return reply.status(202).send({ object: 'webhook_delivery', id: request.params.delivery_id, state: 'pending' });
    },
  );
}
