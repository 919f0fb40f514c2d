/**
 * Every filter an IdP sends is answered through an index, on both databases: the query plan for each is
 * checked, with enough rows that a planner would otherwise scan.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/scim/filter/parser.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/scim/schema/definitions.ts';
import { resolveAttribute } from '../../src/scim/schema/resolve.ts';
import type { ResourceTypeDef } from '../../src/scim/schema/types.ts';
import { compileFilter } from '../../src/store/scim/filter-sql.ts';
import { ResourceQueries } from '../../src/store/scim/resources.ts';
import { scimClient, type ScimClient } from './helpers.ts';

let c: ScimClient;
let groupId: string;

beforeAll(async () => {
  c = await scimClient();
  const at = new Date().toISOString();
  const users = Array.from({ length: 2000 }, (_, i) => ({
    id: `directory_user_${String(i).padStart(26, '0')}`,
    directory_id: c.directoryId,
    user_name: `user${i}@acme.com`,
    user_name_lower: `user${i}@acme.com`,
    external_id: `ext-${i}`,
    active: 1,
    version: 1,
    resource: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `user${i}@acme.com` }),
    created_at: at,
    updated_at: at,
  }));
  const db = c.t.store.db;
  for (let i = 0; i < users.length; i += 200) await db.insertInto('directory_users').values(users.slice(i, i + 200)).execute();
  const emails = users.map((u, i) => ({ user_id: u.id, directory_id: c.directoryId, position: 0, value: u.user_name, value_lower: u.user_name, type: 'work', primary: 1 }));
  for (let i = 0; i < emails.length; i += 200) await db.insertInto('directory_user_emails').values(emails.slice(i, i + 200)).execute();
  const groups = Array.from({ length: 500 }, (_, i) => ({
    id: `directory_group_${String(i).padStart(26, '0')}`,
    directory_id: c.directoryId,
    display_name: `group${i}`,
    display_name_lower: `group${i}`,
    external_id: `gx-${i}`,
    version: 1,
    resource: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `group${i}` }),
    created_at: at,
    updated_at: at,
  }));
  for (let i = 0; i < groups.length; i += 100) await db.insertInto('directory_groups').values(groups.slice(i, i + 100)).execute();
  groupId = (await c.createGroup('Everyone', { members: users.slice(0, 500).map((u) => ({ value: u.id })) })).id;
  // PostgreSQL gets statistics; SQLite plans without them, as a fresh production database does.
  if (c.t.store.dialect === 'postgres') await sql`analyze`.execute(db);
});
afterAll(() => c.close());

async function plan(rt: ResourceTypeDef, filter: string): Promise<string> {
  const ctx = { dialect: c.t.store.dialect, directoryId: c.directoryId, resourceType: rt.id, coreSchema: rt.schema, resolve: (p: never) => resolveAttribute(rt, p) };
  const q = new ResourceQueries(c.t.store.dialect);
  const table = rt.id === 'User' ? 'directory_users' : 'directory_groups';
  const compiled = q.filtered(c.t.store.db, table, c.directoryId, compileFilter(parseFilter(filter), ctx)).selectAll('r').compile();
  return c.t.store.dialect === 'postgres' ? explainPostgres(compiled) : explainSqlite(compiled);
}

async function explainSqlite(compiled: { sql: string; parameters: readonly unknown[] }): Promise<string> {
  const rows = await c.t.store.db.executeQuery<{ detail: string }>({ ...compiled, sql: `explain query plan ${compiled.sql}`, query: compiled as never, queryId: compiled as never } as never);
  return rows.rows.map((r) => r.detail).join('\n');
}

async function explainPostgres(compiled: { sql: string; parameters: readonly unknown[] }): Promise<string> {
  // Only whether an index *can* answer the predicate matters, not the planner's cost choice on small tables.
  return c.t.store.db.connection().execute(async (conn) => {
    await conn.executeQuery({ sql: 'set enable_seqscan = off', parameters: [], query: {} as never, queryId: {} as never } as never);
    const rows = await conn.executeQuery<{ 'QUERY PLAN': string }>({ sql: `explain ${compiled.sql}`, parameters: compiled.parameters, query: {} as never, queryId: {} as never } as never);
    await conn.executeQuery({ sql: 'reset enable_seqscan', parameters: [], query: {} as never, queryId: {} as never } as never);
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

/** A plan that reads the resource table (`r`) by scanning it, rather than through an index. */
function scansResources(text: string): boolean {
  return /SCAN r\b(?! USING)/.test(text) || /Seq Scan on directory_(users|groups) r\b/.test(text);
}

/**
 * What proves an index serves the filter: on SQLite the index named in the plan; on PostgreSQL an index
 * condition on the filtered column (the planner may pick any index led by directory_id, as long as the
 * filter's column is part of the index search).
 */
const USES = {
  userName: { sqlite: /sqlite_autoindex_directory_users_2/, postgres: /Index Cond: .*user_name_lower/ },
  externalId: { sqlite: /directory_users_external_id/, postgres: /Index Cond: .*external_id/ },
  email: { sqlite: /directory_user_emails_value/, postgres: /Index Cond: .*value_lower/ },
  updated: { sqlite: /directory_users_updated/, postgres: /Index Cond: .*updated_at/ },
  displayName: { sqlite: /sqlite_autoindex_directory_groups_2/, postgres: /Index Cond: .*display_name_lower/ },
  groupExternalId: { sqlite: /directory_groups_external_id/, postgres: /Index Cond: .*external_id/ },
  id: { sqlite: /sqlite_autoindex_directory_users_1|USING INDEX directory_users_directory/, postgres: /Index Cond: .*\bid = / },
  memberUser: { sqlite: /directory_group_members_user/, postgres: /Index Cond: .*user_id = / },
  memberGroup: { sqlite: /sqlite_autoindex_directory_group_members_1/, postgres: /Index Cond: .*group_id = / },
};

describe('IdP lookup filters use indexes', () => {
  it.each([
    ['User', 'userName eq "user1500@acme.com"', 'userName'],
    ['User', 'userName sw "user15"', 'userName'],
    ['User', 'externalId eq "ext-42"', 'externalId'],
    ['User', 'emails.value eq "user9@acme.com"', 'email'],
    ['User', 'emails[type eq "work"].value eq "user9@acme.com"', 'email'],
    ['User', 'emails[type eq "work" and value eq "user9@acme.com"]', 'email'],
    ['User', 'meta.lastModified gt "2100-01-01T00:00:00Z"', 'updated'],
    ['Group', 'displayName eq "group7"', 'displayName'],
    ['Group', 'externalId eq "g"', 'groupExternalId'],
    ['User', `id eq "directory_user_00000000000000000000000007"`, 'id'],
    ['Group', `members[value eq "directory_user_00000000000000000000000007"]`, 'memberUser'],
  ] as const)('%s: %s', async (type, filter, use) => {
    const text = await plan(type === 'User' ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE, filter);
    expect(text, text).toMatch(USES[use][c.t.store.dialect]);
    expect(scansResources(text), text).toBe(false);
  });

  it('groups.value uses the membership primary key', async () => {
    const text = await plan(USER_RESOURCE_TYPE, `groups.value eq "${groupId}"`);
    expect(text, text).toMatch(USES.memberGroup[c.t.store.dialect]);
  });
});
