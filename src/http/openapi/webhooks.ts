/**
 * The document's `webhooks`: one POST per event type, whose body is the Event object with that type's `data`,
 * signed as docs/events.md § Deliveries says (src/events/signing.ts writes the headers).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { OpenAPIV3_1 } from 'openapi-types';
import { EVENT_TYPES, type EventType } from '../../store/event-log.ts';
import { DirectoryGroup, DirectoryUserEvent } from '../management/directory-objects.ts';
import { DeprovisionGuard } from '../management/sources.ts';
import { eventSchema } from '../management/events.ts';
import { DirectoryEvent, DirectoryToken } from '../objects.ts';
import { ref } from '../schema.ts';

const PreviousAttributes = Type.Object({
  previous_attributes: Type.Object({}, { additionalProperties: true, description: 'The previous value of each field that changed (shallow).' }),
});

export const DirectoryUserUpdate = Type.Intersect([ref(DirectoryUserEvent), PreviousAttributes], {
  $id: 'DirectoryUserUpdate',
  description: 'A Directory User after the change, with what it was before.',
});

export const DirectoryGroupUpdate = Type.Intersect([ref(DirectoryGroup), PreviousAttributes], {
  $id: 'DirectoryGroupUpdate',
  description: 'A Directory Group after the change, with what it was before.',
});

export const DirectoryMembership = Type.Object(
  { directory_id: Type.String(), user: ref(DirectoryUserEvent), group: ref(DirectoryGroup) },
  { $id: 'DirectoryMembership', description: 'A user joining or leaving a group.' },
);

/** Each event's `data` and what it means; a Record, so a new event type cannot be left out. */
const EVENTS: Record<EventType, { data: TSchema; when: string }> = {
  'dsync.activated': { data: DirectoryEvent, when: "A directory's identity provider made its first authenticated SCIM request." },
  'dsync.deleted': { data: DirectoryEvent, when: "A directory was deleted (`state` is `deleting`): treat its users and groups as gone." },
  'dsync.user.created': { data: DirectoryUserEvent, when: 'A user was provisioned.' },
  'dsync.user.updated': { data: DirectoryUserUpdate, when: 'A user changed (attributes, state or role).' },
  'dsync.user.deleted': { data: DirectoryUserEvent, when: "A user was deleted; its memberships' `dsync.group.user_removed` come first." },
  'dsync.group.created': { data: DirectoryGroup, when: 'A group was provisioned.' },
  'dsync.group.updated': { data: DirectoryGroupUpdate, when: 'A group changed.' },
  'dsync.group.deleted': { data: DirectoryGroup, when: "A group was deleted; its members' `dsync.group.user_removed` come first." },
  'dsync.group.user_added': { data: DirectoryMembership, when: 'A user was added to a group.' },
  'dsync.group.user_removed': { data: DirectoryMembership, when: 'A user was removed from a group.' },
  'dsync.token.created': { data: DirectoryToken, when: 'A SCIM bearer token was created (never the secret).' },
  'dsync.token.revoked': { data: DirectoryToken, when: 'A SCIM bearer token was revoked.' },
  'dsync.guard.tripped': { data: DeprovisionGuard, when: "The deprovision guard tripped: the directory's deactivations and deletions are held back from now on." },
  'dsync.guard.released': { data: DeprovisionGuard, when: 'An admin released (applied, `released`) or discarded (`discarded`) what the guard held; it is armed again.' },
};

/** `dsync.group.user_added` → `DsyncGroupUserAdded`. */
const pascal = (type: string) => type.split(/[._]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

/** The Event object of each type, as components (`DsyncUserCreatedEvent`, …). */
export const EVENT_SCHEMAS = EVENT_TYPES.map((type) =>
  eventSchema(Type.Literal(type), ref(EVENTS[type].data), { $id: `${pascal(type)}Event`, description: `The \`${type}\` event.` }),
);

const header = (name: string, description: string, pattern: string): OpenAPIV3_1.ParameterObject => ({
  in: 'header',
  name,
  required: true,
  description,
  schema: { type: 'string', pattern },
});

/**
 * The signatures over the exact bytes of the body, with the endpoint's `whsec_…` secret: `components.parameters`,
 * referenced by every webhook.
 */
export const SIGNATURE_HEADERS: Record<string, OpenAPIV3_1.ParameterObject> = {
  WebhookId: header('webhook-id', 'The event id (`event_…`). Deliveries are at least once: deduplicate on it.', '^event_'),
  WebhookTimestamp: header('webhook-timestamp', 'When it was signed, in Unix seconds.', '^[0-9]+$'),
  WebhookSignature: header(
    'webhook-signature',
    'Standard Webhooks: `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, keyed with the base64-decoded part of the secret after `whsec_`. During a secret rotation it carries both signatures, space-separated. The `standardwebhooks` package verifies it.',
    '^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$',
  ),
  GuestlistSignature: header(
    'Guestlist-Signature',
    '`t=<unix ms>, v1=<hex HMAC-SHA256 of "{t}.{body}">`, keyed with the whole secret string: what the WorkOS SDKs\' `constructEvent` verifies.',
    '^t=[0-9]+, v1=[0-9a-f]{64}$',
  ),
};

/** What the receiver's answer means: `components.responses`, referenced by every webhook. */
export const WEBHOOK_RESPONSES = {
  WebhookReceived: { description: 'Received. Any 2xx within 10 seconds is success.' },
  WebhookGone: { description: 'Gone: the endpoint is disabled at once (`disabled_reason: "gone"`).' },
  WebhookNotReceived: {
    description:
      'Anything else (another status, a time-out, a refused connection, a redirect) is retried with exponential backoff for three days, then the delivery is marked `failed`.',
  },
};

const responseRef = (name: keyof typeof WEBHOOK_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

/** `dsync.group.user_added` → `dsyncGroupUserAdded`: the webhook's operationId. */
const camel = (type: string) => pascal(type).charAt(0).toLowerCase() + pascal(type).slice(1);

function webhook(type: EventType): OpenAPIV3_1.PathItemObject {
  return {
    post: {
      operationId: camel(type),
      summary: type,
      description: `${EVENTS[type].when}\n\nSent to every enabled endpoint subscribed to \`${type}\`, one at a time per directory, in log order. The body is compact JSON, exactly as \`GET /events\` shows the event.`,
      tags: ['webhooks'],
      parameters: Object.keys(SIGNATURE_HEADERS).map((name) => ({ $ref: `#/components/parameters/${name}` })),
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${pascal(type)}Event` } } } },
      responses: { '2XX': responseRef('WebhookReceived'), '410': responseRef('WebhookGone'), default: responseRef('WebhookNotReceived') },
    },
  };
}

export const webhooksSection = (): Record<string, OpenAPIV3_1.PathItemObject> =>
  Object.fromEntries(EVENT_TYPES.map((type) => [type, webhook(type)]));
