import { describe, expect, it } from 'vitest';
import { canonicalJson, mappingFingerprint } from './fingerprint.ts';
import type { AttributeMappingEntry, CustomAttributeDef } from './types.ts';

const defs: CustomAttributeDef[] = [
  { name: 'department', type: 'string', required: true },
  { name: 'tier', type: 'string', required: false },
];
const mappings: AttributeMappingEntry[] = [
  { attribute: 'department', source: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', transforms: ['trim'] },
  { attribute: 'tier', source: { constant: { level: 1, name: 'gold' } }, transforms: [{ map: { a: 'A', b: 'B' }, default: 'Z' }] },
];

describe('mappingFingerprint', () => {
  it('is 16 hex characters and stable', () => {
    const fp = mappingFingerprint(defs, mappings);
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(mappingFingerprint(structuredClone(defs), structuredClone(mappings))).toBe(fp);
  });

  it('ignores key order, the order of defs and entries, origin, and entries for undefined attributes', () => {
    const fp = mappingFingerprint(defs, mappings);
    const reordered: AttributeMappingEntry[] = [
      { transforms: [{ default: 'Z', map: { b: 'B', a: 'A' } }], source: { constant: { name: 'gold', level: 1 } }, attribute: 'tier' },
      { ...mappings[0]!, origin: 'default' } as AttributeMappingEntry,
      { attribute: 'removed', source: 'title' },
    ];
    expect(mappingFingerprint([...defs].reverse(), reordered)).toBe(fp);
    expect(mappingFingerprint(defs, [{ ...mappings[0]!, transforms: [] }, mappings[1]!])).toBe(mappingFingerprint(defs, [{ attribute: mappings[0]!.attribute, source: mappings[0]!.source }, mappings[1]!]));
  });

  it('changes with anything that changes the values', () => {
    const fp = mappingFingerprint(defs, mappings);
    const variants = [
      mappingFingerprint([{ ...defs[0]!, type: 'string_list' }, defs[1]!], mappings),
      mappingFingerprint([{ ...defs[0]!, required: false }, defs[1]!], mappings),
      mappingFingerprint([...defs, { name: 'extra', type: 'number', required: false }], mappings),
      mappingFingerprint(defs, [{ ...mappings[0]!, source: 'title' }, mappings[1]!]),
      mappingFingerprint(defs, [{ ...mappings[0]!, transforms: ['trim', 'lowercase'] }, mappings[1]!]),
      mappingFingerprint(defs, [{ ...mappings[0]!, transforms: ['lowercase', 'trim'] }, mappings[1]!]),
      mappingFingerprint(defs, [mappings[0]!]),
      mappingFingerprint(defs, [mappings[0]!, { ...mappings[1]!, source: { constant: null } }]),
    ];
    expect(new Set([fp, ...variants]).size).toBe(variants.length + 1);
  });

  it('writes canonical JSON', () => {
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: undefined, e: true })).toBe('{"b":[1,{"c":"x","d":null}],"e":true}');
  });
});
