/**
 * Property tests through HTTP on a real socket, on the run's database: filters (grammar-built, then mutated
 * with hostile pieces) in GET lists and .search bodies, list parameters, and the management API's queries
 * and bodies. Every answer is below 500 and well-formed; afterwards the directory is consistent.
 * Seeds are fixed (GUESTLIST_FUZZ_SEED to change); a failure prints the seed, the path and the smallest request.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterCase, flatOr, listCase, managementCase, searchCase } from './lib/arbitraries.ts';
import { assertWellAnswered, BASE_SEED } from './lib/property.ts';
import { checkDirectory, request, startTarget, type Target } from './lib/server.ts';

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t?.close());

const LONG = 240_000;

describe('fuzz: queries', () => {
  it('filters in GET lists and .search bodies', () => assertWellAnswered(t, filterCase, { numRuns: 250, seedOffset: 1 }), LONG);

  it('list parameters and SearchRequest bodies', () => assertWellAnswered(t, fc.oneof(listCase, searchCase), { numRuns: 100, seedOffset: 2 }), LONG);

  it('the management API: list queries and JSON bodies', () => assertWellAnswered(t, managementCase, { numRuns: 80, seedOffset: 3 }), LONG);

  it('a flat disjunction of up to 200 comparisons is accepted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), fc.constantFrom('userName', 'externalId', 'emails.value', 'displayName'), async (n, attr) => {
        const filter = flatOr(n).replace(/userName/g, attr);
        const res = await request(t, 'scim', 'GET', `/Users?count=1&filter=${encodeURIComponent(filter)}`);
        expect(res.status, `${n} clauses on ${attr}: ${res.body.slice(0, 300)}`).toBe(200);
      }),
      { seed: BASE_SEED + 4, numRuns: 25, examples: [[33, 'userName'], [200, 'emails.value']] },
    );
  }, LONG);

  it('left the directory consistent', async () => {
    expect(await checkDirectory(t)).toEqual([]);
  }, LONG);
});
