/**
 * Filters over child-table attributes (members, groups, emails) compile to a bounded number of subqueries:
 * identical comparisons fold, an `or` on one child table is one subquery, and more than MAX_CHILD_SUBQUERIES
 * is refused with 400 invalidFilter (PostgreSQL took minutes to plan 200 and-ed ones). Both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CHILD_SUBQUERIES } from '../../src/store/scim/filter-sql.ts';
import { scimClient, scimError, type ScimClient } from './helpers.ts';

let c: ScimClient;
const users: { id: string; userName: string }[] = [];
const groups: { id: string; displayName: string; members: string[] }[] = [];

beforeAll(async () => {
  c = await scimClient();
  for (let i = 0; i < 8; i++) {
    const u = await c.createUser(`cost${i}@acme.com`, { emails: [{ value: `cost${i}@acme.com`, type: i % 2 ? 'work' : 'home' }] });
    users.push({ id: u.id, userName: u.userName });
  }
  for (let g = 0; g < 4; g++) {
    const members = users.filter((_, i) => i % 4 === g).map((u) => u.id);
    const created = await c.createGroup(`cost-group-${g}`, { members: members.map((value) => ({ value })) });
    groups.push({ id: created.id, displayName: created.displayName, members });
  }
  await c.createGroup('cost-empty');
});
afterAll(() => c.close());

const list = async (resource: 'Users' | 'Groups', filter: string) => {
  const res = await c.req('GET', `/${resource}?count=100&filter=${encodeURIComponent(filter)}`);
  return res;
};
const ids = async (resource: 'Users' | 'Groups', filter: string) => {
  const res = await list(resource, filter);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().Resources as { id: string }[]).map((r) => r.id).sort();
};

describe('or chains on one child table are one subquery', () => {
  it('200 or-ed members.value comparisons run and find the groups holding those members', async () => {
    const wanted = [users[1]!.id, users[6]!.id];
    const filter = Array.from({ length: 200 }, (_, i) => `members.value eq "${i === 50 ? wanted[0] : i === 150 ? wanted[1] : `nobody${i}`}"`).join(' or ');
    const expected = groups.filter((g) => g.members.some((m) => wanted.includes(m))).map((g) => g.id).sort();
    expect(expected).toHaveLength(2);
    expect(await ids('Groups', filter)).toEqual(expected);
  });

  it('200 or-ed emails comparisons (value, type, presence) run, with the same results as the comparisons alone', async () => {
    const filter = Array.from({ length: 200 }, (_, i) => (i === 7 ? 'emails.value co "cost3@"' : i === 9 ? 'emails.value ew "t5@acme.com"' : `emails.value eq "x${i}@acme.com"`)).join(' or ');
    expect(await ids('Users', filter)).toEqual([users[3]!.id, users[5]!.id].sort());
    expect(await ids('Users', Array.from({ length: 200 }, () => 'emails.type pr').join(' or '))).toHaveLength(users.length);
    expect(await ids('Users', Array.from({ length: 100 }, (_, i) => `emails[type eq "work" and value eq "cost${i}@acme.com"]`).join(' or '))).toEqual(
      users.filter((_, i) => i % 2).map((u) => u.id).sort(),
    );
  });

  it('a merged or keeps the meaning of the parts: mixed with columns, value filters, presence and not', async () => {
    const cases: [string, string[]][] = [
      [`emails.value eq "cost0@acme.com" or userName eq "cost1@acme.com" or emails[value eq "cost2@acme.com"]`, [0, 1, 2].map((i) => users[i]!.id)],
      [`emails.value eq "cost0@acme.com" or emails pr`, users.map((u) => u.id)],
      [`not (emails.value eq "cost0@acme.com" or emails.value eq "cost1@acme.com")`, users.slice(2).map((u) => u.id)],
      [`(emails.type eq "work" or emails.value eq "cost0@acme.com") and userName sw "cost"`, users.filter((_, i) => i % 2 || i === 0).map((u) => u.id)],
      [`groups.display eq "cost-group-0" or groups.display eq "cost-group-1" or emails.value eq "cost7@acme.com"`, users.filter((_, i) => i % 4 < 2 || i === 7).map((u) => u.id)],
    ];
    for (const [filter, expected] of cases) expect(await ids('Users', filter), filter).toEqual([...expected].sort());
    const groupCases: [string, string[]][] = [
      [`members pr or displayName eq "cost-empty"`, [...groups.map((g) => g.id), (await ids('Groups', 'displayName eq "cost-empty"'))[0]!]],
      [`members.value eq "${users[0]!.id}" or members.display eq "cost1@acme.com"`, [groups[0]!.id, groups[1]!.id]],
      [`not (members.value eq "${users[0]!.id}" or members pr)`, await ids('Groups', 'displayName eq "cost-empty"')],
    ];
    for (const [filter, expected] of groupCases) expect(await ids('Groups', filter), filter).toEqual([...expected].sort());
  });
});

describe('and chains', () => {
  it('identical comparisons fold: 200 and-ed (members.type pr) run', async () => {
    expect(await ids('Groups', Array.from({ length: 200 }, () => '(members.type pr)').join(' and '))).toEqual(groups.map((g) => g.id).sort());
    expect(await ids('Users', Array.from({ length: 200 }, () => 'emails.value co "cost"').join(' and '))).toHaveLength(users.length);
  });

  it(`${MAX_CHILD_SUBQUERIES} distinct and-ed child-table comparisons run; one more is refused as invalidFilter`, async () => {
    const chain = (n: number) => Array.from({ length: n }, (_, i) => `emails.value ne "x${i}@acme.com"`).join(' and ');
    expect(await ids('Users', chain(MAX_CHILD_SUBQUERIES))).toHaveLength(users.length);
    const detail = scimError(await list('Users', chain(MAX_CHILD_SUBQUERIES + 1)), 400, 'invalidFilter').detail;
    expect(detail).toContain(`more than ${MAX_CHILD_SUBQUERIES}`);
    scimError(await list('Groups', Array.from({ length: 100 }, (_, i) => `members.value eq "v${i}"`).join(' and ')), 400, 'invalidFilter');
    // Nested or-groups count a subquery each.
    scimError(await list('Users', Array.from({ length: 30 }, (_, i) => `(emails.value eq "a${i}" or userName eq "b${i}")`).join(' and ')), 400, 'invalidFilter');
    const search = await c.req('POST', '/Users/.search', { filter: chain(50) });
    scimError(search, 400, 'invalidFilter');
  });
});
