/**
 * The IdP simulator against Guestlist (every profile and scenario finds nothing wrong), and against
 * deliberately broken SCIM servers (each breakage is reported, and the command exits non-zero).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDPS } from '../../src/simulator/profiles.ts';
import { SCENARIOS, simulate, type SimulateOptions } from '../../src/simulator/simulate.ts';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
});

async function target(): Promise<{ url: string; token: string; id: string }> {
  const dir = await createDirectory(t);
  return { url: `${base}/scim/v2/${dir.id}`, token: dir.bearer_token, id: dir.id };
}

const small = { users: 14, groups: 10, seed: 3, retryBaseMs: 10 };

describe('against Guestlist', () => {
  const profiles = [...IDPS.map((idp) => ({ idp, entraFlag: false })), { idp: 'entra' as const, entraFlag: true }];
  for (const { idp, entraFlag } of profiles) {
    for (const scenario of SCENARIOS) {
      it(`${idp}${entraFlag ? ' (aadOptscim062020)' : ''} ${scenario}: zero differences`, async () => {
        const { url, token } = await target();
        const report = await simulate({ ...small, idp, entraFlag, scenario, target: url, token });
        expect(report.differences).toEqual([]);
        expect(report.violations).toEqual([]);
        expect(report.ok).toBe(true);
        expect(report.requests).toBeGreaterThan(report.users);
      });
    }
  }

  it('a re-run of the same seed adopts what exists instead of duplicating it', async () => {
    const { url, token } = await target();
    await simulate({ ...small, idp: 'okta', scenario: 'initial', target: url, token });
    const again = await simulate({ ...small, idp: 'okta', scenario: 'initial', target: url, token });
    expect(again.differences).toEqual([]);
    expect(again.violations).toEqual([]);
  });
});

/**
 * A broken SCIM server: Guestlist behind a proxy that damages requests or answers on their way through.
 */
async function brokenServer(upstream: string, damage: { request?: (method: string, path: string, body: any) => any; errorsAsText?: boolean; refuse?: (n: number) => number | undefined }) {
  let n = 0;
  const server = http.createServer((req, res) => {
    // Refused before reaching Guestlist, like a rate limiter or an overloaded balancer in front of it.
    const refused = damage.refuse?.(++n);
    if (refused) {
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/scim+json', ...(refused === 429 ? { 'retry-after': '0' } : {}) };
      return void res.writeHead(refused, headers).end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(refused), detail: 'try again' }));
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body = chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
      if (body && damage.request) body = JSON.stringify(damage.request(req.method!, req.url!, JSON.parse(body)));
      const answer = await fetch(upstream + req.url!.replace(/^\/scim/, ''), {
        method: req.method!,
        headers: { authorization: req.headers.authorization ?? '', 'content-type': req.headers['content-type'] ?? 'application/scim+json' },
        ...(body !== undefined ? { body } : {}),
      });
      const text = await answer.text();
      if (damage.errorsAsText && answer.status >= 400) return void res.writeHead(answer.status, { 'content-type': 'text/plain' }).end('Something went wrong');
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/scim`, close: () => new Promise((r) => server.close(r)) };
}

const withoutRemoves = (method: string, _path: string, body: any) =>
  method === 'PATCH' ? { ...body, Operations: body.Operations.filter((op: { op: string }) => op.op.toLowerCase() !== 'remove') } : body;
const withoutPathlessActive = (method: string, _path: string, body: any) =>
  method === 'PATCH' ? { ...body, Operations: body.Operations.filter((op: { path?: string; value?: any }) => op.path !== undefined || !(op.value && 'active' in op.value)) } : body;

describe('against broken SCIM servers', () => {
  async function run(damage: Parameters<typeof brokenServer>[1], options: Partial<SimulateOptions>) {
    const real = await target();
    const broken = await brokenServer(real.url, damage);
    try {
      return await simulate({ ...small, idp: 'okta', scenario: 'initial', ...options, target: broken.url, token: real.token });
    } finally {
      await broken.close();
    }
  }

  it('reports the memberships a server that drops remove operations kept', async () => {
    const report = await run({ request: withoutRemoves }, { idp: 'okta', scenario: 'churn' });
    expect(report.ok).toBe(false);
    expect(report.differences.some((d) => d.kind === 'wrong_members' && /unexpected/.test(d.detail))).toBe(true);
  });

  it('reports users still active on a server that ignores path-less deactivation', async () => {
    const report = await run({ request: withoutPathlessActive }, { idp: 'okta', scenario: 'deprovision' });
    expect(report.ok).toBe(false);
    expect(report.differences.filter((d) => d.kind === 'wrong_active').length).toBeGreaterThan(0);
  });

  it('reports error bodies that are not SCIM Error JSON', async () => {
    const report = await run({ errorsAsText: true }, { idp: 'okta', scenario: 'initial' });
    expect(report.ok).toBe(false);
    expect(report.violations.some((v) => /not SCIM Error JSON/.test(v.problem))).toBe(true);
  });

  it('retries 429 and 5xx answers (honouring Retry-After) and still ends exact', async () => {
    const report = await run({ refuse: (n) => (n % 4 === 0 ? 429 : n % 7 === 0 ? 503 : undefined) }, { idp: 'entra', scenario: 'churn' });
    expect(report.retries).toBeGreaterThan(5);
    expect(report.differences).toEqual([]);
    expect(report.violations).toEqual([]);
  });

  it('the command exits non-zero with the differences in --json, and 0 on a healthy server', async () => {
    const real = await target();
    const broken = await brokenServer(real.url, { request: withoutRemoves });
    const command = (url: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [path.resolve('bin/guestlist.js'), 'simulate', 'entra', '--target', url, '--token', real.token, '--users', '12', '--scenario', 'churn', '--seed', '5', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.on('exit', (code) => resolve({ code, out }));
      });
    try {
      const bad = await command(broken.url);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.out).differences.length).toBeGreaterThan(0);
    } finally {
      await broken.close();
    }
    const fresh = await target();
    const good = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [path.resolve('bin/guestlist.js'), 'simulate', 'generic', '--target', fresh.url, '--token', fresh.token, '--users', '8'], { stdio: 'ignore' });
      child.on('exit', resolve);
    });
    expect(good).toBe(0);
    const usage = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [path.resolve('bin/guestlist.js'), 'simulate', 'nosuchidp', '--target', fresh.url, '--token', 'x'], { stdio: 'ignore' });
      child.on('exit', resolve);
    });
    expect(usage).toBe(2);
  }, 60_000);
});
