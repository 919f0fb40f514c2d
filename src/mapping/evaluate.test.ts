import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitsType } from './coerce.ts';
import { compileMapping } from './evaluate.ts';
import { compileSource } from './paths.ts';
import { compileTransforms } from './transforms.ts';
import { ENTERPRISE, ENTRA_CUSTOM, OKTA_CUSTOM, entraFlatUser, entraUser, googleUser, oktaUser } from './fixtures.ts';
import { ATTRIBUTE_TYPES, type AttributeMappingEntry, type CustomAttributeDef, type Transform } from './types.ts';

const defs: CustomAttributeDef[] = [
  { name: 'department', type: 'string', required: true },
  { name: 'cost_center', type: 'string', required: false },
  { name: 'employee_number', type: 'number', required: false },
  { name: 'emails', type: 'string_list', required: false },
  { name: 'manager', type: 'object', required: false },
  { name: 'is_contractor', type: 'boolean', required: true },
  { name: 'tier', type: 'string', required: false },
];

const mappings: AttributeMappingEntry[] = [
  { attribute: 'department', source: `${ENTERPRISE}:department`, transforms: ['lowercase'] },
  { attribute: 'cost_center', source: `${ENTRA_CUSTOM}:costCenter` },
  { attribute: 'employee_number', source: `${ENTERPRISE}:employeeNumber` },
  { attribute: 'emails', source: 'emails.value' },
  { attribute: 'manager', source: `${ENTERPRISE}:manager` },
  { attribute: 'is_contractor', source: `${OKTA_CUSTOM}:contractor` },
  { attribute: 'not_defined', source: 'userName' },
];

describe('compileMapping', () => {
  it('maps an Entra user, fitting each value to its type', () => {
    const evaluate = compileMapping(defs, mappings);
    expect(evaluate(entraUser)).toEqual({
      values: {
        department: 'sales',
        cost_center: 'Retail-EMEA',
        employee_number: 701984,
        emails: ['Test_User_fd0ea19b@testuser.com'],
        manager: { value: 'mgr-objectid' },
        is_contractor: null,
        tier: null,
      },
      warnings: [{ attribute: 'is_contractor', code: 'missing_required' }],
    });
    expect(evaluate.errors).toEqual([]);
  });

  it('maps an Okta user; a value of the wrong type is null', () => {
    const evaluate = compileMapping(defs, [...mappings, { attribute: 'tier', source: { constant: 'gold' } }]);
    expect(evaluate(oktaUser)).toEqual({
      values: {
        department: 'engineering',
        cost_center: null,
        employee_number: 1042,
        emails: ['test.user@okta.local', 'test.user@example.org'],
        manager: { value: '00u1mgr', displayName: 'Pat Boss' },
        is_contractor: false,
        tier: 'gold',
      },
      warnings: [],
    });
  });

  it('maps a Google user and an Entra user with URN-qualified top-level keys', () => {
    const evaluate = compileMapping(defs, mappings);
    expect(evaluate(googleUser).values).toMatchObject({ department: 'writing', employee_number: null, emails: ['liz@acme.example', 'liz.lemon@acme.example'] });
    expect(evaluate(entraFlatUser).values).toMatchObject({ department: 'marketing', cost_center: 'Retail-US', manager: null });
  });

  it('lists warnings in the order of the defs', () => {
    const evaluate = compileMapping(defs, []);
    expect(evaluate({}).warnings).toEqual([
      { attribute: 'department', code: 'missing_required' },
      { attribute: 'is_contractor', code: 'missing_required' },
    ]);
    expect(Object.keys(evaluate({}).values)).toEqual(defs.map((d) => d.name));
  });

  it('maps a stored entry that no longer compiles to null and lists it, without throwing', () => {
    const evaluate = compileMapping(defs, [
      { attribute: 'department', source: 'emails[type eq' },
      { attribute: 'tier', source: 'userName', transforms: ['reverse' as Transform] },
    ]);
    expect(evaluate.errors.map((e) => [e.field, e.code])).toEqual([
      ['mappings[0].source', 'invalid_path'],
      ['mappings[1].transforms[0]', 'invalid_transform'],
    ]);
    expect(evaluate(entraUser).values).toMatchObject({ department: null, tier: null });
  });

  it('survives stored entries of the wrong shape', () => {
    const evaluate = compileMapping(defs, [
      { attribute: 'department', source: null as unknown as string },
      { attribute: 'tier', source: { value: 'x' } as unknown as string, transforms: 'trim' as unknown as Transform[] },
    ]);
    expect(evaluate.errors.map((e) => [e.field, e.code])).toEqual([
      ['mappings[0].source', 'invalid_type'],
      ['mappings[1].source', 'invalid_type'],
      ['mappings[1].transforms', 'invalid_type'],
    ]);
    expect(evaluate(entraUser).values).toMatchObject({ department: null, tier: null });
  });

  it('uses the first entry for an attribute mapped twice', () => {
    const evaluate = compileMapping(defs, [
      { attribute: 'tier', source: { constant: 'first' } },
      { attribute: 'tier', source: { constant: 'second' } },
    ]);
    expect(evaluate({}).values.tier).toBe('first');
  });

  it('does not share a constant object between users', () => {
    const evaluate = compileMapping([{ name: 'meta', type: 'object', required: false }], [{ attribute: 'meta', source: { constant: { a: 1 } } }]);
    const first = evaluate({}).values.meta as { a: number };
    first.a = 2;
    expect(evaluate({}).values.meta).toEqual({ a: 1 });
  });
});

const PATHS = [
  'userName',
  'name.givenName',
  'emails',
  'emails.value',
  'emails[type eq "work"].value',
  'phoneNumbers[type eq "mobile" and primary eq true].value',
  'addresses[type eq "work"].locality',
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:manager`,
  `${OKTA_CUSTOM}:costCenter`,
  'a',
  'a.b',
  'a[b eq 1].c',
];

const transform: fc.Arbitrary<Transform> = fc.oneof(
  fc.constantFrom<Transform>('lowercase', 'uppercase', 'trim', 'first'),
  fc.string({ minLength: 1, maxLength: 3 }).map((split) => ({ split })),
  fc.string({ minLength: 1, maxLength: 3 }).map((join) => ({ join })),
  fc.record({ map: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })), default: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ['map'] }),
);

/** Resources that reach the paths above with values of any shape, and plain arbitrary JSON. */
const resource = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.constantFrom('userName', 'name', 'emails', 'phoneNumbers', 'addresses', ENTERPRISE, OKTA_CUSTOM, `${ENTERPRISE}:department`, 'a', 'A'), fc.jsonValue({ maxDepth: 4 })),
  fc.constantFrom<unknown>(entraUser, entraFlatUser, oktaUser, googleUser),
);

describe('compileMapping, property', () => {
  it('never throws; every def has a value that fits its type or is null; warnings match the nulls', () => {
    const attribute = fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), type: fc.constantFrom(...ATTRIBUTE_TYPES), required: fc.boolean() });
    const entry = (names: string[]) =>
      fc.record(
        {
          attribute: fc.constantFrom(...names, 'undefined_attr'),
          source: fc.oneof(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 3 }).map((constant) => ({ constant }))),
          transforms: fc.array(transform, { maxLength: 4 }),
        },
        { requiredKeys: ['attribute', 'source'] },
      );
    const scenario = fc
      .uniqueArray(attribute, { minLength: 1, maxLength: 6, selector: (a) => a.name })
      .chain((defs) => fc.tuple(fc.constant(defs), fc.array(entry(defs.map((d) => d.name)), { maxLength: 8 }), fc.array(resource, { minLength: 1, maxLength: 5 })));
    fc.assert(
      fc.property(scenario, ([defs, entries, resources]) => {
        const evaluate = compileMapping(defs, entries);
        expect(evaluate.errors).toEqual([]);
        for (const r of resources) {
          const { values, warnings } = evaluate(r);
          expect(Object.keys(values)).toEqual(defs.map((d) => d.name));
          for (const def of defs) expect(fitsType(values[def.name], def.type)).toBe(true);
          expect(warnings).toEqual(defs.filter((d) => d.required && values[d.name] === null).map((d) => ({ attribute: d.name, code: 'missing_required' })));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('sources and transforms themselves never throw (the guard in evaluation is only a guard)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.array(transform, { maxLength: 4 }), resource, (path, transforms, r) => {
        const source = compileSource(path);
        const fn = compileTransforms(transforms);
        if (!source.ok || !fn.ok) throw new Error('compile');
        fn.value(source.value(r));
      }),
      { numRuns: 500 },
    );
  });
});
