/**
 * An `or` of `eq` comparisons on one single-valued text attribute compiles to one `in (…)`, whose operand the
 * database computes once a row (on SQLite, 200 comparisons on a JSON attribute called the lowercasing function
 * 200 times a row). The results are those of the comparisons one at a time, on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/scim/filter/parser.ts';
import { USER_RESOURCE_TYPE } from '../../src/scim/schema/definitions.ts';
import { resolveAttribute } from '../../src/scim/schema/resolve.ts';
import { compileFilter } from '../../src/store/scim/filter-sql.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { scimClient, type ScimClient } from './helpers.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
let c: ScimClient;

beforeAll(async () => {
  c = await scimClient();
  for (let i = 0; i < 12; i++) {
    await c.createUser(`In${i}@Acme.com`, {
      ...(i % 3 === 0 ? {} : { externalId: `Ext${i}` }),
      ...(i % 4 === 0 ? {} : { title: i % 2 ? `Engineer ${i}` : `ENGINEER ${i}` }),
      name: { givenName: `Given${i % 5}`, familyName: `Family${i}` },
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      [ENTERPRISE]: { employeeNumber: `E-${i}`, department: i % 2 ? 'Sales' : 'R&D' },
    });
  }
});
afterAll(() => c?.close());

const ids = async (filter: string): Promise<string[]> => {
  const res = await c.req('GET', `/Users?count=100&filter=${encodeURIComponent(filter)}`);
  expect(res.statusCode, `${filter}: ${res.body}`).toBe(200);
  return (res.json().Resources as { id: string }[]).map((r) => r.id).sort();
};

describe('an or of eq on one attribute', () => {
  const chains: [string, string[]][] = [
    ['userName', ['in1@acme.com', 'IN2@ACME.COM', 'in1@acme.com', 'nobody@acme.com']],
    ['externalId', ['Ext1', 'ext2', 'Ext4', 'Ext3']],
    ['title', ['engineer 1', 'Engineer 2', 'ENGINEER 3', 'nothing']],
    ['name.givenName', ['given1', 'GIVEN2']],
    [`${ENTERPRISE}:employeeNumber`, ['E-1', 'e-2', 'E-7']],
    [`${ENTERPRISE}:department`, ['r&d', 'Nope']],
    ['meta.resourceType', ['User', 'Group']],
  ];

  it.each(chains)('%s: the same users as the comparisons one at a time', async (attr, values) => {
    const union = new Set<string>();
    for (const v of values) for (const id of await ids(`${attr} eq ${JSON.stringify(v)}`)) union.add(id);
    const chained = await ids(values.map((v) => `${attr} eq ${JSON.stringify(v)}`).join(' or '));
    expect(chained).toEqual([...union].sort());
    // Mixed with other comparisons, and negated: still the same meaning.
    const mixed = await ids(`${values.map((v) => `${attr} eq ${JSON.stringify(v)}`).join(' or ')} or userName eq "in11@acme.com"`);
    expect(mixed).toEqual([...new Set([...union, ...(await ids('userName eq "in11@acme.com"'))])].sort());
    const all = await ids('userName pr');
    expect(await ids(`not (${values.map((v) => `${attr} eq ${JSON.stringify(v)}`).join(' or ')})`)).toEqual(all.filter((id) => !union.has(id)));
  });

  it('200 comparisons on a JSON attribute answer like the few that match', async () => {
    const filter = Array.from({ length: 200 }, (_, k) => `title eq "${k === 100 ? 'engineer 5' : `t${k}`}"`).join(' or ');
    expect(await ids(filter)).toEqual(await ids('title eq "Engineer 5"'));
  });

  it('compiles to one in (…), the lowercasing once', () => {
    const store = new SqliteStore(':memory:');
    try {
      const where = compileFilter(parseFilter('title eq "A" or title eq "b" or userName eq "x" or title eq "C"'), {
        dialect: 'sqlite',
        directoryId: 'd',
        resourceType: 'User',
        coreSchema: USER_RESOURCE_TYPE.schema,
        resolve: (p) => resolveAttribute(USER_RESOURCE_TYPE, p),
      });
      const compiled = store.db.selectFrom('directory_users as r').select('r.id').where(where).compile();
      expect(compiled.sql.match(/gl_lower/g)).toHaveLength(1);
      expect(compiled.sql).toContain(' in (?, ?, ?)');
      expect(compiled.parameters).toEqual(expect.arrayContaining(['a', 'b', 'c', 'x']));
    } finally {
      void store.close();
    }
  });
});
