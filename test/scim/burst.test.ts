/**
 * A provisioning burst: 1,000 user creates from 256 concurrent clients against the real HTTP server, with
 * admission limits small enough that many are refused. No timing assertions: every answer is 201 or 429
 * (never a 5xx or a time-out), every 201 is one stored user with exactly one `dsync.user.created` event, and
 * retrying the 429s after their Retry-After ends with all 1,000 created. A second directory stays served.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

const USERS = 1_000;
const CLIENTS = 256;
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await createTestApp({
    // Far below 256 clients, so the burst certainly meets the limits even though the clients share the
    // server's event loop.
    GUESTLIST_SCIM_MAX_IN_FLIGHT: '4',
    GUESTLIST_SCIM_MAX_IN_FLIGHT_PER_DIRECTORY: '4',
    GUESTLIST_SCIM_MAX_QUEUED: '32',
    GUESTLIST_SCIM_MAX_QUEUED_PER_DIRECTORY: '16',
  });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
});

it('1,000 creates from 256 clients: only 201 or 429, nothing lost or doubled, all created after retries', async () => {
  const dir = await createDirectory(t);
  const quiet = await createDirectory(t);
  const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' });
  const statuses = new Map<number, number>();
  const created = new Map<number, string>();
  let retryAfterMissing = 0;
  let quietServed = 0;

  const create = async (i: number): Promise<number | undefined> => {
    const res = await fetch(`${base}/scim/v2/${dir.id}/Users`, {
      method: 'POST',
      headers: headers(dir.bearer_token),
      body: JSON.stringify({ schemas: [USER], userName: `burst${i}@acme.com`, externalId: `b${i}`, active: true }),
    });
    const body = await res.json();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 201) created.set(i, body.id);
    if (res.status === 429) {
      expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });
      const after = Number(res.headers.get('retry-after'));
      if (!(after >= 1)) retryAfterMissing++;
      return after;
    }
    return undefined;
  };

  // Each client retries its refused create after Retry-After, as Entra and Okta do.
  let next = 0;
  let refusedTotal = 0;
  const quietProbes = setInterval(() => {
    fetch(`${base}/scim/v2/${quiet.id}/Users?count=1`, { headers: headers(quiet.bearer_token) })
      .then(async (r) => {
        await r.arrayBuffer();
        if (r.status === 200) quietServed++;
      })
      .catch(() => {});
  }, 200);
  try {
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < USERS) {
          const i = next++;
          for (let attempt = 0; ; attempt++) {
            expect(attempt, 'retries of one create').toBeLessThan(200);
            const retryAfter = await create(i);
            if (retryAfter === undefined) break;
            refusedTotal++;
            await new Promise((r) => setTimeout(r, retryAfter * 1000));
          }
        }
      }),
    );
  } finally {
    clearInterval(quietProbes);
  }
  expect(refusedTotal).toBe(statuses.get(429) ?? 0);

  expect([...statuses.keys()].filter((s) => s !== 201 && s !== 429)).toEqual([]);
  // The burst meets the small limits on both databases: on PostgreSQL requests wait on the database
  // concurrently, and on SQLite (where each query completes synchronously) a write still waits at least one
  // event-loop turn for its group-commit batch, while other requests are read and admitted.
  expect(statuses.get(429)).toBeGreaterThan(0);
  expect(statuses.get(201)).toBe(USERS);
  expect(retryAfterMissing).toBe(0);
  expect(quietServed).toBeGreaterThan(0);

  const users = await t.store.db.selectFrom('directory_users').select(['id']).where('directory_id', '=', dir.id).execute();
  expect(users).toHaveLength(USERS);
  expect(new Set(users.map((u) => u.id))).toEqual(new Set(created.values()));
  const events = await t.store.db.selectFrom('events').select(['data']).where('directory_id', '=', dir.id).where('event', '=', 'dsync.user.created').execute();
  const subjects = events.map((e) => (typeof e.data === 'string' ? JSON.parse(e.data) : e.data).id as string);
  expect(subjects).toHaveLength(USERS);
  expect(new Set(subjects)).toEqual(new Set(created.values()));
}, 300_000);
