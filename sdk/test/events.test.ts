/** The events consumer and stream against a real server: order, stop and resume, backoff, failures. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, CursorExpiredError, type ScimDirectoryWithToken, type Event, type Guestlist, type GuestlistError } from '../src/index.ts';
import { idp, startServer, until, type TestServer } from './support.ts';

let server: TestServer;
let client: Guestlist;

beforeAll(async () => {
  server = await startServer();
  client = server.client();
});
afterAll(() => server.close());

async function newDirectory(): Promise<{ dir: ScimDirectoryWithToken; scim: ReturnType<typeof idp> }> {
  const org = await client.organizations.create({ name: 'Consumers' });
  const dir = await client.directories.create({ organization_id: org.id, type: 'generic scim v2.0' });
  return { dir, scim: idp(server.t, dir.id, dir.bearer_token) };
}

/** The directory's whole log as a later full read shows it. */
async function fullLog(directoryId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const event of client.events.list({ directory_id: directoryId, limit: 100 })) ids.push(event.id);
  return ids;
}

const fast = { idleBackoffMs: 10, maxIdleBackoffMs: 50 };

describe('events.consume', () => {
  it('stops, resumes from the stored cursor, and hands over every event once, in order', async () => {
    const { dir, scim } = await newDirectory();
    for (let i = 0; i < 12; i++) await scim.createUser(`u${i}@consume.example`);

    let stored: string | null = null; // The application's cursor store.
    const first: string[] = [];
    const stop = new AbortController();
    const run1 = await client.events.consume({
      after: stored,
      directory_id: dir.id,
      limit: 5,
      ...fast,
      signal: stop.signal,
      onEvent: (event) => {
        first.push(event.id);
        if (first.length === 8) stop.abort();
      },
      onCursor: (after) => {
        stored = after;
      },
    });
    expect(first).toHaveLength(8);
    expect(stored).toBe(first[7]);
    expect(run1.after).toBe(stored);

    // Written while no consumer runs.
    const late = await scim.createUser('late@consume.example');
    await scim.renameUser(String(late.id), 'Late');

    const second: Event[] = [];
    const stop2 = new AbortController();
    const run2 = client.events.consume({
      after: stored,
      directory_id: dir.id,
      limit: 5,
      ...fast,
      signal: stop2.signal,
      onEvent: (event) => void second.push(event),
      onCursor: (after) => {
        stored = after;
      },
    });
    // Written while it runs, after it has caught up and is polling.
    await until(() => second.some((e) => e.event === 'dsync.user.updated'), 'the consumer to catch up');
    await scim.deleteUser(String(late.id));
    await until(() => second.some((e) => e.event === 'dsync.user.deleted'), 'the deletion to arrive');
    stop2.abort();
    expect((await run2).after).toBe(second.at(-1)!.id);

    const handed = [...first, ...second.map((e) => e.id)];
    expect(handed).toEqual(await fullLog(dir.id));
    expect(new Set(handed).size).toBe(handed.length);
    expect(handed).toHaveLength(2 + 12 + 3);
  });

  it('rejects with the handler\'s error and leaves the cursor before the failed event', async () => {
    const { dir, scim } = await newDirectory();
    for (let i = 0; i < 3; i++) await scim.createUser(`f${i}@consume.example`);
    const log = await fullLog(dir.id);

    let stored: string | null = null;
    const failure = new Error('handler failed');
    const run = client.events.consume({
      directory_id: dir.id,
      ...fast,
      onEvent: (event) => {
        if (event.id === log[2]) throw failure;
      },
      onCursor: (after) => {
        stored = after;
      },
    });
    await expect(run).rejects.toBe(failure);
    expect(stored).toBe(log[1]);

    // At least once: the failed event is the first one handed over again.
    const stop = new AbortController();
    const again: string[] = [];
    await client.events.consume({
      after: stored,
      directory_id: dir.id,
      ...fast,
      signal: stop.signal,
      onEvent: (event) => {
        again.push(event.id);
        if (again.length === log.length - 2) stop.abort();
      },
    });
    expect(again).toEqual(log.slice(2));
  });

  it('filters by event type and keeps the cursor within the filtered stream', async () => {
    const { dir, scim } = await newDirectory();
    const a = await scim.createUser('a@filter.example');
    await scim.renameUser(String(a.id), 'A');
    const b = await scim.createUser('b@filter.example');
    await scim.renameUser(String(b.id), 'B');
    const created: Event[] = [];
    const stop = new AbortController();
    await client.events.consume({
      directory_id: dir.id,
      events: ['dsync.user.created'],
      ...fast,
      signal: stop.signal,
      onEvent: (event) => {
        created.push(event);
        if (created.length === 2) stop.abort();
      },
    });
    expect(created.map((e) => e.event)).toEqual(['dsync.user.created', 'dsync.user.created']);
    expect(created.map((e) => (e.event === 'dsync.user.created' ? e.data.id : null))).toEqual([a.id, b.id]);
  });

  it('survives failing requests (onError) without losing or repeating an event', async () => {
    const { dir, scim } = await newDirectory();
    for (let i = 0; i < 6; i++) await scim.createUser(`n${i}@consume.example`);
    const log = await fullLog(dir.id);
    let calls = 0;
    const flaky = server.client({
      maxRetries: 0,
      fetch: (input, init) => {
        calls++;
        return calls === 2 || calls === 3 ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init);
      },
    });
    const errors: GuestlistError[] = [];
    const handed: string[] = [];
    const stop = new AbortController();
    await flaky.events.consume({
      directory_id: dir.id,
      limit: 3,
      ...fast,
      signal: stop.signal,
      onError: (error) => void errors.push(error),
      onEvent: (event) => {
        handed.push(event.id);
        if (handed.length === log.length) stop.abort();
      },
    });
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e instanceof ConnectionError)).toBe(true);
    expect(handed).toEqual(log);
  });

  it('ends with CursorExpiredError for a cursor the server does not know', async () => {
    await expect(client.events.consume({ after: 'event_01ARZ3NDEKTSV4RRFFQ69G5FAV', ...fast, onEvent: () => {} })).rejects.toBeInstanceOf(CursorExpiredError);
  });
});

describe('events.stream', () => {
  it('is an async iterator that resumes where a broken loop left off', async () => {
    const { dir, scim } = await newDirectory();
    for (let i = 0; i < 4; i++) await scim.createUser(`s${i}@stream.example`);
    const log = await fullLog(dir.id);

    const seen: string[] = [];
    for await (const event of client.events.stream({ directory_id: dir.id, limit: 2, ...fast })) {
      seen.push(event.id);
      if (seen.length === 3) break;
    }
    const stop = new AbortController();
    for await (const event of client.events.stream({ after: seen.at(-1)!, directory_id: dir.id, limit: 2, ...fast, signal: stop.signal })) {
      seen.push(event.id);
      if (seen.length === log.length) stop.abort();
    }
    expect(seen).toEqual(log);
  });

  it('stops at once when aborted during an idle wait', async () => {
    const { dir } = await newDirectory();
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 200);
    const seen: Event[] = [];
    for await (const event of client.events.stream({ directory_id: dir.id, events: ['dsync.user.created'], idleBackoffMs: 60_000, signal: stop.signal })) seen.push(event);
    expect(seen).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('backs off while the log is quiet, doubling up to the cap', async () => {
    const { dir } = await newDirectory();
    const polls: { start: number; end: number }[] = [];
    const counting = server.client({
      fetch: async (input, init) => {
        const poll = { start: performance.now(), end: Number.NaN };
        polls.push(poll);
        const response = await fetch(input, init);
        poll.end = performance.now();
        return response;
      },
    });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1_500);
    for await (const _ of counting.events.stream({ directory_id: dir.id, events: ['dsync.user.created'], idleBackoffMs: 20, maxIdleBackoffMs: 80, signal: stop.signal })) {
      throw new Error('no event expected');
    }
    // The wait between one answer and the next request: 20, 40, 80, then 80 again and again.
    const waits = polls.slice(1).map((p, i) => p.start - polls[i]!.end);
    expect(waits.length).toBeGreaterThanOrEqual(5);
    // Timers never fire early (1 ms of rounding allowed)...
    waits.forEach((wait, i) => expect(wait, `wait ${i}`).toBeGreaterThanOrEqual(Math.min(80, 20 * 2 ** i) - 1));
    // ...and the cap holds: uncapped, the waits after the third would be 160, 320, 640 ms.
    const later = waits.slice(3).sort((a, b) => a - b);
    expect(later[Math.floor(later.length / 2)]).toBeLessThan(140);
  });
});
