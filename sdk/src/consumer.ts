/**
 * Tailing the event log: read pages oldest first from a cursor, hand each event over in order, and when the
 * log has nothing new, poll again after a wait that doubles up to a cap.
 *
 * The cursor is the id of the last event handled. The Events API resolves an event id to its place in the
 * log's total order (docs/events.md), so resuming `after` it never skips an event and never repeats one,
 * whatever filters are used. Persist it after the handler succeeds: a crash between the two means the event is
 * handed over again on restart (at least once), never lost.
 */
import { ConnectionError, GuestlistError, RateLimitError, ServerError, TimeoutError } from './errors.js';
import type { Event } from './event-types.js';
import type { List } from './objects.js';
import type { EventFilters } from './params.js';
import { sleep } from './sleep.js';

export interface StreamOptions extends EventFilters {
  /** Resume after this event id (the stored cursor); without one, from the start of the log or `range_start`. */
  after?: string | null | undefined;
  /** Events per request, 1–100; 100 by default. */
  limit?: number;
  /** Stops the stream: the request in flight is abandoned and no further event is handed over. */
  signal?: AbortSignal;
  /** First wait after an empty poll; 500 ms by default. */
  idleBackoffMs?: number;
  /** The cap the wait doubles up to; 10 s by default. */
  maxIdleBackoffMs?: number;
  /**
   * Called when a request fails in a way that may pass (network, time-out, 429, 5xx) after the client's own
   * retries; the stream waits as when idle (or as long as Retry-After asked) and tries again. Any other error
   * (401, 422 cursor_expired, …) ends it.
   */
  onError?: (error: GuestlistError) => void;
}

export interface ConsumeOptions extends StreamOptions {
  /** Handles one event; the next is not handed over until it resolves. If it throws, consume rejects with that. */
  onEvent: (event: Event) => unknown;
  /** Called with the event's id after `onEvent` succeeded: the place to persist the cursor. */
  onCursor?: (after: string) => unknown;
}

export type EventPageFetcher = (query: EventFilters & { after?: string; limit: number; order: 'asc' }, signal?: AbortSignal) => Promise<List<Event>>;

const DEFAULTS = { limit: 100, idleBackoffMs: 500, maxIdleBackoffMs: 10_000 };

/** Waits that double while the log stays quiet, up to a cap, and start over when events arrive. */
class IdleBackoff {
  private current: number;
  constructor(
    private readonly initial: number,
    private readonly max: number,
  ) {
    this.current = initial;
  }
  next(): number {
    const wait = this.current;
    this.current = Math.min(this.max, this.current * 2);
    return wait;
  }
  reset(): void {
    this.current = this.initial;
  }
}

function isTransient(error: unknown): error is GuestlistError {
  return error instanceof ConnectionError || error instanceof TimeoutError || error instanceof RateLimitError || error instanceof ServerError;
}

/** The filters for one request: `range_start` only places the very first read; after that the cursor does. */
function pageQuery(options: StreamOptions, after: string | undefined, limit: number) {
  const { events, organization_id, directory_id, range_start } = options;
  return {
    ...(events !== undefined ? { events } : {}),
    ...(organization_id !== undefined ? { organization_id } : {}),
    ...(directory_id !== undefined ? { directory_id } : {}),
    ...(after !== undefined ? { after } : range_start !== undefined ? { range_start } : {}),
    limit,
    order: 'asc' as const,
  };
}

export async function* streamEvents(fetchPage: EventPageFetcher, options: StreamOptions): AsyncGenerator<Event, void, undefined> {
  const { signal } = options;
  const limit = options.limit ?? DEFAULTS.limit;
  const idle = new IdleBackoff(options.idleBackoffMs ?? DEFAULTS.idleBackoffMs, options.maxIdleBackoffMs ?? DEFAULTS.maxIdleBackoffMs);
  let after = options.after ?? undefined;
  while (!signal?.aborted) {
    let page: List<Event>;
    try {
      page = await fetchPage(pageQuery(options, after, limit), signal);
    } catch (error) {
      if (signal?.aborted) return;
      if (!isTransient(error)) throw error;
      options.onError?.(error);
      await sleep(Math.max(idle.next(), error.retryAfterMs ?? 0), signal);
      continue;
    }
    for (const event of page.data) {
      if (signal?.aborted) return;
      yield event;
      after = event.id;
    }
    // A full page means more may be waiting: read on at once. A short one means the log is caught up: wait,
    // the shortest wait if events just came, longer each time nothing did.
    if (page.data.length > 0) idle.reset();
    if (page.data.length < limit) await sleep(idle.next(), signal);
  }
}

/** Runs `onEvent` for every event, in order, until `signal` aborts; resolves with the last cursor. */
export async function consumeEvents(fetchPage: EventPageFetcher, options: ConsumeOptions): Promise<{ after: string | null }> {
  let after = options.after ?? null;
  for await (const event of streamEvents(fetchPage, options)) {
    await options.onEvent(event);
    after = event.id;
    await options.onCursor?.(after);
  }
  return { after };
}
