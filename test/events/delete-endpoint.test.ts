/**
 * Deleting a webhook endpoint while the dispatcher records one of its deliveries' outcome. The dispatcher locks
 * the queue, then updates the delivery; a bare cascading delete locked the delivery, then waited for the queue,
 * and PostgreSQL broke the deadlock by failing one side (the DELETE answered 500). Here the two interleave
 * exactly that way: the outcome's transaction holds the queue until the delete is seen waiting on a lock.
 * SQLite runs one write transaction at a time, so the interleaving cannot happen there.
 */
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leasesOf } from '../../src/events/claims.ts';
import { Dispatcher } from '../../src/events/dispatcher.ts';
import { until } from '../support/eventually.ts';
import { TEST_DATABASE_URL, createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe.skipIf(!TEST_DATABASE_URL)('deleting an endpoint while an outcome is recorded (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('waits for the outcome, then deletes: no deadlock, no 500', async () => {
    const we = (await t.api('POST', '/webhook_endpoints', { endpoint_url: 'https://receiver.example.com/hook', events: ['dsync.user.created'] })).json();
    const dir = await createDirectory(t);
    await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, { schemas: [USER], userName: 'locks@acme.com' });
    const dispatcher = new Dispatcher(t.store, { secretKey: 'test-secret-key-0123456789abcdefghijklmnop', blockPrivate: false, logger: pino({ level: 'silent' }) });
    await dispatcher.fanOut();
    const claim = (await dispatcher.claimDue(1))[0]?.claim;
    expect(claim?.queue.endpoint_id).toBe(we.id);

    let deleted: Promise<{ statusCode: number }> | undefined;
    await t.store.db.transaction().execute(async (db) => {
      // The dispatcher's order: the queue first (recordOutcomes → leasesOf) ...
      expect([...(await leasesOf(db, 'postgres', [claim!])).values()]).toEqual([claim!.lease]);
      deleted = t.api('DELETE', `/webhook_endpoints/${we.id}`);
      await until(async () => (await lockWaiters(t)) > 0, 10_000, 'the DELETE to wait on a lock');
      // ... then the delivery. The DELETE must not hold it yet: before the fix its cascade had locked this row
      // already, so taking it without waiting fails (55P03) where the dispatcher's update used to deadlock.
      await db.selectFrom('webhook_deliveries').select('id').where('id', '=', claim!.deliveryId).forUpdate().noWait().execute();
      await db.updateTable('webhook_deliveries').set({ state: 'succeeded', locked_until: null }).where('id', '=', claim!.deliveryId).execute();
    });
    expect((await deleted!).statusCode).toBe(204);
    expect(await t.store.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', we.id).execute()).toEqual([]);
    expect((await t.api('GET', `/webhook_endpoints/${we.id}`)).statusCode).toBe(404);
  });
});

/** Backends of this database waiting for a lock held by another transaction. */
async function lockWaiters(t: TestApp): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`.execute(t.store.db);
  return Number(rows[0]?.n ?? 0);
}
