import { describe, expect, it } from 'vitest';
import { ENTERPRISE, ENTRA_CUSTOM, OKTA_CUSTOM, entraFlatUser, entraUser, googleUser, oktaUser } from './fixtures.ts';
import { compileSource, compileSourcePath } from './paths.ts';
import type { Source } from './types.ts';

function read(source: Source, resource: unknown): unknown {
  const compiled = compileSource(source);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.value(resource);
}

describe('source paths', () => {
  it('reads simple and nested attributes', () => {
    expect(read('userName', entraUser)).toBe('Test_User_ab6490ee@contoso.onmicrosoft.com');
    expect(read('title', entraUser)).toBe('Account Executive');
    expect(read('name.givenName', oktaUser)).toBe('Test');
    expect(read('active', oktaUser)).toBe(true);
  });

  it('gives undefined for what is absent', () => {
    expect(read('nickName', entraUser)).toBeUndefined();
    expect(read('name.middleName', entraUser)).toBeUndefined();
    expect(read('name.givenName', { userName: 'x' })).toBeUndefined();
  });

  it('matches attribute names case-insensitively (RFC 7643 §2.1)', () => {
    expect(read('USERNAME', oktaUser)).toBe('test.user@okta.local');
    expect(read('Name.FamilyName', oktaUser)).toBe('User');
    expect(read('emails[Type eq "WORK"].Value', oktaUser)).toBe('test.user@okta.local');
    expect(read(`${ENTERPRISE.toUpperCase().replace('URN:', 'urn:')}:DEPARTMENT`, entraUser)).toBe('Sales');
    expect(read('userName', { UserName: 'upper' })).toBe('upper');
  });

  it('picks one element through a value filter', () => {
    expect(read('emails[type eq "work"].value', entraUser)).toBe('Test_User_fd0ea19b@testuser.com');
    expect(read('emails[type eq "home"].value', oktaUser)).toBe('test.user@example.org');
    expect(read('phoneNumbers[type eq "mobile"].value', entraUser)).toBe('+1 425 555 0110');
    expect(read('addresses[type eq "work"].locality', entraUser)).toBe('Redmond');
    expect(read('emails[type eq "other"].value', oktaUser)).toBeUndefined();
  });

  it('prefers the primary element among several matches, else the first', () => {
    const user = { emails: [{ type: 'work', value: 'a@x' }, { type: 'work', value: 'b@x', primary: true }] };
    expect(read('emails[type eq "work"].value', user)).toBe('b@x');
    expect(read('emails[type eq "work"].value', { emails: [{ type: 'work', value: 'a@x' }, { type: 'work', value: 'b@x' }] })).toBe('a@x');
    expect(read('emails[type eq "work"].value', googleUser)).toBe('liz@acme.example');
  });

  it('combines conditions in a value filter', () => {
    const user = { phoneNumbers: [{ type: 'mobile', value: '1', primary: false }, { type: 'mobile', value: '2', primary: true }, { type: 'work', value: '3', primary: true }] };
    expect(read('phoneNumbers[type eq "mobile" and primary eq true].value', user)).toBe('2');
    expect(read('emails[primary eq true or type eq "work"].value', { emails: [{ type: 'home', value: 'h' }, { type: 'work', value: 'w' }] })).toBe('w');
  });

  it('gives the matching element itself when the filter ends the path', () => {
    expect(read('addresses[type eq "work"]', googleUser)).toEqual({ type: 'work', locality: 'New York', country: 'US' });
  });

  it('gives lists across a multi-valued attribute without a filter', () => {
    expect(read('emails.value', oktaUser)).toEqual(['test.user@okta.local', 'test.user@example.org']);
    expect(read('emails.type', oktaUser)).toEqual(['work', 'home']);
    expect(read('emails', entraUser)).toEqual([{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@testuser.com' }]);
    expect(read('emails.display', oktaUser)).toEqual([]);
  });

  it('reads enterprise and custom extension attributes by URN', () => {
    expect(read(`${ENTERPRISE}:department`, entraUser)).toBe('Sales');
    expect(read(`${ENTERPRISE}:manager.value`, entraUser)).toBe('mgr-objectid');
    expect(read(`${ENTERPRISE}:manager`, oktaUser)).toEqual({ value: '00u1mgr', displayName: 'Pat Boss' });
    expect(read(`${ENTRA_CUSTOM}:costCenter`, entraUser)).toBe('Retail-EMEA');
    expect(read(`${OKTA_CUSTOM}:costCenter`, oktaUser)).toBe('ENG-7');
    expect(read(`${OKTA_CUSTOM}:skills`, oktaUser)).toEqual(['typescript', 'scim']);
    expect(read(`${ENTERPRISE}:employeeNumber`, googleUser)).toBe('E-3001');
  });

  it('reads the core schema URN as the resource itself', () => {
    expect(read('urn:ietf:params:scim:schemas:core:2.0:User:userName', oktaUser)).toBe('test.user@okta.local');
    expect(read('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName', oktaUser)).toBe('User');
  });

  it('reads URN-qualified top-level keys (Entra) and a bare manager id as manager.value', () => {
    expect(read(`${ENTERPRISE}:department`, entraFlatUser)).toBe('Marketing');
    expect(read(`${ENTERPRISE}:manager.value`, entraFlatUser)).toBe('mgr-objectid');
    expect(read(`${ENTRA_CUSTOM}:costCenter`, entraFlatUser)).toBe('Retail-US');
    expect(read(`${ENTERPRISE}:manager.value`, { [`${ENTERPRISE}:manager.value`]: 'm-1' })).toBe('m-1');
    expect(read(`${ENTERPRISE}:department`, { [`${ENTERPRISE}:DEPARTMENT`]: 'Ops' })).toBe('Ops');
  });

  it('prefers the extension object over a top-level key', () => {
    expect(read(`${ENTERPRISE}:department`, { [ENTERPRISE]: { department: 'Nested' }, [`${ENTERPRISE}:department`]: 'Flat' })).toBe('Nested');
  });

  it('reads a filter on a single-valued complex attribute', () => {
    expect(read(`${ENTERPRISE}:manager[value eq "00u1mgr"].displayName`, oktaUser)).toBe('Pat Boss');
    expect(read(`${ENTERPRISE}:manager[value eq "other"].displayName`, oktaUser)).toBeUndefined();
  });

  it('gives constants as they are, and copies of constant objects', () => {
    expect(read({ constant: 'Acme' }, entraUser)).toBe('Acme');
    expect(read({ constant: null }, entraUser)).toBeNull();
    const compiled = compileSource({ constant: { tier: 'gold' } });
    if (!compiled.ok) throw new Error('compile');
    const a = compiled.value({}) as { tier: string };
    a.tier = 'changed';
    expect(compiled.value({})).toEqual({ tier: 'gold' });
  });

  it('gives undefined for a resource that is not an object', () => {
    for (const resource of [null, undefined, 42, 'x', [entraUser]]) {
      expect(read('userName', resource)).toBeUndefined();
      expect(read('emails[type eq "work"].value', resource)).toBeUndefined();
      expect(read('emails.value', resource)).toBeUndefined();
    }
  });

  it('refuses invalid paths at parse time', () => {
    for (const path of ['', '   ', 'emails[type eq "work"', 'emails[type eq "work"].', '9lives', 'name.given.name', 'emails[type eq]', 'a b', ENTERPRISE]) {
      const compiled = compileSourcePath(path, 'mappings[0].source');
      expect(compiled.ok, path).toBe(false);
      if (!compiled.ok) expect(compiled.errors[0]).toMatchObject({ field: 'mappings[0].source', code: 'invalid_path' });
    }
    const long = compileSourcePath(`a${'b'.repeat(512)}`);
    expect(long.ok ? null : long.errors[0]?.code).toBe('too_long');
  });
});
