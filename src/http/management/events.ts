/** `GET /events`: the event log, oldest first by default, with a gap-free `after` cursor (API.md §4). */
import { Type, type SchemaOptions, type TSchema } from '@sinclair/typebox';
import { cursorSeq, eventObject, readEvents, type EventQuery, type EventRecord } from '../../events/reads.ts';
import { EVENT_TYPES } from '../../store/event-log.ts';
import type { AppContext } from '../context.ts';
import { ApiError, invalid } from '../errors.ts';
import { ListOf, parseLimit, parseOrder, type OrderParam } from '../pagination.ts';
import { StringEnum, ref } from '../schema.ts';
import { eventTypesOf } from './query.ts';
import type { ManagementScope } from './scope.ts';

/** An Event object whose `event` and `data` are given: the generic one below, or one per type (the webhooks). */
export const eventSchema = <E extends TSchema, D extends TSchema>(event: E, data: D, options: SchemaOptions) =>
  Type.Object(
    {
      object: Type.Literal('event'),
      id: Type.String({ description: '`event_…`; also the `webhook-id` of its deliveries.' }),
      event,
      data,
      created_at: Type.String({ format: 'date-time' }),
    },
    options,
  );

export const Event = eventSchema(
  StringEnum<string>(EVENT_TYPES),
  Type.Object({}, { additionalProperties: true, description: "The object the event is about; each type's `data` is under `webhooks`." }),
  { $id: 'Event', description: 'One change, from the event log.' },
);

export const EventList = ListOf(Event, 'A page of events.');

const Types = Type.Union([Type.String(), Type.Array(Type.String())], { description: `Event types, comma-separated or repeated: ${EVENT_TYPES.join(', ')}.` });
const Query = Type.Object({
  events: Type.Optional(Types),
  'events[]': Type.Optional({ ...Types, description: 'The same as `events`.' }),
  organization_id: Type.Optional(Type.String({ description: "Only this organization's events." })),
  directory_id: Type.Optional(Type.String({ description: "Only this directory's events." })),
  after: Type.Optional(Type.String({ description: 'An event id: the events after it. 422 `cursor_expired` when it is past retention.' })),
  range_start: Type.Optional(Type.String({ description: 'ISO 8601 time: events created at or after it.' })),
  range_end: Type.Optional(Type.String({ description: 'ISO 8601 time: events created before it.' })),
  limit: Type.Optional(Type.String({ description: 'Page size, 1 to 100 (default 10).' })),
  order: Type.Optional(Type.String({ description: '`asc` (the default: oldest first) or `desc`.' })),
});

function timestamp(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(field, 'invalid', `${field} must be an ISO 8601 timestamp.`);
  return new Date(ms).toISOString();
}

/**
 * One page of the log. `normal` is WorkOS's descending order in which `after` reaches newer events: the page
 * right after the cursor (the newest page without one), newest first.
 */
async function readPage(store: AppContext['store'], order: OrderParam, q: Omit<EventQuery, 'order'>): Promise<EventRecord[]> {
  // The read connection: a page never waits for a write transaction in progress, and shows the last commit.
  if (order !== 'normal') return readEvents(store.reader, { ...q, order });
  if (q.afterSeq === undefined) return readEvents(store.reader, { ...q, order: 'desc' });
  return (await readEvents(store.reader, { ...q, order: 'asc' })).reverse();
}

export function eventRoutes(app: ManagementScope, { store }: AppContext): void {
  app.get(
    '/events',
    {
      schema: {
        operationId: 'listEvents',
        summary: 'List events',
        description:
          'The event log, a total order: `list_metadata.after` is always the place to continue from (also on an empty page), so a consumer that polls with it never misses or repeats an event.',
        tags: ['events'],
        querystring: Query,
        response: { 200: ref(EventList, 'A page of events, oldest first by default.') },
      },
    },
    async (request) => {
      const q = request.query;
      const types = eventTypesOf(q);
      const unknown = types.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
      if (unknown) throw invalid('events', 'invalid', `Unknown event type "${unknown}".`);
      const limit = parseLimit(q.limit);
      const order = parseOrder(q.order, 'asc');
      let afterSeq: number | undefined;
      if (q.after !== undefined) {
        afterSeq = await cursorSeq(store.reader, q.after);
        if (afterSeq === undefined) {
          throw new ApiError(422, 'cursor_expired', `The cursor event '${q.after}' is unknown or no longer retained; restart with range_start.`, [
            { field: 'after', code: 'cursor_expired' },
          ]);
        }
      }
      const rangeStart = timestamp(q.range_start, 'range_start');
      const rangeEnd = timestamp(q.range_end, 'range_end');
      const rows = await readPage(store, order, {
        ...(types.length > 0 ? { events: types } : {}),
        ...(q.organization_id !== undefined ? { organizationId: q.organization_id } : {}),
        ...(q.directory_id !== undefined ? { directoryId: q.directory_id } : {}),
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        ...(rangeStart ? { rangeStart } : {}),
        ...(rangeEnd ? { rangeEnd } : {}),
        limit,
      });
      const data = rows.map(eventObject);
      // `after` is where a reader continues from: the page's last event (for `normal`, the newest, its first).
      // An empty page has none: SDKs that page while `after` is set (PHP, Kotlin, .NET) stop there, and a
      // tailing reader keeps the cursor it sent.
      const next = order === 'normal' ? data[0] : data[data.length - 1];
      return { object: 'list' as const, data, list_metadata: { before: null, after: next?.id ?? null } };
    },
  );
}
