import { describe, expect, it } from 'vitest';
import { defaultMappings, defaultSource, effectiveMappings } from './defaults.ts';
import { compileMapping } from './evaluate.ts';
import { ENTERPRISE, entraUser, googleUser, oktaUser } from './fixtures.ts';
import { compileSourcePath } from './paths.ts';
import type { CustomAttributeDef } from './types.ts';

const def = (name: string, type: CustomAttributeDef['type'] = 'string'): CustomAttributeDef => ({ name, type, required: false });

const DIRECTORY_TYPES = [
  'generic scim v2.0',
  'okta scim v2.0',
  'azure scim v2.0',
  'onelogin scim v2.0',
  'jump cloud scim v2.0',
  'pingfederate scim v2.0',
  'rippling scim v2.0',
  'cyberark scim v2.0',
  'sailpoint scim v2.0',
  'gsuite directory',
  'workday',
  'bamboohr',
];

const NAMES = [
  'department', 'department_name', 'dept', 'cost_center', 'costcenter', 'division', 'employee_number', 'employee_id',
  'employee_type', 'user_type', 'organization', 'company', 'job_title', 'title', 'manager_id', 'first_name', 'given_name',
  'last_name', 'family_name', 'display_name', 'username', 'user_name', 'email', 'work_email', 'phone', 'mobile', 'locale',
  'timezone', 'preferred_language', 'city', 'locality', 'country', 'office',
];

describe('default sources', () => {
  it('maps well-known names to the sources most IdPs fill', () => {
    const generic = Object.fromEntries(NAMES.map((n) => [n, defaultSource('generic scim v2.0', n)]));
    expect(generic).toEqual({
      department: `${ENTERPRISE}:department`,
      department_name: `${ENTERPRISE}:department`,
      dept: `${ENTERPRISE}:department`,
      cost_center: `${ENTERPRISE}:costCenter`,
      costcenter: `${ENTERPRISE}:costCenter`,
      division: `${ENTERPRISE}:division`,
      employee_number: `${ENTERPRISE}:employeeNumber`,
      employee_id: `${ENTERPRISE}:employeeNumber`,
      employee_type: 'userType',
      user_type: 'userType',
      organization: `${ENTERPRISE}:organization`,
      company: `${ENTERPRISE}:organization`,
      job_title: 'title',
      title: 'title',
      manager_id: `${ENTERPRISE}:manager.value`,
      first_name: 'name.givenName',
      given_name: 'name.givenName',
      last_name: 'name.familyName',
      family_name: 'name.familyName',
      display_name: 'displayName',
      username: 'userName',
      user_name: 'userName',
      email: 'emails[primary eq true or type eq "work"].value',
      work_email: 'emails[primary eq true or type eq "work"].value',
      phone: 'phoneNumbers[type eq "work"].value',
      mobile: 'phoneNumbers[type eq "mobile"].value',
      locale: 'locale',
      timezone: 'timezone',
      preferred_language: 'preferredLanguage',
      city: 'addresses[type eq "work"].locality',
      locality: 'addresses[type eq "work"].locality',
      country: 'addresses[type eq "work"].country',
      office: undefined,
    });
  });

  it('uses what Entra and Okta send where they differ', () => {
    expect(defaultSource('azure scim v2.0', 'email')).toBe('emails[type eq "work"].value');
    expect(defaultSource('azure scim v2.0', 'office')).toBe('addresses[type eq "work"].formatted');
    expect(defaultSource('okta scim v2.0', 'email')).toBe('emails[type eq "work"].value');
    expect(defaultSource('Azure SCIM v2.0', 'email')).toBe('emails[type eq "work"].value');
    expect(defaultSource('gsuite directory', 'email')).toBe('emails[primary eq true or type eq "work"].value');
    expect(defaultSource('okta scim v2.0', 'office')).toBeUndefined();
    expect(defaultSource('some future type', 'department')).toBe(`${ENTERPRISE}:department`);
    expect(defaultSource('generic scim v2.0', 'favourite_colour')).toBeUndefined();
  });

  it('gives every directory type a default of each concept that compiles', () => {
    for (const type of DIRECTORY_TYPES) {
      const entries = defaultMappings(type, NAMES.map((n) => def(n)));
      expect(entries.length, type).toBe(type === 'azure scim v2.0' ? NAMES.length : NAMES.length - 1);
      for (const e of entries) expect(compileSourcePath(e.source as string).ok, `${type} ${String(e.source)}`).toBe(true);
    }
  });

  it('gives no default to boolean or object attributes', () => {
    expect(defaultMappings('okta scim v2.0', [def('department', 'boolean'), def('manager_id', 'object'), def('employee_number', 'number'), def('title', 'string_list')])).toEqual([
      { attribute: 'employee_number', source: `${ENTERPRISE}:employeeNumber` },
      { attribute: 'title', source: 'title' },
    ]);
  });

  it('evaluates to the values each IdP’s fixture user holds', () => {
    const defs = ['department', 'cost_center', 'employee_number', 'job_title', 'first_name', 'email', 'mobile', 'city', 'manager_id', 'organization'].map((n) => def(n));
    const values = (type: string, user: unknown) => compileMapping(defs, defaultMappings(type, defs))(user).values;
    expect(values('azure scim v2.0', entraUser)).toEqual({
      department: 'Sales',
      cost_center: 'CC-4410',
      employee_number: '701984',
      job_title: 'Account Executive',
      first_name: 'Adele',
      email: 'Test_User_fd0ea19b@testuser.com',
      mobile: '+1 425 555 0110',
      city: 'Redmond',
      manager_id: 'mgr-objectid',
      organization: null,
    });
    expect(values('okta scim v2.0', oktaUser)).toEqual({
      department: 'Engineering',
      cost_center: '10',
      employee_number: '1042',
      job_title: null,
      first_name: 'Test',
      email: 'test.user@okta.local',
      mobile: '+1 555 0100',
      city: null,
      manager_id: '00u1mgr',
      organization: 'Acme',
    });
    expect(values('gsuite directory', googleUser)).toEqual({
      department: 'Writing',
      cost_center: 'TGS-30',
      employee_number: 'E-3001',
      job_title: 'Head Writer',
      first_name: 'Liz',
      email: 'liz@acme.example',
      mobile: null,
      city: 'New York',
      manager_id: null,
      organization: 'Acme Corp',
    });
  });
});

describe('effectiveMappings', () => {
  const defs = [def('department'), def('cost_center'), def('tier'), def('email')];

  it('is the defaults when nothing is explicit', () => {
    expect(effectiveMappings('okta scim v2.0', defs, null)).toEqual([
      { attribute: 'department', source: `${ENTERPRISE}:department`, origin: 'default' },
      { attribute: 'cost_center', source: `${ENTERPRISE}:costCenter`, origin: 'default' },
      { attribute: 'email', source: 'emails[type eq "work"].value', origin: 'default' },
    ]);
    expect(effectiveMappings('okta scim v2.0', defs, [])).toEqual(effectiveMappings('okta scim v2.0', defs, null));
  });

  it('lets explicit entries win, un-map with {constant: null}, and drops entries for undefined attributes', () => {
    const explicit = [
      { attribute: 'gone', source: 'title' },
      { attribute: 'email', source: { constant: null } },
      { attribute: 'department', source: 'urn:okta:acme:1.0:user:dept', transforms: ['trim' as const] },
      { attribute: 'tier', source: { constant: 'gold' } },
    ];
    expect(effectiveMappings('okta scim v2.0', defs, explicit)).toEqual([
      { attribute: 'department', source: 'urn:okta:acme:1.0:user:dept', transforms: ['trim'], origin: 'custom' },
      { attribute: 'cost_center', source: `${ENTERPRISE}:costCenter`, origin: 'default' },
      { attribute: 'tier', source: { constant: 'gold' }, origin: 'custom' },
      { attribute: 'email', source: { constant: null }, origin: 'custom' },
    ]);
  });
});
