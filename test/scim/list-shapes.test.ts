/**
 * Lists run from statement templates by shape (store/scim/statement-shapes.ts) answer exactly as lists compiled
 * afresh, on the run's database: random values (mixed case, Unicode, quotes, empty, probe look-alikes, values
 * that are not dateTimes or booleans) through the filters IdPs send and others. The oracle is the same filter
 * `or`-ed with a comparison that matches nothing: an `or` is never shaped, so it is compiled every time.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listQuery } from '../../src/directory/sql-filters.ts';
import { parseFilter } from '../../src/scim/filter/parser.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/scim/schema/definitions.ts';
import { ResourceQueries } from '../../src/store/scim/resources.ts';
import { BASE_SEED } from '../fuzz/lib/property.ts';
import { ENTERPRISE, scimClient, USER, type ScimClient } from './helpers.ts';

let c: ScimClient;
let q: ResourceQueries;
const userIds: string[] = [];
const known: string[] = [];

const NAMES = ['Ada.Lovelace@Acme.com', 'ÉMILE@acme.com', "o'malley@acme.com", 'quote"d@acme.com', 'İlker@acme.com', 'ß@acme.com', 'plain@acme.com', 'UPPER@ACME.COM'];

beforeAll(async () => {
  c = await scimClient();
  q = new ResourceQueries(c.t.store.dialect);
  for (const [i, userName] of NAMES.entries()) {
    const user = await c.createUser(userName, {
      schemas: [USER, ENTERPRISE],
      ...(i % 3 === 2 ? {} : { externalId: i % 2 ? `EXT-${i}` : userName }),
      title: ['Engineer', 'ENGINEER', 'Sales', '', 'Ingénieur', 'true'][i % 6],
      name: { givenName: ['Ada', 'émile', 'Sean'][i % 3], familyName: `Family${i}` },
      emails: [
        { value: userName, type: 'work', primary: true },
        { value: `home${i}@example.org`, type: i % 2 ? 'home' : 'Home' },
      ],
      [ENTERPRISE]: { department: i % 2 ? 'R&D' : 'r&d', employeeNumber: String(i) },
    });
    userIds.push(user.id);
    known.push(userName, userName.toUpperCase(), userName.toLowerCase(), `home${i}@example.org`, `EXT-${i}`);
  }
  for (const [i, name] of ['Staff', 'staff-2', 'Ünïcode'].entries()) {
    await c.createGroup(name, { externalId: `G${i}`, members: userIds.slice(i, i + 3).map((value) => ({ value })) });
  }
  known.push('Engineer', 'engineer', 'Sales', 'Ingénieur', 'work', 'WORK', 'home', 'r&d', 'R&D', 'Staff', 'STAFF', 'G1', '2024-01-01T00:00:00Z', 'true', 'False');
});
afterAll(() => c?.close());

/** Values stored (in several cases), random text, and look-alikes of probes and patterns. */
const values = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0001GLPROBE0Xx\u0001', '\u0001glprobe1xx\u0001', '%', '_', '\\', '1987650000', 'null') },
    { weight: 1, arbitrary: fc.constantFrom(...userIds) },
  );

// $1 and $2 stand for values; the same placeholder twice is the same value.
const USER_FILTERS = [
  'userName eq $1',
  'externalId eq $1',
  'emails[type eq $1].value eq $2',
  'emails[type eq "work" and value eq $1]',
  'emails.value eq $1',
  'emails.value co $1',
  'userName sw $1',
  'title ew $1',
  'name.familyName ew $1 and title eq $2',
  'userName eq $1 and externalId eq $1',
  'userName eq $1 and externalId eq $2',
  'not (title eq $1)',
  'title ne $1',
  'displayName gt $1',
  'title le $1',
  `${ENTERPRISE}:department eq $1`,
  'active eq $1',
  'meta.lastModified gt $1',
  'id eq $1',
];
const GROUP_FILTERS = ['displayName eq $1', 'externalId eq $1', 'members[value eq $1]', 'members.value eq $1 and displayName sw $2', 'id eq $1'];

const fill = (template: string, a: string, b: string) => template.replaceAll('$1', JSON.stringify(a)).replaceAll('$2', JSON.stringify(b));

interface Outcome {
  total?: number;
  ids?: string[];
  error?: boolean;
}

async function list(kind: 'user' | 'group', filter: string, page: { startIndex: number; count: number; sortBy?: string }): Promise<Outcome> {
  const rt = kind === 'user' ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE;
  const store = c.t.store;
  try {
    const query = listQuery(store.dialect, rt, c.directoryId, { filter, sortOrder: 'ascending', attributes: [], excludedAttributes: [], ...page });
    const result = kind === 'user' ? await q.listUsers(store.db, c.directoryId, query, false, true) : await q.listGroups(store.db, c.directoryId, query);
    return { total: result.total, ids: result.rows.map((r) => r.id) };
  } catch (e) {
    if (process.env.SHOW_ERRORS) console.log(filter, String(e).slice(0, 120));
    return { error: true };
  }
}

const NOTHING = 'id eq "00000000-0000-0000-0000-000000000000"';

describe('lists by shape', () => {
  it.each([
    ['user', USER_FILTERS],
    ['group', GROUP_FILTERS],
  ] as const)('%s lists from templates answer as lists compiled afresh', async (kind, templates) => {
    // Few pagings, so that shapes repeat (on SQLite the limit and offset are part of a shape).
    const page = fc.record({ startIndex: fc.constantFrom(1, 2), count: fc.constantFrom(0, 2, 100), sortBy: fc.constantFrom(undefined, kind === 'user' ? 'title' : 'displayName') });
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...templates), values(), values(), page, async (template, a, b, p) => {
        const filter = fill(template, a, b);
        const { sortBy, ...rest } = p;
        const paging = { ...rest, ...(sortBy ? { sortBy } : {}) };
        // The filter itself may be refused (a value check): then both must refuse.
        try {
          parseFilter(filter);
        } catch {
          return;
        }
        const shaped = await list(kind, filter, paging);
        const fresh = await list(kind, `(${filter}) or ${NOTHING}`, paging);
        expect(shaped, filter).toEqual(fresh);
        if (shaped.error) errors += 1;
      }),
      { seed: BASE_SEED + 41, numRuns: 600 },
    );
    expect(errors).toBeLessThan(100);
    expect(q.listShapes.stats.templated).toBeGreaterThan(100);
    // sw and ew bind values derived from their value: those shapes run compiled every time.
    expect(q.listShapes.stats.refused).toBeGreaterThan(0);
  }, 120_000);
});
