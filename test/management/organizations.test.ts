import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('organizations', () => {
  it('creates an organization with normalized domains', async () => {
    const res = await t.api('POST', '/organizations', { name: '  Acme Corp ', domains: ['Acme.com', 'acme.com', 'acme.io'] });
    expect(res.statusCode).toBe(201);
    const org = res.json();
    expect(org).toMatchObject({ object: 'organization', name: 'Acme Corp' });
    expect(org.id).toMatch(/^org_[0-9A-Z]{26}$/);
    expect(org.domains.map((d: { domain: string }) => d.domain)).toEqual(['acme.com', 'acme.io']);
    expect(org.domains[0]).toMatchObject({ object: 'organization_domain', organization_id: org.id });
    expect(org.domains[0].id).toMatch(/^org_domain_/);
    expect(Date.parse(org.created_at)).not.toBeNaN();
    expect(Object.keys(org).sort()).toEqual(['created_at', 'domains', 'id', 'name', 'object', 'updated_at']);
  });

  it('accepts WorkOS SDK domain_data', async () => {
    const res = await t.api('POST', '/organizations', { name: 'Initech', domain_data: [{ domain: 'initech.com', state: 'verified' }] });
    expect(res.statusCode).toBe(201);
    expect(res.json().domains[0].domain).toBe('initech.com');
  });

  it('reads, updates and deletes', async () => {
    const org = (await t.api('POST', '/organizations', { name: 'Globex', domains: ['globex.com', 'globex.net'] })).json();
    expect((await t.api('GET', `/organizations/${org.id}`)).json()).toEqual(org);

    const keptId = org.domains[0].id;
    const updated = await t.api('PUT', `/organizations/${org.id}`, { name: 'Globex Corporation', domains: ['globex.com', 'globex.org'] });
    expect(updated.statusCode).toBe(200);
    const body = updated.json();
    expect(body.name).toBe('Globex Corporation');
    expect(body.domains.map((d: { domain: string }) => d.domain).sort()).toEqual(['globex.com', 'globex.org']);
    expect(body.domains.find((d: { domain: string }) => d.domain === 'globex.com').id).toBe(keptId);
    expect(Date.parse(body.updated_at)).toBeGreaterThanOrEqual(Date.parse(org.updated_at));

    expect((await t.api('DELETE', `/organizations/${org.id}`)).statusCode).toBe(204);
    const gone = await t.api('GET', `/organizations/${org.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'entity_not_found' });
    expect((await t.api('DELETE', `/organizations/${org.id}`)).statusCode).toBe(404);
  });

  it('deleting an organization deletes its directories', async () => {
    const org = (await t.api('POST', '/organizations', { name: 'Hooli' })).json();
    const dir = (await t.api('POST', '/directories', { organization_id: org.id, type: 'generic scim v2.0' })).json();
    expect((await t.api('DELETE', `/organizations/${org.id}`)).statusCode).toBe(204);
    expect((await t.api('GET', `/directories/${dir.id}`)).statusCode).toBe(404);
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: 'x', domains: 'acme.com' }, 'domains'],
    [{ name: 'x', domains: ['not a domain'] }, 'domains.0'],
    [{ name: 'x', domains: ['acme'] }, 'domains.0'],
    [{ name: 'x', domains: ['-acme.com'] }, 'domains.0'],
  ])('rejects %j with 422 naming %s', async (body, field) => {
    const res = await t.api('POST', '/organizations', body);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'validation_error' });
    expect(res.json().errors[0].field).toBe(field);
    expect(typeof res.json().message).toBe('string');
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await t.api('POST', '/organizations', '{"name": ');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ message: 'The request body is not valid JSON.', code: 'invalid_json' });
  });

  it('rejects a body over the limit with 413', async () => {
    const res = await t.api('POST', '/organizations', { name: 'x'.repeat(5 * 1024 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it('rejects a body that is not JSON with 415', async () => {
    const res = await t.api('POST', '/organizations', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported_media_type');
  });

  it('returns 404 for an unknown organization on every verb', async () => {
    for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
      const res = await t.api(method, '/organizations/org_01J00000000000000000000000', body);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('entity_not_found');
    }
  });
});

describe('organization list', () => {
  let ids: string[];
  let fresh: TestApp;
  beforeAll(async () => {
    fresh = await createTestApp();
    ids = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await fresh.api('POST', '/organizations', { name: `Org ${i}`, domains: [`org${i}.com`] })).json().id);
    }
  });
  afterAll(() => fresh.close());

  const list = async (query: string) => {
    const res = await fresh.api('GET', `/organizations?${query}`);
    expect(res.statusCode).toBe(200);
    return res.json() as { object: string; data: { id: string }[]; list_metadata: { before: string | null; after: string | null } };
  };

  it('lists newest first by default, 10 per page', async () => {
    const page = await list('');
    expect(page.object).toBe('list');
    expect(page.data.map((o) => o.id)).toEqual([...ids].reverse());
    expect(page.list_metadata).toEqual({ before: null, after: null });
  });

  it('pages forward with after and back with before (desc)', async () => {
    const first = await list('limit=3');
    expect(first.data.map((o) => o.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(first.list_metadata).toEqual({ before: null, after: ids[4] });
    const second = await list(`limit=3&after=${first.list_metadata.after}`);
    expect(second.data.map((o) => o.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(second.list_metadata).toEqual({ before: ids[3], after: ids[1] });
    const third = await list(`limit=3&after=${second.list_metadata.after}`);
    expect(third.data.map((o) => o.id)).toEqual([ids[0]]);
    expect(third.list_metadata).toEqual({ before: ids[0], after: null });
    const back = await list(`limit=3&before=${third.list_metadata.before}`);
    expect(back.data.map((o) => o.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(back.list_metadata).toEqual({ before: ids[3], after: ids[1] });
    const start = await list(`limit=3&before=${back.list_metadata.before}`);
    expect(start.data.map((o) => o.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(start.list_metadata).toEqual({ before: null, after: ids[4] });
  });

  it('pages in ascending order', async () => {
    const first = await list('limit=4&order=asc');
    expect(first.data.map((o) => o.id)).toEqual(ids.slice(0, 4));
    expect(first.list_metadata).toEqual({ before: null, after: ids[3] });
    const second = await list(`limit=4&order=asc&after=${ids[3]}`);
    expect(second.data.map((o) => o.id)).toEqual(ids.slice(4));
    expect(second.list_metadata).toEqual({ before: ids[4], after: null });
    const back = await list(`limit=2&order=asc&before=${ids[4]}`);
    expect(back.data.map((o) => o.id)).toEqual([ids[2], ids[3]]);
    expect(back.list_metadata).toEqual({ before: ids[2], after: ids[3] });
  });

  it('with both before and after, lists the window strictly between them, read from after', async () => {
    const first = await list(`limit=2&after=${ids[6]}&before=${ids[1]}`);
    expect(first.data.map((o) => o.id)).toEqual([ids[5], ids[4]]);
    expect(first.list_metadata).toEqual({ before: ids[5], after: ids[4] });
    const second = await list(`limit=2&after=${first.list_metadata.after}&before=${ids[1]}`);
    expect(second.data.map((o) => o.id)).toEqual([ids[3], ids[2]]);
    // The window ends before ids[1]: no further page, though the list goes on.
    expect(second.list_metadata).toEqual({ before: ids[3], after: null });
    expect((await list(`order=asc&after=${ids[0]}&before=${ids[4]}`)).data.map((o) => o.id)).toEqual([ids[1], ids[2], ids[3]]);
    expect(await list(`after=${ids[1]}&before=${ids[5]}`)).toMatchObject({ data: [], list_metadata: { before: null, after: null } });
  });

  it("order=normal: newest first, before reaching older objects and after newer ones (WorkOS's legacy order)", async () => {
    const first = await list('limit=3&order=normal');
    expect(first.data.map((o) => o.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(first.list_metadata).toEqual({ before: ids[4], after: null });
    const older = await list(`limit=3&order=normal&before=${first.list_metadata.before}`);
    expect(older.data.map((o) => o.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(older.list_metadata).toEqual({ before: ids[1], after: ids[3] });
    const newer = await list(`limit=3&order=normal&after=${older.list_metadata.after}`);
    expect(newer).toEqual(first);
  });

  it('treats empty parameters as absent (WorkOS legacy Go sends before=&after=)', async () => {
    expect(await list('limit=&order=&before=&after=&domains=')).toEqual(await list(''));
    expect((await list('limit=&limit=3')).data).toHaveLength(3);
  });

  it('filters by domain', async () => {
    const page = await list('domains=org2.com');
    expect(page.data.map((o) => o.id)).toEqual([ids[2]]);
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'order=up'])(
    'rejects %s with 422',
    async (query) => {
      const res = await fresh.api('GET', `/organizations?${query}`);
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('validation_error');
    },
  );
});
