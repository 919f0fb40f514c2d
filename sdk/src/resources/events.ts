/** `GET /events`: the ordered event log, as pages, as a stream that tails it, or through a consumer. */
import { consumeEvents, streamEvents, type ConsumeOptions, type EventPageFetcher, type StreamOptions } from '../consumer.js';
import type { Event } from '../event-types.js';
import type { HttpClient } from '../http.js';
import type { List } from '../objects.js';
import type { AutoPaginatable, NextCursor } from '../pagination.js';
import type { ListEventsParams } from '../params.js';
import { listOf } from './list.js';

const DEFAULT_LIMIT = 10;

/**
 * The Events API sets `list_metadata.after` on every page with events, the last one too (it is where a tail continues), so
 * iterating "everything there is now" ends at the first page that is not full.
 */
function untilShortPage(limit: number): NextCursor<Event> {
  return (page) => (page.data.length < limit || page.list_metadata.after === null ? undefined : { after: page.list_metadata.after });
}

export class Events {
  constructor(private readonly http: HttpClient) {}

  /** One page (await it) or every event there is now (`for await`), oldest first by default. */
  list(params: ListEventsParams = {}): AutoPaginatable<Event> {
    return listOf(this.http, '/events', params, untilShortPage(params.limit ?? DEFAULT_LIMIT));
  }

  /**
   * Every event from `after` on, then new ones as they are written, until `signal` aborts or the loop breaks:
   * `for await (const event of client.events.stream({ after: cursor, signal })) { await handle(event); save(event.id); }`
   */
  stream(options: StreamOptions = {}): AsyncGenerator<Event, void, undefined> {
    return streamEvents(this.fetchPage, options);
  }

  /** Runs `onEvent` for each event in order until `signal` aborts; persist the cursor in `onCursor`. */
  consume(options: ConsumeOptions): Promise<{ after: string | null }> {
    return consumeEvents(this.fetchPage, options);
  }

  private readonly fetchPage: EventPageFetcher = (query, signal) => this.http.request<List<Event>>('GET', '/events', { query, signal });
}
