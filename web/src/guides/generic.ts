import type { ProviderGuide } from './types.ts';

export const generic: ProviderGuide = {
  type: 'generic scim v2.0',
  slug: 'generic',
  name: 'Other SCIM 2.0 provider',
  summary: 'Any identity provider that provisions users and groups over SCIM 2.0 (RFC 7644). About 10 minutes.',
  sources: [
    { title: 'RFC 7644: SCIM Protocol', url: 'https://www.rfc-editor.org/rfc/rfc7644' },
    { title: 'RFC 7643: SCIM Core Schema', url: 'https://www.rfc-editor.org/rfc/rfc7643' },
  ],
  scim: true,
  steps: [
    {
      title: 'Create a SCIM application',
      body: [
        "In your identity provider's admin console, create a new application that provisions over **SCIM 2.0**.",
        'Choose bearer-token (OAuth bearer or "HTTP header") authentication if you are asked for a method: Guestlist expects `Authorization: Bearer <token>`.',
      ],
    },
    {
      title: 'Enter the connection details',
      body: ['Paste the SCIM base URL as the tenant or connector URL, and the token as the bearer token.'],
      fields: ['scim_base_url', 'bearer_token'],
      note: 'The token is shown once. If you lose it, generate a new one on this page; the old one keeps working until you revoke it. A directory holds at most two active tokens, so revoke one first if two exist.',
    },
    {
      title: 'Map the attributes',
      body: [
        'Send at least `userName` and a work email. `externalId`, the name parts and `active` make the directory more useful.',
        'Guestlist accepts the Enterprise User extension (department, manager, employee number) as well.',
      ],
    },
    {
      title: 'Assign people and groups, then start provisioning',
      body: [
        'Assign the users and push the groups that should reach the application, then turn provisioning on.',
        'This page turns **Linked** as soon as the first authenticated request arrives; every request appears in the log below.',
      ],
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'login or email', note: 'Unique within the directory, compared case-insensitively.' },
    { scim: 'emails[type eq "work"].value', idp: 'email' },
    { scim: 'name.givenName', idp: 'first name' },
    { scim: 'name.familyName', idp: 'last name' },
    { scim: 'externalId', idp: 'the immutable user id', note: 'Becomes the Directory User\'s idp_id.' },
    { scim: 'active', idp: 'account status', note: 'false marks the user inactive; the user is kept.' },
  ],
  tips: [
    'A 401 in the request log means the token is wrong or revoked: check for a missing or doubled `Bearer ` prefix, or a stale copy.',
    'A 409 on POST /Users means the userName already exists in this directory; the IdP should then look it up with a filter.',
  ],
};
