/** The tolerant edge, rule by rule, on requests shaped as the IdP named sends them. */
import { describe, expect, it } from 'vitest';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../scim/schema/definitions.ts';
import { ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA } from '../scim/schema/types.ts';
import { normalizePatchBody } from './patch.ts';
import { parseFilter } from '../scim/filter/parser.ts';
import { normalizeListRequest } from './query.ts';
import { normalizeResourceBody } from './resource.ts';
import { canonicalPathPrefix, canonicalUrn } from './urns.ts';

const list = { startIndex: 1, count: 100, sortOrder: 'ascending' as const, attributes: [], excludedAttributes: [] };

describe('normalizePatchBody', () => {
  it('Q1 + Q3 (Entra default): capitalised op and string booleans, typed by path', () => {
    expect(
      normalizePatchBody(USER_RESOURCE_TYPE, {
        schemas: [PATCH_OP_SCHEMA],
        Operations: [
          { op: 'Replace', path: 'active', value: 'False' },
          { op: 'Add', path: 'emails[type eq "work"].primary', value: 'True' },
          { op: 'Replace', path: 'title', value: 'True' },
        ],
      }),
    ).toEqual({
      schemas: [PATCH_OP_SCHEMA],
      Operations: [
        { op: 'replace', path: 'active', value: false },
        { op: 'add', path: 'emails[type eq "work"].primary', value: true },
        { op: 'replace', path: 'title', value: 'True' },
      ],
    });
  });

  it('Q2 + Q8: path-less dotted and misspelled URN keys; missing schemas; operations in another case', () => {
    const out = normalizePatchBody(USER_RESOURCE_TYPE, {
      operations: [{ OP: 'replace', Value: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User:department': 'Ops', active: 'false' } }],
    }) as { schemas: string[]; Operations: unknown[] };
    expect(out.schemas).toEqual([PATCH_OP_SCHEMA]);
    expect(out.Operations).toEqual([{ op: 'replace', value: { [`${ENT}:department`]: 'Ops', active: false } }]);
  });

  it('Q6 + Q7 + Q9: manager string, roles JSON text, empty string', () => {
    const out = normalizePatchBody(USER_RESOURCE_TYPE, {
      Operations: [
        { op: 'Add', path: `${ENT}:manager`, value: 'boss-id' },
        { op: 'Add', path: 'roles', value: '[{"value":"Admin","primary":"True"}]' },
        { op: 'Replace', path: 'nickName', value: '' },
      ],
    }) as { Operations: unknown[] };
    expect(out.Operations).toEqual([
      { op: 'add', path: `${ENT}:manager`, value: { value: 'boss-id' } },
      { op: 'add', path: 'roles', value: [{ value: 'Admin', primary: true }] },
      { op: 'replace', path: 'nickName', value: null },
    ]);
  });

  it('leaves what it cannot read for the core to reject', () => {
    expect(normalizePatchBody(GROUP_RESOURCE_TYPE, 'text')).toBe('text');
    const out = normalizePatchBody(GROUP_RESOURCE_TYPE, { Operations: [{ op: 7, path: 'members[', value: 'x' }] }) as { Operations: unknown[] };
    expect(out.Operations).toEqual([{ op: 7, path: 'members[', value: 'x' }]);
  });
});

describe('normalizeResourceBody', () => {
  it('Q3 + Q8 + Q9 (Microsoft tests, OneLogin templates)', () => {
    expect(
      normalizeResourceBody(USER_RESOURCE_TYPE, {
        userName: 'emp1',
        active: 'True',
        nickName: '',
        emails: [{ value: 'e@x', Primary: 'false' }],
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { manager: [{ value: 'm' }], department: '' },
      }),
    ).toEqual({
      userName: 'emp1',
      active: true,
      nickName: null,
      emails: [{ value: 'e@x', Primary: false }],
      [ENT]: { manager: { value: 'm' }, department: null },
      schemas: [USER_SCHEMA],
    });
    expect((normalizeResourceBody(GROUP_RESOURCE_TYPE, { displayName: 'G', schemas: ['urn:scim:schemas:core:1.0'] }) as { schemas: string[] }).schemas).toEqual([GROUP_SCHEMA, 'urn:scim:schemas:core:1.0']);
  });
});

describe('normalizeListRequest', () => {
  it('Q10: unquoted values re-printed in RFC form; filtered attribute names', () => {
    expect(normalizeListRequest({ ...list, filter: 'externalId eq jyoung and meta.created gt 2015-10-10T14:38:21-07:00' }).filter).toBe(
      'externalId eq "jyoung" and meta.created gt "2015-10-10T14:38:21-07:00"',
    );
    expect(normalizeListRequest({ ...list, attributes: ['emails[type eq "work"]', 'userName'] }).attributes).toEqual(['emails', 'userName']);
  });

  it('passes an RFC filter as sent; re-prints a flat chain of bare words flat, so 200 comparisons still parse', () => {
    const rfc = '(userName eq "a")  or  title pr';
    expect(normalizeListRequest({ ...list, filter: rfc }).filter).toBe(rfc);
    const bare = Array.from({ length: 200 }, (_, i) => `externalId eq e${i}`).join(' or ');
    const printed = normalizeListRequest({ ...list, filter: bare }).filter!;
    expect(printed).toBe(Array.from({ length: 200 }, (_, i) => `externalId eq "e${i}"`).join(' or '));
    expect(parseFilter(printed)).toEqual(parseFilter(bare, { bareWordValues: true }));
  });
});

describe('canonical URNs', () => {
  it('matches case and punctuation slips, nothing else', () => {
    expect(canonicalUrn(USER_RESOURCE_TYPE, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User')).toBe(ENT);
    expect(canonicalUrn(USER_RESOURCE_TYPE, 'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER')).toBe(USER_SCHEMA);
    expect(canonicalUrn(USER_RESOURCE_TYPE, 'urn:acme:custom:2.0:User')).toBeUndefined();
    expect(canonicalUrn(GROUP_RESOURCE_TYPE, ENT)).toBeUndefined();
    expect(canonicalPathPrefix(USER_RESOURCE_TYPE, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User:manager[value eq "a:b"]')).toBe(`${ENT}:manager[value eq "a:b"]`);
    expect(canonicalPathPrefix(USER_RESOURCE_TYPE, 'name.givenName')).toBe('name.givenName');
  });
});
