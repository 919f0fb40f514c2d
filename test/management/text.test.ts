/**
 * The management API's text rule: a NUL, another C0 control character or a lone surrogate never reaches the
 * database (PostgreSQL would answer 500). Every route the OpenAPI document lists is tried: path parameters
 * answer 404, query strings and bodies 400 `invalid_request`, in the API's `{message, code}` format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

interface Operation {
  method: string;
  path: string;
  query: string[];
}

let t: TestApp;
let operations: Operation[];
let directoryId: string;
beforeAll(async () => {
  t = await createTestApp();
  directoryId = (await createDirectory(t)).id;
  const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
  };
  operations = Object.entries(spec.paths)
    .filter(([path]) => !path.startsWith('/scim/'))
    .flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    })),
  );
});
afterAll(() => t.close());

/** The route's path with every parameter set to `value` (already URL-encoded). */
const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);

function expectApiError(res: Awaited<ReturnType<TestApp['api']>>, status: number, code: string, what: string): Record<string, unknown> {
  expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
  const body = res.json();
  expect(body, what).toMatchObject({ code, message: expect.any(String) });
  return body;
}

describe('management API: control characters and lone surrogates', () => {
  it('the OpenAPI document lists the routes this test walks', () => {
    const paths = new Set(operations.map((o) => o.path));
    for (const path of ['/organizations/{id}', '/directories/{id}/tokens/{token_id}', '/directory_users', '/directory_groups/{id}', '/events', '/webhook_endpoints/{id}/deliveries']) {
      expect(paths).toContain(path);
    }
  });

  it('in a path parameter: 404 on every route', async () => {
    const withParams = operations.filter((o) => o.path.includes('{'));
    expect(withParams.length).toBeGreaterThan(10);
    for (const value of ['%00', 'dir%00x', '%1F', '%0B']) {
      for (const op of withParams) {
        const res = await t.api(op.method, fill(op.path, value), ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined);
        expectApiError(res, 404, 'entity_not_found', `${op.method} ${op.path} ${value}`);
      }
    }
    // A lone surrogate's UTF-8 form is not valid UTF-8: Fastify refuses the URL itself, before any route, and
    // the answer is still a 404 in the API's format (frameworkErrors in app.ts).
    for (const op of withParams) expectApiError(await t.api(op.method, fill(op.path, '%ED%A0%80')), 404, 'entity_not_found', `${op.method} ${op.path} surrogate`);
    // A NUL next to a real id is still no id.
    expectApiError(await t.api('GET', `/directories/${directoryId}%00`), 404, 'entity_not_found', 'GET /directories/{id}%00');
  });

  it('in a query parameter: 400 invalid_request on every route', async () => {
    const withQuery = operations.filter((o) => o.query.length > 0);
    expect(withQuery.map((o) => o.path)).toEqual(expect.arrayContaining(['/directories', '/directory_users', '/directory_groups', '/events']));
    for (const op of withQuery) {
      for (const name of op.query) {
        // (A lone surrogate cannot arrive in a URL: its UTF-8 form is not valid UTF-8, so it is never decoded.)
        for (const value of ['%00', 'a%01b']) {
          const url = `${fill(op.path, directoryId)}?${encodeURIComponent(name)}=${value}`;
          const body = expectApiError(await t.api(op.method, url), 400, 'invalid_request', `${op.method} ${url}`);
          expect(body.message).toContain(`"${name}"`);
        }
      }
    }
    expectApiError(await t.api('GET', `/directory_users?directory=${directoryId}&email=a%00@acme.com`), 400, 'invalid_request', 'email');
    expectApiError(await t.api('GET', '/directories?search=x%00y'), 400, 'invalid_request', 'search');
    expectApiError(await t.api('GET', '/organizations?domains=acme.com&domains=x%00'), 400, 'invalid_request', 'domains');
  });

  it('in a JSON body, value or key, at any depth: 400 invalid_request on every route that takes one', async () => {
    const withBody = operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method));
    expect(withBody.length).toBeGreaterThan(5);
    for (const op of withBody) {
      const url = fill(op.path, directoryId);
      for (const body of [{ name: 'a\u0000' }, { settings: { x: ['ok', 'b\ud800'] } }, { ['n\u0002']: 'x' }]) {
        expectApiError(await t.api(op.method, url, body), 400, 'invalid_request', `${op.method} ${op.path} ${JSON.stringify(body)}`);
      }
    }
    const org = expectApiError(await t.api('POST', '/organizations', { name: 'Acme\u0000', domains: ['acme.com'] }), 400, 'invalid_request', 'org');
    expect(org.message).toContain('"name"');
    expectApiError(await t.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com', 'x\u001f.com'] }), 400, 'invalid_request', 'domains[1]');
    expectApiError(await t.api('PATCH', `/directories/${directoryId}`, { name: 'D\u0000' }), 400, 'invalid_request', 'directory name');
  });

  it('bodies nest at most 64 deep', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 64; i++) deep = { a: deep };
    const body = expectApiError(await t.api('POST', '/organizations', { name: 'Deep', extra: deep }), 400, 'invalid_request', 'deep');
    expect(body.message).toContain('deeper than 64');
  });

  it('leaves tab, LF, CR and ordinary text alone', async () => {
    const res = await t.api('POST', '/organizations', { name: 'Zoë 😀 Acme', domains: ['zoe.com'] });
    expect(res.statusCode, res.body).toBe(201);
    expect((await t.api('GET', `/directories?search=${encodeURIComponent('a\tb')}`)).statusCode).toBe(200);
  });
});
