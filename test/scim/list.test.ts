/** Listing, filtering (compiled to SQL), sorting, paging and projection over a seeded directory. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, LIST, scimClient, scimError, type ScimClient } from './helpers.ts';

let c: ScimClient;
const ids: Record<string, string> = {};

const people = [
  { userName: 'ana@acme.com', externalId: 'E1', name: { givenName: 'Ana', familyName: 'Zeta' }, emails: [{ value: 'ana@acme.com', type: 'work', primary: true }, { value: 'ana@home.net', type: 'home' }], title: 'Engineer', [ENTERPRISE]: { department: 'R&D', employeeNumber: '100' }, x509: undefined },
  { userName: 'Bob@Acme.com', externalId: 'e1', name: { givenName: 'Bob', familyName: 'Young' }, emails: [{ value: 'BOB@acme.com', type: 'work' }], title: 'Manager', active: false, [ENTERPRISE]: { department: 'Sales', employeeNumber: '20' } },
  { userName: 'chloé@acme.com', externalId: 'E3', name: { givenName: 'Chloé', familyName: 'Xu' }, emails: [{ value: 'chloe@acme.com', type: 'work' }], displayName: 'Chloé "CX" Xu', [ENTERPRISE]: { department: 'R&D' } },
  { userName: 'dan@acme.com', name: { givenName: 'Dan' }, phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }], title: 'engineer', addresses: [{ type: 'work', locality: 'Lisbon', primary: true }, { type: 'home', locality: 'Porto', primary: false }] },
];

beforeAll(async () => {
  c = await scimClient();
  for (const p of people) {
    const { x509: _ignored, ...body } = p as Record<string, unknown>;
    ids[p.userName] = (await c.createUser(p.userName, body)).id;
  }
});
afterAll(() => c.close());

async function names(query: string): Promise<string[]> {
  const res = await c.req('GET', `/Users?${query}`);
  if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`);
  return res.json().Resources.map((r: { userName: string }) => r.userName);
}

const f = (filter: string) => `filter=${encodeURIComponent(filter)}`;

describe('filters', () => {
  it.each([
    ['userName eq "ANA@acme.com"', ['ana@acme.com']],
    ['userName eq "CHLOÉ@ACME.COM"', ['chloé@acme.com']],
    ['userName ne "ana@acme.com"', ['Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['userName co "LO"', ['chloé@acme.com']],
    ['userName sw "b"', ['Bob@Acme.com']],
    ['userName ew "@ACME.com"', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['userName gt "bob@acme.com"', ['chloé@acme.com', 'dan@acme.com']],
    ['userName ge "bob@acme.com"', ['Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['userName lt "b"', ['ana@acme.com']],
    ['userName le "ana@acme.com"', ['ana@acme.com']],
    ['externalId eq "E1"', ['ana@acme.com']],
    ['externalId eq "e1"', ['Bob@Acme.com']],
    ['externalId pr', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com']],
    ['not (externalId pr)', ['dan@acme.com']],
    ['externalId ne "E1"', ['Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['active eq false', ['Bob@Acme.com']],
    ['active eq true', ['ana@acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['emails eq "bob@ACME.com"', ['Bob@Acme.com']],
    ['emails.value eq "ana@home.net"', ['ana@acme.com']],
    ['emails[type eq "work" and value co "chloe"]', ['chloé@acme.com']],
    ['emails[type eq "home"]', ['ana@acme.com']],
    ['emails[type eq "work"].value eq "ana@acme.com"', ['ana@acme.com']],
    ['emails[primary eq true]', ['ana@acme.com']],
    ['emails pr', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com']],
    ['name.familyName eq "young"', ['Bob@Acme.com']],
    ['name.givenName sw "ch"', ['chloé@acme.com']],
    ['title eq "ENGINEER"', ['ana@acme.com', 'dan@acme.com']],
    ['title pr and not (title eq "manager")', ['ana@acme.com', 'dan@acme.com']],
    ['displayName co "\\"CX\\""', ['chloé@acme.com']],
    ['phoneNumbers[type eq "mobile" and value sw "+1"]', ['dan@acme.com']],
    ['phoneNumbers.value co "555"', ['dan@acme.com']],
    ['addresses[primary eq true and locality eq "LISBON"]', ['dan@acme.com']],
    ['addresses[primary eq true and locality eq "porto"]', []],
    ['addresses[primary ne true]', ['dan@acme.com']],
    ['addresses.locality ew "bon"', ['dan@acme.com']],
    ['addresses.locality gt "p"', ['dan@acme.com']],
    ['not (addresses pr)', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com']],
    ['title ne "engineer"', ['Bob@Acme.com', 'chloé@acme.com']],
    ['title lt "f"', ['ana@acme.com', 'dan@acme.com']],
    ['displayName eq null', ['ana@acme.com', 'Bob@Acme.com', 'dan@acme.com']],
    ['displayName ne null', ['chloé@acme.com']],
    [`${ENTERPRISE}:department eq "r&d"`, ['ana@acme.com', 'chloé@acme.com']],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "dan@acme.com"', ['dan@acme.com']],
    ['USERNAME Eq "dan@acme.com"', ['dan@acme.com']],
    ['userName eq "ana@acme.com" or userName eq "dan@acme.com" and title eq "nope"', ['ana@acme.com']],
    ['(userName eq "ana@acme.com" or userName eq "dan@acme.com") and title eq "engineer"', ['ana@acme.com', 'dan@acme.com']],
    ['meta.resourceType eq "User"', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['meta.created gt "2000-01-01T00:00:00Z"', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
    ['userName eq "nobody@acme.com"', []],
    [`schemas eq "${ENTERPRISE}"`, ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com']],
  ])('%s', async (filter, expected) => {
    expect(await names(f(filter))).toEqual(expected);
  });

  it('filters by id and by meta times against the real values', async () => {
    const ana = (await c.req('GET', `/Users/${ids['ana@acme.com']}`)).json();
    expect(await names(f(`id eq "${ana.id}"`))).toEqual(['ana@acme.com']);
    expect(await names(f(`meta.created eq "${ana.meta.created}"`))).toContain('ana@acme.com');
    expect(await names(f(`meta.lastModified ge "${ana.meta.lastModified}"`))).toContain('ana@acme.com');
  });

  it('filters on groups membership', async () => {
    const group = await c.createGroup('Filtered', { members: [{ value: ids['dan@acme.com'] }] });
    expect(await names(f(`groups.value eq "${group.id}"`))).toEqual(['dan@acme.com']);
    expect(await names(f(`groups[display eq "filtered"]`))).toEqual(['dan@acme.com']);
  });

  it.each([
    'userName eq',
    'userName zz "x"',
    'userName eq "x" and',
    '(userName eq "x"',
    'nosuchattr eq "x"',
    'name eq "x"',
    'active gt true',
    'meta.created gt "not a date"',
    'emails[type eq "work"',
  ])('rejects %s with 400 invalidFilter', async (filter) => {
    scimError(await c.req('GET', `/Users?${f(filter)}`), 400, 'invalidFilter');
  });

  it('answers 200 with an empty list for an unknown user (Entra connection test)', async () => {
    const res = await c.req('GET', `/Users?${f('userName eq "6b8a1c9e-random-guid"')}`);
    expect(res.json()).toEqual({ schemas: [LIST], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
  });
});

describe('paging and sorting', () => {
  it('pages with 1-based startIndex and exact totals', async () => {
    const all = await names('');
    expect(all).toEqual(['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']);
    const page = (await c.req('GET', '/Users?startIndex=2&count=2')).json();
    expect(page).toMatchObject({ totalResults: 4, itemsPerPage: 2, startIndex: 2 });
    expect(page.Resources.map((r: { userName: string }) => r.userName)).toEqual(['Bob@Acme.com', 'chloé@acme.com']);
    expect(await names('startIndex=0&count=1')).toEqual(['ana@acme.com']);
    expect(await names('startIndex=-5&count=1')).toEqual(['ana@acme.com']);
    expect(await names('startIndex=10')).toEqual([]);
    const totals = (await c.req('GET', '/Users?count=0')).json();
    expect(totals).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
    expect((await c.req('GET', '/Users?count=-3')).json().itemsPerPage).toBe(0);
    scimError(await c.req('GET', '/Users?count=abc'), 400, 'invalidValue');
    scimError(await c.req('GET', '/Users?startIndex=1.5'), 400, 'invalidValue');
  });

  it('caps count at maxResults', async () => {
    const res = (await c.req('GET', '/Users?count=100000')).json();
    expect(res.itemsPerPage).toBe(4);
  });

  it.each([
    ['userName', 'ascending', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['userName', 'descending', ['dan@acme.com', 'chloé@acme.com', 'Bob@Acme.com', 'ana@acme.com']],
    ['name.familyName', 'ascending', ['chloé@acme.com', 'Bob@Acme.com', 'ana@acme.com', 'dan@acme.com']],
    ['name.familyName', 'descending', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['externalId', 'ascending', ['ana@acme.com', 'chloé@acme.com', 'Bob@Acme.com', 'dan@acme.com']],
    ['emails.value', 'ascending', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
    ['emails', 'descending', ['chloé@acme.com', 'Bob@Acme.com', 'ana@acme.com', 'dan@acme.com']],
    ['meta.created', 'ascending', ['ana@acme.com', 'Bob@Acme.com', 'chloé@acme.com', 'dan@acme.com']],
  ])('sorts by %s %s', async (sortBy, sortOrder, expected) => {
    expect(await names(`sortBy=${sortBy}&sortOrder=${sortOrder}`)).toEqual(expected);
  });

  it('rejects a bad sortOrder or sortBy', async () => {
    scimError(await c.req('GET', '/Users?sortBy=userName&sortOrder=up'), 400, 'invalidValue');
    scimError(await c.req('GET', '/Users?sortBy=nosuch'), 400, 'invalidValue');
  });
});

describe('projection and search', () => {
  it('projects list results', async () => {
    const res = (await c.req('GET', `/Users?${f('userName eq "ana@acme.com"')}&attributes=userName,emails.value`)).json();
    expect(res.Resources).toEqual([
      { schemas: expect.any(Array), id: ids['ana@acme.com'], userName: 'ana@acme.com', emails: [{ value: 'ana@acme.com' }, { value: 'ana@home.net' }] },
    ]);
  });

  it('POST /Users/.search takes a SearchRequest', async () => {
    const res = await c.req('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'title eq "engineer"',
      attributes: ['userName'],
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 1,
      count: 10,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().Resources.map((r: { userName: string }) => r.userName)).toEqual(['dan@acme.com', 'ana@acme.com']);
    scimError(await c.req('POST', '/Users/.search', { schemas: ['urn:wrong'], filter: 'title pr' }), 400, 'invalidSyntax');
  });

  it('POST /.search spans Users and Groups', async () => {
    const res = await c.req('POST', '/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'externalId eq "E3" or displayName eq "Filtered"',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.totalResults).toBe(2);
    expect(body.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType)).toEqual(['User', 'Group']);
  });
});

describe('lookups of a unique attribute (answered from the page alone, with no count)', () => {
  const total = async (query: string) => {
    const res = await c.req('GET', `/Users?${query}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    return { totalResults: body.totalResults, names: body.Resources.map((r: { userName: string }) => r.userName), itemsPerPage: body.itemsPerPage };
  };

  it('finds one or none, with the right totals', async () => {
    expect(await total(f('userName eq "BOB@acme.com"'))).toEqual({ totalResults: 1, names: ['Bob@Acme.com'], itemsPerPage: 1 });
    expect(await total(f('userName eq "nobody@acme.com"'))).toEqual({ totalResults: 0, names: [], itemsPerPage: 0 });
    expect(await total(f(`id eq "${ids['dan@acme.com']}"`))).toMatchObject({ totalResults: 1, names: ['dan@acme.com'] });
    expect(await total(f('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ana@acme.com"'))).toMatchObject({ totalResults: 1, names: ['ana@acme.com'] });
    expect(await total(f('userName eq "ana@acme.com" and active eq false'))).toMatchObject({ totalResults: 0, names: [] });
    expect(await total(f('active eq false and userName eq "bob@acme.com"'))).toMatchObject({ totalResults: 1, names: ['Bob@Acme.com'] });
  });

  it('still counts when the page cannot hold the answer: count=0, a later startIndex', async () => {
    expect(await total(`${f('userName eq "ana@acme.com"')}&count=0`)).toMatchObject({ totalResults: 1, names: [] });
    expect(await total(`${f('userName eq "ana@acme.com"')}&startIndex=2`)).toMatchObject({ totalResults: 1, names: [] });
  });

  it('does not take an or, a non-unique attribute or another operator for a unique lookup', async () => {
    expect(await total(f('userName eq "ana@acme.com" or userName eq "dan@acme.com"'))).toMatchObject({ totalResults: 2 });
    expect(await total(f('externalId eq "E1"'))).toMatchObject({ totalResults: 1 });
    expect((await total(f('userName sw "a"'))).totalResults).toBe(1);
    expect((await total(f('not (userName eq "ana@acme.com")'))).totalResults).toBe(3);
  });

  it('finds a group by displayName', async () => {
    await c.req('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Unique Lookup' });
    const res = (await c.req('GET', `/Groups?${f('displayName eq "unique lookup"')}`)).json();
    expect(res).toMatchObject({ totalResults: 1, Resources: [{ displayName: 'Unique Lookup' }] });
    expect((await c.req('GET', `/Groups?${f('displayName eq "nope"')}`)).json()).toMatchObject({ totalResults: 0 });
  });
});

describe('totals when the page is read before the count (an indexed equality; every list on PostgreSQL)', () => {
  let d: ScimClient;
  beforeAll(async () => {
    d = await scimClient();
    // Five users share one externalId and an email; a sixth differs.
    for (let i = 1; i <= 6; i++) {
      const shared = i <= 5;
      await d.createUser(`p${i}@acme.com`, { externalId: shared ? 'SAME' : 'OTHER', emails: [{ value: shared ? 'team@acme.com' : `p${i}@acme.com`, type: 'work' }] });
    }
  });
  afterAll(() => d.close());

  const page = async (query: string) => {
    const res = await d.req('GET', `/Users?${query}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    return { totalResults: body.totalResults, itemsPerPage: body.itemsPerPage, names: body.Resources.map((r: { userName: string }) => r.userName) };
  };

  it.each([
    ['externalId eq "SAME"', 5],
    ['emails.value eq "team@acme.com"', 5],
    ['emails[type eq "work"].value eq "TEAM@acme.com"', 5],
    ['externalId eq "OTHER"', 1],
    ['externalId eq "none"', 0],
    ['userName sw "p"', 6],
  ])('%s: the same total on every page, however the page ends', async (filter, matches) => {
    const all = await page(`${f(filter)}`);
    expect(all.totalResults).toBe(matches);
    expect(all.names).toHaveLength(matches);
    for (const [startIndex, count] of [[1, 2], [2, 2], [5, 2], [1, matches], [1, matches + 1], [matches, 5], [matches + 1, 2], [matches + 5, 1], [1, 0], [3, 0]] as [number, number][]) {
      const p = await page(`${f(filter)}&startIndex=${startIndex}&count=${count}`);
      const expected = all.names.slice(startIndex - 1, startIndex - 1 + count);
      expect(p, `startIndex=${startIndex} count=${count}`).toEqual({ totalResults: matches, itemsPerPage: expected.length, names: expected });
    }
  });

  it("gives each user of a few-match page its own groups, on every page", async () => {
    const listed = (await d.req('GET', `/Users?${f('externalId eq "SAME"')}`)).json().Resources as { id: string; userName: string }[];
    const [first, second] = listed;
    await d.req('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Few B', members: [{ value: first!.id }, { value: second!.id }] });
    await d.req('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Few A', members: [{ value: second!.id }] });
    const groupsOf = async (query: string) =>
      Object.fromEntries(((await d.req('GET', `/Users?${query}`)).json().Resources as { userName: string; groups?: { display: string }[] }[]).map((u) => [u.userName, (u.groups ?? []).map((g) => g.display)]));
    const all = await groupsOf(f('externalId eq "SAME"'));
    expect(all[first!.userName]).toEqual(['Few B']);
    expect(all[second!.userName]).toEqual(expect.arrayContaining(['Few A', 'Few B']));
    expect(all[second!.userName]).toHaveLength(2);
    expect(Object.values(all).filter((g) => g.length === 0)).toHaveLength(3);
    expect(await groupsOf(`${f('externalId eq "SAME"')}&startIndex=2&count=1`)).toEqual({ [second!.userName]: all[second!.userName] });
  });

  it('totals an unfiltered list the same way, sorted or not', async () => {
    for (const sort of ['', '&sortBy=userName&sortOrder=descending']) {
      const all = await page(`count=100${sort}`);
      expect(all.totalResults).toBe(6);
      for (const [startIndex, count] of [[1, 6], [1, 5], [6, 3], [7, 3], [4, 2]] as [number, number][]) {
        const p = await page(`startIndex=${startIndex}&count=${count}${sort}`);
        expect(p).toEqual({ totalResults: 6, itemsPerPage: Math.max(0, Math.min(count, 7 - startIndex)), names: all.names.slice(startIndex - 1, startIndex - 1 + count) });
      }
    }
  });
});
