/**
 * Logs carry request ids and never a secret: not the API key, a bearer token, or a password sent by an IdP;
 * and list filters only by their shape, never the values (emails) they compare. The logger is production's.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { apiKeyVerifier } from '../../src/http/management/index.ts';
import { createLogger, redactUrl } from '../../src/http/logger.ts';
import { hashSecret } from '../../src/secrets.ts';
import { TEST_API_KEY, createTestDatabase, type TestDatabase } from '../support/harness.ts';

let db: TestDatabase;
let output = '';
let app: Awaited<ReturnType<typeof buildApp>>;

beforeAll(async () => {
  db = await createTestDatabase();
  const sink = new Writable({ write: (chunk, _enc, done) => ((output += chunk.toString()), done()) });
  app = await buildApp({
    config: loadConfig({ GUESTLIST_API_KEY: TEST_API_KEY }),
    store: db.store,
    logger: createLogger('trace', sink),
    secretKey: 'test-secret-key-0123456789abcdefghijklmnop', apiKeys: apiKeyVerifier([hashSecret(TEST_API_KEY)]),
  });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

describe('logs', () => {
  it('never contain the API key, a directory token or a password', async () => {
    const auth = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
    const org = (await app.inject({ method: 'POST', url: '/organizations', headers: auth, payload: { name: 'Logs' } })).json();
    const dir = (await app.inject({ method: 'POST', url: '/directories', headers: auth, payload: { organization_id: org.id, type: 'okta scim v2.0' } })).json();
    const scim = { authorization: `Bearer ${dir.bearer_token}`, 'content-type': 'application/scim+json', 'x-request-id': 'req-logs-1' };
    const created = await app.inject({
      method: 'POST',
      url: `/scim/v2/${dir.id}/Users`,
      headers: scim,
      payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'log@acme.com', password: 'Sup3r-Secret-Pw' },
    });
    expect(created.statusCode).toBe(201);
    await app.inject({ method: 'GET', url: `/scim/v2/${dir.id}/Users`, headers: { authorization: 'Bearer gl_scim_wrong-token-value' } });
    expect(output).toContain('req-logs-1');
    for (const secret of [TEST_API_KEY, dir.bearer_token, 'Sup3r-Secret-Pw', 'gl_scim_wrong-token-value']) expect(output).not.toContain(secret);
  });

  it('show a list filter by its shape, never the values it compares', async () => {
    const auth = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
    const org = (await app.inject({ method: 'POST', url: '/organizations', headers: auth, payload: { name: 'Filters' } })).json();
    const dir = (await app.inject({ method: 'POST', url: '/directories', headers: auth, payload: { organization_id: org.id, type: 'azure scim v2.0' } })).json();
    const scim = { authorization: `Bearer ${dir.bearer_token}` };
    output = '';
    const filters = ['userName eq "alice.private@acme.com"', 'emails[type eq "work" and value co "bob.private@"] or externalId eq carol-private-id'];
    for (const filter of filters) {
      const res = await app.inject({ method: 'GET', url: `/scim/v2/${dir.id}/Users?count=5&filter=${encodeURIComponent(filter)}`, headers: scim });
      expect(res.statusCode).toBe(200);
    }
    const invalid = await app.inject({ method: 'GET', url: `/scim/v2/${dir.id}/Users?FILTER=${encodeURIComponent('userName eq "dave.private@acme.com')}`, headers: scim });
    expect(invalid.statusCode).toBe(400);
    for (const value of ['alice.private', 'bob.private', 'carol-private', 'dave.private']) expect(output).not.toContain(value);
    const urls = output.split('\n').filter(Boolean).map((line) => JSON.parse(line).req?.url).filter(Boolean);
    expect(urls).toContain(`/scim/v2/${dir.id}/Users?count=5&filter=userName eq "…"`);
    expect(urls).toContain(`/scim/v2/${dir.id}/Users?count=5&filter=emails[type eq "…" and value co "…"] or externalId eq "…"`);
    expect(urls).toContain(`/scim/v2/${dir.id}/Users?FILTER=…`);
  });
});

describe('redactUrl', () => {
  it('rewrites only the filter parameter', () => {
    expect(redactUrl('/scim/v2/d/Users')).toBe('/scim/v2/d/Users');
    expect(redactUrl('/Users?startIndex=1&count=2')).toBe('/Users?startIndex=1&count=2');
    expect(redactUrl('/Users?filter=title%20pr&attributes=userName')).toBe('/Users?filter=title pr&attributes=userName');
    expect(redactUrl('/Users?filter=userName+eq+%22a%40b.c%22&filter=x%ZZ')).toBe('/Users?filter=userName eq "…"&filter=…');
  });
});

