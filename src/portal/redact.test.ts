import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, REDACTED, TOO_DEEP, TRUNCATED, mayKeepRawText, namesSecret, redactSecretParams, redactedJson, safeText } from './redact.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BIG = 1_000_000;
const redact = (value: unknown) => JSON.parse(redactedJson(value, BIG)) as unknown;

describe('redactedJson', () => {
  it('redacts a password in a POST, keeping everything else', () => {
    const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada@acme.com', password: 'hunter2', active: true };
    expect(redact(body)).toEqual({ ...body, password: REDACTED });
  });

  it('redacts keys naming a secret, case-insensitively, at any depth', () => {
    const body = {
      PassWord: 'a',
      nested: { list: [{ deeper: { clientSecret: 'b', Authorization: 'Bearer c', api_key: 'd', 'X-Api-Key': 'e', privateKey: 'f', accessToken: 'g' } }] },
      credentials: { user: 'h', pass: 'i' },
      title: 'Secretary of tokens', // values are not keys: kept
    };
    expect(redact(body)).toEqual({
      PassWord: REDACTED,
      nested: { list: [{ deeper: { clientSecret: REDACTED, Authorization: REDACTED, api_key: REDACTED, 'X-Api-Key': REDACTED, privateKey: REDACTED, accessToken: REDACTED } }] },
      credentials: REDACTED,
      title: 'Secretary of tokens',
    });
  });

  it('redacts the value of a PATCH operation whose path names a password, in any spelling', () => {
    const body = {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'password', value: 'one' },
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: 'two' },
        { Op: 'add', Path: 'PASSWORD', Value: { nested: 'three' } },
        { op: 'replace', path: 'title', value: 'Engineer' },
        { op: 'replace', value: { password: 'four', displayName: 'Ada' } },
      ],
    };
    expect(redact(body)).toEqual({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'password', value: REDACTED },
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: REDACTED },
        { Op: 'add', Path: 'PASSWORD', Value: REDACTED },
        { op: 'replace', path: 'title', value: 'Engineer' },
        { op: 'replace', value: { password: REDACTED, displayName: 'Ada' } },
      ],
    });
  });

  it('redacts inside Bulk operations: resource data and PATCH data', () => {
    const body = {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u1', data: { userName: 'ada', password: 'one' } },
        { method: 'PATCH', path: '/Users/x', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: 'two' }] } },
      ],
    };
    const out = redactedJson(body, BIG);
    expect(out).not.toMatch(/"one"|"two"/);
    expect(JSON.parse(out)).toEqual({
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u1', data: { userName: 'ada', password: REDACTED } },
        { method: 'PATCH', path: '/Users/x', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: REDACTED }] } },
      ],
    });
  });

  it('escapes NUL and lone surrogates (JSON text that PostgreSQL stores)', () => {
    const out = redactedJson({ userName: 'a\u0000b', note: '\uD800' }, BIG);
    expect(out).not.toMatch(/[\u0000\uD800-\uDFFF]/);
    expect(JSON.parse(out)).toEqual({ userName: 'a\u0000b', note: '\uD800' });
  });

  it('cuts a large body at the budget with the marker, in time bounded by the budget', () => {
    const huge = { schemas: [BULK], Operations: Array.from({ length: 5000 }, (_, i) => ({ method: 'POST', data: { userName: `u${i}`, password: 'x' } })), tail: 'z'.repeat(4_000_000) };
    const started = performance.now();
    const out = redactedJson(huge, 16_384);
    expect(performance.now() - started).toBeLessThan(200);
    expect(out.endsWith(TRUNCATED)).toBe(true);
    expect(out.length).toBe(16_384 + TRUNCATED.length);
    expect(() => JSON.parse(out)).toThrow();
    expect(redactedJson({ v: 'y'.repeat(4_000_000) }, 100)).toBe(`{"v":"${'y'.repeat(94)}${TRUNCATED}`);
  });

  it('replaces what nests deeper than MAX_DEPTH', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < MAX_DEPTH + 10; i++) deep = [deep];
    const out = redactedJson(deep, BIG);
    expect(out).toContain(JSON.stringify(TOO_DEEP));
    expect(out).not.toContain('bottom');
    expect(out.startsWith(`${'['.repeat(MAX_DEPTH)}"`)).toBe(true);
  });
});

describe('redactedJson, properties', () => {
  const json = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 });

  it('is JSON.stringify when nothing names a secret', () => {
    fc.assert(
      fc.property(json, (value) => {
        fc.pre(!namesSecret(JSON.stringify(value) ?? ''));
        expect(redactedJson(value, BIG)).toBe(JSON.stringify(value));
      }),
    );
  });

  // Secrets sit only under keys that name one, or as the value of an operation whose path names one.
  const SECRET = 'S3CR3T';
  const secretKey = fc.constantFrom('password', 'Password', 'userPassword', 'client_secret', 'accessToken', 'Authorization', 'credential', 'apiKey', 'API-KEY', 'private_key');
  const secretPath = fc.constantFrom('password', 'urn:ietf:params:scim:schemas:core:2.0:User:password', 'PASSWORD');
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object'), tie('operation')),
    array: fc.array(tie('tree'), { maxLength: 4 }),
    object: fc
      .tuple(fc.dictionary(fc.constantFrom('userName', 'data', 'Operations', 'value', 'path', 'x'), tie('tree'), { maxKeys: 4 }), fc.option(secretKey))
      .map(([object, key]) => (key === null ? object : { ...object, [key]: { nested: SECRET, list: [SECRET] } })),
    operation: fc
      .tuple(fc.constantFrom('replace', 'add'), secretPath, fc.constantFrom('value', 'Value', 'VALUE'))
      .map(([op, path, valueKey]) => ({ op, path, [valueKey]: `${SECRET}-${op}` })),
  }));

  it('never lets a secret through, whole or cut at any length', () => {
    fc.assert(
      fc.property(tree, fc.integer({ min: 1, max: 400 }), (value, budget) => {
        const whole = redactedJson(value, BIG);
        expect(whole).not.toContain(SECRET);
        expect(redactedJson(value, budget)).not.toContain(SECRET);
      }),
    );
  });

  it('cut output is a prefix of the whole, at most the budget long, then the marker', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 1, max: 300 }), (value, budget) => {
        const whole = redactedJson(value, BIG);
        const out = redactedJson(value, budget);
        if (whole.length <= budget) {
          expect(out).toBe(whole);
          return;
        }
        expect(out.endsWith(TRUNCATED)).toBe(true);
        const kept = out.slice(0, -TRUNCATED.length);
        expect(kept.length).toBeLessThanOrEqual(budget);
        expect(kept.length).toBeGreaterThanOrEqual(budget - 1); // one less only not to split a surrogate pair
        expect(whole.startsWith(kept)).toBe(true);
      }),
    );
  });
});

describe('safeText', () => {
  it('replaces NUL, other controls and lone surrogates, keeps tab, newlines and pairs', () => {
    expect(safeText('a\u0000b\u0007c\td\ne\uD83D\uDE00f\uDC00', 100)).toBe('a\uFFFDb\uFFFDc\td\ne\uD83D\uDE00f\uFFFD');
  });

  it('caps the length with the marker, never splitting a pair', () => {
    expect(safeText('abcdef', 3)).toBe(`abc${TRUNCATED}`);
    expect(safeText('ab\uD83D\uDE00', 3)).toBe(`ab${TRUNCATED}`);
  });

  it('always gives text PostgreSQL stores', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), fc.integer({ min: 1, max: 50 }), (a, b, max) => {
        const out = safeText(a + b, max);
        expect(out).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
        expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        expect(out.length).toBeLessThanOrEqual(max + TRUNCATED.length);
      }),
    );
  });
});

describe('redactSecretParams', () => {
  it('redacts query parameters that name a secret, and nothing else', () => {
    expect(redactSecretParams('/scim/v2/d/Users?filter=userName%20eq%20%22a%22&access_token=abc&api%5Fkey=x&count=5')).toBe(
      `/scim/v2/d/Users?filter=userName%20eq%20%22a%22&access_token=${REDACTED}&api%5Fkey=${REDACTED}&count=5`,
    );
    expect(redactSecretParams('/scim/v2/d/Users')).toBe('/scim/v2/d/Users');
    expect(redactSecretParams('/scim/v2/d/Users?%E0%A4%A=1&token')).toBe('/scim/v2/d/Users?%E0%A4%A=1&token');
  });
});

describe('mayKeepRawText', () => {
  it('refuses text that mentions a secret anywhere', () => {
    expect(mayKeepRawText('{"userName": "ada"')).toBe(true);
    expect(mayKeepRawText('{"userName": "ada", "passWord": "x"')).toBe(false);
    expect(mayKeepRawText('token=abc')).toBe(false);
  });
});
