/**
 * Reads answered from a user's stored text (render.ts, renderUserText; SQLite, which hands the resource back as
 * text): what a POST stores is text the splice accepts, so reads take that path, and GET by id, lists, lookups
 * with groups and .search answer exactly what the parsing path answers. A projection still parses and projects.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderUser, renderUserText } from '../../src/directory/render.ts';
import { toUser } from '../../src/store/scim/records.ts';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';
import { GROUP, USER } from './helpers.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let t: TestApp;
let dir: Awaited<ReturnType<typeof createDirectory>>;
const ids: string[] = [];
let groupId: string;

const scim = (method: string, path: string, body?: unknown) =>
  t.scim(method, `/scim/v2/${dir.id}${path}`, dir.bearer_token, body, body ? { 'content-type': 'application/scim+json' } : {});

beforeAll(async () => {
  t = await createTestApp();
  dir = await createDirectory(t);
  // An Okta-shaped create and an Entra-shaped one (enterprise extension, a manager, addresses).
  const bodies = [
    { schemas: [USER], userName: 'ada@acme.com', name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ primary: true, value: 'ada@acme.com', type: 'work' }], displayName: 'Ada "AL" Lovelace', locale: 'en-US', externalId: '00u1', groups: [], active: true },
    {
      schemas: [USER, ENTERPRISE],
      userName: 'grace@acme.com',
      externalId: 'e-2',
      active: true,
      displayName: 'Grace Hopper',
      title: 'Rear Admiral \\ Navy',
      addresses: [{ type: 'work', formatted: '1 Main St\nArlington', primary: true }],
      [ENTERPRISE]: { department: 'R&D', manager: { value: '00u1' } },
    },
  ];
  for (const body of bodies) {
    const res = await scim('POST', '/Users', body);
    expect(res.statusCode).toBe(201);
    ids.push(res.json().id);
  }
  groupId = (await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineers', members: [{ value: ids[0] }] })).json().id;
});
afterAll(() => t?.close());

/** What the parsing path answers for the user: renderUser of the stored record. */
async function parsed(id: string) {
  const row = await t.store.db.selectFrom('directory_users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const groups = id === ids[0] ? [{ id: groupId, display: 'Engineers' }] : [];
  const urls = { base: `${t.config.publicUrl}/scim/v2/${dir.id}` };
  return { row, rendered: JSON.parse(JSON.stringify(renderUser(toUser(row), groups, urls))), urls, groups };
}

it('stores text the splice accepts (SQLite), so reads are answered without parsing the resource', async () => {
  for (const id of ids) {
    const { row, urls, groups } = await parsed(id);
    if (typeof row.resource !== 'string') continue; // PostgreSQL hands back jsonb, already parsed
    const text = renderUserText(toUser(row), row.resource, groups, urls);
    expect(text, row.resource).toBeDefined();
  }
});

it('GET, list, filter, .search and a projection answer what the parsing path answers', async () => {
  for (const id of ids) {
    const { rendered } = await parsed(id);
    const got = await scim('GET', `/Users/${id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe(rendered.meta.version);
    expect(got.json()).toEqual(rendered);
    expect(Object.keys(got.json())).toEqual(Object.keys(rendered));

    const byName = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${rendered.userName}"`)}`);
    expect(byName.json().Resources).toEqual([rendered]);
    const searched = await scim('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `id eq "${id}"` });
    expect(searched.json().Resources).toEqual([rendered]);

    const projected = await scim('GET', `/Users/${id}?attributes=userName`);
    expect(projected.json()).toEqual({ schemas: rendered.schemas, id, userName: rendered.userName });
  }
  const page = await scim('GET', '/Users?sortBy=userName');
  expect(page.json().Resources).toEqual([(await parsed(ids[0]!)).rendered, (await parsed(ids[1]!)).rendered]);
  const root = await scim('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "grace"' });
  expect(root.json().Resources).toEqual([(await parsed(ids[1]!)).rendered]);
});
