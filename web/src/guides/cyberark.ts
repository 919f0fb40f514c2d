import type { ProviderGuide } from './types.ts';

/**
 * Written from CyberArk Identity's documentation of outbound SCIM provisioning (the overview, the list of SCIM
 * requests it makes, role-based provisioning) and, for the exact labels of the Provisioning page, an integrator's
 * published CyberArk guide.
 */
export const cyberark: ProviderGuide = {
  type: 'cyberark scim v2.0',
  slug: 'cyberark',
  name: 'CyberArk Identity',
  summary:
    'Enable provisioning on the SAML app for this application in the CyberArk Identity Admin Portal, paste the base URL and token, and map the roles whose members should be provisioned. About 15 minutes.',
  sources: [
    {
      title: 'CyberArk Identity: SCIM outbound provisioning overview',
      url: 'https://docs.cyberark.com/Idaptive/Latest/en/Content/Developer/scim-management/scim-outbound-provisioning.htm',
    },
    {
      title: 'CyberArk Identity Developer: SCIM API requirements',
      url: 'https://identity-developer.cyberark.com/docs/for-more-information-about-scim-provisioning-redirected',
    },
    {
      title: 'CyberArk Identity Developer: Role-based user provisioning',
      url: 'https://identity-developer.cyberark.com/v3.0/docs/role-based-user-provisioning-review',
    },
    {
      title: 'WorkOS: CyberArk SCIM (third-party guide, used for the Provisioning page labels)',
      url: 'https://workos.com/docs/integrations/cyberark-scim/introduction',
    },
  ],
  scim: true,
  steps: [
    {
      title: 'Open the SAML app',
      body: [
        'In the CyberArk Identity Admin Portal, go to **Apps & Widgets** > **Web Apps** and open the SAML app you use for this application. CyberArk provisions over SCIM from an app, so set up the SAML app first if there is none.',
        'CyberArk asks that the app be configured and deployed before provisioning is enabled.',
      ],
    },
    {
      title: 'Enter the connection details',
      body: [
        'Open the app\'s **Provisioning** page, select **Enable provisioning for this application**, and confirm with **Yes**.',
        'Paste the SCIM base URL into **SCIM Service URL** and the token into the bearer token field, then click **Verify**. More options appear once the credentials are verified, and this page turns **Linked**.',
      ],
      fields: ['scim_base_url', 'bearer_token'],
    },
    {
      title: 'Let CyberArk deprovision',
      body: [
        'Among the options that appear after **Verify**, clear **Do not de-provision (deactivate or delete) users in target application**.',
      ],
      note: 'With that option left selected, people who lose the app in CyberArk stay active in Guestlist.',
    },
    {
      title: 'Map roles to groups',
      body: [
        'In **Role Mappings**, click **Add**, select a CyberArk role, and choose a **Destination Group**: by default a group named after the role, created in Guestlist if it does not exist. Repeat for each role to provision, then save.',
        'Members of mapped roles are provisioned. When a person has several mapped roles, the role highest in the list decides.',
      ],
      note: 'Only members of a mapped role are provisioned: with no role mapping, nothing reaches Guestlist.',
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'login name' },
    { scim: 'emails[type eq "work"].value', idp: 'email address' },
    { scim: 'name.givenName', idp: 'first name' },
    { scim: 'name.familyName', idp: 'last name' },
    {
      scim: 'active',
      idp: 'access to the app',
      note: 'Sent false when a user loses the app, unless de-provisioning is turned off.',
    },
  ],
  tips: [
    'CyberArk documents the requests its SCIM 2.0 client needs: `GET /Users?count=1`, `GET /Users?filter=userName eq …`, `GET /Users/{id}`, `POST /Users`, `PUT /Users/{id}`, the same for `/Groups` with PATCH for membership, and `GET /ServiceProviderConfig` plus `GET /ResourceTypes/User` and `/ResourceTypes/Group`. Clicking **Verify** should show some of these reads in the log.',
    'CyberArk updates users with `PUT /Users/{id}`, sending the whole user, and changes group membership with `PATCH /Groups/{id}`.',
    'Groups in Guestlist are the **Destination Group** names of the role mappings, not the CyberArk role names, when the two differ.',
    'CyberArk documents that it synchronizes account and role-mapping changes immediately, so requests should appear in the log within moments of a change.',
  ],
};
