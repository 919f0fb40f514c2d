/**
 * Deferred user updates (PostgreSQL): the batch's one statement leaves each row exactly as the update written
 * at once would have, for every kind of column value; a row it cannot find fails it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/support/harness.ts';
import { newId } from '../ids.ts';
import { ResourceQueries } from './scim/resources.ts';
import type { UserRecord } from './scim/records.ts';
import { settleUserUpdates, type TailWrite } from './tail-writes.ts';

let t: TestDatabase;
let directoryId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  const org = await t.store.createOrganization({ id: newId('org'), name: 'A', domains: [] });
  const dir = await t.store.createDirectory(
    { id: newId('directory'), organization_id: org.id, type: 'okta scim v2.0', name: 'D', domain: null, settings: {} },
    { id: newId('directory_token'), hash: 'cd'.repeat(32), suffix: 'abcd' },
    (tok) => ({ id: tok.id }),
  );
  directoryId = dir.id;
});
afterAll(() => t.drop());

const emails = [{ value: 'Pat@Acme.com', type: 'work', primary: true }];

function user(id: string, n: number): UserRecord {
  return {
    id,
    directory_id: directoryId,
    user_name: `pat${n}@acme.com`,
    external_id: `ext-${n}`,
    active: true,
    version: 1,
    resource: { userName: `pat${n}@acme.com`, emails: [{ value: 'Pat@Acme.com', type: 'work', primary: true }] },
    created_at: '2026-12-01T10:00:00.000Z',
    updated_at: '2026-12-01T10:00:00.000Z',
    mapped: null,
    role_slugs: null,
    mapped_fingerprint: null,
    app_active: null,
    scim_deleted: false,
  } as UserRecord;
}

/** The changes a PATCH can make without touching userName, externalId or emails, with awkward values. */
function changed(u: UserRecord, variant: number): UserRecord {
  return {
    ...u,
    active: variant % 2 === 0,
    version: u.version + 1 + variant,
    resource: { ...u.resource, title: `Chief "quoted" \\ back ✓ ${variant}`, name: { givenName: 'Zoë', familyName: "O'Brien" }, nested: { list: [1, null, true] } },
    updated_at: `2026-12-03T14:0${variant}:05.123Z`,
    mapped: variant === 0 ? null : { values: { cost_center: `cc-${variant}`, empty: null }, warnings: variant === 2 ? [{ attribute: 'x', message: 'missing' }] : [] },
    role_slugs: variant === 0 ? null : ['admin', `r${variant}`],
    mapped_fingerprint: variant === 0 ? null : `fp${variant}`,
    app_active: variant === 1 ? true : variant === 2 ? false : null,
  } as UserRecord;
}

const stored = async (id: string) => {
  const row = await t.store.db.selectFrom('directory_users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  // What differs between two users by construction: their ids, names and external ids.
  const { id: _id, user_name: _n, user_name_lower: _l, external_id: _e, ...rest } = row;
  const { userName: _u, ...resource } = (typeof row.resource === 'string' ? JSON.parse(row.resource) : row.resource) as Record<string, unknown>;
  return { ...rest, resource, updated_at: new Date(row.updated_at as string).toISOString() };
};

it.skipIf(!TEST_DATABASE_URL)('writes each row as the update made at once does, several rows in one statement', async () => {
  const immediate = new ResourceQueries(t.store.dialect);
  const deferring = new ResourceQueries(t.store.dialect, undefined, undefined, true);
  const pairs = [0, 1, 2].map((variant) => ({ variant, now: user(newId('directory_user'), variant * 2), later: user(newId('directory_user'), variant * 2 + 1) }));
  for (const { now, later } of pairs) {
    await immediate.insertUser(t.store.db, now, emails);
    await immediate.insertUser(t.store.db, later, emails);
  }
  const items: TailWrite[] = [{ kind: 'events', events: [] }];
  for (const { variant, now, later } of pairs) {
    await immediate.updateUser(t.store.db, changed(now, variant), emails, { user: now, emails }, () => {
      throw new Error('not deferred without the option');
    });
    await deferring.updateUser(t.store.db, changed(later, variant), emails, { user: later, emails }, (item) => items.push(item));
  }
  expect(items.filter((i) => i.kind === 'user')).toHaveLength(3);
  const stats = { rows: 0, statements: 0 };
  const rest = await t.store.db.transaction().execute((trx) => settleUserUpdates(trx, items, stats));
  expect(rest).toEqual([{ kind: 'events', events: [] }]);
  expect(stats).toEqual({ rows: 3, statements: 1 });
  for (const { variant, now, later } of pairs) expect(await stored(later.id), `variant ${variant}`).toEqual(await stored(now.id));
});

it.skipIf(!TEST_DATABASE_URL)('defers nothing that moves userName, externalId or emails, and fails when a row is missing', async () => {
  const deferring = new ResourceQueries(t.store.dialect, undefined, undefined, true);
  const u = user(newId('directory_user'), 90);
  await deferring.insertUser(t.store.db, u, emails);
  const deferred: TailWrite[] = [];
  const defer = (item: TailWrite) => deferred.push(item);
  await deferring.updateUser(t.store.db, { ...u, user_name: 'PAT90@acme.com', version: 2 }, emails, { user: u, emails }, defer);
  await deferring.updateUser(t.store.db, { ...u, user_name: 'PAT90@acme.com', external_id: 'other', version: 3 }, emails, { user: { ...u, user_name: 'PAT90@acme.com' }, emails }, defer);
  await deferring.updateUser(t.store.db, { ...u, user_name: 'PAT90@acme.com', external_id: 'other', version: 4 }, [], { user: { ...u, user_name: 'PAT90@acme.com', external_id: 'other' }, emails }, defer);
  expect(deferred).toEqual([]);
  const row = await t.store.db.selectFrom('directory_users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow();
  expect(row).toMatchObject({ user_name: 'PAT90@acme.com', external_id: 'other', version: 4 });
  const missing: TailWrite[] = [{ kind: 'user', update: { ...changedUpdate(u), id: 'directory_user_missing' } }];
  await expect(t.store.db.transaction().execute((trx) => settleUserUpdates(trx, missing))).rejects.toThrow(/1 rows, 0 updated/);
});

function changedUpdate(u: UserRecord) {
  return { id: u.id, directory_id: u.directory_id, active: 1, app_active: null, version: 9, resource: {}, updated_at: u.updated_at, mapped: null, role_slugs: null, mapped_fingerprint: null, warning_count: 0 };
}
