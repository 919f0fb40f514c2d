/**
 * Users as Guestlist stores them (the SCIM resource after the dialect edge), shaped as each IdP sends them
 * (test/replays/entra.test.ts, test/replays/okta.test.ts), for tests of the mapping core and of its callers.
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Entra's custom extension, as an admin names it in the Entra attribute mapping ("CustomExtensionName"). */
export const ENTRA_CUSTOM = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
/** Okta's custom attributes live under an app-specific URN. */
export const OKTA_CUSTOM = 'urn:okta:acme:1.0:user';

/** Entra (MS-TUT): work email and address, enterprise extension with manager (normalized to `{value}`), a custom extension. */
export const entraUser = {
  schemas: [USER_SCHEMA, ENTERPRISE, ENTRA_CUSTOM],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee@contoso.onmicrosoft.com',
  active: true,
  displayName: 'Adele Vance',
  title: 'Account Executive',
  preferredLanguage: 'en-US',
  emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@testuser.com' }],
  name: { formatted: 'Adele Vance', familyName: 'Vance', givenName: 'Adele' },
  phoneNumbers: [
    { type: 'work', value: '+1 425 555 0109' },
    { type: 'mobile', value: '+1 425 555 0110' },
  ],
  addresses: [{ type: 'work', formatted: 'Building 18/2107', streetAddress: '1 Microsoft Way', locality: 'Redmond', region: 'WA', postalCode: '98052', country: 'US' }],
  roles: [],
  [ENTERPRISE]: { employeeNumber: '701984', department: 'Sales', costCenter: 'CC-4410', manager: { value: 'mgr-objectid' } },
  [ENTRA_CUSTOM]: { costCenter: 'Retail-EMEA' },
  meta: { resourceType: 'User', created: '2026-01-05T09:00:00.000Z', lastModified: '2026-01-05T09:00:00.000Z', version: 'W/"1"' },
};

/** Entra's other habit (MS-COMPAT): extension attributes as URN-qualified top-level keys, manager as a bare id. */
export const entraFlatUser = {
  schemas: [USER_SCHEMA, ENTERPRISE],
  id: 'b1e1f5a0-1111-4c1e-9a53-2f0e3e8e0001',
  externalId: 'f3b2a1c0-2222-4d3e-8b1a-9c0d1e2f3a4b',
  userName: 'megan@contoso.onmicrosoft.com',
  active: true,
  emails: [{ type: 'work', value: 'megan@contoso.com' }],
  [`${ENTERPRISE}:department`]: 'Marketing',
  [`${ENTERPRISE}:manager`]: 'mgr-objectid',
  [`${ENTRA_CUSTOM}:costCenter`]: 'Retail-US',
};

/** Okta (OKTA-REF): primary work email, `name`, enterprise extension, an app-specific custom extension. */
export const oktaUser = {
  schemas: [USER_SCHEMA, ENTERPRISE, OKTA_CUSTOM],
  id: '23a35c27-23d3-4c03-b4c5-6443c09e7173',
  externalId: '00ujl29u0le5T6Aj10h7',
  userName: 'test.user@okta.local',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [
    { primary: true, value: 'test.user@okta.local', type: 'work' },
    { primary: false, value: 'test.user@example.org', type: 'home' },
  ],
  phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
  displayName: 'Test User',
  locale: 'en-US',
  timezone: 'America/Los_Angeles',
  userType: 'Employee',
  active: true,
  [ENTERPRISE]: { employeeNumber: '1042', costCenter: '10', organization: 'Acme', division: 'R&D', department: 'Engineering', manager: { value: '00u1mgr', displayName: 'Pat Boss' } },
  [OKTA_CUSTOM]: { costCenter: 'ENG-7', badgeNumber: 88, contractor: 'false', skills: ['typescript', 'scim'] },
  meta: { resourceType: 'User' },
};

/** A Google Workspace user as Guestlist's pull stores it: SCIM shape, enterprise extension from organizations[] and externalIds. */
export const googleUser = {
  schemas: [USER_SCHEMA, ENTERPRISE],
  id: '6b1f8f8e-3333-4e7a-9a53-0c1d2e3f4a5b',
  externalId: '108492015483817263544',
  userName: 'liz@acme.example',
  name: { givenName: 'Liz', familyName: 'Lemon' },
  displayName: 'Liz Lemon',
  title: 'Head Writer',
  active: true,
  emails: [
    { value: 'liz@acme.example', type: 'work', primary: true },
    { value: 'liz.lemon@acme.example', type: 'work', primary: false },
  ],
  phoneNumbers: [{ value: '+1 212 555 0199', type: 'work' }],
  addresses: [{ type: 'work', locality: 'New York', country: 'US' }],
  [ENTERPRISE]: { department: 'Writing', costCenter: 'TGS-30', organization: 'Acme Corp', employeeNumber: 'E-3001' },
};
