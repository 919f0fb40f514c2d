/** Browser-side helpers for the portal and console tests: sign in, open links, send cookies and CSRF tokens. */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { PUBLIC_URL, TEST_API_KEY, type TestApp } from '../support/harness.ts';

export interface Browser {
  /** `name=value` for the Cookie header. */
  cookie: string;
  csrf: string;
}

/** The Set-Cookie headers of an answer, as a list. */
export function setCookies(res: LightMyRequestResponse): string[] {
  const raw = res.headers['set-cookie'];
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
}

/** `name=value` of the answer's one Set-Cookie. */
export function cookieOf(res: LightMyRequestResponse): string {
  const [cookie] = setCookies(res);
  if (!cookie) throw new Error(`no Set-Cookie in ${res.statusCode} ${res.body}`);
  return cookie.split(';')[0]!;
}

/** The token of a link `{PUBLIC_URL}/portal/link/{token}`. */
export function tokenOf(link: string): string {
  expect(link.startsWith(`${PUBLIC_URL}/portal/link/`)).toBe(true);
  return link.slice(`${PUBLIC_URL}/portal/link/`.length);
}

export const open = (t: TestApp, link: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: new URL(link).pathname, headers });

export async function setupLink(t: TestApp, organization: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.api('POST', '/portal/generate_link', { organization, intent: 'dsync', ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().link;
}

export async function createOrg(t: TestApp, name = 'Acme', domains = ['acme.com']): Promise<string> {
  const res = await t.api('POST', '/organizations', { name, domains });
  expect(res.statusCode).toBe(201);
  return res.json().id;
}

/** Opens a fresh setup link of the organization and reads the session: the IT admin's browser. */
export async function portalBrowser(t: TestApp, organization: string): Promise<Browser> {
  const res = await open(t, await setupLink(t, organization));
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/portal/');
  const cookie = cookieOf(res);
  const session = await t.app.inject({ method: 'GET', url: '/portal/api/session', headers: { cookie } });
  expect(session.statusCode, session.body).toBe(200);
  return { cookie, csrf: session.json().csrf_token };
}

export async function consoleBrowser(t: TestApp, credentials: Record<string, string> = { api_key: TEST_API_KEY }): Promise<Browser> {
  const res = await t.app.inject({ method: 'POST', url: '/console/api/login', payload: credentials });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: cookieOf(res), csrf: res.json().csrf_token };
}

/** A request as the browser sends it: the cookie, and the CSRF token unless `csrf: false`. */
export function as(t: TestApp, browser: Browser, method: string, url: string, body?: unknown, options: { csrf?: boolean; headers?: Record<string, string> } = {}) {
  return t.app.inject({
    method: method as 'GET',
    url,
    headers: {
      cookie: browser.cookie,
      ...(options.csrf === false ? {} : { 'x-csrf-token': browser.csrf }),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
}

/** The audit entries of an action, newest first. */
export async function auditEntries(t: TestApp, action: string): Promise<Record<string, any>[]> {
  const res = await t.api('GET', `/audit_logs?action=${encodeURIComponent(action)}&limit=100`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data;
}
