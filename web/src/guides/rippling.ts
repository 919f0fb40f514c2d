import type { ProviderGuide } from './types.ts';

/**
 * No Rippling-authored documentation of custom SCIM apps could be found in the stored documentation searched for
 * this guide, so it is written from two integrators' published Rippling guides and says less where they differ.
 */
export const rippling: ProviderGuide = {
  type: 'rippling scim v2.0',
  slug: 'rippling',
  name: 'Rippling',
  summary:
    'Create a custom app with SCIM user management in Rippling, paste the base URL and token, choose who gets access, and map the attributes. About 15 minutes.',
  sources: [
    {
      title: 'WorkOS: Rippling SCIM (third-party guide; no Rippling-authored page was found)',
      url: 'https://workos.com/docs/integrations/rippling-scim',
    },
    {
      title: 'Kombo: Rippling SCIM, how do I link my account? (third-party guide)',
      url: 'https://help.kombo.dev/hc/en-us/articles/35612530773521-Rippling-SCIM-How-do-I-link-my-account',
    },
  ],
  scim: true,
  steps: [
    {
      title: 'Create a custom app',
      body: [
        'In the Rippling admin dashboard, start a new custom app. Depending on your Rippling version this is **IT** > **Third-Party Access** > **Add Integration** > **Create New Custom Integration**, or **Custom App** under **Identity Management** > **Create New App**.',
        'Enter a name, choose categories and a logo, select **User Management via SCIM**, and continue.',
      ],
    },
    {
      title: 'Enter the connection details',
      body: [
        'Set **SCIM Version** to **2.0**, paste the SCIM base URL into **SCIM Base URL**, and set **SCIM Authorization Method** to **Bearer Token**.',
        'Select the group features: **Supports Groups**, **Supports Pagination**, **Create & Delete Groups** and **Use PATCH to edit Groups**. Under **Supported SCIM Attributes**, add at least `externalId`, `name.givenName` and `name.familyName` and the email attribute.',
        'Continue, choose to install the integration yourself, and paste the token into the bearer token field when Rippling asks for it.',
      ],
      fields: ['scim_base_url', 'bearer_token'],
      note: 'Rippling sends only the attributes listed under **Supported SCIM Attributes**; one left out there never reaches Guestlist.',
    },
    {
      title: 'Choose who gets access, and when',
      body: [
        'Next, Rippling asks for the app\'s access rules (which employees get the app) and the provisioning time. People who match the rules are provisioned; the others are not.',
      ],
    },
    {
      title: 'Map the attributes',
      body: [
        'On the attribute mapping step, pick the Rippling field for each SCIM attribute, and set the sync cadence of each to **On user creation and updates**, so that later changes reach Guestlist too.',
        'Finish the installation. Rippling may offer to match existing accounts; then create accounts for the others. This page turns **Linked** as soon as Rippling\'s first authenticated request arrives.',
      ],
      note: 'An attribute synced only on user creation is never updated in Guestlist afterwards.',
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'work email', note: 'Chosen on Rippling\'s attribute mapping step.' },
    { scim: 'emails[type eq "work"].value', idp: 'work email' },
    { scim: 'name.givenName', idp: 'first name' },
    { scim: 'name.familyName', idp: 'last name' },
    { scim: 'externalId', idp: 'Rippling\'s identifier for the employee', note: 'Becomes the Directory User\'s idp_id.' },
  ],
  tips: [
    'Group membership arrives as `PATCH /Groups/{id}` when **Use PATCH to edit Groups** is selected; without it, expect the group to be replaced as a whole (Guestlist accepts both).',
    'Rippling provisions from the employment lifecycle: a new hire appears when the access rules and the provisioning time say so, and leavers are deprovisioned as they are terminated. The request log shows whether as `DELETE /Users/{id}` or as an update with `active` false.',
    'We found no public documentation of the exact requests Rippling sends: treat the request log below as the reference for what your tenant does.',
  ],
};
