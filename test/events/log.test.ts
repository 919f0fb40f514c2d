/** Events: exactly one per real change, decided inside the write, in the order the contract states. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneEvents } from '../../src/events/reads.ts';
import { PATCH_OP, USER, scimClient, type ScimClient } from '../scim/helpers.ts';

let c: ScimClient;
beforeAll(async () => {
  c = await scimClient();
});
afterAll(() => c.close());

/** Every event of this directory after the given cursor, read page by page through the API. */
async function eventsAfter(after?: string): Promise<any[]> {
  const out: any[] = [];
  let cursor = after;
  for (;;) {
    const res = await c.t.api('GET', `/events?directory_id=${c.directoryId}&limit=100${cursor ? `&after=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json();
    out.push(...page.data);
    if (page.data.length < 100) return out;
    cursor = page.list_metadata.after;
  }
}

async function lastId(): Promise<string | undefined> {
  const all = await eventsAfter();
  return all[all.length - 1]?.id;
}

const names = (events: any[]) => events.map((e) => e.event);

describe('event log', () => {
  it('token and activation events for a new directory', async () => {
    expect(names(await eventsAfter())).toEqual(['dsync.token.created']);
    await c.req('GET', '/Users');
    await c.req('GET', '/Users');
    const events = await eventsAfter();
    expect(names(events)).toEqual(['dsync.token.created', 'dsync.activated']);
    expect(events[0].data).toMatchObject({ object: 'directory_token', directory_id: c.directoryId });
    expect(JSON.stringify(events[0])).not.toContain(c.token);
    // Events speak WorkOS's event vocabulary for a directory's state (`active`, where the REST object says
    // `linked`), and dsync.activated carries the organization's domains.
    expect(events[1].data).toMatchObject({ object: 'directory', id: c.directoryId, state: 'active', external_key: c.directoryId });
    const org = (await c.t.api('GET', `/organizations/${events[1].data.organization_id}`)).json();
    expect(events[1].data.domains).toEqual(org.domains);
    expect((await c.t.api('GET', `/directories/${c.directoryId}`)).json().state).toBe('linked');
    expect(events[1].id).toMatch(/^event_/);
  });

  it('user created, updated with previous_attributes, nothing for a no-op, deleted', async () => {
    const start = await lastId();
    const user = await c.createUser('ev@acme.com', { name: { givenName: 'Eve', familyName: 'Vent' }, title: 'Dev', emails: [{ value: 'ev@acme.com', type: 'work' }] });
    await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'Lead' }, { op: 'replace', path: 'name.givenName', value: 'Eva' }]);
    await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'Lead' }]);
    await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'active', value: false }]);
    await c.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'active', value: false }]);
    await c.req('DELETE', `/Users/${user.id}`);
    const events = await eventsAfter(start);
    expect(names(events)).toEqual(['dsync.user.created', 'dsync.user.updated', 'dsync.user.updated', 'dsync.user.deleted']);
    expect(events[0].data).toMatchObject({ object: 'directory_user', id: user.id, first_name: 'Eve', state: 'active' });
    expect(events[1].data).toMatchObject({ first_name: 'Eva', custom_attributes: { job_title: 'Lead' } });
    expect(events[1].data.previous_attributes).toMatchObject({
      first_name: 'Eve',
      custom_attributes: { job_title: 'Dev' },
      raw_attributes: { title: 'Dev', name: { givenName: 'Eve', familyName: 'Vent' } },
    });
    expect(events[2].data).toMatchObject({ state: 'inactive', previous_attributes: { state: 'active' } });
    expect(events[3].data).toMatchObject({ id: user.id, state: 'inactive' });
  });

  it('membership events, and removals before a delete', async () => {
    const a = await c.createUser('m-a@acme.com');
    const b = await c.createUser('m-b@acme.com');
    const start = await lastId();
    const group = await c.createGroup('Evented', { members: [{ value: a.id }] });
    await c.patch(`/Groups/${group.id}`, [{ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }]);
    await c.patch(`/Groups/${group.id}`, [{ op: 'replace', path: 'displayName', value: 'Evented 2' }]);
    await c.patch(`/Groups/${group.id}`, [{ op: 'replace', path: 'displayName', value: 'Evented 2' }]);
    await c.req('DELETE', `/Users/${a.id}`);
    await c.req('DELETE', `/Groups/${group.id}`);
    const events = await eventsAfter(start);
    expect(names(events)).toEqual([
      'dsync.group.created',
      'dsync.group.user_added',
      'dsync.group.user_added',
      'dsync.group.updated',
      'dsync.group.user_removed',
      'dsync.user.deleted',
      'dsync.group.user_removed',
      'dsync.group.deleted',
    ]);
    expect(events[1].data).toMatchObject({ directory_id: c.directoryId, user: { id: a.id }, group: { id: group.id, member_count: 1 } });
    expect(events[2].data).toMatchObject({ user: { id: b.id }, group: { member_count: 2 } });
    expect(events[3].data).toMatchObject({ name: 'Evented 2', previous_attributes: { name: 'Evented' } });
    expect(events[4].data).toMatchObject({ user: { id: a.id }, group: { id: group.id } });
    expect(events[6].data).toMatchObject({ user: { id: b.id }, group: { id: group.id } });
  });

  it('token rotation events and a lone dsync.deleted for a deleted directory', async () => {
    const other = await scimClient();
    try {
      const created = (await other.t.api('POST', `/directories/${other.directoryId}/tokens`)).json();
      await other.t.api('DELETE', `/directories/${other.directoryId}/tokens/${created.id}`);
      await other.createUser('gone@acme.com');
      await other.t.api('DELETE', `/directories/${other.directoryId}`);
      const events = (await other.t.api('GET', `/events?directory_id=${other.directoryId}&limit=100`)).json().data;
      expect(names(events)).toEqual(['dsync.token.created', 'dsync.token.created', 'dsync.token.revoked', 'dsync.activated', 'dsync.user.created', 'dsync.deleted']);
      expect(events[2].data).toMatchObject({ id: created.id, state: 'revoked' });
      expect(events[5].data).toMatchObject({ object: 'directory', id: other.directoryId, state: 'deleting' });
    } finally {
      await other.close();
    }
  });
});

describe('GET /events', () => {
  it('filters by type (comma-separated or repeated), organization, and range; orders both ways', async () => {
    const dir = (await c.t.api('GET', `/directories/${c.directoryId}`)).json();
    const created = (await c.t.api('GET', `/events?events=dsync.user.created,dsync.group.created&organization_id=${dir.organization_id}&limit=100`)).json().data;
    expect(new Set(names(created))).toEqual(new Set(['dsync.user.created', 'dsync.group.created']));
    const repeated = (await c.t.api('GET', `/events?events[]=dsync.user.created&events[]=dsync.group.created&organization_id=${dir.organization_id}&limit=100`)).json().data;
    expect(repeated).toEqual(created);
    const asc = (await c.t.api('GET', `/events?directory_id=${c.directoryId}&limit=100`)).json().data;
    const desc = (await c.t.api('GET', `/events?directory_id=${c.directoryId}&limit=100&order=desc`)).json().data;
    expect(desc).toEqual([...asc].reverse());
    const future = (await c.t.api('GET', `/events?directory_id=${c.directoryId}&range_start=2100-01-01T00:00:00Z`)).json();
    expect(future.data).toEqual([]);
    const past = (await c.t.api('GET', `/events?directory_id=${c.directoryId}&range_end=2000-01-01T00:00:00Z`)).json();
    expect(past.data).toEqual([]);
    const window = (await c.t.api('GET', `/events?directory_id=${c.directoryId}&range_start=${asc[0].created_at}&limit=100`)).json().data;
    expect(window.length).toBe(asc.length);
  });

  it('ends with an empty page without a cursor, and a consumer keeps polling from its own', async () => {
    const end = await lastId();
    const last = (await c.t.api('GET', `/events?directory_id=${c.directoryId}&limit=1&order=desc`)).json();
    expect(last.list_metadata.after).toBe(end);
    // An empty page has no `after`: WorkOS SDKs that page while `after` is set (PHP, Kotlin, .NET) stop there
    // instead of asking for the same empty page forever.
    const page = (await c.t.api('GET', `/events?directory_id=${c.directoryId}&after=${end}`)).json();
    expect(page).toEqual({ object: 'list', data: [], list_metadata: { before: null, after: null } });
    const cursor = page.list_metadata.after ?? end;
    await c.createUser('later@acme.com');
    const next = (await c.t.api('GET', `/events?directory_id=${c.directoryId}&after=${cursor}`)).json();
    expect(names(next.data)).toEqual(['dsync.user.created']);
    expect(next.list_metadata.after).toBe(next.data[0].id);
  });

  it('rejects bad parameters and unknown cursors', async () => {
    for (const query of ['events=dsync.nope', 'limit=0', 'limit=101', 'order=sideways', 'range_start=yesterday']) {
      const res = await c.t.api('GET', `/events?${query}`);
      expect(res.statusCode, query).toBe(422);
    }
    const expired = await c.t.api('GET', '/events?after=event_01J00000000000000000000000');
    expect(expired.statusCode).toBe(422);
    expect(expired.json().code).toBe('cursor_expired');
  });

  it('pruning leaves a live cursor working and expires old ones', async () => {
    const other = await scimClient();
    try {
      await other.createUser('p1@acme.com');
      const all = (await other.t.api('GET', `/events?directory_id=${other.directoryId}&limit=100`)).json().data;
      const cursor = all[all.length - 1].id;
      // Everything is older than a retention that ends in the future.
      await pruneEvents(other.t.store, 1, new Date(Date.now() + 2 * 86_400_000));
      expect((await other.t.api('GET', `/events?directory_id=${other.directoryId}`)).json().data).toEqual([]);
      await other.createUser('p2@acme.com');
      const resumed = (await other.t.api('GET', `/events?directory_id=${other.directoryId}&after=${cursor}`)).json();
      expect(names(resumed.data)).toEqual(['dsync.user.created']);
      await pruneEvents(other.t.store, 1, new Date(Date.now() + 5 * 86_400_000));
      expect((await other.t.api('GET', `/events?after=${cursor}`)).json().code).toBe('cursor_expired');
    } finally {
      await other.close();
    }
  });
});

describe('a password sent with POST or PATCH /Users', () => {
  it('never puts it in an event', async () => {
    const start = await lastId();
    const created = await c.req('POST', '/Users', { schemas: [USER], userName: 'pw@acme.com', password: 'Hunter2-Secret' });
    expect(created.statusCode).toBe(201);
    const events = await eventsAfter(start);
    // The event is there (so its absence of the password means something), without the password.
    expect(names(events)).toEqual(['dsync.user.created']);
    expect(events[0].data).toMatchObject({ object: 'directory_user', id: created.json().id, username: 'pw@acme.com' });
    expect(JSON.stringify(events)).not.toContain('Hunter2-Secret');
    // Nor through PATCH: a new password alone is no change (it is not kept); with a title, the update omits it.
    const afterCreate = events[0].id as string;
    const patch = (Operations: unknown[]) => c.req('PATCH', `/Users/${created.json().id}`, { schemas: [PATCH_OP], Operations });
    expect((await patch([{ op: 'replace', path: 'password', value: 'Hunter3-Secret' }])).statusCode).toBe(200);
    expect((await patch([{ op: 'replace', path: 'password', value: 'Hunter4-Secret' }, { op: 'replace', path: 'title', value: 'Lead' }])).statusCode).toBe(200);
    const updates = await eventsAfter(afterCreate);
    expect(names(updates)).toEqual(['dsync.user.updated']);
    expect(JSON.stringify(updates)).not.toMatch(/Hunter[34]-Secret/);
  });
});
