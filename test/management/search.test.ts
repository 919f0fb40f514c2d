/** The console's `search` on /directory_users and /directory_groups (a Guestlist extension). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../support/harness.ts';
import { scimClient, type ScimClient } from '../scim/helpers.ts';

let c: ScimClient;
let ana: Record<string, any>;
let bob: Record<string, any>;
let other: { id: string; bearer_token: string };

beforeAll(async () => {
  c = await scimClient();
  ana = await c.createUser('ana.lima@acme.com', { name: { givenName: 'Ana', familyName: 'Lima' }, emails: [{ value: 'ana@home.net', type: 'home' }] });
  bob = await c.createUser('bob_100%@acme.com', { name: { givenName: 'Bob', familyName: 'Stone' }, displayName: 'Bobby' });
  await c.createGroup('Engineering', { members: [{ value: ana.id }, { value: bob.id }] });
  await c.createGroup('Sales');
  // The same names in another directory never leak into a search of the first.
  other = await createDirectory(c.t);
  await c.t.scim('POST', `/scim/v2/${other.id}/Users`, other.bearer_token, { userName: 'ana.other@acme.com' }, { 'content-type': 'application/scim+json' });
});
afterAll(() => c.close());

const users = async (query: string) => {
  const res = await c.t.api('GET', `/directory_users?directory=${c.directoryId}&${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.map((u: { username: string }) => u.username).sort();
};
const groups = async (query: string) => {
  const res = await c.t.api('GET', `/directory_groups?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.map((g: { name: string }) => g.name).sort();
};

describe('search', () => {
  it('matches a substring of the userName, any email, or a name part, case-insensitively', async () => {
    expect(await users('search=LIMA')).toEqual(['ana.lima@acme.com']);
    expect(await users('search=home.net')).toEqual(['ana.lima@acme.com']);
    expect(await users('search=stone')).toEqual(['bob_100%@acme.com']);
    expect(await users('search=bobby')).toEqual(['bob_100%@acme.com']);
    expect(await users('search=acme.com')).toEqual(['ana.lima@acme.com', 'bob_100%@acme.com']);
    expect(await users('search=nobody')).toEqual([]);
  });

  it('takes LIKE wildcards and quotes literally', async () => {
    expect(await users(`search=${encodeURIComponent('100%')}`)).toEqual(['bob_100%@acme.com']);
    expect(await users(`search=${encodeURIComponent('%')}`)).toEqual(['bob_100%@acme.com']);
    expect(await users('search=_')).toEqual(['bob_100%@acme.com']);
    expect(await users(`search=${encodeURIComponent('" or userName pr or "')}`)).toEqual([]);
  });

  it('combines with group and stays within the directory', async () => {
    const eng = (await c.t.api('GET', `/directory_groups?directory=${c.directoryId}&search=engin`)).json().data[0];
    const res = await c.t.api('GET', `/directory_users?group=${eng.id}&search=ana`);
    expect(res.json().data.map((u: { username: string }) => u.username)).toEqual(['ana.lima@acme.com']);
    const unknownGroup = await c.t.api('GET', `/directory_users?group=directory_group_nope&search=ana`);
    expect(unknownGroup.json().data).toEqual([]);
  });

  it('searches groups by name', async () => {
    expect(await groups(`directory=${c.directoryId}&search=SAL`)).toEqual(['Sales']);
    expect(await groups(`user=${ana.id}&search=eng`)).toEqual(['Engineering']);
    expect(await groups(`user=${ana.id}&search=sales`)).toEqual([]);
  });

  it('refuses an over-long search in the management format', async () => {
    const res = await c.t.api('GET', `/directory_users?directory=${c.directoryId}&search=${'x'.repeat(201)}`);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('is safe with a NUL byte (PostgreSQL refuses them in text)', async () => {
    const res = await c.t.api('GET', `/directory_users?directory=${c.directoryId}&search=a%00b`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });
});
