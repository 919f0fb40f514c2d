/**
 * API.md §8 through the SDK against a real server: a Workday directory pulled from the fake in
 * test/fakes/workday.ts (its connection set, its syncs requested, listed and waited for), the deprovision guard
 * tripped by an empty listing and released, the directory settings of §8, and the typed errors the rules answer
 * with. The server's own sync loop runs the syncs (the SDK only polls), as it would in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkdayFake, type WorkdayFake } from '../../test/fakes/workday.ts';
import {
  ConflictError,
  GuestlistError,
  NotFoundError,
  TimeoutError,
  UnprocessableEntityError,
  type DeprovisionGuard,
  type DirectoryWithToken,
  type Guestlist,
  type Organization,
} from '../src/index.ts';
import { startServer, type TestServer } from './support.ts';

let server: TestServer;
let client: Guestlist;
let workday: WorkdayFake;
let org: Organization;

beforeAll(async () => {
  [server, workday] = await Promise.all([startServer(), startWorkdayFake()]);
  client = server.client();
  org = await client.organizations.create({ name: 'Example', domains: ['example.com'] });
});
afterAll(async () => {
  await server?.close();
  await workday?.close();
});

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: PromiseLike<unknown>): Promise<GuestlistError> {
  const outcome = await Promise.resolve(promise).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof GuestlistError)) throw outcome.error;
  return outcome.error;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const WAIT = { intervalMs: 20, timeoutMs: 20_000 };

describe('a Workday directory', () => {
  let dir: DirectoryWithToken;

  beforeAll(() => {
    workday.data.addWorker({ employeeId: '100', email: 'boss@example.com', firstName: 'Bo', lastName: 'Ss', department: 'Office', groups: ['Leads'] });
    workday.data.addWorker({ employeeId: '101', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', managerEmail: 'boss@example.com', groups: ['Engineering', 'Leads'] });
    workday.data.addWorker({ employeeId: '102', email: 'bob@example.com', firstName: 'Bob', lastName: 'Stone', managerEmail: 'boss@example.com', groups: ['Engineering'] });
  });

  it('is created without a SCIM token, and is not connected yet', async () => {
    dir = await client.directories.create({ organization_id: org.id, type: 'workday' });
    expect(dir).toMatchObject({ object: 'directory', type: 'workday', state: 'unlinked' });
    expect(dir.bearer_token).toBeUndefined();
    expect(dir.bearer_token_id).toBeUndefined();
    expect(await client.directories.getConnection(dir.id)).toEqual({ object: 'directory_connection', directory_id: dir.id, type: 'workday', configured: false, updated_at: null, summary: {} });
    expect((await client.directories.listSyncs(dir.id)).data).toEqual([]);
    // On by default for a pulled directory.
    expect(await client.directories.getGuard(dir.id)).toEqual({
      object: 'deprovision_guard',
      directory_id: dir.id,
      state: 'armed',
      held_changes: 0,
      tripped_at: null,
      settings: { enabled: true, max_share: 0.3, min_users: 10, window_minutes: 60 },
    });
  });

  it('refuses a malformed connection with field errors (422), queuing nothing', async () => {
    const bad = await rejection(client.directories.setConnection(dir.id, { report_url: 'ftp://x', username: '', password: 'p' }));
    expect(bad).toBeInstanceOf(UnprocessableEntityError);
    expect(bad).toMatchObject({ status: 422, code: 'validation_error' });
    expect(bad.errors.map((e) => e.field).sort()).toEqual(['report_url', 'username']);
    expect((await client.directories.getConnection(dir.id)).configured).toBe(false);
    expect((await client.directories.listSyncs(dir.id)).data).toEqual([]);
  });

  it('sets the connection (never answered with its password) and waits for the sync it queued', async () => {
    const connection = await client.directories.setConnection(dir.id, { report_url: workday.reportUrl, username: workday.username, password: workday.password });
    expect(connection).toMatchObject({ object: 'directory_connection', directory_id: dir.id, type: 'workday', configured: true, summary: { report_url: workday.reportUrl, username: workday.username, columns: {} } });
    expect(connection.updated_at).not.toBeNull();
    expect(JSON.stringify(connection)).not.toContain(workday.password);
    expect(await client.directories.getConnection(dir.id)).toEqual(connection);

    const [queued] = (await client.directories.listSyncs(dir.id, { limit: 1 })).data;
    expect(queued).toMatchObject({ object: 'directory_sync', directory_id: dir.id, trigger: 'manual' });
    const done = await client.directories.waitForSync(dir.id, queued!.id, WAIT);
    expect(done).toMatchObject({ id: queued!.id, state: 'succeeded', error: null, counts: { users_created: 3, groups_created: 2, memberships_added: 4, users_deleted: 0 } });
    expect(done.started_at).not.toBeNull();
    expect(done.finished_at).not.toBeNull();

    const users = await all(client.directoryUsers.list({ directory: dir.id, order: 'asc' }));
    expect(users.map((u) => [u.idp_id, u.email, u.state])).toEqual([
      ['100', 'boss@example.com', 'active'],
      ['101', 'ada@example.com', 'active'],
      ['102', 'bob@example.com', 'active'],
    ]);
    expect(users[1]!.custom_attributes).toMatchObject({ manager_email: 'boss@example.com' });
    expect((await client.directories.get(dir.id)).state).toBe('linked');
  });

  it('an empty listing trips the guard: the deletions are held, not applied', async () => {
    workday.faults.emptyListing = true;
    const requested = await client.directories.sync(dir.id);
    expect(requested).toMatchObject({ object: 'directory_sync', directory_id: dir.id, trigger: 'manual' });
    expect(requested.id).toMatch(/^directory_sync_/);
    expect(['queued', 'running', 'held']).toContain(requested.state);

    const held = await client.directories.waitForSync(dir.id, requested.id, WAIT);
    expect(held).toMatchObject({ state: 'held', counts: { users_deleted: 0, users_deactivated: 0 } });
    const guard = await client.directories.getGuard(dir.id);
    expect(guard).toMatchObject({ state: 'tripped', held_changes: 3 });
    expect(guard.tripped_at).not.toBeNull();
    expect((await all(client.directoryUsers.list({ directory: dir.id }))).map((u) => u.state)).toEqual(['active', 'active', 'active']);

    const events = await all(client.events.list({ directory_id: dir.id, events: ['dsync.guard.tripped'] }));
    expect(events).toHaveLength(1);
    const tripped = events[0]!;
    if (tripped.event !== 'dsync.guard.tripped') throw new Error(`unexpected ${tripped.event}`);
    // Narrowed by `event`: the data is a DeprovisionGuard.
    const data: DeprovisionGuard = tripped.data;
    expect(data).toMatchObject({ object: 'deprovision_guard', directory_id: dir.id, state: 'tripped', held_changes: 3, tripped_at: guard.tripped_at });
  });

  it('releasing applies what the guard held, with its events, and arms it again', async () => {
    workday.faults.emptyListing = false;
    const released = await client.directories.releaseGuard(dir.id);
    expect(released).toMatchObject({ object: 'deprovision_guard', directory_id: dir.id, state: 'armed', held_changes: 0, tripped_at: null });
    expect(await all(client.directoryUsers.list({ directory: dir.id }))).toEqual([]);

    const events = await all(client.events.list({ directory_id: dir.id, events: ['dsync.guard.released', 'dsync.user.deleted'] }));
    expect(events.map((e) => e.event)).toEqual(['dsync.user.deleted', 'dsync.user.deleted', 'dsync.user.deleted', 'dsync.guard.released']);
    const last = events.at(-1)!;
    if (last.event !== 'dsync.guard.released') throw new Error(`unexpected ${last.event}`);
    expect(last.data).toMatchObject({ state: 'armed', released: 3 });

    // Nothing held any more: both answer 409.
    const again = await rejection(client.directories.releaseGuard(dir.id));
    expect(again).toBeInstanceOf(ConflictError);
    expect(again).toMatchObject({ status: 409, code: 'guard_not_tripped' });
    expect(await rejection(client.directories.discardGuard(dir.id))).toMatchObject({ status: 409, code: 'guard_not_tripped' });
  });

  it('lists its syncs newest first, as a page and by iterating, following the cursors', async () => {
    const page = await client.directories.listSyncs(dir.id, { limit: 1 });
    expect(page.object).toBe('list');
    expect(page.data.map((s) => s.state)).toEqual(['held']);
    expect(page.list_metadata.after).not.toBeNull();
    const every = await all(client.directories.listSyncs(dir.id, { limit: 1 }));
    expect(every.map((s) => s.state)).toEqual(['held', 'succeeded']);
    expect((await client.directories.listSyncs(dir.id, { order: 'asc' })).data.map((s) => s.id)).toEqual(every.map((s) => s.id).reverse());
  });

  it('takes the §8 settings; the guard reads back its effective ones', async () => {
    const updated = await client.directories.update(dir.id, { settings: { sync_interval_minutes: 60, deprovision_guard: { enabled: true, max_share: 0.5 } } });
    expect(updated.settings).toMatchObject({ sync_interval_minutes: 60, deprovision_guard: { enabled: true, max_share: 0.5 } });
    expect((await client.directories.getGuard(dir.id)).settings).toEqual({ enabled: true, max_share: 0.5, min_users: 10, window_minutes: 60 });

    const bad = await rejection(client.directories.update(dir.id, { settings: { sync_interval_minutes: 1 } }));
    expect(bad).toBeInstanceOf(UnprocessableEntityError);
    expect(bad.errors.map((e) => e.field).join()).toContain('sync_interval_minutes');
  });
});

describe('waitForSync', () => {
  it('times out on a sync that stays queued (a directory not connected yet is never pulled)', async () => {
    const idle = await client.directories.create({ organization_id: org.id, type: 'workday', name: 'Idle Workday' });
    const queued = await client.directories.sync(idle.id);
    expect(queued.state).toBe('queued');
    // While it is queued, asking again answers the same sync.
    expect((await client.directories.sync(idle.id)).id).toBe(queued.id);

    const late = await rejection(client.directories.waitForSync(idle.id, queued.id, { intervalMs: 20, timeoutMs: 100 }));
    expect(late).toBeInstanceOf(TimeoutError);
    expect(late).toMatchObject({ code: 'timeout', status: undefined });
    expect(late.message).toContain('queued');
  });

  it('throws NotFoundError for a sync the history does not hold, and stops when its signal aborts', async () => {
    const idle = (await client.directories.list({ search: 'Idle Workday' })).data[0]!;
    const unknown = await rejection(client.directories.waitForSync(idle.id, 'directory_sync_01ARZ3NDEKTSV4RRFFQ69G5FAV', WAIT));
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown.code).toBe('entity_not_found');

    const [queued] = (await client.directories.listSyncs(idle.id)).data;
    const stop = new AbortController();
    const reason = new Error('stopped');
    const waiting = client.directories.waitForSync(idle.id, queued!.id, { intervalMs: 10_000, timeoutMs: 60_000, signal: stop.signal });
    setTimeout(() => stop.abort(reason), 50);
    await expect(waiting).rejects.toBe(reason);
  });
});

describe('refusals', () => {
  it('a SCIM directory is not pulled: 422 not_pulled, no syncs, an idle guard', async () => {
    const scim = await client.directories.create({ organization_id: org.id, type: 'generic scim v2.0' });
    // A SCIM type's answer always carries the token (the type says so).
    expect(scim.bearer_token.length).toBeGreaterThan(20);

    for (const call of [
      () => client.directories.getConnection(scim.id),
      () => client.directories.setConnection(scim.id, { subdomain: 'acme', api_key: 'key' }),
      () => client.directories.sync(scim.id),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(UnprocessableEntityError);
      expect(error).toMatchObject({ status: 422, code: 'not_pulled' });
    }
    expect((await client.directories.listSyncs(scim.id)).data).toEqual([]);
    expect(await client.directories.getGuard(scim.id)).toMatchObject({ state: 'armed', settings: { enabled: false } });
    expect(await rejection(client.directories.releaseGuard(scim.id))).toBeInstanceOf(ConflictError);
  });

  it("each pulled type's connection is checked as its own (field errors name the fields)", async () => {
    const bamboo = await client.directories.create({ organization_id: org.id, type: 'bamboohr' });
    const google = await client.directories.create({ organization_id: org.id, type: 'gsuite directory' });
    // Refused before anything is stored or queued, so no sync reaches the real BambooHR or Google.
    const badBamboo = await rejection(client.directories.setConnection(bamboo.id, { subdomain: 'not a subdomain', api_key: 'key' }));
    expect(badBamboo).toBeInstanceOf(UnprocessableEntityError);
    expect(badBamboo.errors.map((e) => e.field)).toEqual(['subdomain']);
    const badGoogle = await rejection(client.directories.setConnection(google.id, { service_account_key: { client_email: 'sa@p.iam.gserviceaccount.com', private_key: 'nope' }, admin_email: 'not-an-email' }));
    expect(badGoogle.errors.map((e) => e.field).sort()).toEqual(['admin_email', 'service_account_key']);
    // A Workday body for a BambooHR directory is its fields missing.
    const mismatched = await rejection(client.directories.setConnection(bamboo.id, { report_url: workday.reportUrl, username: 'u', password: 'p' }));
    expect(mismatched.errors.map((e) => e.field).sort()).toEqual(['api_key', 'subdomain']);
    expect((await client.directories.getConnection(bamboo.id)).configured).toBe(false);
    expect((await client.directories.listSyncs(google.id)).data).toEqual([]);

    // @ts-expect-error: a BambooHR connection needs its api_key.
    await rejection(client.directories.setConnection(bamboo.id, { subdomain: 'acme' }));
  });

  it('an unknown directory is a NotFoundError', async () => {
    const missing = 'directory_01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const d = client.directories;
    for (const call of [() => d.getConnection(missing), () => d.sync(missing), () => d.listSyncs(missing), () => d.getGuard(missing), () => d.releaseGuard(missing), () => d.waitForSync(missing, 'directory_sync_x')]) {
      expect(await rejection(call())).toBeInstanceOf(NotFoundError);
    }
  });
});
