/**
 * The benchmarks' seeded users are stored as a SCIM POST of the same user stores them: a seed that differs (a
 * resource without the externalId its column holds) makes the measured writes do work no real user's would.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedUsers } from '../../bench/scim.ts';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

it('seeds the row and the email rows a SCIM POST of the same user stores', async () => {
  const dir = await createDirectory(t);
  const [seeded] = await seedUsers(t.store, dir.id, 7, 8);
  const j = 8;
  const userName = `user${j}@bench.example.com`;
  const posted = await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    externalId: `00u${j}`,
    name: { givenName: `Given${j}`, familyName: `Family${j % 977}` },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
  });
  expect(posted.statusCode).toBe(201);
  const row = async (id: string) => {
    const { id: _id, created_at: _c, updated_at: _u, resource, ...rest } = await t.store.db.selectFrom('directory_users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const emails = await t.store.db.selectFrom('directory_user_emails').select(['position', 'value', 'value_lower', 'type', 'primary']).where('user_id', '=', id).execute();
    // Seeded user 7 stands for user 8: its names and ids carry a 7 where the posted one's carry an 8.
    const text = JSON.stringify({ ...rest, resource: typeof resource === 'string' ? JSON.parse(resource) : resource, emails });
    return JSON.parse(id === seeded ? text.replaceAll('user7@', 'user8@').replaceAll('00u7', '00u8').replaceAll('Given7', 'Given8').replaceAll('Family7', 'Family8') : text);
  };
  expect(await row(seeded!)).toEqual(await row(posted.json().id));
});
