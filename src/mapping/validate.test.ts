import { describe, expect, it } from 'vitest';
import { ENTERPRISE } from './fixtures.ts';
import type { CustomAttributeDef } from './types.ts';
import { parseAttributeMapping, parseCustomAttributeInput, parseRoleInput } from './validate.ts';

const defs: CustomAttributeDef[] = [
  { name: 'department', type: 'string', required: false },
  { name: 'headcount', type: 'number', required: false },
  { name: 'tags', type: 'string_list', required: false },
];

const codes = (result: { ok: boolean; errors?: { field: string; code: string }[] }) => (result.ok ? [] : result.errors!.map((e) => [e.field, e.code]));

describe('parseAttributeMapping', () => {
  it('accepts a valid body and keeps only the entry fields', () => {
    const body = {
      object: 'attribute_mapping',
      mappings: [
        { attribute: 'department', source: `${ENTERPRISE}:department`, transforms: ['trim', { map: { eng: 'Engineering' }, default: null }], origin: 'custom' },
        { attribute: 'headcount', source: { constant: 12 } },
        { attribute: 'tags', source: 'emails.value', transforms: [] },
      ],
    };
    expect(parseAttributeMapping(body, defs)).toEqual({
      ok: true,
      mappings: [
        { attribute: 'department', source: `${ENTERPRISE}:department`, transforms: ['trim', { map: { eng: 'Engineering' }, default: null }] },
        { attribute: 'headcount', source: { constant: 12 } },
        { attribute: 'tags', source: 'emails.value' },
      ],
    });
    expect(parseAttributeMapping({ mappings: [] }, defs)).toEqual({ ok: true, mappings: [] });
    expect(parseAttributeMapping({ mappings: [{ attribute: 'department', source: { constant: null } }] }, defs)).toEqual({ ok: true, mappings: [{ attribute: 'department', source: { constant: null } }] });
  });

  it('refuses a body that is not {mappings: […]}', () => {
    expect(codes(parseAttributeMapping([], defs))).toEqual([['body', 'invalid_type']]);
    expect(codes(parseAttributeMapping({}, defs))).toEqual([['mappings', 'required']]);
    expect(codes(parseAttributeMapping({ mappings: {} }, defs))).toEqual([['mappings', 'invalid_type']]);
    const many = Array.from({ length: 201 }, () => ({ attribute: 'department', source: 'title' }));
    expect(codes(parseAttributeMapping({ mappings: many }, defs))).toEqual([['mappings', 'too_many']]);
  });

  it('names each problem by its field, all at once', () => {
    const result = parseAttributeMapping(
      {
        mappings: [
          'department',
          { source: 'title' },
          { attribute: 7, source: 'title' },
          { attribute: 'nope', source: 'title' },
          { attribute: 'department', source: 'title' },
          { attribute: 'department', source: 'displayName' },
          { attribute: 'headcount', source: 'emails[type eq' },
          { attribute: 'tags' },
          { attribute: 'tags', source: 'userName', transforms: ['reverse'], extra: 1 },
        ],
      },
      defs,
    );
    expect(codes(result)).toEqual([
      ['mappings[0]', 'invalid_type'],
      ['mappings[1].attribute', 'required'],
      ['mappings[2].attribute', 'invalid_type'],
      ['mappings[3].attribute', 'unknown_attribute'],
      ['mappings[5].attribute', 'duplicate_attribute'],
      ['mappings[6].source', 'invalid_path'],
      ['mappings[7].source', 'required'],
      ['mappings[8].extra', 'unknown_field'],
      ['mappings[8].attribute', 'duplicate_attribute'],
      ['mappings[8].transforms[0]', 'invalid_transform'],
    ]);
  });

  it('bounds sources: path length, constant size, source shape', () => {
    expect(codes(parseAttributeMapping({ mappings: [{ attribute: 'department', source: `a${'b'.repeat(512)}` }] }, defs))).toEqual([['mappings[0].source', 'too_long']]);
    expect(codes(parseAttributeMapping({ mappings: [{ attribute: 'department', source: { constant: 'x'.repeat(4097) } }] }, defs))).toEqual([['mappings[0].source.constant', 'too_long']]);
    expect(codes(parseAttributeMapping({ mappings: [{ attribute: 'department', source: { constant: 'x'.repeat(4000) } }] }, defs))).toEqual([]);
    expect(codes(parseAttributeMapping({ mappings: [{ attribute: 'department', source: { value: 'x' } }] }, defs))).toEqual([['mappings[0].source', 'invalid_type']]);
    expect(codes(parseAttributeMapping({ mappings: [{ attribute: 'department', source: { constant: 'x', extra: 1 } }] }, defs))).toEqual([['mappings[0].source', 'invalid_type']]);
    expect(codes(parseAttributeMapping({ mappings: [{ attribute: 'department', source: 42 }] }, defs))).toEqual([['mappings[0].source', 'invalid_type']]);
  });

  it('refuses NUL anywhere: attribute, path, constant (keys too), transforms', () => {
    const one = (entry: unknown) => codes(parseAttributeMapping({ mappings: [entry] }, defs));
    expect(one({ attribute: 'depart\u0000ment', source: 'title' })).toEqual([['mappings[0].attribute', 'invalid_value']]);
    expect(one({ attribute: 'department', source: 'title\u0000' })).toEqual([['mappings[0].source', 'invalid_value']]);
    expect(one({ attribute: 'department', source: 'emails[type eq "w\u0000"].value' })).toEqual([['mappings[0].source', 'invalid_value']]);
    expect(one({ attribute: 'department', source: { constant: { 'k\u0000': 'v' } } })).toEqual([['mappings[0].source.constant', 'invalid_value']]);
    expect(one({ attribute: 'department', source: { constant: ['a', ['\u0000']] } })).toEqual([['mappings[0].source.constant', 'invalid_value']]);
    expect(one({ attribute: 'department', source: 'title', transforms: [{ join: '\u0000' }] })).toEqual([['mappings[0].transforms[0].join', 'invalid_value']]);
  });

  it('refuses a constant that can never fit its attribute, after the transforms', () => {
    const one = (entry: unknown) => codes(parseAttributeMapping({ mappings: [entry] }, defs));
    expect(one({ attribute: 'headcount', source: { constant: 'many' } })).toEqual([['mappings[0].source', 'type_mismatch']]);
    expect(one({ attribute: 'headcount', source: { constant: 'many' }, transforms: [{ map: { many: 100 } }] })).toEqual([]);
    expect(one({ attribute: 'headcount', source: { constant: '12' } })).toEqual([]);
    expect(one({ attribute: 'tags', source: { constant: 'a;b' }, transforms: [{ split: ';' }] })).toEqual([]);
  });

  it('refuses a constant nested too deep', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(codes(parseAttributeMapping({ mappings: [{ attribute: 'department', source: { constant: deep } }] }, defs))).toEqual([['mappings[0].source.constant', 'too_deep']]);
  });
});

describe('parseCustomAttributeInput', () => {
  it('accepts a valid attribute, with defaults', () => {
    expect(parseCustomAttributeInput({ name: 'cost_center', type: 'string' })).toEqual({ ok: true, attribute: { name: 'cost_center', type: 'string', required: false, description: null } });
    expect(parseCustomAttributeInput({ name: 'tags', type: 'string_list', required: true, description: 'Skills' })).toEqual({
      ok: true,
      attribute: { name: 'tags', type: 'string_list', required: true, description: 'Skills' },
    });
    expect(parseCustomAttributeInput({ name: 'a', type: 'object', description: '' })).toMatchObject({ ok: true, attribute: { description: null } });
  });

  it('refuses each bad field', () => {
    expect(codes(parseCustomAttributeInput(null))).toEqual([['body', 'invalid_type']]);
    expect(codes(parseCustomAttributeInput({}))).toEqual([['name', 'required'], ['type', 'required']]);
    expect(codes(parseCustomAttributeInput({ name: 'CostCenter', type: 'text' }))).toEqual([['name', 'invalid_format'], ['type', 'invalid_value']]);
    for (const name of ['1abc', '_a', 'a-b', 'a b', 'é']) expect(codes(parseCustomAttributeInput({ name, type: 'string' })), name).toEqual([['name', 'invalid_format']]);
    expect(codes(parseCustomAttributeInput({ name: `a${'b'.repeat(63)}`, type: 'string' }))).toEqual([]);
    expect(codes(parseCustomAttributeInput({ name: `a${'b'.repeat(64)}`, type: 'string' }))).toEqual([['name', 'too_long']]);
    expect(codes(parseCustomAttributeInput({ name: 'a', type: 'string', required: 'yes' }))).toEqual([['required', 'invalid_type']]);
    expect(codes(parseCustomAttributeInput({ name: 'a', type: 'string', description: 'x'.repeat(501) }))).toEqual([['description', 'too_long']]);
    expect(codes(parseCustomAttributeInput({ name: 'a', type: 'string', description: 'a\u0000b' }))).toEqual([['description', 'invalid_value']]);
    expect(codes(parseCustomAttributeInput({ name: 'a', type: 'string', requried: true }))).toEqual([['requried', 'unknown_field']]);
  });
});

describe('parseRoleInput', () => {
  it('accepts a role to create, default false when absent', () => {
    expect(parseRoleInput({ slug: 'admin', name: 'Admin', priority: 100 }, false)).toEqual({ ok: true, role: { slug: 'admin', name: 'Admin', priority: 100, default: false } });
    expect(parseRoleInput({ slug: 'read-only_2', name: 'Read only', priority: -1_000_000, default: true }, false)).toEqual({
      ok: true,
      role: { slug: 'read-only_2', name: 'Read only', priority: -1_000_000, default: true },
    });
  });

  it('accepts a partial update, and refuses a change of slug', () => {
    expect(parseRoleInput({ priority: 5 }, true)).toEqual({ ok: true, role: { priority: 5 } });
    expect(parseRoleInput({}, true)).toEqual({ ok: true, role: {} });
    expect(codes(parseRoleInput({ slug: 'new' }, true))).toEqual([['slug', 'immutable']]);
  });

  it('refuses each bad field', () => {
    expect(codes(parseRoleInput({}, false))).toEqual([['slug', 'required'], ['name', 'required'], ['priority', 'required']]);
    expect(codes(parseRoleInput({ slug: 'Admin', name: 'x', priority: 1 }, false))).toEqual([['slug', 'invalid_format']]);
    expect(codes(parseRoleInput({ slug: '-admin', name: 'x', priority: 1 }, false))).toEqual([['slug', 'invalid_format']]);
    expect(codes(parseRoleInput({ slug: 'a'.repeat(65), name: 'x', priority: 1 }, false))).toEqual([['slug', 'too_long']]);
    expect(codes(parseRoleInput({ slug: 'a', name: '  ', priority: 1 }, false))).toEqual([['name', 'required']]);
    expect(codes(parseRoleInput({ slug: 'a', name: 'x'.repeat(101), priority: 1 }, false))).toEqual([['name', 'too_long']]);
    expect(codes(parseRoleInput({ slug: 'a', name: 'x', priority: 1.5 }, false))).toEqual([['priority', 'invalid_type']]);
    expect(codes(parseRoleInput({ slug: 'a', name: 'x', priority: '1' }, false))).toEqual([['priority', 'invalid_type']]);
    expect(codes(parseRoleInput({ slug: 'a', name: 'x', priority: 1_000_001 }, false))).toEqual([['priority', 'out_of_range']]);
    expect(codes(parseRoleInput({ slug: 'a', name: 'x', priority: 1, default: 'true' }, false))).toEqual([['default', 'invalid_type']]);
    expect(codes(parseRoleInput({ name: 'x', colour: 'red' }, true))).toEqual([['colour', 'unknown_field']]);
  });
});
