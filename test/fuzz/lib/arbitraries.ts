/**
 * Grammar-aware fast-check generators for SCIM traffic: filters (RFC 7644 §3.4.2.2), PATCH paths and bodies
 * (with the IdP dialects of docs/dialects.md), User/Enterprise/Group resource bodies with right and wrong types,
 * Bulk requests with bulkId references, list query strings, and management API queries and bodies. Each valid
 * form is then mutated with hostile pieces (NUL and other C0 characters, lone surrogates, very long strings,
 * deep nesting, unicode).
 *
 * Ids of live resources are not known when a case is generated, so cases carry placeholders (`@@U3@@` for the
 * fourth seeded user, `@@G0@@` for the first group) that the runner replaces just before sending.
 */
import fc from 'fast-check';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** One HTTP request. `body` is already serialized (a string, or bytes for invalid UTF-8). */
export interface Case {
  api: 'scim' | 'management';
  method: string;
  /** Relative to the directory's SCIM base (`/Users?…`) or to the server root for the management API. */
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------
// Hostile strings

/** Single pieces that have broken parsers, databases or encoders somewhere. */
export const HOSTILE_PIECES = [
  '\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', '\u0085', '\u00a0',
  '\u2028', '\u2029', '\ufeff', '\ufffd', '\ufffe', '\uffff', '\ud800', '\udfff', '\udbff', '\udc00x', '\ud83d\ude00',
  'e\u0301', '\u202e', 'İ', 'ı', 'ß', 'ﬁ', 'Σς', 'Ⅻ', 'K', '"', '\\', "'", '`', '%', '%00', '%zz', '%ED%A0%80',
  '+', '&', '=', '#', '?', '/', '..', '[', ']', '(', ')', '.', ':', ',', ' ', '*', '_', '$', '{', '}', ';', '--',
  "' or 1=1 --", '$ne', '\\u0000', 'null', 'true', '__proto__', 'constructor', 'prototype', 'toString',
  'bulkId:', 'bulkId:a', 'urn:', 'eq', 'or', 'and', 'not', 'pr',
] as const;

const LONG_LENGTHS = [64, 255, 256, 257, 511, 512, 513, 1024, 2049, 2731, 8192, 40_000] as const;

/** A long string of one repeated unit; lengths straddle the PostgreSQL index limits and ours. */
export const longString = fc
  .tuple(fc.constantFrom(...LONG_LENGTHS), fc.constantFrom('x', 'é', '\ud83d\ude00', 'a@b.c', '\u0000', 'ab\ud800', ' '))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

const piecesString = fc.array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));

export const realisticString = fc.oneof(
  fc.constantFrom('bjensen@example.com', 'Barbara Jensen', 'work', 'home', 'other', 'Engineering', 'en-US', 'America/Los_Angeles',
    '2020-01-01T00:00:00Z', '12345', 'True', 'False', 'true', '', ' ', 'x', 'Ms.', 'III', '+1 555 0100', 'https://example.com/a.png',
    'Zoë Ångström', 'Łukasz Żółć', '山田太郎', 'محمد', '👩‍💻', 'a+tag@example.com', 'O\'Brien', 'Ann "Nan" Lee', 'a\\b', '100%', 'x&y=z'),
  fc.emailAddress(),
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
);

/** Strings a real IdP might send: mostly plain, sometimes unicode, rarely very long (no control characters). */
export const cleanString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: realisticString, weight: 60 },
  { arbitrary: longString.filter((s) => !/[\u0000-\u001f\ud800-\udfff]/.test(s.replace(/\ud83d\ude00/g, ''))), weight: 1 },
);

/** Strings from plain to poisonous (for ids in URLs and for whole-value replacement). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 20 }), weight: 1 },
  { arbitrary: piecesString, weight: 3 },
  { arbitrary: longString, weight: 1 },
  // A plausible value with one poisonous piece spliced into it.
  { arbitrary: fc.tuple(realisticString, fc.constantFrom(...HOSTILE_PIECES), fc.nat()).map(([s, p, at]) => splice(s, p, at)), weight: 3 },
);

/** `arb` one time in `oneIn`, else null. */
export function sometimes<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: oneIn - 1 }, { arbitrary: arb, weight: 1 });
}

/**
 * One poison per case, not one per value (a body whose every value is hostile is refused at its first value
 * and tests nothing else): with probability 1/oneIn, one string (value or key) somewhere in the JSON gets a
 * hostile piece spliced in, or is replaced by a hostile string, or one value is replaced by a wrong-typed one.
 */
export function poisoned<T>(arb: fc.Arbitrary<T>, oneIn = 4): fc.Arbitrary<T> {
  const poison = fc.tuple(fc.nat(), fc.constantFrom('splice', 'splice', 'replace', 'key', 'type'), fc.constantFrom(...HOSTILE_PIECES), hostileString, fc.constantFrom<unknown>(null, 1, -1.5, true, 'True', [], {}, [null], 1e308, ''));
  return fc.tuple(arb, sometimes(poison, oneIn)).map(([value, p]) => (p === null ? value : (poisonAt(value, p) as T)));
}

function poisonAt(value: unknown, [n, mode, piece, replacement, wrong]: [number, string, string, string, unknown]): unknown {
  const slots: Array<(v: unknown) => void> = [];
  const copy = (v: unknown, set: (x: unknown) => void): unknown => {
    if (typeof v === 'string') slots.push(set);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      v.forEach((x, i) => out.push(copy(x, (y) => (out[i] = y))));
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = copy(x, (y) => (out[k] = y));
      if (mode === 'key') slots.push(() => {
        const keep = out[k];
        delete out[k];
        out[splice(k, piece, n)] = keep;
      });
    }
    if (mode === 'type') for (const k of Object.keys(out)) slots.push(() => (out[k] = wrong));
    return out;
  };
  let root: unknown;
  root = copy(value, (y) => (root = y));
  if (slots.length === 0) return root;
  let current: string | undefined;
  // The setter for a string slot needs the old string for splicing: find it again by re-walking.
  const strings: string[] = [];
  const collect = (v: unknown) => {
    if (typeof v === 'string') strings.push(v);
    else if (v !== null && typeof v === 'object') for (const x of Array.isArray(v) ? v : Object.values(v)) collect(x);
  };
  collect(root);
  const slot = n % slots.length;
  current = mode === 'key' || mode === 'type' ? undefined : strings[slot];
  const next = mode === 'replace' ? replacement : splice(current ?? '', piece, Math.floor(n / slots.length));
  slots[slot]!(next);
  return root;
}

export function splice(text: string, piece: string, at: number): string {
  const i = text.length === 0 ? 0 : at % (text.length + 1);
  return text.slice(0, i) + piece + text.slice(i);
}

/** Ids: placeholders of live users and groups, a deleted-looking id, or hostile text. */
export const userRef = fc.nat({ max: 7 }).map((i) => `@@U${i}@@`);
export const groupRef = fc.nat({ max: 3 }).map((i) => `@@G${i}@@`);
export const anyId = fc.oneof(
  { arbitrary: userRef, weight: 4 },
  { arbitrary: groupRef, weight: 2 },
  { arbitrary: fc.constantFrom('directory_user_00000000000000000000000000', 'directory_group_0', '1', '', 'bulkId:a', '@@D@@'), weight: 1 },
  { arbitrary: hostileString, weight: 1 },
);

// ---------------------------------------------------------------------------------------------------------
// Attribute paths (filters, PATCH paths, sortBy, attributes)

const USER_ATTRS = [
  'userName', 'name', 'name.formatted', 'name.familyName', 'name.givenName', 'name.middleName', 'name.honorificPrefix',
  'name.honorificSuffix', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale',
  'timezone', 'active', 'password', 'emails', 'emails.value', 'emails.type', 'emails.primary', 'emails.display',
  'phoneNumbers', 'phoneNumbers.value', 'phoneNumbers.type', 'ims.value', 'photos.value', 'addresses',
  'addresses.streetAddress', 'addresses.locality', 'addresses.region', 'addresses.postalCode', 'addresses.country',
  'addresses.type', 'addresses.formatted', 'addresses.primary', 'groups', 'groups.value', 'groups.display',
  'entitlements.value', 'roles', 'roles.value', 'roles.primary', 'x509Certificates.value', 'externalId', 'id',
  'meta', 'meta.created', 'meta.lastModified', 'meta.resourceType', 'meta.version', 'meta.location', 'schemas',
];
const ENTERPRISE_ATTRS = ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager', 'manager.value', 'manager.displayName', 'manager.$ref'];
const GROUP_ATTRS = ['displayName', 'members', 'members.value', 'members.display', 'members.type', 'members.$ref', 'externalId', 'id', 'meta.created', 'meta.lastModified'];
const ODD_ATTRS = ['USERNAME', 'Emails.Value', 'nope', 'name.nope', 'a-b_c9', '__proto__', 'constructor.prototype', 'emails.value.value', '$ref', 'x'];
const URNS = [
  USER, ENTERPRISE, GROUP,
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user', // case variant
  'urn:ietf:params:scim:schemas:extension:Enterprise:2.0:User',
  'urn:ietf:params:scim:schemas:extension:enterprise:2_0:User', // punctuation variant (Q8)
  'urn:ietf:params:scim:schemas:core:2.0', 'urn:x:y', 'urn:',
];

const plainAttr = fc.oneof(
  { arbitrary: fc.constantFrom(...USER_ATTRS), weight: 12 },
  { arbitrary: fc.constantFrom(...GROUP_ATTRS), weight: 1 },
  { arbitrary: fc.constantFrom(...ODD_ATTRS), weight: 1 },
);

/** An attribute path: plain, URN-qualified, sub-attribute, or an enterprise one under its URN. */
export const attrPath: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: plainAttr, weight: 6 },
  { arbitrary: fc.constantFrom(...ENTERPRISE_ATTRS).map((a) => `${ENTERPRISE}:${a}`), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom(...URNS), fc.oneof(plainAttr, fc.constantFrom(...ENTERPRISE_ATTRS))).map(([u, a]) => `${u}:${a}`), weight: 2 },
  { arbitrary: fc.constantFrom(...ENTERPRISE_ATTRS), weight: 1 },
);

/** Group attribute paths, sometimes URN-qualified, rarely odd. */
export const groupAttrPath: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...GROUP_ATTRS), weight: 12 },
  { arbitrary: fc.constantFrom(...GROUP_ATTRS).map((a) => `${GROUP}:${a}`), weight: 2 },
  { arbitrary: fc.constantFrom(...ODD_ATTRS, 'userName', 'emails.value'), weight: 1 },
);

const MULTI = ['emails', 'phoneNumbers', 'addresses', 'roles', 'members', 'groups', 'ims', 'photos', 'entitlements', 'x509Certificates', 'manager', `${ENTERPRISE}:manager`, 'name'];
const SUBS = ['value', 'type', 'primary', 'display', 'locality', '$ref', 'nope'];

// ---------------------------------------------------------------------------------------------------------
// Filters

const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
const opCase = fc.tuple(fc.constantFrom(...OPS), fc.constantFrom('lower', 'upper', 'mixed')).map(([op, c]) =>
  c === 'lower' ? op : c === 'upper' ? op.toUpperCase() : op[0]!.toUpperCase() + op.slice(1));

/** A comparison value as filter text: JSON strings (escaped the JSON way), numbers, literals, bare words. */
export const filterValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: cleanString.map((s) => JSON.stringify(s)), weight: 6 },
  { arbitrary: fc.constantFrom('true', 'false', 'null', '0', '-1', '3.14', '1e3', '1e400', '-0', '99999999999999999999', '"2020-01-01T00:00:00Z"', '2015-10-10T14:38:21-07:00'), weight: 2 },
  { arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map(String), weight: 1 },
  { arbitrary: userRef.map((r) => `"${r}"`), weight: 2 },
  // Bare words (Q10: Entra's unquoted values) and broken quoting.
  { arbitrary: fc.constantFrom('jyoung', 'bjensen@example.com', '"unterminated', '"a\\"b"', '"\\u0000"', '"\\ud800"', "'single'", '""', '"\\x"'), weight: 1 },
);

function comparison(attr: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.tuple(attr, opCase, filterValue).map(([a, op, v]) => `${a} ${op} ${v}`), weight: 5 },
    { arbitrary: attr.map((a) => `${a} pr`), weight: 1 },
  );
}

/** The filter grammar, recursively: or, and, not, grouping, value paths, Entra's `emails[…].value eq …`. */
const filterGrammar = (attr: fc.Arbitrary<string>, multi: string[]) => fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: comparison(attr), weight: 6 },
    { arbitrary: fc.tuple(tie('filter'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('filter')).map(([a, op, b]) => `${a} ${op} ${b}`), weight: 2 },
    { arbitrary: tie('filter').map((f) => `not (${f})`), weight: 1 },
    { arbitrary: tie('filter').map((f) => `(${f})`), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...multi), comparison(fc.constantFrom(...SUBS)), fc.constantFrom('and', 'or'), comparison(fc.constantFrom(...SUBS))).map(([a, f, op, g]) => `${a}[${f} ${op} ${g}]`), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...multi), tie('filter')).map(([a, f]) => `${a}[${f}]`), weight: 1 },
    {
      arbitrary: fc.tuple(fc.constantFrom(...multi), comparison(fc.constantFrom(...SUBS)), fc.constantFrom(...SUBS), opCase, filterValue)
        .map(([a, inner, sub, op, v]) => `${a}[${inner}].${sub} ${op} ${v}`),
      weight: 1,
    },
  ),
})).filter;

export const filterText: fc.Arbitrary<string> = filterGrammar(attrPath, MULTI.filter((m) => m !== 'members'));
export const groupFilterText: fc.Arbitrary<string> = filterGrammar(groupAttrPath, ['members', 'members', 'emails']);

/** What IdPs actually send before a create: exact lookups. */
export const idpLookup = fc.oneof(
  fc.tuple(fc.constantFrom('userName', 'externalId', 'id', 'displayName', 'emails.value'), fc.oneof(cleanString, userRef)).map(([a, v]) => `${a} eq ${JSON.stringify(v)}`),
  fc.tuple(fc.constantFrom('work', 'home'), cleanString).map(([t, v]) => `emails[type eq "${t}"].value eq ${JSON.stringify(v)}`),
  fc.tuple(userRef, groupRef).map(([u, g]) => `id eq "${g}" and members[value eq "${u}"]`),
);

/** A flat disjunction of n comparisons (the parser must accept up to its comparison limit). */
export function flatOr(n: number, value = (i: number) => `"u${i}@example.com"`): string {
  return Array.from({ length: n }, (_, i) => `userName eq ${value(i)}`).join(' or ');
}

type Mutation = (text: string) => fc.Arbitrary<string>;

/** Hostile mutations of a well-formed text: spliced pieces, truncation, deep nesting, repetition, case. */
const MUTATIONS: Mutation[] = [
  (t) => fc.tuple(fc.constantFrom(...HOSTILE_PIECES), fc.nat()).map(([p, at]) => splice(t, p, at)),
  (t) => fc.nat().map((at) => t.slice(0, at % (t.length + 1))),
  (t) => fc.constantFrom(31, 32, 33, 100, 1000, 2100).map((n) => '('.repeat(n) + t + ')'.repeat(n)),
  (t) => fc.constantFrom(31, 32, 33, 1000).map((n) => 'not ('.repeat(n) + t + ')'.repeat(n)),
  (t) => fc.constantFrom(32, 33, 34, 64, 199, 200, 201, 500).map((n) => Array.from({ length: n }, () => t).join(' or ')),
  (t) => fc.constantFrom(33, 200).map((n) => Array.from({ length: n }, () => `(${t})`).join(' and ')),
  (t) => fc.constantFrom(20, 40, 200).map((n) => `emails[${'emails['.repeat(n)}${t}${']'.repeat(n)}]`),
  (t) => fc.constantFrom('\t', '\n', '\u00a0', '  ', '\u3000', '').map((ws) => t.replace(/ /g, ws)),
  (t) => fc.constant(t.toUpperCase()),
  (t) => longString.map((s) => `${t} and userName eq ${JSON.stringify(s)}`),
  (t) => fc.constant(t.replace(/"/g, '')),
];

export function mutated(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(text, fc.integer({ min: 0, max: MUTATIONS.length - 1 }), fc.integer({ min: 0, max: 1 })).chain(([t, m, twice]) => {
    const once = MUTATIONS[m]!(t);
    return twice ? once.chain((u) => fc.oneof(...MUTATIONS.map((mm) => mm(u))).map((v) => v.slice(0, 20_000))) : once;
  });
}

/** Filters: mostly well-formed, a quarter mutated. */
export const anyFilter: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: filterText, weight: 6 },
  { arbitrary: idpLookup, weight: 3 },
  { arbitrary: mutated(fc.oneof(filterText, idpLookup)), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 220 }).map((n) => flatOr(n)), weight: 1 },
);
export const anyGroupFilter: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: groupFilterText, weight: 6 },
  { arbitrary: fc.oneof(cleanString, groupRef).map((v) => `displayName eq ${JSON.stringify(v)}`), weight: 2 },
  { arbitrary: fc.tuple(userRef, groupRef).map(([u, g]) => `id eq "${g}" and members[value eq "${u}"]`), weight: 1 },
  { arbitrary: mutated(groupFilterText), weight: 3 },
);

// ---------------------------------------------------------------------------------------------------------
// PATCH paths and bodies

/** The filter inside a value path: comparisons of sub-attributes, with and/or/not. */
export const valueFilter: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: comparison(fc.constantFrom(...SUBS)), weight: 6 },
  { arbitrary: fc.tuple(comparison(fc.constantFrom(...SUBS)), fc.constantFrom('and', 'or'), comparison(fc.constantFrom(...SUBS))).map(([a, op, b]) => `${a} ${op} ${b}`), weight: 2 },
  { arbitrary: comparison(fc.constantFrom(...SUBS)).map((f) => `not (${f})`), weight: 1 },
  { arbitrary: filterText, weight: 1 },
);

const USER_MULTI = ['emails', 'phoneNumbers', 'addresses', 'roles', 'ims', 'photos', 'entitlements', 'x509Certificates', `${ENTERPRISE}:manager`, 'manager', 'groups'];

/** PATCH paths: `title`, `name.givenName`, URN-qualified, bare extension URN, value filters with and without a sub. */
export function patchPathFor(kind: 'Users' | 'Groups'): fc.Arbitrary<string> {
  if (kind === 'Groups') {
    return fc.oneof(
      { arbitrary: fc.constantFrom('members', 'displayName', 'externalId', `${GROUP}:displayName`, 'Members', 'DISPLAYNAME'), weight: 8 },
      { arbitrary: userRef.map((u) => `members[value eq "${u}"]`), weight: 6 },
      { arbitrary: valueFilter.map((f) => `members[${f}]`), weight: 2 },
      { arbitrary: fc.tuple(valueFilter, fc.constantFrom(...SUBS)).map(([f, sub]) => `members[${f}].${sub}`), weight: 1 },
      { arbitrary: fc.constantFrom(GROUP, 'urn:x:y', 'id', 'meta', 'userName', 'members.value', 'members.display'), weight: 1 },
      { arbitrary: mutated(fc.oneof(groupAttrPath, fc.constant('members[value eq "@@U0@@"]'))), weight: 2 },
    );
  }
  return fc.oneof(
    { arbitrary: attrPath, weight: 8 },
    { arbitrary: fc.constantFrom(ENTERPRISE, USER, 'urn:x:y'), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...USER_MULTI), valueFilter).map(([a, f]) => `${a}[${f}]`), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom(...USER_MULTI), valueFilter, fc.constantFrom(...SUBS)).map(([a, f, sub]) => `${a}[${f}].${sub}`), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom('work', 'home', 'other'), fc.constantFrom('value', 'primary', 'display', 'type')).map(([t, sub]) => `emails[type eq "${t}"].${sub}`), weight: 4 },
    { arbitrary: fc.constantFrom('addresses[type eq "work"].locality', 'phoneNumbers[type eq "mobile"].value', `${ENTERPRISE}:manager.value`, 'manager[value eq "x"]', `${ENTERPRISE}:manager[value eq "@@U1@@"]`, 'roles[primary eq "True"].value'), weight: 2 },
    { arbitrary: mutated(fc.oneof(attrPath, fc.constant('emails[type eq "work"].value'))), weight: 2 },
  );
}

const opName = fc.oneof(
  { arbitrary: fc.constantFrom('add', 'replace', 'remove'), weight: 20 },
  { arbitrary: fc.constantFrom('Add', 'Replace', 'Remove', 'ADD', 'REMOVE'), weight: 8 },
  { arbitrary: fc.constantFrom('copy', 'move', 'test', '', 'delete'), weight: 1 },
  { arbitrary: fc.constantFrom<unknown>(1, null, true, ['add'], { op: 'add' }), weight: 1 },
);

/** A single-valued JSON value, right-typed or not. */
export const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: cleanString, weight: 12 },
  { arbitrary: fc.constantFrom<unknown>(true, false, 'True', 'False', 'TRUE', 'yes', null, 0, 1, -1, 1.5, 1e308, -1e-308, 2 ** 53, '', []), weight: 2 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: userRef, weight: 1 },
);

/** Arbitrary JSON-ish values of bounded depth, with SCIM-meaningful keys. */
const KEYS = ['value', 'display', 'type', 'primary', '$ref', 'userName', 'displayName', 'emails', 'members', 'active', 'name',
  'givenName', 'familyName', 'name.givenName', 'schemas', 'id', 'meta', 'externalId', 'title', 'op', 'path', 'Operations',
  '__proto__', 'constructor', 'toString', 'manager', ENTERPRISE, `${ENTERPRISE}:department`, `${USER}:title`, ''];
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: scalar, weight: 5 },
    { arbitrary: fc.array(tie('v'), { maxLength: 4 }), weight: 1 },
    { arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), tie('v'), { maxKeys: 4 }), weight: 2 },
  ),
})).v;

const multiValue = (extra: Record<string, fc.Arbitrary<unknown>> = {}) =>
  fc.record(
    {
      value: fc.oneof({ arbitrary: fc.emailAddress(), weight: 30 }, { arbitrary: cleanString, weight: 10 }, { arbitrary: scalar, weight: 1 }),
      type: fc.oneof({ arbitrary: fc.constantFrom('work', 'home', 'other', 'mobile', 'Work'), weight: 10 }, { arbitrary: scalar, weight: 1 }),
      primary: fc.oneof({ arbitrary: fc.constantFrom<unknown>(false, false, false, true, 'False'), weight: 10 }, { arbitrary: fc.constantFrom<unknown>('True', 'yes', 1, null), weight: 1 }),
      display: cleanString,
      ...extra,
    },
    { requiredKeys: [] },
  );

const emailsValue = fc.oneof(
  { arbitrary: fc.array(multiValue(), { maxLength: 3 }), weight: 60 },
  { arbitrary: multiValue(), weight: 1 }, // a single value where an array is required
  { arbitrary: scalar, weight: 1 },
);

const memberValue = fc.record(
  { value: fc.oneof({ arbitrary: userRef, weight: 20 }, { arbitrary: anyId, weight: 1 }), display: cleanString, type: fc.constantFrom('User', 'Group', 'user'), $ref: fc.constant('https://x/Users/1') },
  { requiredKeys: ['value'] },
);
export const membersValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.array(memberValue, { maxLength: 5 }), weight: 60 },
  { arbitrary: memberValue, weight: 5 },
  { arbitrary: fc.constantFrom<unknown>(null, [], '', [null], [{}], [{ value: null }], [{ value: 1 }]), weight: 5 },
  // Many members at once: the quadratic-add class.
  { arbitrary: fc.constantFrom(200, 2000).map((n) => Array.from({ length: n }, (_, i) => ({ value: `@@U${i % 8}@@` }))), weight: 1 },
);

const managerValue = fc.oneof(userRef, fc.record({ value: userRef, displayName: cleanString }, { requiredKeys: [] }), fc.constant([{ $ref: 'https://x', value: '@@U2@@' }]).map((m) => m as unknown), scalar);

/** A value shaped for the path it goes with (usually), or for no path: an object of paths (Q2). */
function patchValueFor(path: string | undefined): fc.Arbitrary<unknown> {
  const lower = (path ?? '').toLowerCase();
  const typed =
    path === undefined ? pathlessUser
    : lower.startsWith('members') ? membersValue
    : lower.startsWith('emails') || lower.startsWith('phonenumbers') || lower.startsWith('addresses') || lower.startsWith('roles') ? (lower.includes('].') ? scalar : emailsValue)
    : lower.endsWith('active') || lower.endsWith('primary') ? fc.constantFrom<unknown>(true, false, 'True', 'False', 'true', 'no', 1)
    : lower.endsWith('manager') ? managerValue
    : lower === 'name' ? fc.record({ givenName: cleanString, familyName: cleanString, formatted: scalar }, { requiredKeys: [] })
    : lower.endsWith(':user') || lower.endsWith(':2.0:user') ? enterpriseExtension
    : scalar;
  return fc.oneof({ arbitrary: typed, weight: 12 }, { arbitrary: jsonValue, weight: 1 });
}

/** Path-less values (Okta, Entra): keys may be dotted or URN-qualified, with read-only keys echoed. */
const pathlessUser: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(
    fc.oneof(attrPath, fc.constantFrom('id', 'meta', 'schemas', 'active', 'displayName', `${ENTERPRISE}:manager`, ENTERPRISE, 'name.givenName', 'emails')),
    fc.oneof({ arbitrary: scalar, weight: 6 }, { arbitrary: emailsValue, weight: 1 }, { arbitrary: managerValue, weight: 1 }),
    { maxKeys: 4 },
  ),
  fc.constantFrom<unknown>({ active: 'False' }, { active: false }, { active: 'True' }, { 'name.givenName': 'Bar', 'name.familyName': 'Baz' }, { [`${ENTERPRISE}:department`]: 'R&D' }, { [ENTERPRISE]: { department: 'Ops', manager: { value: '@@U1@@' } } }, { emails: [{ value: 'p@example.com', type: 'work', primary: true }] }),
);
const pathlessGroup: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ id: groupRef, displayName: cleanString, members: membersValue, externalId: cleanString, meta: fc.constant({ resourceType: 'Group' }) }, { requiredKeys: [] }),
  fc.constantFrom<unknown>({ id: '@@G0@@', displayName: 'Renamed' }, { members: [{ value: '@@U3@@' }] }, { displayName: '' }),
);

export const patchOperationFor = (kind: 'Users' | 'Groups'): fc.Arbitrary<Record<string, unknown>> => fc
  .tuple(opName, fc.oneof({ arbitrary: fc.constant(null), weight: 1 }, { arbitrary: patchPathFor(kind), weight: 5 }), fc.integer({ min: 0, max: 19 }))
  .map(([op, path, shape]) => [op, path === null ? fc.constant(null) : fc.constant(path), shape] as const)
  .chain(([op, pathArb, shape]) => pathArb.chain((path) => (path === null ? (kind === 'Users' ? pathlessUser : pathlessGroup) : patchValueFor(path)).map((value) => {
      const o: Record<string, unknown> = { op };
      if (path !== null) o.path = path;
      if (shape > 0) o.value = value; // remove (and sometimes anything) without a value
      if (shape === 19 && path !== null) o.Path = o.path; // odd key casing
      return o;
    })),
  );

export const patchBodyFor = (kind: 'Users' | 'Groups'): fc.Arbitrary<unknown> => fc.oneof(
  {
    arbitrary: fc.record({
      schemas: fc.oneof({ arbitrary: fc.constant<unknown>([PATCH_OP]), weight: 20 }, { arbitrary: fc.constantFrom<unknown>([], ['urn:ietf:params:scim:api:messages:2.0:patchop'], undefined, 'x'), weight: 2 }),
      Operations: fc.array(patchOperationFor(kind), { minLength: 1, maxLength: 4 }),
    }),
    weight: 40,
  },
  { arbitrary: fc.record({ schemas: fc.constant([PATCH_OP]), operations: fc.array(patchOperationFor(kind), { maxLength: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.constantFrom<unknown>([], null, {}, 'add', [null], [1]) }), weight: 1 },
  { arbitrary: jsonValue, weight: 1 },
);

// ---------------------------------------------------------------------------------------------------------
// Resource bodies

/** Usually the right type; one time in 40 any JSON (a body has ~20 of these: most bodies stay valid). */
const right = <T>(good: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good as fc.Arbitrary<unknown>, weight: 39 }, { arbitrary: jsonValue, weight: 1 });

const enterpriseExtension = fc.record(
  {
    employeeNumber: right(cleanString), costCenter: right(cleanString), organization: right(cleanString),
    division: right(cleanString), department: right(cleanString), manager: managerValue,
  },
  { requiredKeys: [] },
);

export const userBody: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    schemas: fc.oneof({ arbitrary: fc.constantFrom<unknown>([USER], [USER, ENTERPRISE]), weight: 20 }, { arbitrary: fc.constantFrom<unknown>([USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user'], [], ['urn:bad'], 'x', null), weight: 1 }),
    userName: fc.oneof({ arbitrary: fc.emailAddress(), weight: 12 }, { arbitrary: cleanString, weight: 6 }, { arbitrary: scalar, weight: 1 }),
    externalId: right(cleanString),
    name: right(fc.record({ formatted: right(cleanString), familyName: right(cleanString), givenName: right(cleanString), middleName: right(cleanString), honorificPrefix: right(cleanString), honorificSuffix: right(cleanString) }, { requiredKeys: [] })),
    displayName: right(cleanString), nickName: right(cleanString), profileUrl: right(cleanString), title: right(cleanString),
    userType: right(cleanString), preferredLanguage: right(cleanString), locale: right(cleanString), timezone: right(cleanString),
    active: fc.oneof({ arbitrary: fc.constantFrom<unknown>(true, false, 'True', 'False'), weight: 20 }, { arbitrary: fc.constantFrom<unknown>('true', 1, null, 'maybe'), weight: 1 }),
    password: right(cleanString),
    emails: emailsValue,
    phoneNumbers: emailsValue,
    ims: emailsValue,
    photos: emailsValue,
    addresses: right(fc.array(fc.record({ formatted: cleanString, streetAddress: cleanString, locality: cleanString, region: cleanString, postalCode: cleanString, country: cleanString, type: fc.constantFrom('work', 'home'), primary: fc.boolean() }, { requiredKeys: [] }), { maxLength: 3 })),
    groups: right(fc.array(fc.record({ value: groupRef, display: cleanString }), { maxLength: 2 })),
    entitlements: emailsValue,
    roles: fc.oneof(emailsValue, fc.constantFrom<unknown>('[{"value":"admin","primary":true}]', '[{"value":{"id":"r"}}]', '[bad json')),
    x509Certificates: fc.oneof({ arbitrary: fc.array(fc.record({ value: fc.base64String({ minLength: 4, maxLength: 64 }), primary: fc.boolean() }, { requiredKeys: ['value'] }), { maxLength: 2 }), weight: 20 }, { arbitrary: emailsValue, weight: 1 }),
    id: scalar,
    meta: right(fc.record({ resourceType: cleanString, version: cleanString, created: cleanString }, { requiredKeys: [] })),
    [ENTERPRISE]: right(enterpriseExtension),
  },
  { requiredKeys: ['userName'] },
).chain((user) =>
  // Sometimes keys that differ only in case (Q17), or URN-qualified core attributes.
  sometimes(fc.record({ USERNAME: cleanString, [`${USER}:title`]: cleanString, DisplayName: cleanString, [`${ENTERPRISE}:department`]: cleanString }, { requiredKeys: [] }), 10)
    .map((odd) => (odd ? { ...user, ...odd } : user)),
);

export const groupBody: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    schemas: fc.oneof({ arbitrary: fc.constant<unknown>([GROUP]), weight: 20 }, { arbitrary: fc.constantFrom<unknown>([], ['urn:ietf:params:scim:schemas:core:2.0:group'], null), weight: 1 }),
    displayName: fc.oneof({ arbitrary: cleanString, weight: 20 }, { arbitrary: scalar, weight: 1 }),
    externalId: right(cleanString),
    members: membersValue,
    id: scalar,
    meta: right(fc.record({ resourceType: fc.constant('Group') })),
  },
  { requiredKeys: ['displayName'] },
);

// ---------------------------------------------------------------------------------------------------------
// List and search parameters

const attributeList = fc.oneof(
  { arbitrary: fc.array(fc.oneof(attrPath, fc.constantFrom('emails[type eq "work"]', 'members', 'id', '')), { minLength: 1, maxLength: 5 }).map((a) => a.join(',')), weight: 6 },
  { arbitrary: mutated(attrPath), weight: 2 },
  // Very many names: the "100,000 names in attributes" class, kept within the URL limit in GETs.
  { arbitrary: fc.constantFrom(1000, 1500).map((n) => Array.from({ length: n }, (_, i) => (i % 2 ? 'title' : `x${i}`)).join(',')), weight: 1 },
);

const numberParam = fc.oneof(
  { arbitrary: fc.constantFrom('1', '0', '-1', '2', '3', '5', '10', '100', '1000', '1001', '2147483648'), weight: 12 },
  { arbitrary: fc.constantFrom('99999999999999999999', '1e3', '1.5', 'NaN', '', ' 1', '0x10', '-0', '9007199254740993'), weight: 1 },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: hostileString, weight: 1 },
);

export const listParams: fc.Arbitrary<Array<[string, string]>> = fc
  .record(
    {
      filter: anyFilter,
      startIndex: numberParam,
      count: numberParam,
      sortBy: fc.oneof({ arbitrary: fc.constantFrom('userName', 'displayName', 'emails', 'meta.created', 'name.familyName', 'externalId', `${ENTERPRISE}:department`), weight: 4 }, { arbitrary: attrPath, weight: 2 }, { arbitrary: hostileString, weight: 1 }),
      sortOrder: fc.oneof({ arbitrary: fc.constantFrom('ascending', 'descending'), weight: 10 }, { arbitrary: fc.constantFrom('DESCENDING', ''), weight: 1 }, { arbitrary: hostileString, weight: 1 }),
      attributes: attributeList,
      excludedAttributes: fc.oneof(fc.constant('members'), attributeList),
      aadOptscim062020: fc.constant(''),
    },
    { requiredKeys: [] },
  )
  .map((r) => Object.entries(r) as Array<[string, string]>)
  // Most clients send two or three of these, not all eight.
  .chain((entries) => fc.subarray(entries, { maxLength: Math.min(3, entries.length) }));

/** A SearchRequest body (POST …/.search): types right and wrong, attributes as a list or as a string. */
export const searchBody: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.record(
      {
        schemas: fc.oneof({ arbitrary: fc.constant<unknown>([SEARCH_REQUEST]), weight: 12 }, { arbitrary: fc.constantFrom<unknown>([], null, 'x', [SEARCH_REQUEST.toLowerCase()]), weight: 1 }),
        filter: fc.oneof({ arbitrary: anyFilter, weight: 30 }, { arbitrary: jsonValue, weight: 1 }),
        startIndex: fc.oneof({ arbitrary: fc.integer({ min: -2, max: 5 }), weight: 8 }, { arbitrary: fc.constantFrom<unknown>('1', 1e308, null, 1.5), weight: 1 }),
        count: fc.oneof({ arbitrary: fc.integer({ min: -2, max: 1001 }), weight: 8 }, { arbitrary: fc.constantFrom<unknown>('10', null, 2 ** 53), weight: 1 }),
        sortBy: fc.oneof({ arbitrary: attrPath, weight: 8 }, { arbitrary: scalar, weight: 1 }),
        sortOrder: fc.oneof({ arbitrary: fc.constantFrom('ascending', 'descending'), weight: 8 }, { arbitrary: scalar, weight: 1 }),
        attributes: fc.oneof(
          { arbitrary: fc.array(attrPath, { maxLength: 5 }), weight: 20 },
          { arbitrary: attributeList, weight: 3 },
          { arbitrary: fc.constantFrom(10_000, 100_000).map((n) => Array.from({ length: n }, (_, i) => `a${i}`)), weight: 1 },
          { arbitrary: jsonValue, weight: 1 },
        ),
        excludedAttributes: fc.oneof({ arbitrary: fc.array(attrPath, { maxLength: 3 }), weight: 6 }, { arbitrary: fc.constant('members'), weight: 2 }, { arbitrary: jsonValue, weight: 1 }),
      },
      { requiredKeys: [] },
    ),
    weight: 20,
  },
  { arbitrary: jsonValue, weight: 1 },
);

// ---------------------------------------------------------------------------------------------------------
// Bulk

const bulkIds = ['a', 'b', 'c', 'd'];
const bulkRef = fc.constantFrom(...bulkIds, 'zz', '').map((id) => `bulkId:${id}`);

const bulkOperation = fc
  .record(
    {
      method: fc.oneof({ arbitrary: fc.constantFrom('POST', 'POST', 'PUT', 'PATCH', 'DELETE'), weight: 40 }, { arbitrary: fc.constantFrom<unknown>('post', 'GET', 'HEAD', '', 1, null), weight: 1 }),
      kind: fc.constantFrom('Users', 'Groups'),
      target: fc.oneof(anyId, bulkRef),
      bulkId: fc.oneof({ arbitrary: fc.constant(null), weight: 1 }, { arbitrary: fc.constantFrom(...bulkIds), weight: 20 }, { arbitrary: scalar, weight: 1 }),
      user: userBody,
      group: groupBody.map((g) => g),
      refMembers: fc.array(fc.oneof(bulkRef, userRef), { maxLength: 3 }),
      patch: patchBodyFor('Users'),
      version: sometimes(fc.constantFrom('W/"1"', '*', 'nope'), 8),
      oddPath: sometimes(fc.oneof(fc.constantFrom('/Nope', '', '/Users/', 'Users', '/Bulk', '/Groups/bulkId:a/x'), hostileString), 15),
      oddData: sometimes(jsonValue, 15),
    },
    { requiredKeys: ['method', 'kind', 'target', 'bulkId', 'user', 'group', 'refMembers', 'patch', 'version', 'oddPath', 'oddData'] },
  )
  .map((o) => {
    const method = o.method;
    const collection = typeof method === 'string' && method.toUpperCase() === 'POST';
    const path = o.oddPath ?? (collection ? `/${o.kind}` : `/${o.kind}/${o.target}`);
    const resource = o.kind === 'Users' ? o.user : { ...o.group, members: [...(Array.isArray(o.group.members) ? o.group.members : []), ...o.refMembers.map((value) => ({ value }))] };
    const data = o.oddData ?? (method === 'PATCH' ? o.patch : method === 'DELETE' ? undefined : resource);
    return {
      method,
      path,
      ...(o.bulkId !== null ? { bulkId: o.bulkId } : {}),
      ...(o.version !== null ? { version: o.version } : {}),
      ...(data !== undefined ? { data } : {}),
    };
  });

/** Data nested `depth` deep: arrays inside objects inside arrays. */
export function deeplyNested(depth: number): string {
  return `{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"deep","data":{"schemas":["${USER}"],"userName":"deep","x":${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}}}]}`;
}

export const bulkBody: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc
      .record(
        {
          schemas: fc.oneof({ arbitrary: fc.constant<unknown>([BULK_REQUEST]), weight: 20 }, { arbitrary: fc.constantFrom<unknown>([], null), weight: 1 }),
          failOnErrors: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 20 }, { arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.constantFrom<unknown>(-1, '1', null, 1.5, 1e9, true), weight: 1 }),
          Operations: fc.oneof({ arbitrary: fc.array(bulkOperation, { minLength: 1, maxLength: 6 }), weight: 20 }, { arbitrary: fc.constantFrom<unknown>([], null, {}, 'x', [null]), weight: 1 }),
        },
        { requiredKeys: ['schemas', 'Operations'] },
      )
      .chain((b) => poisoned(fc.constant(b), 6))
      .map((b) => JSON.stringify(b)),
    weight: 12,
  },
  { arbitrary: fc.constantFrom(100, 1000, 2000, 10_000).map(deeplyNested), weight: 1 },
  { arbitrary: jsonValue.map((v) => JSON.stringify(v) ?? 'null'), weight: 1 },
);

// ---------------------------------------------------------------------------------------------------------
// Raw bodies: JSON text damaged after serialization

export function rawDamage(json: string): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.nat().map((at) => json.slice(0, at % (json.length + 1))),
    fc.tuple(fc.constantFrom('\u0000', '\ufeff', ',', '}', '"', '\\', '\ud800', '{"a":', '\\u00'), fc.nat()).map(([p, at]) => splice(json, p, at)),
    fc.constant(`\ufeff${json}`),
    // Invalid UTF-8 bytes and an encoded lone surrogate.
    fc.tuple(fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x00]), fc.nat()).map(([bytes, at]) => {
      const buf = Buffer.from(json, 'utf8');
      const i = at % (buf.length + 1);
      return new Uint8Array(Buffer.concat([buf.subarray(0, i), Buffer.from(bytes), buf.subarray(i)]));
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Query strings: encoded the way clients do, or not at all

/** Percent-encodes like encodeURIComponent, but lone surrogates become their (invalid) CESU-8 bytes. */
export function encodeParam(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += `%${(0xe0 | (cp >> 12)).toString(16).toUpperCase()}%${(0x80 | ((cp >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (cp & 0x3f)).toString(16).toUpperCase()}`;
    } else out += encodeURIComponent(ch);
  }
  return out.replace(/%40%40([UGDO]\d*)%40%40/g, '@@$1@@'); // placeholders are resolved after encoding
}

export const queryEncoding = fc.constantFrom('component', 'component', 'component', 'plus', 'raw');

export function buildQuery(params: Array<[string, string]>, encoding: string): string {
  if (params.length === 0) return '';
  const enc = (s: string) =>
    encoding === 'plus' ? encodeParam(s).replace(/%20/g, '+')
    : encoding === 'raw' ? s.replace(/[\s#%&?\u0000-\u001f\u007f-\uffff]/g, (c) => encodeParam(c)).replace(/%25(?![0-9A-F]{2})/g, '%') // mostly unencoded, stray %
    : encodeParam(s);
  return `?${params.map(([k, v]) => `${k}=${enc(v)}`).join('&')}`;
}

// ---------------------------------------------------------------------------------------------------------
// SCIM cases

const json = (v: unknown) => JSON.stringify(v) ?? 'null';
const projection = sometimes(fc.tuple(fc.constantFrom('attributes', 'excludedAttributes'), attributeList), 4).map((p) => (p ? [p] : []) as Array<[string, string]>);
const resourceId = (kind: 'Users' | 'Groups') => fc.oneof({ arbitrary: kind === 'Users' ? userRef : groupRef, weight: 8 }, { arbitrary: anyId, weight: 1 });
const ifMatch = sometimes(fc.record({ 'if-match': fc.constantFrom('*', 'W/"1"', 'W/"999"', '"x"', 'garbage', '') }), 10).map((h) => h ?? undefined);

export const filterCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom('Users', 'Groups', 'Users.search', 'Groups.search', '.search'), listParams, anyFilter, anyGroupFilter, queryEncoding)
  .map(([target, params, userFilter, groupFilter, encoding]) => {
    const filter = target.startsWith('Groups') ? groupFilter : userFilter;
    const withFilter: Array<[string, string]> = [...params.filter(([k]) => k !== 'filter'), ['filter', filter]];
    if (target === 'Users' || target === 'Groups') return { api: 'scim', method: 'GET', path: `/${target}${buildQuery(withFilter, encoding)}` };
    const body: Record<string, unknown> = { schemas: [SEARCH_REQUEST], filter };
    for (const [k, v] of params) if (k !== 'filter' && k !== 'aadOptscim062020') body[k] = k === 'startIndex' || k === 'count' ? (Number.isFinite(Number(v)) ? Number(v) : v) : k.endsWith('ttributes') ? v.split(',') : v;
    return { api: 'scim', method: 'POST', path: target === '.search' ? '/.search' : `/${target.replace('.search', '')}/.search`, body: json(body) };
  });

export const listCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom('Users', 'Groups'), listParams, queryEncoding)
  .map(([kind, params, encoding]) => ({ api: 'scim', method: 'GET', path: `/${kind}${buildQuery(params, encoding)}` }));

export const searchCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom('/Users/.search', '/Groups/.search', '/.search'), poisoned(searchBody, 6))
  .map(([path, body]) => ({ api: 'scim', method: 'POST', path, body: json(body) }));

export const patchCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom<'Users' | 'Groups'>('Users', 'Users', 'Groups'), projection, ifMatch)
  .chain(([kind, proj, headers]) =>
    fc.tuple(resourceId(kind), poisoned(patchBodyFor(kind))).map(([id, body]) => ({ api: 'scim' as const, method: 'PATCH', path: `/${kind}/${encodeParam(id)}${buildQuery(proj, 'component')}`, body: json(body), ...(headers ? { headers } : {}) })),
  );

export const writeCase: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(poisoned(userBody), projection).map(([b, p]) => ({ api: 'scim' as const, method: 'POST', path: `/Users${buildQuery(p, 'component')}`, body: json(b) })),
  fc.tuple(poisoned(groupBody), projection).map(([b, p]) => ({ api: 'scim' as const, method: 'POST', path: `/Groups${buildQuery(p, 'component')}`, body: json(b) })),
  fc.tuple(resourceId('Users'), poisoned(userBody), ifMatch).map(([id, b, h]) => ({ api: 'scim' as const, method: 'PUT', path: `/Users/${encodeParam(id)}`, body: json(b), ...(h ? { headers: h } : {}) })),
  fc.tuple(resourceId('Groups'), poisoned(groupBody), ifMatch).map(([id, b, h]) => ({ api: 'scim' as const, method: 'PUT', path: `/Groups/${encodeParam(id)}`, body: json(b), ...(h ? { headers: h } : {}) })),
);

export const bulkCase: fc.Arbitrary<Case> = bulkBody.map((body) => ({ api: 'scim', method: 'POST', path: '/Bulk', body }));

export const readCase: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(fc.constantFrom('Users', 'Groups'), anyId, projection).map(([k, id, p]) => ({ api: 'scim' as const, method: 'GET', path: `/${k}/${encodeParam(id)}${buildQuery(p, 'component')}` })),
  fc.tuple(fc.constantFrom('Users', 'Groups'), anyId).map(([k, id]) => ({ api: 'scim' as const, method: 'DELETE', path: `/${k}/${encodeParam(id)}` })),
  fc.tuple(fc.constantFrom('/Schemas/', '/ResourceTypes/', '/ServiceProviderConfig', '/Users/', '/Nope/', '/Bulk/', '/'), hostileString).map(([p, s]) => ({ api: 'scim' as const, method: 'GET', path: `${p}${encodeParam(s)}` })),
  fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), fc.constantFrom('/Users', '/Groups', '/Bulk', '/.search', '/Users/@@U0@@', '/Schemas', '/Me')).map(([m, p]) => ({ api: 'scim' as const, method: m, path: p })),
);

/** Valid JSON bodies damaged as text, on every write endpoint. */
export const rawCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(['POST', '/Users'], ['PUT', '/Users/@@U1@@'], ['PATCH', '/Users/@@U1@@'], ['PATCH', '/Groups/@@G1@@'], ['POST', '/Bulk'], ['POST', '/.search']), userBody, fc.constantFrom('application/scim+json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/scim+json; charset=latin1'))
  .chain(([[method, path], body, type]) => rawDamage(json(body)).map((raw) => ({ api: 'scim' as const, method: method!, path: path!, body: raw, headers: { 'content-type': type } })));

// ---------------------------------------------------------------------------------------------------------
// Management API (lighter)

const mgmtList = fc.tuple(
  fc.constantFrom('/organizations', '/directories', '/directory_users', '/directory_groups', '/events', '/webhook_endpoints', '/directories/@@D@@/tokens'),
  fc.array(
    fc.tuple(
      fc.constantFrom('limit', 'before', 'after', 'order', 'organization_id', 'search', 'domain', 'domains', 'directory', 'group', 'user', 'email', 'idp_id', 'events', 'events[]', 'directory_id', 'range_start', 'range_end'),
      fc.oneof(numberParam, hostileString, fc.constantFrom('asc', 'desc', '@@D@@', '@@O@@', '@@U0@@', '@@G0@@', 'dsync.user.created', '2020-01-01T00:00:00Z', 'acme.com')),
    ),
    { maxLength: 4 },
  ),
  queryEncoding,
).map(([path, params, encoding]) => ({ api: 'management' as const, method: 'GET', path: `${path}${buildQuery(params, encoding)}` }));

const mgmtBody = fc.oneof(
  fc.tuple(fc.constantFrom(['POST', '/organizations'], ['PUT', '/organizations/@@O@@']), fc.record({ name: right(cleanString), domains: right(fc.array(fc.oneof(fc.domain(), cleanString), { maxLength: 3 })), domain_data: right(fc.array(fc.record({ domain: fc.oneof(fc.domain(), cleanString) }), { maxLength: 2 })) }, { requiredKeys: [] })),
  fc.tuple(fc.constantFrom(['POST', '/directories']), fc.record({ organization_id: fc.oneof(fc.constant('@@O@@'), cleanString), type: fc.oneof(fc.constantFrom('okta scim v2.0', 'azure scim v2.0', 'generic scim v2.0', 'nope'), cleanString), name: right(cleanString), domain: right(cleanString) }, { requiredKeys: [] })),
  fc.tuple(fc.constantFrom(['PATCH', '/directories/@@D@@']), fc.record({ name: right(cleanString), settings: jsonValue }, { requiredKeys: [] })),
  fc.tuple(fc.constantFrom(['POST', '/webhook_endpoints']), fc.record({ endpoint_url: fc.oneof(fc.constantFrom('https://example.com/hook', 'http://127.0.0.1/x', 'ftp://x', 'https://[::1]/', 'https://169.254.169.254/'), cleanString), events: right(fc.array(fc.oneof(fc.constantFrom('dsync.user.created', 'dsync.group.deleted'), cleanString), { maxLength: 3 })) }, { requiredKeys: [] })),
  fc.tuple(fc.constantFrom(['GET', '/directories/'], ['GET', '/organizations/'], ['GET', '/directory_users/'], ['GET', '/directory_groups/'], ['DELETE', '/directories/@@D@@/tokens/'], ['GET', '/webhook_endpoints/']), anyId.map((id) => id as unknown)),
).map(([[method, path], body]) =>
  method === 'GET' || method === 'DELETE'
    ? { api: 'management' as const, method: method!, path: `${path}${encodeParam(String(body))}` }
    : { api: 'management' as const, method: method!, path: path!, body: json(body) },
);

export const managementCase: fc.Arbitrary<Case> = fc.oneof({ arbitrary: mgmtList, weight: 5 }, { arbitrary: mgmtBody, weight: 5 }, { arbitrary: fc.tuple(fc.constantFrom('/organizations', '/directories', '/webhook_endpoints'), fc.constantFrom('{', '', 'null', '[]', '{"name":"\\u0000"}'), fc.constantFrom('application/json', 'text/plain')).map(([path, body, type]) => ({ api: 'management' as const, method: 'POST', path, body, headers: { 'content-type': type } })), weight: 1 });

/** Every SCIM case family, weighted towards the grammar-heavy ones. */
export const scimCase: fc.Arbitrary<Case> = fc.oneof(
  { arbitrary: filterCase, weight: 5 },
  { arbitrary: listCase, weight: 1 },
  { arbitrary: searchCase, weight: 1 },
  { arbitrary: patchCase, weight: 5 },
  { arbitrary: writeCase, weight: 4 },
  { arbitrary: bulkCase, weight: 2 },
  { arbitrary: readCase, weight: 1 },
  { arbitrary: rawCase, weight: 1 },
);

export const anyCase: fc.Arbitrary<Case> = fc.oneof({ arbitrary: scimCase, weight: 9 }, { arbitrary: managementCase, weight: 1 });
