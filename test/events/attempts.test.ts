/** Recording an attempt: the attempt row has an id of its own kind, and the delivery and its queue move on. */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/events/dispatcher.ts';
import { recordOutcomes } from '../../src/events/outcomes.ts';
import { WebhookStore } from '../../src/events/webhooks-store.ts';
import { isId } from '../../src/ids.ts';
import { appendEvents } from '../../src/store/event-log.ts';
import { createTestDatabase, type TestDatabase } from '../support/harness.ts';

const SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnop';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe('recordOutcomes', () => {
  it('writes the attempt as a webhook_attempt, and the delivery as succeeded', async () => {
    const { endpoint } = await new WebhookStore(t.store.db, SECRET_KEY).create('https://example.com/hooks', ['dsync.user.created']);
    await t.store.db.transaction().execute((db) => appendEvents(db, [{ event: 'dsync.user.created', directory_id: null, organization_id: null, data: {} }], new Date().toISOString()));
    const dispatcher = new Dispatcher(t.store, { secretKey: SECRET_KEY, blockPrivate: false, logger: pino({ level: 'silent' }) });
    expect(await dispatcher.fanOut()).toBe(1);
    const [job] = await dispatcher.claimDue(1);
    const claim = job?.claim;
    expect(claim).toBeDefined();
    expect(isId(claim!.deliveryId, 'webhook_delivery')).toBe(true);

    const attempt = { attempted_at: new Date().toISOString(), status: 200, error: null, duration_ms: 5 };
    expect(await recordOutcomes(t.store, [{ job: job!, outcome: { state: 'succeeded', status: 200, error: null, attempt }, mayContinue: true }], 60_000)).toEqual([]);

    const attempts = await t.store.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', claim!.deliveryId).execute();
    expect(attempts).toHaveLength(1);
    expect(isId(attempts[0]!.id, 'webhook_attempt')).toBe(true);
    const [delivery] = (await new WebhookStore(t.store.db, SECRET_KEY).deliveries(endpoint.id, { limit: 10, order: 'desc' })).data;
    expect(delivery).toMatchObject({ id: claim!.deliveryId, state: 'succeeded', attempt_count: 1, last_status: 200, attempts: [attempt] });
    const queue = await t.store.db.selectFrom('webhook_queues').selectAll().where('endpoint_id', '=', endpoint.id).executeTakeFirstOrThrow();
    expect(queue).toMatchObject({ next_attempt_at: null, locked_until: null });
  });
});
