/**
 * The deprovision guard on SCIM directories (API.md §8), on both databases: once deactivations and deletions
 * pass the threshold, the IdP is still answered as if each was made (404 after DELETE, `active: false` after a
 * deactivation, the userName free again, the user gone from its groups' members), while the app keeps seeing
 * the users as they were, with no event, until an admin releases (the changes apply in order, with their
 * events) or discards them. Driven by hand, and by the IdP simulator acting as Entra.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulator/simulate.ts';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let t: TestApp;
let base: string;

const api = async (method: string, url: string, body?: unknown, status?: number) => {
  const res = await t.api(method, url, body);
  if (status !== undefined) expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  else expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body ? res.json() : undefined;
};

beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
});

/** A SCIM directory with the guard on, its users created over SCIM, all in one group. */
async function guarded(users: number, guard: Record<string, unknown>) {
  const dir = await createDirectory(t, 'azure scim v2.0');
  await api('PATCH', `/directories/${dir.id}`, { settings: { deprovision_guard: { enabled: true, ...guard } } });
  const scim = async (method: string, path: string, body?: unknown, status?: number) => {
    const res = await t.scim(method, `/scim/v2/${dir.id}${path}`, dir.bearer_token, body);
    if (status !== undefined) expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(status);
    return res.body ? res.json() : undefined;
  };
  const ids: string[] = [];
  for (let i = 0; i < users; i++) {
    const created = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: `u${i}@acme.com`, externalId: `ext-${i}`, active: true, name: { givenName: `U${i}`, familyName: 'Test' } }, 201);
    ids.push(created.id);
  }
  const group = await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Everyone', members: ids.map((value) => ({ value })) }, 201);
  const events = async () => ((await api('GET', `/events?directory_id=${dir.id}&limit=100&order=asc`)).data as any[]).map((e) => ({ event: e.event, id: e.data.user?.id ?? e.data.id }));
  const appUser = (id: string | undefined) => api('GET', `/directory_users/${id}`);
  const guardOf = () => api('GET', `/directories/${dir.id}/guard`);
  const deactivate = (id: string | undefined) => scim('PATCH', `/Users/${id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: false }] }, 200);
  return { dir, scim, ids, group, events, appUser, guardOf, deactivate };
}

describe('a SCIM directory with the guard on', () => {
  it('is off by default for SCIM directories', async () => {
    const dir = await createDirectory(t, 'okta scim v2.0');
    expect(await api('GET', `/directories/${dir.id}/guard`)).toMatchObject({ state: 'armed', held_changes: 0, settings: { enabled: false, max_share: 0.3, min_users: 10 } });
  });

  it('trips on the deletion one too many: the IdP is answered normally, the app keeps the user, with no event', async () => {
    const g = await guarded(10, { min_users: 3, max_share: 0.2 });
    // Three deletions of ten: 3 ≥ 3 and 3 > 0.2 × 10. The first two apply.
    await g.scim('DELETE', `/Users/${g.ids[0]}`, undefined, 204);
    await g.scim('DELETE', `/Users/${g.ids[1]}`, undefined, 204);
    expect(await g.guardOf()).toMatchObject({ state: 'armed', held_changes: 0 });
    await g.scim('DELETE', `/Users/${g.ids[2]}`, undefined, 204);
    const tripped = await g.guardOf();
    expect(tripped).toMatchObject({ state: 'tripped', held_changes: 1 });
    expect(tripped.tripped_at).toEqual(expect.any(String));

    // The IdP's view: gone.
    await g.scim('GET', `/Users/${g.ids[2]}`, undefined, 404);
    await g.scim('DELETE', `/Users/${g.ids[2]}`, undefined, 404);
    expect((await g.scim('GET', '/Users?count=100')).totalResults).toBe(7);
    expect((await g.scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-2"')}`)).totalResults).toBe(0);
    const members = (await g.scim('GET', `/Groups/${g.group.id}`)).members.map((m: any) => m.value);
    expect(members).not.toContain(g.ids[2]);
    expect(members).toHaveLength(7);
    // Removing it from the group, as if it still were a member, changes nothing the app sees.
    await g.scim('PATCH', `/Groups/${g.group.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'remove', path: `members[value eq "${g.ids[2]}"]` }] }, 204);
    await g.scim('PATCH', `/Groups/${g.group.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'add', path: 'members', value: [{ value: g.ids[2] }] }] }, 400);

    // The app's view: the user as it was, still in its group.
    const kept = await g.appUser(g.ids[2]);
    expect(kept).toMatchObject({ state: 'active', email: 'u2@acme.com', username: 'u2@acme.com' });
    expect(kept.groups.map((x: any) => x.name)).toEqual(['Everyone']);
    expect((await api('GET', `/directory_users?group=${g.group.id}&limit=100`)).data).toHaveLength(8);
    expect((await api('GET', `/directories/${g.dir.id}`)).metadata.users).toEqual({ active: 8, inactive: 0 });
    const events = await g.events();
    expect(events.filter((e) => e.event === 'dsync.user.deleted').map((e) => e.id)).toEqual([g.ids[0], g.ids[1]]);
    expect(events.at(-1)).toMatchObject({ event: 'dsync.guard.tripped' });

    // While tripped, a deactivation is held too: SCIM reads it inactive, the app active, raw_attributes alike.
    const deactivated = await g.deactivate(g.ids[3]);
    expect(deactivated.active).toBe(false);
    expect((await g.scim('GET', `/Users/${g.ids[3]}`)).active).toBe(false);
    expect(await g.appUser(g.ids[3])).toMatchObject({ state: 'active', raw_attributes: { active: true } });
    expect((await g.guardOf()).held_changes).toBe(2);
    // Another attribute in the same PATCH reaches the app; the state does not.
    await g.scim('PATCH', `/Users/${g.ids[3]}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'title', value: 'Architect' }] }, 200);
    expect(await g.appUser(g.ids[3])).toMatchObject({ state: 'active', job_title: 'Architect' });
    const after = await g.events();
    expect(after.slice(events.length)).toEqual([{ event: 'dsync.user.updated', id: g.ids[3] }]);

    // The userName is free for a new user (another externalId: another person).
    const newcomer = await g.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'u2@acme.com', externalId: 'ext-new', active: true }, 201);
    expect(newcomer.id).not.toBe(g.ids[2]);

    // Release: the held changes apply in order, each with its events, and the guard arms again.
    const released = await api('POST', `/directories/${g.dir.id}/guard/release`);
    expect(released).toMatchObject({ state: 'armed', held_changes: 0, tripped_at: null });
    await api('GET', `/directory_users/${g.ids[2]}`, undefined, 404);
    expect(await g.appUser(g.ids[3])).toMatchObject({ state: 'inactive', raw_attributes: { active: false } });
    const tail = (await g.events()).slice(after.length + 1); // after the newcomer's creation
    expect(tail).toEqual([
      { event: 'dsync.group.user_removed', id: g.ids[2] },
      { event: 'dsync.user.deleted', id: g.ids[2] },
      { event: 'dsync.user.updated', id: g.ids[3] },
      { event: 'dsync.guard.released', id: undefined },
    ]);
    const releasedEvent = (await api('GET', `/events?directory_id=${g.dir.id}&events=dsync.guard.released`)).data[0];
    expect(releasedEvent.data).toMatchObject({ object: 'deprovision_guard', state: 'armed', released: 2 });
    expect((await api('GET', `/directories/${g.dir.id}`)).metadata.users).toEqual({ active: 7, inactive: 1 }); // ten, less three deleted, one deactivated, plus the newcomer
    await api('POST', `/directories/${g.dir.id}/guard/release`, undefined, 409);
  });

  it('an IdP that undoes its change leaves nothing held: reactivation, and the deleted user created again', async () => {
    const g = await guarded(6, { min_users: 1, max_share: 0.01 });
    await g.scim('DELETE', `/Users/${g.ids[0]}`, undefined, 204);
    await g.deactivate(g.ids[1]);
    expect(await g.guardOf()).toMatchObject({ state: 'tripped', held_changes: 2 });
    const before = (await g.events()).length;

    // Active again for the IdP: nothing to apply, nothing for the app to see.
    await g.scim('PATCH', `/Users/${g.ids[1]}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: true }] }, 200);
    // Created again with its externalId: the kept user is back, under its id, for both views.
    const back = await g.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'u0@acme.com', externalId: 'ext-0', active: true, name: { givenName: 'U0', familyName: 'Test' } }, 201);
    expect(back.id).toBe(g.ids[0]);
    expect((await g.scim('GET', `/Users/${g.ids[0]}`)).userName).toBe('u0@acme.com');
    expect((await g.scim('GET', `/Groups/${g.group.id}`)).members).toHaveLength(6);
    expect((await g.guardOf()).held_changes).toBe(0);
    expect((await g.events()).slice(before)).toEqual([]);
    expect(await g.appUser(g.ids[0])).toMatchObject({ state: 'active' });

    // Still tripped (an admin says when it is over); releasing nothing arms it.
    expect(await api('POST', `/directories/${g.dir.id}/guard/release`)).toMatchObject({ state: 'armed' });
    expect((await api('GET', `/directories/${g.dir.id}`)).metadata.users).toEqual({ active: 6, inactive: 0 });
  });

  it('discard keeps the users for the app and arms the guard; the IdP keeps its view', async () => {
    const g = await guarded(5, { min_users: 1, max_share: 0.01 });
    await g.scim('DELETE', `/Users/${g.ids[0]}`, undefined, 204);
    await g.deactivate(g.ids[1]);
    const discarded = await api('POST', `/directories/${g.dir.id}/guard/discard`);
    expect(discarded).toMatchObject({ state: 'armed', held_changes: 0 });
    const events = await g.events();
    const setup = new Set(['dsync.token.created', 'dsync.activated', 'dsync.user.created', 'dsync.group.created', 'dsync.group.user_added']);
    expect(events.map((e) => e.event).filter((e) => !setup.has(e))).toEqual([
      'dsync.guard.tripped',
      'dsync.guard.released',
    ]);
    expect(await g.appUser(g.ids[0])).toMatchObject({ state: 'active' });
    expect(await g.appUser(g.ids[1])).toMatchObject({ state: 'active' });
    await g.scim('GET', `/Users/${g.ids[0]}`, undefined, 404);
    expect((await g.scim('GET', `/Users/${g.ids[1]}`)).active).toBe(false);
    await api('POST', `/directories/${g.dir.id}/guard/discard`, undefined, 409);

    // Armed again, the next deprovision is judged afresh (here: it trips at once).
    await g.scim('DELETE', `/Users/${g.ids[2]}`, undefined, 204);
    expect(await g.guardOf()).toMatchObject({ state: 'tripped', held_changes: 1 });
  });

  it('a release racing the IdP’s deletions loses none: each is held and released, or judged by the armed guard', async () => {
    const g = await guarded(30, { min_users: 1, max_share: 0.01 });
    await g.scim('DELETE', `/Users/${g.ids[0]}`, undefined, 204);
    const deletions = g.ids.slice(1).map((id) => g.scim('DELETE', `/Users/${id}`, undefined, 204));
    const releases = [api('POST', `/directories/${g.dir.id}/guard/release`), api('POST', `/directories/${g.dir.id}/guard/release`, undefined)];
    await Promise.all(deletions);
    await Promise.allSettled(releases);
    // Whatever the interleaving: once the last held changes are released, the app holds what the IdP holds.
    if ((await g.guardOf()).state === 'tripped') await api('POST', `/directories/${g.dir.id}/guard/release`);
    expect(await g.guardOf()).toMatchObject({ state: 'armed', held_changes: 0 });
    expect((await g.scim('GET', '/Users')).totalResults).toBe(0);
    expect((await api('GET', `/directory_users?directory=${g.dir.id}&limit=100`)).data).toEqual([]);
    const deleted = (await api('GET', `/events?directory_id=${g.dir.id}&events=dsync.user.deleted&limit=100`)).data.map((e: any) => e.data.id);
    expect(new Set(deleted)).toEqual(new Set(g.ids));
    expect(deleted).toHaveLength(30);
    expect((await api('GET', `/directories/${g.dir.id}`)).metadata.users).toEqual({ active: 0, inactive: 0 });
  });

  it('Entra (the simulator) deprovisioning 40% of a company: answered normally, held for the app, then released', async () => {
    const dir = await createDirectory(t, 'azure scim v2.0');
    await api('PATCH', `/directories/${dir.id}`, { settings: { deprovision_guard: { enabled: true } } });
    const options = { idp: 'entra' as const, users: 60, groups: 8, seed: 11, retryBaseMs: 10, target: `${base}/scim/v2/${dir.id}`, token: dir.bearer_token };
    const report = await simulate({ ...options, scenario: 'deprovision' });
    // The IdP's own view matches what it did, every deletion included.
    expect(report.differences).toEqual([]);
    expect(report.violations).toEqual([]);
    const scimTotal = (await t.scim('GET', `/scim/v2/${dir.id}/Users?count=1`, dir.bearer_token)).json().totalResults;
    const guard = await api('GET', `/directories/${dir.id}/guard`);
    expect(guard.state).toBe('tripped');
    expect(guard.held_changes).toBeGreaterThan(0);
    // The app lost at most the guard's allowance: fewer than 30% of the active users.
    const appUsers = async () => (await api('GET', `/directory_users?directory=${dir.id}&limit=100`)).data as any[];
    const kept = await appUsers();
    const deletedEvents = (await api('GET', `/events?directory_id=${dir.id}&events=dsync.user.deleted&limit=100`)).data.length;
    expect(kept.length + deletedEvents).toBe(60);
    expect(deletedEvents + kept.filter((u) => u.state === 'inactive').length).toBeLessThanOrEqual(Math.ceil(0.3 * 60));
    expect(kept.length).toBeGreaterThan(scimTotal);

    await api('POST', `/directories/${dir.id}/guard/release`);
    // Released, the app holds exactly what the IdP holds.
    expect(await appUsers()).toHaveLength(scimTotal);
  });
});
