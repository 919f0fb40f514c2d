import { expect, it } from 'vitest';
import { parseFilter } from '../scim/filter/parser.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../scim/schema/definitions.ts';
import { matchesAtMostOne, matchesFew } from './at-most-one.ts';

const users = (filter: string) => matchesAtMostOne(parseFilter(filter), USER_RESOURCE_TYPE);
const groups = (filter: string) => matchesAtMostOne(parseFilter(filter), GROUP_RESOURCE_TYPE);

it('knows which filters can match at most one resource', () => {
  expect(users('userName eq "a@b.c"')).toBe(true);
  expect(users('USERNAME eq "a@b.c"')).toBe(true);
  expect(users('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a@b.c"')).toBe(true);
  expect(users('id eq "directory_user_1"')).toBe(true);
  expect(users('active eq true and userName eq "a@b.c"')).toBe(true);
  expect(groups('displayName eq "Sales"')).toBe(true);

  expect(users('userName eq "a@b.c" or userName eq "d@b.c"')).toBe(false);
  expect(users('not (userName eq "a@b.c")')).toBe(false);
  expect(users('userName sw "a"')).toBe(false);
  expect(users('userName ne "a@b.c"')).toBe(false);
  expect(users('externalId eq "00u1"')).toBe(false);
  expect(users('emails.value eq "a@b.c"')).toBe(false);
  expect(users('displayName eq "Ana"')).toBe(false);
  expect(users('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq "a"')).toBe(false);
  expect(groups('userName eq "a@b.c"')).toBe(false);
});

it('knows which filters select by an indexed equality (few matches: the page before the count)', () => {
  const few = (filter: string, rt = USER_RESOURCE_TYPE) => matchesFew(parseFilter(filter), rt);
  expect(few('userName eq "a@b.c"')).toBe(true);
  expect(few('externalId eq "00u1"')).toBe(true);
  expect(few('emails.value eq "a@b.c"')).toBe(true);
  expect(few('emails[type eq "work"].value eq "a@b.c"')).toBe(true);
  expect(few('emails[value eq "a@b.c"]')).toBe(true);
  expect(few('active eq true and externalId eq "1"')).toBe(true);
  expect(few('members[value eq "directory_user_1"]', GROUP_RESOURCE_TYPE)).toBe(true);
  expect(few('members.value eq "directory_user_1"', GROUP_RESOURCE_TYPE)).toBe(true);
  expect(few('externalId eq "g1"', GROUP_RESOURCE_TYPE)).toBe(true);

  expect(few('externalId eq "1" or active eq true')).toBe(false);
  expect(few('externalId sw "1"')).toBe(false);
  expect(few('emails[type eq "work"]')).toBe(false);
  expect(few('emails.type eq "work"')).toBe(false);
  expect(few('title eq "x"')).toBe(false);
  expect(few('active eq true')).toBe(false);
  expect(few('externalId eq 1')).toBe(false);
  expect(few('members[value eq "x"]')).toBe(false);
  expect(few('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:externalId eq "a"')).toBe(false);
});
