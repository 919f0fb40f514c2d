import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.ts';
import type { Filter } from './ast.ts';
import { formatFilter, parseFilter } from './parser.ts';
import { parsePatchPath } from './path.ts';

const cmp = (attr: string, op: string, value: unknown, extra: Record<string, string> = {}): Filter =>
  ({ kind: 'compare', path: { ...extra, attr }, op, value }) as Filter;
const pr = (attr: string): Filter => ({ kind: 'present', path: { attr } });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const sub = (attr: string, s: string, op: string, value: unknown): Filter => ({ kind: 'compare', path: { attr, sub: s }, op, value }) as Filter;

function errorOf(text: string): ScimError {
  try {
    parseFilter(text);
  } catch (error) {
    return error as ScimError;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
  it.each<[string, Filter]>([
    ['userName eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
    [`name.familyName co "O'Malley"`, sub('name', 'familyName', 'co', "O'Malley")],
    ['userName sw "J"', cmp('userName', 'sw', 'J')],
    [`${USER}:userName sw "J"`, cmp('userName', 'sw', 'J', { uri: USER })],
    ['title pr', pr('title')],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', sub('meta', 'lastModified', 'gt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', sub('meta', 'lastModified', 'ge', '2011-05-13T04:42:34Z')],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', sub('meta', 'lastModified', 'lt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', sub('meta', 'lastModified', 'le', '2011-05-13T04:42:34Z')],
    ['title pr and userType eq "Employee"', and(pr('title'), cmp('userType', 'eq', 'Employee'))],
    ['title pr or userType eq "Intern"', or(pr('title'), cmp('userType', 'eq', 'Intern'))],
    [
      'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
      cmp('schemas', 'eq', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
    ],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(cmp('userType', 'eq', 'Employee'), or(cmp('emails', 'co', 'example.com'), sub('emails', 'value', 'co', 'example.org'))),
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(cmp('userType', 'ne', 'Employee'), not(or(cmp('emails', 'co', 'example.com'), sub('emails', 'value', 'co', 'example.org')))),
    ],
    ['userType eq "Employee" and (emails.type eq "work")', and(cmp('userType', 'eq', 'Employee'), sub('emails', 'type', 'eq', 'work'))],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(cmp('userType', 'eq', 'Employee'), {
        kind: 'valuePath',
        path: { attr: 'emails' },
        filter: and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')),
      }),
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(
        { kind: 'valuePath', path: { attr: 'emails' }, filter: and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')) },
        { kind: 'valuePath', path: { attr: 'ims' }, filter: and(cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com')) },
      ),
    ],
  ])('%s', (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
    expect(parseFilter(formatFilter(parseFilter(text)))).toEqual(expected);
  });
});

describe('parseFilter: precedence, literals and forms', () => {
  it('binds and tighter than or, not tightest', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual(or(cmp('a', 'eq', 1), and(cmp('b', 'eq', 2), cmp('c', 'eq', 3))));
    expect(parseFilter('a eq 1 and b eq 2 or c eq 3')).toEqual(or(and(cmp('a', 'eq', 1), cmp('b', 'eq', 2)), cmp('c', 'eq', 3)));
    expect(parseFilter('not (a pr) and b pr')).toEqual(and(not(pr('a')), pr('b')));
    expect(parseFilter('(a eq 1 or b eq 2) and c eq 3')).toEqual(and(or(cmp('a', 'eq', 1), cmp('b', 'eq', 2)), cmp('c', 'eq', 3)));
    expect(parseFilter('a pr and b pr and c pr')).toEqual(and(and(pr('a'), pr('b')), pr('c')));
  });

  it('reads operators and keywords in any case', () => {
    expect(parseFilter('userName EQ "x" AND title Pr OR NOT (a Ne "b")')).toEqual(
      or(and(cmp('userName', 'eq', 'x'), pr('title')), not(cmp('a', 'ne', 'b'))),
    );
  });

  it('reads every literal', () => {
    expect(parseFilter('a eq true')).toEqual(cmp('a', 'eq', true));
    expect(parseFilter('a eq FALSE')).toEqual(cmp('a', 'eq', false));
    expect(parseFilter('a eq null')).toEqual(cmp('a', 'eq', null));
    expect(parseFilter('a gt -12.5e2')).toEqual(cmp('a', 'gt', -1250));
    expect(parseFilter('a eq 0')).toEqual(cmp('a', 'eq', 0));
    expect(parseFilter('a eq "say \\"hi\\" \\\\ \\u00e9\\n"')).toEqual(cmp('a', 'eq', 'say "hi" \\ é\n'));
    expect(parseFilter('a eq ""')).toEqual(cmp('a', 'eq', ''));
  });

  it("parses Entra's emails[type eq \"work\"].value eq form", () => {
    expect(parseFilter('emails[type eq "work"].value eq "a@b.c"')).toEqual({
      kind: 'valuePath',
      path: { attr: 'emails' },
      filter: and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'a@b.c')),
    });
  });

  it('parses URN-qualified extension paths with sub-attributes and $ref', () => {
    const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(parseFilter(`${ENT}:manager.value eq "m"`)).toEqual({ kind: 'compare', path: { uri: ENT, attr: 'manager', sub: 'value' }, op: 'eq', value: 'm' });
    expect(parseFilter('members.$ref pr')).toEqual({ kind: 'present', path: { attr: 'members', sub: '$ref' } });
  });

  it('treats bare words as strings only when asked', () => {
    expect(parseFilter('externalId eq jyoung', { bareWordValues: true })).toEqual(cmp('externalId', 'eq', 'jyoung'));
    expect(parseFilter('userName eq alice@example.com and a eq 5', { bareWordValues: true })).toEqual(
      and(cmp('userName', 'eq', 'alice@example.com'), cmp('a', 'eq', 5)),
    );
    expect(parseFilter('meta.created gt 2015-10-10T14:38:21.86-07:00', { bareWordValues: true })).toEqual(
      sub('meta', 'created', 'gt', '2015-10-10T14:38:21.86-07:00'),
    );
    expect(parseFilter('active eq True', { bareWordValues: true })).toEqual(cmp('active', 'eq', true));
    expect(errorOf('externalId eq jyoung').scimType).toBe('invalidFilter');
  });

  it('an attribute named like a keyword is still an attribute', () => {
    expect(parseFilter('notes eq "x"')).toEqual(cmp('notes', 'eq', 'x'));
    expect(parseFilter('order pr')).toEqual(pr('order'));
  });
});

describe('parseFilter: errors', () => {
  it.each([
    ['', 'an attribute name', 1],
    ['userName', 'a comparison operator', 9],
    ['userName eq', 'a value', 12],
    ['userName zz "x"', 'a comparison operator', 10],
    ['userName eq "x" and', 'an attribute name', 20],
    ['(userName eq "x"', '")"', 17],
    ['userName eq "x")', '"and", "or" or the end', 16],
    ['userName eq "unterminated', 'a closing quote', 13],
    ['userName eq "bad \\q escape"', 'a valid string', 13],
    ['emails[type eq "work"', '"]"', 22],
    ['emails[type eq "work"].', 'a sub-attribute name', 24],
    ['emails[a[b eq 1]]', 'value filters cannot be nested', 9],
    ['1abc eq "x"', 'valid attribute path', 1],
    ['a gt true', 'cannot compare', 3],
    ['a lt null', 'cannot compare', 3],
    ['a eqx "b"', 'a comparison operator', 3],
  ])('%j → invalidFilter naming %s at %d', (text, expected, position) => {
    const error = errorOf(text);
    expect(error).toBeInstanceOf(ScimError);
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidFilter');
    expect(error.message).toContain(expected);
    expect(error.message).toContain(`position ${position}`);
  });

  it('limits length, depth and size', () => {
    expect(errorOf('a eq "' + 'x'.repeat(17_000) + '"').message).toMatch(/longer than 16384/);
    expect(errorOf('('.repeat(40) + 'a pr' + ')'.repeat(40)).message).toMatch(/deeper than 32/);
    expect(errorOf('not '.repeat(40) + 'a pr').message).toMatch(/deeper than 32/);
    expect(errorOf(Array.from({ length: 201 }, (_, i) => `a${i} pr`).join(' or ')).message).toMatch(/more than 200/);
  });

  it('never throws anything but a 400 invalidFilter on random input', () => {
    const pieces = ['a', 'userName', ' ', 'eq', 'pr', 'and', 'or', 'not', '(', ')', '[', ']', '"', '\\', '.', ':', 'urn:x:y', '1', '-', 'true', 'null', '"x"', '$ref', 'é', '\u0000'];
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 12) }, () => pieces[Math.floor(random() * pieces.length)]).join(random() < 0.5 ? ' ' : '');
      for (const options of [{}, { bareWordValues: true }]) {
        try {
          parseFilter(text, options);
        } catch (error) {
          expect(error, text).toBeInstanceOf(ScimError);
          // A NUL inside a value is a bad value, not bad syntax.
          const allowed = text.includes('\u0000') ? ['invalidFilter', 'invalidValue'] : ['invalidFilter'];
          expect(allowed, text).toContain((error as ScimError).scimType);
        }
      }
    }
  });
});

describe('parseFilter: the text rule on compared values', () => {
  const refused = (text: string, options = {}) => {
    try {
      parseFilter(text, options);
    } catch (error) {
      expect((error as ScimError).scimType).toBe('invalidValue');
      return (error as ScimError).message;
    }
    throw new Error(`parsed: ${text}`);
  };

  it('refuses control characters and lone surrogates, escaped or raw, naming the attribute', () => {
    expect(refused('userName eq "a\\u0000b"')).toBe('The value compared with "userName" holds the control character U+0000.');
    expect(refused('userName eq "a\u0000b"')).toContain('"userName" holds the control character U+0000');
    expect(refused('title pr and name.givenName sw "\\u001b"')).toContain('"name.givenName"');
    expect(refused('externalId eq a\u0001b', { bareWordValues: true })).toContain('"externalId"');
    expect(refused('emails[type eq "work" and value co "\\ud800"]')).toContain('"emails.value" holds a lone UTF-16 surrogate');
    expect(refused('emails[type eq "work"].value eq "\\u0002"')).toContain('"emails.value"');
    expect(parseFilter('title eq "a\\tb\\r\\n"')).toEqual(cmp('title', 'eq', 'a\tb\r\n'));
  });

  it('in PATCH paths too, where a syntax error is invalidPath', () => {
    const patchError = (text: string) => {
      try {
        parsePatchPath(text);
      } catch (error) {
        return error as ScimError;
      }
      throw new Error(`parsed: ${text}`);
    };
    const bad = patchError('members[value eq "a\\u0000"]');
    expect([bad.scimType, bad.message]).toEqual(['invalidValue', 'The value compared with "members.value" holds the control character U+0000.']);
    expect(patchError('members[value eq ]').scimType).toBe('invalidPath');
  });
});

describe('formatFilter', () => {
  const chain = (n: number, op: string) => Array.from({ length: n }, (_, i) => `userName eq "a${i}"`).join(` ${op} `);

  it('prints a flat chain flat, so 200 comparisons re-parse within the depth limit', () => {
    for (const op of ['or', 'and']) {
      const text = chain(200, op);
      expect(formatFilter(parseFilter(text))).toBe(text);
      expect(parseFilter(formatFilter(parseFilter(text, { bareWordValues: true })))).toEqual(parseFilter(text));
    }
  });

  it('brackets only what the parse needs', () => {
    for (const text of [
      'a eq 1 or b eq 2 and c eq 3',
      '(a eq 1 or b eq 2) and c eq 3',
      'a eq 1 and (b eq 2 and c eq 3)',
      'a eq 1 or (b eq 2 or c eq 3)',
      'not (a eq 1 or b eq 2) and emails[type eq "work" or value co "@x"]',
    ]) {
      expect(formatFilter(parseFilter(text))).toBe(text);
    }
    expect(formatFilter(parseFilter('((a eq 1))'))).toBe('a eq 1');
  });

  it('masks every compared value when asked', () => {
    expect(formatFilter(parseFilter('userName eq "x@y.com" or (a gt 5 and b eq true and c pr) or emails[value co "@y"]'), { maskValues: true })).toBe(
      'userName eq "…" or a gt "…" and b eq "…" and c pr or emails[value co "…"]',
    );
  });
});
