import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isObject, type Json } from '../json.ts';
import { findByName } from '../schema/resolve.ts';
import { GROUP_RESOURCE_TYPE, SCHEMAS, USER_RESOURCE_TYPE } from '../schema/definitions.ts';
import { MAX_MULTI_VALUES } from '../text.ts';
import { PATCH_OP_SCHEMA, type AttributeDef } from '../schema/types.ts';
import { MAX_PATCH_TARGETS, applyPatch } from './apply.ts';
import { valueEqualities } from './members.ts';
import { addAll, withoutListed } from './multi-valued.ts';
import type { Filter } from '../filter/ast.ts';

const userAttr = (name: string) => findByName(SCHEMAS[USER_RESOURCE_TYPE.schema]!.attributes, name)!;
const EMAILS = userAttr('emails');
const ADDRESSES = userAttr('addresses');

// ── The reference: the pairwise definition the engine used before (a scan per incoming element) ──
function comparable(def: AttributeDef | undefined, v: unknown): unknown {
  return typeof v === 'string' && def && !def.caseExact ? v.toLowerCase() : v;
}
function sameElement(def: AttributeDef, a: unknown, b: unknown): boolean {
  if (!isObject(a) || !isObject(b)) return comparable(def, a) === comparable(def, b);
  const valueDef = def.subAttributes?.find((s) => s.name === 'value');
  if (valueDef && a.value !== undefined && b.value !== undefined) {
    if (comparable(valueDef, a.value) !== comparable(valueDef, b.value)) return false;
    const typeDef = def.subAttributes?.find((s) => s.name === 'type');
    return a.type === undefined || b.type === undefined || comparable(typeDef, a.type) === comparable(typeDef, b.type);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}
function referenceAddAll(def: AttributeDef, current: unknown[], incoming: unknown[]): unknown[] {
  const out = [...current];
  let primary: Json | undefined;
  for (const item of incoming) {
    const existing = out.find((el) => sameElement(def, el, item));
    if (existing && isObject(existing) && isObject(item)) {
      Object.assign(existing, item);
      if (item.primary === true) primary = existing;
    } else if (!existing) {
      out.push(item);
      if (isObject(item) && item.primary === true) primary = item;
    }
  }
  const primaries = out.filter((el) => isObject(el) && el.primary === true) as Json[];
  if (primary && primaries.length > 1) for (const el of primaries) if (el !== primary) el.primary = false;
  return out;
}

// Few distinct values and types, in mixed case, so that duplicates, merges and untyped elements are common.
const element = fc.oneof(
  fc.record(
    {
      value: fc.constantFrom('a@x', 'A@X', 'b@x', 'c@x'),
      type: fc.constantFrom('work', 'WORK', 'home', null),
      primary: fc.boolean(),
      display: fc.constantFrom('one', 'two'),
    },
    { requiredKeys: ['value'] },
  ),
  fc.record({ display: fc.constantFrom('one', 'two'), primary: fc.boolean() }, { requiredKeys: [] }),
  fc.constantFrom('a@x', 'A@X', 'b@x'),
);
const list = fc.array(element, { maxLength: 12 });

describe('multi-valued set semantics', () => {
  it('adds exactly as the pairwise definition does: same merges, same primary', () => {
    fc.assert(
      fc.property(list, list, fc.constantFrom(EMAILS, ADDRESSES), (current, incoming, def) => {
        const expected = referenceAddAll(def, structuredClone(current), structuredClone(incoming));
        expect(addAll(def, structuredClone(current), structuredClone(incoming))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps one index across add operations with the same result as adding step by step', () => {
    fc.assert(
      fc.property(list, list, list, fc.constantFrom(EMAILS, ADDRESSES), (current, first, second, def) => {
        const expected = referenceAddAll(def, referenceAddAll(def, structuredClone(current), structuredClone(first)), structuredClone(second));
        const operations = [first, second].map((value) => ({ op: 'add', path: def.name, value }));
        const { resource } = applyPatch(USER_RESOURCE_TYPE, { [def.name]: current }, { schemas: [PATCH_OP_SCHEMA], Operations: operations });
        expect(resource[def.name] ?? []).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('removes listed values exactly as the pairwise definition does', () => {
    fc.assert(
      fc.property(list, list, (current, listed) => {
        const expected = current.filter((el) => !listed.some((l) => sameElement(EMAILS, el, l)));
        expect(withoutListed(EMAILS, current, listed)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * Linearity without a clock: every comparison of two strings lowercases them (values are case-insensitive), so
 * the number of toLowerCase calls counts the work. Doubling the input must about double it (a scan per element
 * quadruples it).
 */
describe('PATCH on a multi-valued attribute is linear', () => {
  afterEach(() => vi.restoreAllMocks());

  const emails = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}@example.com`, type: 'work' }));
  const lowercasings = (run: () => void): number => {
    const spy = vi.spyOn(String.prototype, 'toLowerCase');
    try {
      run();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };
  const patch = (held: number, operations: (n: number) => unknown[]) => (n: number) =>
    lowercasings(() => applyPatch(USER_RESOURCE_TYPE, { userName: 'u', emails: emails(held * n, 'held') }, { schemas: [PATCH_OP_SCHEMA], Operations: operations(n) }));
  const ratio = (count: (n: number) => number) => count(500) / count(250);

  it('one add of n values onto n held values', () => {
    expect(ratio(patch(1, (n) => [{ op: 'add', path: 'emails', value: emails(n, 'new') }]))).toBeLessThan(2.5);
  });

  it('n adds of one value each', () => {
    expect(ratio(patch(0, (n) => emails(n, 'new').map((e) => ({ op: 'add', path: 'emails', value: [e] }))))).toBeLessThan(2.5);
  });

  it('re-adding n held values (each merges)', () => {
    expect(ratio(patch(1, (n) => [{ op: 'add', path: 'emails', value: emails(n, 'held').map((e) => ({ ...e, value: e.value.toUpperCase() })) }]))).toBeLessThan(2.5);
  });

  it('removing n listed values from n held', () => {
    expect(ratio(patch(1, (n) => [{ op: 'remove', path: 'emails', value: emails(n, 'held') }]))).toBeLessThan(2.5);
  });

  it('keeps the newest primary and merges a re-added value', () => {
    const held = [{ value: 'a@x.com', type: 'work', primary: true }, { value: 'b@x.com', type: 'home' }];
    const { resource } = applyPatch(USER_RESOURCE_TYPE, { userName: 'u', emails: held }, {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [{ op: 'add', path: 'emails', value: [{ value: 'B@X.COM', type: 'home', primary: true, display: 'B' }, { value: 'c@x.com' }] }],
    });
    expect(resource.emails).toEqual([
      { value: 'a@x.com', type: 'work', primary: false },
      { value: 'B@X.COM', type: 'home', primary: true, display: 'B' },
      { value: 'c@x.com' },
    ]);
  });
});

describe('bounds on one PATCH', () => {
  const body = (operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations: operations });
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error as { status: number; scimType: string; message: string };
    }
    throw new Error('expected a refusal');
  };

  it(`refuses more than ${MAX_PATCH_TARGETS} attribute changes, path-less keys included, members not counted`, () => {
    const titles = (n: number) => Array.from({ length: n }, () => ({ op: 'replace', path: 'title', value: 't' }));
    expect(applyPatch(USER_RESOURCE_TYPE, { userName: 'u' }, body(titles(MAX_PATCH_TARGETS))).resource.title).toBe('t');
    expect(refusal(() => applyPatch(USER_RESOURCE_TYPE, { userName: 'u' }, body(titles(MAX_PATCH_TARGETS + 1))))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    const keys = Object.fromEntries(Array.from({ length: MAX_PATCH_TARGETS + 1 }, (_, i) => [`emails[value eq "e${i}"].display`, 'x']));
    expect(refusal(() => applyPatch(USER_RESOURCE_TYPE, { userName: 'u' }, body([{ op: 'add', value: keys }])))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    const members = Array.from({ length: 2000 }, (_, i) => ({ op: 'add', path: 'members', value: [{ value: `u${i}` }] }));
    expect(applyPatch(GROUP_RESOURCE_TYPE, { displayName: 'g' }, body(members)).memberOps).toHaveLength(2000);
  });

  it(`refuses a multi-valued attribute past ${MAX_MULTI_VALUES} values at the operation that grows it`, () => {
    const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `e${i}@x.com` }));
    expect(applyPatch(USER_RESOURCE_TYPE, { userName: 'u' }, body([{ op: 'add', path: 'emails', value: emails(MAX_MULTI_VALUES) }])).resource.emails).toHaveLength(MAX_MULTI_VALUES);
    const error = refusal(() => applyPatch(USER_RESOURCE_TYPE, { userName: 'u' }, body([{ op: 'add', path: 'emails', value: emails(10_000) }])));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(error.message).toContain('"emails" holds more than 1000 values');
  });
});

describe('member value lists', () => {
  it('reads a chain of 100,000 `value eq` terms without recursion', () => {
    const term = (i: number): Filter => ({ kind: 'compare', op: 'eq', path: { attr: 'value' }, value: `u${i}` });
    let filter = term(0);
    for (let i = 1; i < 100_000; i++) filter = { kind: 'or', left: filter, right: term(i) };
    const ids = valueEqualities(filter)!;
    expect(ids).toHaveLength(100_000);
    expect(ids.slice(0, 2)).toEqual(['u0', 'u1']);
    expect(ids.at(-1)).toBe('u99999');
    expect(valueEqualities({ kind: 'or', left: term(1), right: { kind: 'present', path: { attr: 'value' } } })).toBeUndefined();
  });
});
