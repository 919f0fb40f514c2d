import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/http/auth.ts';
import { createTestApp, TEST_API_KEY, type TestApp } from '../support/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('service endpoints', () => {
  it('GET /health answers ok without auth', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /metrics answers Prometheus text with request counts', async () => {
    await t.api('GET', '/organizations');
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('# TYPE guestlist_http_requests_total counter');
    expect(res.body).toMatch(/guestlist_http_requests_total\{method="GET",route="\/organizations",status="200"\} \d+/);
    expect(res.body).toContain('guestlist_http_request_duration_seconds_bucket');
  });

  it('GET /metrics exports the SCIM admission limits and group commit totals', async () => {
    const org = (await t.api('POST', '/organizations', { name: 'Metrics' })).json();
    const dir = (await t.api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' })).json();
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'metrics@acme.com' };
    expect((await t.scim('POST', `/scim/v2/${dir.id}/Users`, dir.bearer_token, user)).statusCode).toBe(201);
    const body = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toMatch(/guestlist_scim_limit\{limit="maxInFlight"\} 64/);
    expect(body).toMatch(/guestlist_group_commit_max_batch 64/);
    expect(body).toMatch(/guestlist_group_commit_writes_total [1-9]/);
    expect(body).toMatch(/guestlist_group_commit_batches_total [1-9]/);
    expect(body).toContain('guestlist_group_commit_queued 0');
  });

  it('GET /metrics counts SCIM list statements run from their shape and compiled, and shapes refused', async () => {
    const org = (await t.api('POST', '/organizations', { name: 'Shapes' })).json();
    const dir = (await t.api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' })).json();
    const count = (body: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(body)?.[1] ?? NaN);
    const metrics = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const before = await metrics();
    // A lookup as IdPs send it before each create, five times with other values; then a suffix, which binds a value's length.
    for (let i = 0; i < 5; i++) {
      const res = await t.scim('GET', `/scim/v2/${dir.id}/Users?filter=${encodeURIComponent(`userName eq "shape${i}@acme.com"`)}`, dir.bearer_token);
      expect(res.statusCode).toBe(200);
    }
    for (const suffix of ['@acme.com', '.com', '@acme.org']) {
      expect((await t.scim('GET', `/scim/v2/${dir.id}/Users?filter=${encodeURIComponent(`userName ew "${suffix}"`)}`, dir.bearer_token)).statusCode).toBe(200);
    }
    const after = await metrics();
    const templated = 'guestlist_list_statements_total\\{source="templated"\\}';
    // The first two lookups are compiled (a shape is learned on its second use), the other three templated.
    expect(count(after, templated) - count(before, templated)).toBe(3);
    expect(count(after, 'guestlist_list_shapes_refused_total') - count(before, 'guestlist_list_shapes_refused_total')).toBeGreaterThanOrEqual(1);
  });

  it('GET /metrics needs Bearer GUESTLIST_METRICS_TOKEN when one is set', async () => {
    const token = 'metrics-0123456789abcdef';
    const guarded = await createTestApp({ GUESTLIST_METRICS_TOKEN: token });
    try {
      const get = (authorization?: string) =>
        guarded.app.inject({ method: 'GET', url: '/metrics', headers: authorization === undefined ? {} : { authorization } });
      for (const wrong of [undefined, `Bearer ${token.slice(0, -1)}`, `Bearer ${token}x`, `Bearer ${TEST_API_KEY}`, `Basic ${token}`, 'Bearer', '']) {
        const res = await get(wrong);
        expect(res.statusCode, String(wrong)).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
        expect(res.json()).toMatchObject({ code: 'unauthorized' });
        expect(res.body).not.toContain('guestlist_');
      }
      const ok = await get(`Bearer ${token}`);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('# TYPE guestlist_http_requests_total counter');
      // Refused scrapes are counted like any other request.
      expect(ok.body).toMatch(/guestlist_http_requests_total\{method="GET",route="\/metrics",status="401"\} 7/);
      // The token guards /metrics only: health checks stay open.
      expect((await guarded.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('bearerMatches compares the whole token', () => {
    expect(bearerMatches('Bearer abc', 'abc')).toBe(true);
    expect(bearerMatches('bearer   abc ', 'abc')).toBe(true);
    expect(bearerMatches('Bearer abcd', 'abc')).toBe(false);
    expect(bearerMatches('Bearer ab', 'abc')).toBe(false);
    expect(bearerMatches(undefined, 'abc')).toBe(false);
    expect(bearerMatches('abc', 'abc')).toBe(false);
  });

  it('echoes a sane x-request-id and generates one otherwise', async () => {
    const given = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const hostile = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b\u0000<script>' } });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves an OpenAPI document of the management API', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/organizations', '/organizations/{id}', '/directories', '/directories/{id}', '/directories/{id}/tokens']),
    );
  });

  it('reports 503 when the database is gone', async () => {
    const broken = await createTestApp();
    await broken.store.close();
    const res = await broken.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable' });
    await broken.app.close();
  });
});
