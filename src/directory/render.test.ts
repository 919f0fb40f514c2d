import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RawJson, stringify } from '../scim/raw-json.ts';
import type { MemberRef, UserRecord } from '../store/scim/records.ts';
import { renderUser, renderUserText } from './render.ts';

const urls = { base: 'https://guestlist.example/scim/v2/directory_1' };
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function record(resource: Record<string, unknown>): UserRecord {
  return {
    id: 'directory_user_01',
    directory_id: 'directory_1',
    user_name: 'ada@acme.com',
    external_id: null,
    active: true,
    version: 3,
    resource,
    created_at: '2026-12-01T10:00:00.000Z',
    updated_at: '2026-12-02T11:00:00.000Z',
    mapped: null,
    role_slugs: null,
    mapped_fingerprint: null,
    app_active: null,
    scim_deleted: false,
  };
}

/** What the answer's text is, spliced (when it can be) and as renderUser makes it. */
function both(resource: Record<string, unknown>, groups?: MemberRef[]) {
  const user = record(resource);
  const raw = renderUserText(user, JSON.stringify(resource), groups, urls);
  return { raw, spliced: raw && stringify(raw), rendered: JSON.stringify(renderUser(user, groups, urls)) };
}

describe('renderUserText', () => {
  it('is the text of renderUser, member for member and in order', () => {
    const resource = {
      schemas: [USER, ENTERPRISE],
      userName: 'ada@acme.com',
      name: { givenName: 'Ada', familyName: 'Lovelace "the first"' },
      emails: [{ value: 'ada@acme.com', type: 'work', primary: true }],
      active: true,
      [ENTERPRISE]: { department: 'R&D', manager: { value: 'u2' } },
    };
    const groups = [{ id: 'directory_group_1', display: 'Admins \\ "ops"' }];
    for (const g of [undefined, [], groups]) {
      const { spliced, rendered } = both(resource, g);
      expect(spliced).toBe(rendered);
    }
    expect(both({ schemas: [] }).spliced).toBe(both({ schemas: [] }).rendered);
    expect(both({ schemas: [USER] }).spliced).toBe(both({ schemas: [USER] }).rendered);
  });

  it('equals renderUser for any resource it accepts, and accepts every resource stored the usual way', () => {
    const key = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['schemas', 'id', 'meta', 'groups', 'password', '__proto__'].includes(k));
    const resource = fc.record({
      schemas: fc.array(fc.oneof(fc.constant(USER), fc.string({ maxLength: 12 })), { maxLength: 3 }),
      rest: fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
    });
    const groups = fc.option(fc.array(fc.record({ id: fc.string({ maxLength: 6 }), display: fc.string({ maxLength: 6 }) }), { maxLength: 3 }), { nil: undefined });
    fc.assert(
      fc.property(resource, groups, ({ schemas, rest }, g) => {
        const stored = { schemas, ...rest };
        const { raw, spliced, rendered } = both(stored, g);
        if (raw === undefined) {
          // Refused only when a member's text looks like a name it splices in, or schemas does not come first
          // (JSON.stringify writes integer-like keys first).
          const text = JSON.stringify(stored);
          expect(/"(?:id|meta|groups|password)":/.test(text) || !text.startsWith('{"schemas":[')).toBe(true);
          return;
        }
        expect(JSON.parse(spliced!)).toEqual(JSON.parse(rendered));
        expect(Object.keys(JSON.parse(spliced!))).toEqual(Object.keys(JSON.parse(rendered)));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses texts it cannot splice safely, which then take the parsing path', () => {
    const user = record({});
    const refused = [
      '{"userName":"a","schemas":["x"]}', // schemas not first
      '{"schemas":["x"],"id":"other"}', // a member it adds
      '{"schemas":["x"],"meta":{"version":"W/\\"9\\""}}',
      '{"schemas":["x"],"groups":[{"value":"g"}]}',
      '{"schemas":["x"],"password":"secret"}',
      '{"schemas":["x",1],"userName":"a"}', // not an array of strings
      '{"schemas":["x"] ,"userName":"a"}', // not JSON.stringify's text
      '{"schemas":["x"],"userName":"a"} ',
      '{"schemas":["x\\"],"userName":"a"}',
    ];
    for (const text of refused) expect(renderUserText(user, text, undefined, urls), text).toBeUndefined();
    expect(renderUserText(user, '{"schemas":["a\\"]\\\\"],"x":1}', undefined, urls)).toBeInstanceOf(RawJson);
  });
});

describe('stringify', () => {
  it('writes each RawJson as its text, anywhere in the value, and everything else as JSON.stringify does', () => {
    const value = { a: new RawJson('{"b":[1,2]}'), list: [new RawJson('"x"'), 1, new RawJson('null')], s: '\u0000not a token' };
    expect(stringify(value)).toBe('{"a":{"b":[1,2]},"list":["x",1,null],"s":"\\u0000not a token"}');
    expect(stringify(new RawJson('[]'))).toBe('[]');
    expect(stringify({ plain: 'no raw', n: 1 })).toBe(JSON.stringify({ plain: 'no raw', n: 1 }));
  });

  it('is not confused by a string that looks like a token without the process nonce', () => {
    const looksLike = '\u00000123456789abcdef:0';
    expect(JSON.parse(stringify([new RawJson('{"real":true}'), looksLike]))).toEqual([{ real: true }, looksLike]);
  });
});
