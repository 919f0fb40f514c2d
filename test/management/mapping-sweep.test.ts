/**
 * The re-evaluation sweep against concurrent SCIM writes, on both databases: a mapping change swept in small
 * chunks while every user is PATCHed meanwhile. Nothing may be lost either way: each user ends with the values
 * its final resource gives under the final mapping, its last event says so, its version only grew, and the
 * users the sweep found already current emit nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reevaluator } from '../../src/directory/reevaluate.ts';
import { ScimContext } from '../../src/directory/scim-context.ts';
import { ENTERPRISE, scimClient, type ScimClient } from '../scim/helpers.ts';

const USERS = 40;
let c: ScimClient;
let ids: string[] = [];

beforeAll(async () => {
  c = await scimClient();
  // This file drives its own sweep, in chunks of 3, to interleave with the writes.
  await c.t.app.mappingJobs.stop();
  for (let i = 0; i < USERS; i++) {
    ids.push((await c.createUser(`u${i}@acme.com`, { [ENTERPRISE]: { department: `dept ${i}` } })).id);
  }
});
afterAll(() => c.close());

const api = async (method: string, url: string, body?: unknown) => {
  const res = await c.t.api(method, url, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body ? res.json() : undefined;
};

describe('the sweep and concurrent writes', () => {
  it('loses nothing either way', async () => {
    const sweeper = new Reevaluator(new ScimContext(c.t.store, c.t.config.publicUrl), { chunkSize: 3 });
    await api('POST', '/custom_attributes', { name: 'cost_center', type: 'string', required: true });
    await sweeper.drain();
    const versions = new Map<string, number>();
    for (const id of ids) versions.set(id, (await api('GET', `/directory_users/${id}`)).version);

    const mark = (await api('GET', `/events?directory_id=${c.directoryId}&limit=100&order=desc`)).data[0].id;
    await api('PUT', `/directories/${c.directoryId}/attribute_mapping`, {
      mappings: [{ attribute: 'cost_center', source: `${ENTERPRISE}:department`, transforms: ['uppercase'] }],
    });
    // The sweep and a PATCH of every user, at once.
    const writes = (async () => {
      for (let i = 0; i < USERS; i += 4) {
        await Promise.all(
          ids.slice(i, i + 4).map(async (id, k) => {
            const res = await c.patch(`/Users/${id}`, [{ op: 'replace', path: `${ENTERPRISE}:department`, value: `moved ${i + k}` }]);
            expect(res.statusCode, res.body).toBe(200);
          }),
        );
      }
    })();
    await Promise.all([sweeper.drain(), writes]);
    await sweeper.drain();

    const mapping = await api('GET', `/directories/${c.directoryId}/attribute_mapping`);
    expect(mapping.state).toBe('current');
    const events: any[] = [];
    let after = mark;
    for (;;) {
      const page = (await api('GET', `/events?directory_id=${c.directoryId}&events=dsync.user.updated&limit=100&order=asc&after=${after}`)).data;
      events.push(...page);
      if (page.length < 100) break;
      after = page.at(-1).id;
    }
    for (const [i, id] of ids.entries()) {
      const user = await api('GET', `/directory_users/${id}`);
      expect(user.custom_attributes.department_name).toBe(`moved ${i}`);
      expect(user.custom_attributes.cost_center, id).toBe(`MOVED ${i}`);
      expect(user.version).toBeGreaterThan(versions.get(id)!);
      const last = events.filter((e) => e.data.id === id).at(-1);
      expect(last.data.custom_attributes.cost_center).toBe(`MOVED ${i}`);
      expect(last.data.version).toBe(user.version);
    }
    // At most one event per user from the sweep (a user a PATCH had already evaluated under the new mapping
    // emits nothing from the sweep), plus one per PATCH.
    expect(events.length).toBeGreaterThanOrEqual(USERS);
    expect(events.length).toBeLessThanOrEqual(2 * USERS);
  });

  it('users stamped under another configuration are found again and fixed, without events when nothing changes', async () => {
    const sweeper = new Reevaluator(new ScimContext(c.t.store, c.t.config.publicUrl), { chunkSize: 3 });
    // As a process whose definitions were a second old would have left them.
    await c.t.store.db.updateTable('directory_users').set({ mapped_fingerprint: 'stale' }).where('id', 'in', ids.slice(0, 5)).execute();
    const before = (await api('GET', `/events?directory_id=${c.directoryId}&limit=1&order=desc`)).data[0].id;
    await api('PUT', `/directories/${c.directoryId}/attribute_mapping`, {
      mappings: [{ attribute: 'cost_center', source: `${ENTERPRISE}:department`, transforms: ['uppercase'] }],
    });
    await sweeper.drain();
    const stale = await c.t.store.db.selectFrom('directory_users').select('id').where('directory_id', '=', c.directoryId).where('mapped_fingerprint', '=', 'stale').execute();
    expect(stale).toEqual([]);
    expect((await api('GET', `/events?directory_id=${c.directoryId}&after=${before}`)).data).toEqual([]);
  });
});
