/** Every resource method of the SDK against a real server, and the typed errors it answers with. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  CursorExpiredError,
  GuestlistError,
  NotFoundError,
  UnprocessableEntityError,
  type ScimDirectoryWithToken,
  type Guestlist,
  type Organization,
} from '../src/index.ts';
import { idp, startServer, type TestServer } from './support.ts';

let server: TestServer;
let client: Guestlist;

beforeAll(async () => {
  server = await startServer();
  client = server.client();
});
afterAll(() => server.close());

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

describe('organizations', () => {
  it('creates, reads, lists by domain, updates and deletes', async () => {
    const org = await client.organizations.create({ name: 'Acme', domains: ['acme.com', 'acme.io'] });
    expect(org).toMatchObject({ object: 'organization', name: 'Acme' });
    expect(org.id).toMatch(/^org_/);
    expect(org.domains.map((d) => d.domain)).toEqual(['acme.com', 'acme.io']);
    expect(org.domains[0]).toMatchObject({ object: 'organization_domain', organization_id: org.id });

    expect(await client.organizations.get(org.id)).toEqual(org);
    const found = await client.organizations.list({ domains: ['acme.io', 'nowhere.example'] });
    expect(found.data.map((o) => o.id)).toEqual([org.id]);
    expect(found.object).toBe('list');

    const keptId = org.domains[0]!.id;
    const updated = await client.organizations.update(org.id, { name: 'Acme Corp', domains: ['acme.com', 'acme.org'] });
    expect(updated.name).toBe('Acme Corp');
    expect(updated.domains.map((d) => d.domain).sort()).toEqual(['acme.com', 'acme.org']);
    expect(updated.domains.find((d) => d.domain === 'acme.com')?.id).toBe(keptId);

    await expect(client.organizations.delete(org.id)).resolves.toBeUndefined();
    const gone = await rejection(client.organizations.get(org.id));
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone).toMatchObject({ status: 404, code: 'entity_not_found' });
  });
});

describe('directories and tokens', () => {
  let org: Organization;
  let dir: ScimDirectoryWithToken;

  beforeAll(async () => {
    org = await client.organizations.create({ name: 'Globex', domains: ['globex.com'] });
    dir = await client.directories.create({ organization_id: org.id, type: 'okta scim v2.0', name: 'Globex Okta' });
  });

  it('creates a directory with its first bearer token', () => {
    expect(dir).toMatchObject({
      object: 'directory',
      organization_id: org.id,
      type: 'okta scim v2.0',
      state: 'unlinked',
      name: 'Globex Okta',
      domain: 'globex.com',
      settings: { inactive_users: 'retain' },
      metadata: { users: { active: 0, inactive: 0 }, groups: 0 },
    });
    expect(dir.scim_base_url).toMatch(new RegExp(`/scim/v2/${dir.id}$`));
    expect(dir.bearer_token.length).toBeGreaterThan(20);
    expect(dir.bearer_token_id).toMatch(/^directory_token_/);
  });

  it('reads, lists with filters, updates and deletes', async () => {
    const { bearer_token: _t, bearer_token_id: _i, ...plain } = dir;
    expect(await client.directories.get(dir.id)).toEqual(plain);
    expect((await client.directories.list({ organization_id: org.id })).data.map((d) => d.id)).toEqual([dir.id]);
    expect((await client.directories.list({ search: 'GLOBEX OK' })).data.map((d) => d.id)).toEqual([dir.id]);
    expect((await client.directories.list({ search: 'nothing like it' })).data).toEqual([]);
    expect((await client.directories.list({ domain: 'globex.com' })).data.map((d) => d.id)).toEqual([dir.id]);

    const updated = await client.directories.update(dir.id, { name: 'Renamed', settings: { inactive_users: 'delete' } });
    expect(updated).toMatchObject({ name: 'Renamed', settings: { inactive_users: 'delete' } });

    const other = await client.directories.create({ organization_id: org.id, type: 'generic scim v2.0' });
    await client.directories.delete(other.id);
    expect(await rejection(client.directories.get(other.id))).toBeInstanceOf(NotFoundError);
  });

  it('creates, lists and revokes tokens; a third active token is a ConflictError', async () => {
    const second = await client.directories.tokens.create(dir.id);
    expect(second).toMatchObject({ object: 'directory_token', directory_id: dir.id, state: 'active', revoked_at: null });
    expect(second.token.endsWith(second.token_suffix)).toBe(true);

    const third = await rejection(client.directories.tokens.create(dir.id));
    expect(third).toBeInstanceOf(ConflictError);
    expect(third).toMatchObject({ status: 409, code: 'token_limit_reached' });

    const revoked = await client.directories.tokens.revoke(dir.id, second.id);
    expect(revoked).toMatchObject({ id: second.id, state: 'revoked' });
    expect(revoked.revoked_at).not.toBeNull();
    expect((await client.directories.tokens.revoke(dir.id, second.id)).revoked_at).toBe(revoked.revoked_at);

    const tokens = await client.directories.tokens.list(dir.id, { order: 'asc' });
    expect(tokens.data.map((t) => [t.id, t.state])).toEqual([
      [dir.bearer_token_id, 'active'],
      [second.id, 'revoked'],
    ]);
    expect(tokens.data.some((t) => 'token' in t)).toBe(false);
  });
});

describe('directory users and groups', () => {
  let dir: ScimDirectoryWithToken;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const org = await client.organizations.create({ name: 'Initech' });
    dir = await client.directories.create({ organization_id: org.id, type: 'azure scim v2.0' });
    const scim = idp(server.t, dir.id, dir.bearer_token);
    for (const name of ['ana', 'bo', 'cy', 'di', 'ed']) {
      ids[name] = String((await scim.createUser(`${name}@initech.com`, { externalId: `ext-${name}`, name: { givenName: name.toUpperCase() } })).id);
    }
    ids.eng = String((await scim.createGroup('Engineering', [ids.ana!, ids.bo!, ids.cy!])).id);
    ids.ops = String((await scim.createGroup('Operations', [ids.ana!])).id);
  });

  it('lists a directory\'s users over several pages, each as get() reads it', async () => {
    const users = await all(client.directoryUsers.list({ directory: dir.id, limit: 2 }));
    expect(users.map((u) => u.id).sort()).toEqual([ids.ana, ids.bo, ids.cy, ids.di, ids.ed].sort());
    const ana = users.find((u) => u.id === ids.ana)!;
    expect(ana).toMatchObject({ object: 'directory_user', directory_id: dir.id, email: 'ana@initech.com', idp_id: 'ext-ana', first_name: 'ANA', state: 'active' });
    const { groups, ...read } = await client.directoryUsers.get(ids.ana!);
    expect(groups.map((g) => g.name).sort()).toEqual(['Engineering', 'Operations']);
    expect(ana).toEqual(expect.objectContaining(read));
  });

  it('filters users by group, email (case-insensitively) and idp_id', async () => {
    expect((await all(client.directoryUsers.list({ group: ids.eng! }))).map((u) => u.id).sort()).toEqual([ids.ana, ids.bo, ids.cy].sort());
    expect((await client.directoryUsers.list({ directory: dir.id, email: 'BO@Initech.com' })).data.map((u) => u.id)).toEqual([ids.bo]);
    expect((await client.directoryUsers.list({ directory: dir.id, idp_id: 'ext-cy' })).data.map((u) => u.id)).toEqual([ids.cy]);
  });

  it('reads a user with its groups', async () => {
    const bo = await client.directoryUsers.get(ids.bo!);
    expect(bo).toMatchObject({ id: ids.bo, username: 'bo@initech.com', role: { slug: 'member' } });
    expect(bo.groups.map((g) => g.id)).toEqual([ids.eng]);
    expect(bo.raw_attributes).toMatchObject({ id: ids.bo, userName: 'bo@initech.com' });
  });

  it('lists groups by directory and by user, and reads one with its member count', async () => {
    expect((await client.directoryGroups.list({ directory: dir.id })).data.map((g) => g.name).sort()).toEqual(['Engineering', 'Operations']);
    expect((await client.directoryGroups.list({ user: ids.bo! })).data.map((g) => g.id)).toEqual([ids.eng]);
    expect(await client.directoryGroups.get(ids.eng!)).toMatchObject({ object: 'directory_group', name: 'Engineering', member_count: 3, directory_id: dir.id });
  });

  it('requires directory or group at compile time, and the server agrees', async () => {
    // @ts-expect-error: ListDirectoryUsersParams needs `directory` or `group`.
    const error = await rejection(client.directoryUsers.list({ limit: 1 }));
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.errors[0]).toMatchObject({ field: 'directory', code: 'required' });
  });
});

describe('events', () => {
  it('lists a page, filters, and iterates every event there is', async () => {
    const org = await client.organizations.create({ name: 'Hooli' });
    const dir = await client.directories.create({ organization_id: org.id, type: 'generic scim v2.0' });
    const scim = idp(server.t, dir.id, dir.bearer_token);
    const user = await scim.createUser('gavin@hooli.com');
    await scim.renameUser(String(user.id), 'Gavin');
    await scim.deleteUser(String(user.id));

    const page = await client.events.list({ directory_id: dir.id });
    // token.created (at directory creation), activated (first SCIM request), user created, updated, deleted.
    expect(page.data.map((e) => e.event)).toEqual(['dsync.token.created', 'dsync.activated', 'dsync.user.created', 'dsync.user.updated', 'dsync.user.deleted']);
    const updated = page.data[3]!;
    if (updated.event !== 'dsync.user.updated') throw new Error('expected dsync.user.updated');
    expect(updated.data.previous_attributes).toMatchObject({ first_name: null });
    expect(updated.data.first_name).toBe('Gavin');

    const filtered = await client.events.list({ directory_id: dir.id, events: ['dsync.user.created', 'dsync.user.deleted'] });
    expect(filtered.data.map((e) => e.event)).toEqual(['dsync.user.created', 'dsync.user.deleted']);
    const newestFirst = await client.events.list({ directory_id: dir.id, order: 'desc', limit: 2 });
    expect(newestFirst.data.map((e) => e.event)).toEqual(['dsync.user.deleted', 'dsync.user.updated']);
    expect((await client.events.list({ directory_id: dir.id, range_start: new Date(Date.now() + 60_000) })).data).toEqual([]);

    // The Events API's `after` is never null, so iterating must stop at the first page that is not full.
    const everything = await all(client.events.list({ directory_id: dir.id, limit: 2 }));
    expect(everything.map((e) => e.id)).toEqual(page.data.map((e) => e.id));
  });

  it('throws CursorExpiredError for an unknown cursor', async () => {
    const error = await rejection(client.events.list({ after: 'event_01ARZ3NDEKTSV4RRFFQ69G5FAV' }));
    expect(error).toBeInstanceOf(CursorExpiredError);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error).toMatchObject({ status: 422, code: 'cursor_expired' });
  });
});

describe('webhook endpoints', () => {
  it('creates, reads, lists, updates, rotates and deletes', async () => {
    const created = await client.webhookEndpoints.create({ endpoint_url: 'https://hooks.example.com/guestlist', events: ['dsync.user.created'] });
    expect(created).toMatchObject({ object: 'webhook_endpoint', endpoint_url: 'https://hooks.example.com/guestlist', status: 'enabled', events: ['dsync.user.created'] });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.secret_hint).toBe(created.secret.slice(-4));

    const read = await client.webhookEndpoints.get(created.id);
    expect(read).not.toHaveProperty('secret');
    expect(read.id).toBe(created.id);
    expect((await client.webhookEndpoints.list()).data.map((e) => e.id)).toContain(created.id);

    const updated = await client.webhookEndpoints.update(created.id, { events: ['dsync.user.created', 'dsync.user.deleted'], status: 'disabled' });
    expect(updated).toMatchObject({ status: 'disabled', events: ['dsync.user.created', 'dsync.user.deleted'], disabled_reason: null });

    const rotated = await client.webhookEndpoints.rotateSecret(created.id, { overlap_seconds: 60 });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const overlapEnd = Date.parse(rotated.previous_secret_expires_at ?? '');
    expect(overlapEnd - Date.now()).toBeGreaterThan(30_000);
    expect(overlapEnd - Date.now()).toBeLessThanOrEqual(60_000);
    expect((await client.webhookEndpoints.rotateSecret(created.id)).previous_secret_expires_at).not.toBeNull();

    expect((await client.webhookEndpoints.deliveries.list(created.id)).data).toEqual([]);
    await client.webhookEndpoints.delete(created.id);
    expect(await rejection(client.webhookEndpoints.get(created.id))).toBeInstanceOf(NotFoundError);
    expect(await rejection(client.webhookEndpoints.deliveries.resend(created.id, 'wd_missing'))).toBeInstanceOf(NotFoundError);
  });
});

describe('pagination', () => {
  let orgs: Organization[];

  beforeAll(async () => {
    const fresh = await client.organizations.create({ name: 'Pager 00', domains: ['pager.example'] });
    orgs = [fresh];
    for (let i = 1; i < 23; i++) orgs.push(await client.organizations.create({ name: `Pager ${String(i).padStart(2, '0')}`, domains: [`p${i}.pager.example`] }));
  });

  it('awaits one page and iterates every item across pages, in order, with each page requested once', async () => {
    const requests: string[] = [];
    const counting = server.client({
      fetch: (input, init) => {
        requests.push(String(input));
        return fetch(input, init);
      },
    });
    const list = counting.organizations.list({ limit: 5, order: 'asc' });
    const page = await list;
    expect(page.data).toHaveLength(5);
    expect(page.list_metadata.after).toBe(page.data[4]!.id);
    expect(await list).toBe(page);
    expect(requests).toHaveLength(1);

    const seen = await all(list);
    const ours = seen.filter((o) => o.name.startsWith('Pager '));
    expect(ours.map((o) => o.id)).toEqual(orgs.map((o) => o.id));
    expect(new Set(seen.map((o) => o.id)).size).toBe(seen.length);
    // The first page was reused: one request per page (the server says when there is no further page).
    expect(requests).toHaveLength(Math.ceil(seen.length / 5));
    expect(requests.slice(1).every((url) => url.includes('after=') && url.includes('limit=5'))).toBe(true);
  });

  it('walks backwards when the first request names `before`', async () => {
    const before = orgs[12]!.id;
    const seen = await all(client.organizations.list({ before, limit: 4, order: 'asc' }));
    const ours = seen.filter((o) => o.name.startsWith('Pager '));
    // Pages come newest-first (walking back), each page in list order.
    expect(ours.map((o) => o.id).sort()).toEqual(orgs.slice(0, 12).map((o) => o.id).sort());
    expect(ours.slice(0, 4).map((o) => o.id)).toEqual(orgs.slice(8, 12).map((o) => o.id));
  });

  it('stops early when the loop breaks', async () => {
    let n = 0;
    for await (const org of client.organizations.list({ limit: 2 })) {
      expect(org.object).toBe('organization');
      if (++n === 3) break;
    }
    expect(n).toBe(3);
  });
});

describe('typed errors from the server', () => {
  it('401 with a wrong API key', async () => {
    const error = await rejection(server.client({ apiKey: 'sk_wrong' }).organizations.list());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized', name: 'AuthenticationError' });
    expect(error.requestId).toBeTruthy();
  });

  it('400 invalid_request for a control character in a parameter', async () => {
    const error = await rejection(client.directories.list({ search: 'bad\u0001name' }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(error.message).toMatch(/search/);
  });

  it('422 validation_error names the field', async () => {
    const blank = await rejection(client.organizations.create({ name: '   ' }));
    expect(blank).toBeInstanceOf(UnprocessableEntityError);
    expect(blank).toMatchObject({ status: 422, code: 'validation_error' });
    expect(blank.errors[0]).toMatchObject({ field: 'name', code: 'invalid' });
    const limit = await rejection(client.organizations.list({ limit: 500 }));
    expect(limit.errors.map((e) => e.field)).toEqual(['limit']);
  });

  it('404 for an unknown id, with the server\'s message', async () => {
    const error = await rejection(client.directoryUsers.get('directory_user_missing'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'entity_not_found' });
    expect(error.message).toContain('directory_user_missing');
  });
});
