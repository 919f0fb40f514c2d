/**
 * The front end's logic that runs without a DOM: the JSON client's CSRF and session handling (against a fake
 * fetch), the provider list of the portal with its fallbacks, and the time words.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createClient, withQuery } from '../../web/src/lib/http.ts';
import { timeAgo } from '../../web/src/lib/time.ts';
import { providerBySlug, providerByType, providers } from '../../web/src/portal/providers.ts';

type Call = { method: string; url: string; headers: Record<string, string>; body?: string };

/** A fetch that answers from a list of [status, body] and records what it was sent. */
function fakeFetch(answers: [number, unknown][]) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    calls.push({ method: init.method ?? 'GET', url, headers: init.headers as Record<string, string>, body: init.body as string | undefined });
    const [status, body] = answers.shift() ?? [500, {}];
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('the JSON client', () => {
  const make = () => {
    const ended = vi.fn();
    const client = createClient({ sessionPath: '/console/api/session', onUnauthorized: ended });
    client.csrfToken = 'csrf-1';
    return { client, ended };
  };

  it('sends the CSRF token on changes only, and JSON bodies', async () => {
    const calls = fakeFetch([
      [200, { data: [] }],
      [201, { id: 'org_1' }],
      [204, undefined],
    ]);
    const { client } = make();
    await client.get('/organizations', { limit: 10, after: undefined, search: '' });
    expect(await client.send('POST', '/organizations', { name: 'Acme' })).toEqual({ id: 'org_1' });
    expect(await client.send('DELETE', '/organizations/org_1')).toBeUndefined();
    expect(calls[0]).toMatchObject({ method: 'GET', url: '/organizations?limit=10' });
    expect(calls[0]!.headers['x-csrf-token']).toBeUndefined();
    expect(calls[1]!.headers).toMatchObject({ 'x-csrf-token': 'csrf-1', 'content-type': 'application/json' });
    expect(JSON.parse(calls[1]!.body!)).toEqual({ name: 'Acme' });
    expect(calls[2]!.headers['x-csrf-token']).toBe('csrf-1');
    expect(calls[2]!.headers['content-type']).toBeUndefined();
  });

  it('fetches a fresh CSRF token after csrf_failed and retries once', async () => {
    const calls = fakeFetch([
      [403, { message: 'CSRF', code: 'csrf_failed' }],
      [200, { object: 'console_session', csrf_token: 'csrf-2' }],
      [201, { ok: true }],
    ]);
    const { client } = make();
    expect(await client.send('POST', '/webhook_endpoints', {})).toEqual({ ok: true });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /webhook_endpoints', 'GET /console/api/session', 'POST /webhook_endpoints']);
    expect(calls[2]!.headers['x-csrf-token']).toBe('csrf-2');
    expect(client.csrfToken).toBe('csrf-2');
  });

  it('does not retry twice, nor for another 403', async () => {
    fakeFetch([
      [403, { message: 'CSRF', code: 'csrf_failed' }],
      [200, { csrf_token: 'csrf-2' }],
      [403, { message: 'CSRF again', code: 'csrf_failed' }],
    ]);
    const { client } = make();
    await expect(client.send('POST', '/x')).rejects.toMatchObject({ status: 403, code: 'csrf_failed' });
    const calls = fakeFetch([[403, { message: 'No', code: 'forbidden' }]]);
    await expect(client.send('POST', '/x')).rejects.toMatchObject({ status: 403, code: 'forbidden', message: 'No' });
    expect(calls).toHaveLength(1);
  });

  it('reports a lost session (401) to the app', async () => {
    fakeFetch([[401, { message: 'Sign in', code: 'unauthorized' }]]);
    const { client, ended } = make();
    await expect(client.get('/organizations')).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledOnce();
  });

  it('words a network failure and a server error for a person', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const { client } = make();
    await expect(client.get('/organizations')).rejects.toMatchObject({ status: 0, message: expect.stringContaining('Could not reach the Guestlist server') });
    fakeFetch([[502, 'not json']]);
    await expect(client.get('/organizations')).rejects.toMatchObject({ status: 502, message: expect.stringContaining('Try again') });
  });

  it('builds query strings without empty values, repeating arrays', () => {
    expect(withQuery('/events', { events: ['a', 'b'], after: null, limit: 5, search: '' })).toBe('/events?events=a&events=b&limit=5');
    expect(withQuery('/events')).toBe('/events');
  });
});

describe('the providers the portal offers', () => {
  const TYPES = [
    'okta scim v2.0',
    'azure scim v2.0',
    'gsuite directory',
    'onelogin scim v2.0',
    'jump cloud scim v2.0',
    'pingfederate scim v2.0',
    'rippling scim v2.0',
    'cyberark scim v2.0',
    'sailpoint scim v2.0',
    'workday',
    'bamboohr',
    'generic scim v2.0',
  ];

  it('are the twelve directory types, each once, with unique slugs, the generic one last', () => {
    const list = providers();
    expect(list.map((p) => p.type).sort()).toEqual([...TYPES].sort());
    expect(new Set(list.map((p) => p.slug)).size).toBe(12);
    expect(list[list.length - 1]!.type).toBe('generic scim v2.0');
  });

  it('each has a guide with steps, whether written yet or not, found again by its slug', () => {
    for (const provider of providers()) {
      expect(provider.guide.type).toBe(provider.type);
      expect(provider.guide.steps.length).toBeGreaterThan(0);
      expect(providerBySlug(provider.slug)?.type).toBe(provider.type);
    }
    expect(providerBySlug('nope')).toBeUndefined();
  });

  it('pulled sources are never offered a SCIM token: their guides end in the connection form', () => {
    for (const type of ['gsuite directory', 'workday', 'bamboohr']) {
      const guide = providerByType(type).guide;
      expect(guide.scim, type).toBe(false);
      expect(guide.steps.flatMap((s) => s.fields ?? []), type).toEqual(['connection']);
    }
  });

  it('an unknown type falls back to the generic guide', () => {
    expect(providerByType('nope').guide.scim).toBe(true);
    expect(providerByType('nope').guide.type).toBe('generic scim v2.0');
  });
});

describe('time words', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it.each([
    [null, 'never'],
    ['2026-01-01T11:59:55Z', 'just now'],
    ['2026-01-01T11:57:00Z', '3 minutes ago'],
    ['2026-01-01T09:00:00Z', '3 hours ago'],
    ['2025-12-29T12:00:00Z', '3 days ago'],
  ])('%s → %s', (iso, words) => {
    expect(timeAgo(iso, now)).toBe(words);
  });
});
