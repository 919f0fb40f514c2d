/** `GET /events`: the event log, oldest first by default, with a gap-free `after` cursor (API.md §4). */
import { Type } from '@sinclair/typebox';
import { cursorSeq, eventObject, readEvents, type EventQuery, type EventRecord } from '../../events/reads.ts';
import { EVENT_TYPES } from '../../store/event-log.ts';
import type { AppContext } from '../context.ts';
import { ApiError, invalid } from '../errors.ts';
import { ListMetadata, parseLimit, parseOrder, type OrderParam } from '../pagination.ts';
import { eventTypesOf } from './query.ts';
import type { ManagementScope } from './scope.ts';

export const Event = Type.Object(
  {
    object: Type.Literal('event'),
    id: Type.String(),
    event: Type.String(),
    data: Type.Object({}, { additionalProperties: true }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Event' },
);

const Query = Type.Object({
  events: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  'events[]': Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  organization_id: Type.Optional(Type.String()),
  directory_id: Type.Optional(Type.String()),
  after: Type.Optional(Type.String()),
  range_start: Type.Optional(Type.String()),
  range_end: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String()),
  order: Type.Optional(Type.String()),
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
  if (order !== 'normal') return readEvents(store.db, { ...q, order });
  if (q.afterSeq === undefined) return readEvents(store.db, { ...q, order: 'desc' });
  return (await readEvents(store.db, { ...q, order: 'asc' })).reverse();
}

export function eventRoutes(app: ManagementScope, { store }: AppContext): void {
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        querystring: Query,
        response: { 200: Type.Object({ object: Type.Literal('list'), data: Type.Array(Event), list_metadata: ListMetadata }) },
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
        afterSeq = await cursorSeq(store.db, q.after);
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
