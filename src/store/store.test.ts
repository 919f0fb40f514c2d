import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { newId } from '../ids.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('store', () => {
  it('migrations are idempotent', async () => {
    expect(await db.store.migrate()).toEqual([]);
  });

  it('enforces case-insensitive uniqueness keys and cascades deletes', async () => {
    const org = await db.store.createOrganization({ id: newId('org'), name: 'A', domains: [] });
    const dir = await db.store.createDirectory(
      { id: newId('directory'), organization_id: org.id, type: 'generic scim v2.0', name: 'D', domain: null, settings: {} },
      { id: newId('directory_token'), hash: 'ab'.repeat(32), suffix: 'abcd' },
      (t) => ({ id: t.id }),
    );
    const at = new Date().toISOString();
    const user = (id: string, lower: string) => ({
      id,
      directory_id: dir.id,
      user_name: lower.toUpperCase(),
      user_name_lower: lower,
      external_id: null,
      active: 1,
      version: 1,
      resource: '{}',
      created_at: at,
      updated_at: at,
    });
    await db.store.db.insertInto('directory_users').values(user(newId('directory_user'), 'ana@x.com')).execute();
    // Refused by the (directory_id, user_name_lower) unique key, and not by anything else.
    await expect(
      db.store.db.insertInto('directory_users').values(user(newId('directory_user'), 'ana@x.com')).execute(),
    ).rejects.toMatchObject(
      db.store.dialect === 'postgres'
        ? { code: '23505', constraint: 'directory_users_user_name' }
        : { code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: directory_users.directory_id, directory_users.user_name_lower' },
    );
    expect(await db.store.deleteOrganization(org.id, (d) => ({ id: d.id }))).toBe(true);
    const left = await db.store.db.selectFrom('directory_users').select('id').execute();
    expect(left).toEqual([]);
    expect(await db.store.db.selectFrom('directory_tokens').select('id').execute()).toEqual([]);
  });

  it('reads timestamps back as ISO strings and JSON as objects', async () => {
    const org = await db.store.createOrganization({ id: newId('org'), name: 'B', domains: ['b.com'] });
    const dir = await db.store.createDirectory(
      { id: newId('directory'), organization_id: org.id, type: 'generic scim v2.0', name: 'D', domain: 'b.com', settings: { inactive_users: 'retain' } },
      { id: newId('directory_token'), hash: 'cd'.repeat(32), suffix: 'wxyz' },
      (t) => ({ id: t.id }),
    );
    expect(dir.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(dir.settings).toEqual({ inactive_users: 'retain' });
    const found = await db.store.authenticateDirectory(dir.id, 'cd'.repeat(32));
    expect(found?.token).toMatchObject({ token_suffix: 'wxyz', directory_id: dir.id, revoked_at: null });
    expect(found?.directory).toMatchObject({ id: dir.id, settings: { inactive_users: 'retain' } });
    expect(await db.store.authenticateDirectory(dir.id, 'ce'.repeat(32))).toBeUndefined();
    expect(await db.store.authenticateDirectory('directory_other', 'cd'.repeat(32))).toBeUndefined();
    expect(await db.store.markDirectoryLinked(dir.id, (d) => ({ id: d.id }))).toBe(true);
    expect(await db.store.markDirectoryLinked(dir.id, (d) => ({ id: d.id }))).toBe(false);
  });
});
