/**
 * Property tests through HTTP on a real socket, on the run's database: PATCH bodies (every path form, the IdP
 * dialects of docs/dialects.md), User/Enterprise/Group bodies for POST and PUT with right and wrong types, Bulk
 * requests with bulkId references, reads and deletes of odd ids, and JSON damaged as text. Every answer is
 * below 500 and well-formed; afterwards every user and group reads back and the counters match the rows.
 * Seeds are fixed (GUESTLIST_FUZZ_SEED to change); a failure prints the seed, the path and the smallest request.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_REQUEST, GROUP, PATCH_OP, SEARCH_REQUEST, USER, bulkCase, deeplyNested, flatOr, patchCase, rawCase, readCase, writeCase, type Case } from './lib/arbitraries.ts';
import { assertWellAnswered } from './lib/property.ts';
import { checkDirectory, describeOutcome, runCase, startTarget, type Target } from './lib/server.ts';

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t?.close());

const LONG = 240_000;

describe('fuzz: writes', () => {
  it('PATCH: paths, ops and values as IdPs send them', () => assertWellAnswered(t, patchCase, { numRuns: 250, seedOffset: 11 }), LONG);

  it('POST and PUT: every core, Enterprise and Group attribute, right and wrong types', () => assertWellAnswered(t, writeCase, { numRuns: 160, seedOffset: 12 }), LONG);

  it('Bulk with bulkId references', () => assertWellAnswered(t, bulkCase, { numRuns: 60, seedOffset: 13 }), LONG);

  it('reads, deletes, odd methods and damaged JSON', () => assertWellAnswered(t, fc.oneof(readCase, rawCase), { numRuns: 80, seedOffset: 14 }), LONG);

  it('one request of each 5xx/stall class known from issue 12', async () => {
    const long = (n: number, unit = 'x') => unit.repeat(n);
    const j = (v: unknown) => JSON.stringify(v);
    const scim = (method: string, path: string, body?: unknown): Case => ({ api: 'scim', method, path, ...(body !== undefined ? { body: typeof body === 'string' ? body : j(body) } : {}) });
    const cases: Case[] = [
      // NUL, other C0 characters and lone surrogates in strings, filter values and path ids.
      scim('POST', '/Users', { schemas: [USER], userName: 'nul\u0000@x.example', displayName: 'bell\u0007' }),
      scim('POST', '/Users', { schemas: [USER], userName: 'surrogate@x.example', displayName: 'a\ud800b', emails: [{ value: 'e\udfff@x.example' }] }),
      scim('POST', '/Groups', { schemas: [GROUP], displayName: 'g\u0000', members: [{ value: '@@U0@@\u0000' }] }),
      scim('PUT', '/Users/@@U1@@', { schemas: [USER], userName: 'put@x.example', externalId: '\u0000' }),
      scim('PATCH', '/Users/@@U2@@', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: '\u0000\ud800' }] }),
      scim('PATCH', '/Groups/@@G0@@', { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members[value eq "\u0000"]' }] }),
      scim('GET', `/Users?filter=${encodeURIComponent('userName eq "a\u0000b"')}`),
      scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "\u0001"')}`),
      scim('GET', '/Users?filter=userName%20eq%20%22%ED%A0%80%22'),
      scim('GET', '/Users/%00'),
      scim('DELETE', '/Groups/%01x'),
      scim('POST', '/Users/.search', { schemas: [SEARCH_REQUEST], filter: 'displayName eq "\ud800"' }),
      // Strings longer than 512 characters in the indexed attributes.
      scim('POST', '/Users', { schemas: [USER], userName: `${long(600)}@x.example` }),
      scim('POST', '/Users', { schemas: [USER], userName: 'long-ext@x.example', externalId: long(3000), displayName: long(3000, 'é'), emails: [{ value: `${long(3000)}@x.example`, type: 'work' }] }),
      scim('POST', '/Groups', { schemas: [GROUP], displayName: long(3000) }),
      scim('PATCH', '/Groups/@@G1@@', { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: long(3000) }] }] }),
      scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${long(3000)}"`)}`),
      scim('GET', `/Groups?filter=${encodeURIComponent(`members.value eq "${long(1000)}"`)}`),
      // 100,000 names in attributes.
      scim('POST', '/Users/.search', { schemas: [SEARCH_REQUEST], attributes: Array.from({ length: 100_000 }, (_, i) => `a${i}`) }),
      scim('POST', '/.search', { schemas: [SEARCH_REQUEST], excludedAttributes: Array.from({ length: 100_000 }, (_, i) => `a${i}`) }),
      // .search with an attributes array.
      scim('POST', '/Users/.search', { schemas: [SEARCH_REQUEST], attributes: ['userName', 'emails'], filter: 'userName pr' }),
      scim('POST', '/Groups/.search', { schemas: [SEARCH_REQUEST], attributes: ['displayName'], excludedAttributes: ['members'] }),
      // A PATCH adding many values at once (quadratic add).
      scim('PATCH', '/Groups/@@G2@@', { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: Array.from({ length: 10_000 }, (_, i) => ({ value: `@@U${i % 8}@@` })) }] }),
      scim('PATCH', '/Users/@@U3@@', { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: Array.from({ length: 5_000 }, (_, i) => ({ value: `e${i}@x.example`, type: 'work' })) }] }),
      // Bulk data nested 10,000 deep; failOnErrors 0.
      scim('POST', '/Bulk', deeplyNested(10_000)),
      scim('POST', '/Bulk', { schemas: [BULK_REQUEST], failOnErrors: 0, Operations: [{ method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER], userName: 'bulk0@x.example' } }] }),
      // A flat filter of 33 or clauses.
      scim('GET', `/Users?filter=${encodeURIComponent(flatOr(33))}`),
    ];
    const problems: string[] = [];
    for (const c of cases) {
      const o = await runCase(t, c);
      if (o.problem) problems.push(describeOutcome(o, 200));
      else if (c.path.startsWith('/Users?filter=') && c.path.includes('%20or%20') && o.response!.status !== 200) problems.push(`33 or clauses refused: ${o.response!.body.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
  }, LONG);

  it('left the directory consistent', async () => {
    expect(await checkDirectory(t)).toEqual([]);
  }, LONG);
});
