import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
let orgId: string;
beforeAll(async () => {
  t = await createTestApp();
  orgId = (await t.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).json().id;
});
afterAll(() => t.close());

describe('directories', () => {
  it('creates a directory with its SCIM base URL and a first token shown once', async () => {
    const res = await t.api('POST', '/directories', { organization_id: orgId, type: 'azure scim v2.0' });
    expect(res.statusCode).toBe(201);
    const dir = res.json();
    expect(dir).toMatchObject({
      object: 'directory',
      organization_id: orgId,
      type: 'azure scim v2.0',
      state: 'unlinked',
      name: 'Acme Microsoft Entra ID',
      domain: 'acme.com',
      scim_base_url: `${PUBLIC_URL}/scim/v2/${dir.id}`,
      settings: { inactive_users: 'retain' },
      metadata: { users: { active: 0, inactive: 0 }, groups: 0 },
    });
    expect(dir.id).toMatch(/^directory_[0-9A-Z]{26}$/);
    // WorkOS's external_key (non-null in its SDKs): the key in the SCIM URL, here the directory's id.
    expect(dir.external_key).toBe(dir.id);
    expect(dir.bearer_token).toMatch(/^gl_scim_[A-Za-z0-9_-]{43}$/);
    expect(dir.bearer_token_id).toMatch(/^directory_token_/);

    const read = (await t.api('GET', `/directories/${dir.id}`)).json();
    expect(read.external_key).toBe(dir.id);
    expect(read).not.toHaveProperty('bearer_token');
    expect(JSON.stringify(read)).not.toContain(dir.bearer_token);
    const tokens = await t.api('GET', `/directories/${dir.id}/tokens`);
    expect(tokens.body).not.toContain(dir.bearer_token);
    expect(tokens.json().data).toEqual([
      expect.objectContaining({ id: dir.bearer_token_id, token_suffix: dir.bearer_token.slice(-4), state: 'active' }),
    ]);
  });

  it('validates type and organization', async () => {
    const badType = await t.api('POST', '/directories', { organization_id: orgId, type: 'okta' });
    expect(badType.statusCode).toBe(422);
    expect(badType.json().errors[0]).toMatchObject({ field: 'type', code: 'invalid' });
    const badOrg = await t.api('POST', '/directories', { organization_id: 'org_nope', type: 'okta scim v2.0' });
    expect(badOrg.statusCode).toBe(422);
    expect(badOrg.json().errors[0]).toMatchObject({ field: 'organization_id', code: 'not_found' });
    const missing = await t.api('POST', '/directories', { type: 'okta scim v2.0' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0]).toMatchObject({ field: 'organization_id', code: 'required' });
  });

  it('lists by organization and search, with cursors', async () => {
    const other = (await t.api('POST', '/organizations', { name: 'Other' })).json().id;
    const a = (await t.api('POST', '/directories', { organization_id: other, type: 'okta scim v2.0', name: 'Okta Prod' })).json();
    const b = (await t.api('POST', '/directories', { organization_id: other, type: 'okta scim v2.0', name: 'Okta Staging' })).json();
    const c = (await t.api('POST', '/directories', { organization_id: other, type: 'gsuite directory', name: 'Google 100%' })).json();

    const all = (await t.api('GET', `/directories?organization_id=${other}`)).json();
    expect(all.data.map((d: { id: string }) => d.id)).toEqual([c.id, b.id, a.id]);
    expect(all.data[0]).not.toHaveProperty('bearer_token');

    const search = (await t.api('GET', `/directories?organization_id=${other}&search=STAGING`)).json();
    expect(search.data.map((d: { id: string }) => d.id)).toEqual([b.id]);
    const literal = (await t.api('GET', `/directories?search=${encodeURIComponent('100%')}`)).json();
    expect(literal.data.map((d: { id: string }) => d.id)).toEqual([c.id]);
    const wildcard = (await t.api('GET', `/directories?organization_id=${other}&search=_`)).json();
    expect(wildcard.data).toEqual([]);

    const page1 = (await t.api('GET', `/directories?organization_id=${other}&limit=2&order=asc`)).json();
    expect(page1.data.map((d: { id: string }) => d.id)).toEqual([a.id, b.id]);
    const page2 = (await t.api('GET', `/directories?organization_id=${other}&limit=2&order=asc&after=${page1.list_metadata.after}`)).json();
    expect(page2.data.map((d: { id: string }) => d.id)).toEqual([c.id]);
    expect(page2.list_metadata.after).toBeNull();
  });

  it('updates name and settings, rejecting unknown settings', async () => {
    const dir = await createDirectory(t);
    const res = await t.api('PATCH', `/directories/${dir.id}`, { name: 'Renamed', settings: { inactive_users: 'delete' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Renamed', settings: { inactive_users: 'delete' } });
    const bad = await t.api('PATCH', `/directories/${dir.id}`, { settings: { inactive_users: 'archive' } });
    expect(bad.statusCode).toBe(422);
    const unknown = await t.api('PATCH', `/directories/${dir.id}`, { settings: { colour: 'blue' } });
    expect(unknown.statusCode).toBe(422);
    expect((await t.api('GET', `/directories/${dir.id}`)).json().settings).toEqual({ inactive_users: 'delete' });
    expect((await t.api('PATCH', '/directories/directory_missing', { name: 'x' })).statusCode).toBe(404);
  });

  it('deletes a directory and its tokens stop working', async () => {
    const dir = await createDirectory(t);
    expect((await t.api('DELETE', `/directories/${dir.id}`)).statusCode).toBe(204);
    expect((await t.api('GET', `/directories/${dir.id}`)).statusCode).toBe(404);
    expect((await t.scim('GET', `/scim/v2/${dir.id}/Users`, dir.bearer_token)).statusCode).toBe(401);
    expect((await t.api('DELETE', `/directories/${dir.id}`)).statusCode).toBe(404);
  });
});

describe('directory tokens', () => {
  it('allows two active tokens, rotates, and revokes at once', async () => {
    const dir = await createDirectory(t);
    const first = dir.bearer_token;
    const second = await t.api('POST', `/directories/${dir.id}/tokens`);
    expect(second.statusCode).toBe(201);
    const tok2 = second.json();
    expect(tok2).toMatchObject({ object: 'directory_token', directory_id: dir.id, state: 'active' });
    expect(tok2.token).toMatch(/^gl_scim_/);
    expect(tok2.token_suffix).toBe(tok2.token.slice(-4));
    expect(Date.parse(tok2.created_at)).not.toBeNaN();

    const third = await t.api('POST', `/directories/${dir.id}/tokens`);
    expect(third.statusCode).toBe(409);
    expect(third.json().code).toBe('token_limit_reached');

    // Both tokens authenticate during rotation.
    expect((await t.scim('GET', `/scim/v2/${dir.id}/Users`, first)).statusCode).not.toBe(401);
    expect((await t.scim('GET', `/scim/v2/${dir.id}/Users`, tok2.token)).statusCode).not.toBe(401);

    const firstId = dir.bearer_token_id;
    const revokedFrom = Date.now();
    const revoked = await t.api('DELETE', `/directories/${dir.id}/tokens/${firstId}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: firstId, state: 'revoked' });
    // The time of this revocation.
    expect(revoked.json().revoked_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(revoked.json().revoked_at)).toBeGreaterThanOrEqual(revokedFrom);
    expect(Date.parse(revoked.json().revoked_at)).toBeLessThanOrEqual(Date.now());
    expect(revoked.body).not.toContain(first);

    expect((await t.scim('GET', `/scim/v2/${dir.id}/Users`, first)).statusCode).toBe(401);
    expect((await t.scim('GET', `/scim/v2/${dir.id}/Users`, tok2.token)).statusCode).not.toBe(401);

    const again = await t.api('DELETE', `/directories/${dir.id}/tokens/${firstId}`);
    expect(again.json().revoked_at).toBe(revoked.json().revoked_at);

    const listed = (await t.api('GET', `/directories/${dir.id}/tokens?order=asc`)).json();
    expect(listed.data.map((x: { state: string }) => x.state)).toEqual(['revoked', 'active']);
    expect(JSON.stringify(listed)).not.toMatch(/gl_scim_/);

    expect((await t.api('POST', `/directories/${dir.id}/tokens`)).statusCode).toBe(201);
    expect((await t.api('POST', `/directories/${dir.id}/tokens`)).statusCode).toBe(409);
  });

  it('enforces the limit under concurrent creation', async () => {
    const dir = await createDirectory(t);
    const results = await Promise.all(Array.from({ length: 6 }, () => t.api('POST', `/directories/${dir.id}/tokens`)));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(5);
  });

  it('answers 404 for unknown directories and tokens', async () => {
    const dir = await createDirectory(t);
    expect((await t.api('POST', '/directories/directory_nope/tokens')).statusCode).toBe(404);
    expect((await t.api('GET', '/directories/directory_nope/tokens')).statusCode).toBe(404);
    expect((await t.api('DELETE', `/directories/${dir.id}/tokens/directory_token_nope`)).statusCode).toBe(404);
    // A token of another directory cannot be revoked through this one.
    const other = await createDirectory(t);
    const otherTokenId = (await t.api('GET', `/directories/${other.id}/tokens`)).json().data[0].id;
    expect((await t.api('DELETE', `/directories/${dir.id}/tokens/${otherTokenId}`)).statusCode).toBe(404);
  });
});
