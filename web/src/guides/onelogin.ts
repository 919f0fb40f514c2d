import type { ProviderGuide } from './types.ts';

/**
 * Written from OneLogin's developer guide for testing a SCIM app (the Provisioning tab, admin approval, the
 * deletion action, role-based assignment). The Configuration-tab labels (SCIM Base URL, SCIM Bearer Token,
 * SCIM JSON Template, API Connection) match OneLogin's connector and several integrators' guides.
 */
export const onelogin: ProviderGuide = {
  type: 'onelogin scim v2.0',
  slug: 'onelogin',
  name: 'OneLogin',
  summary:
    'Add the SCIM Provisioner with SAML (SCIM v2 Enterprise) app in OneLogin, paste the base URL and token, enable its API connection and provisioning, and give people access through a role. About 15 minutes.',
  sources: [
    {
      title: 'OneLogin Developers: Test Your SCIM Implementation',
      url: 'https://developers.onelogin.com/scim/test-your-scim',
    },
    {
      title: 'Living Security: Configuring SCIM for OneLogin (third-party guide, used for field labels)',
      url: 'https://www.livingsecurity.com/migration/support/configuring-scim-for-onelogin',
    },
  ],
  scim: true,
  steps: [
    {
      title: 'Add the SCIM app',
      body: [
        'In the OneLogin admin portal, go to **Applications** and click **Add App**. Search for **SCIM Provisioner with SAML (SCIM v2 Enterprise)**, select it, give it a display name, and save.',
      ],
    },
    {
      title: 'Enter the connection details',
      body: [
        'On the app\'s **Configuration** tab, paste the SCIM base URL into **SCIM Base URL** and the token into **SCIM Bearer Token**.',
        'Review the **SCIM JSON Template**: it should produce `userName`, `name` and a work email. Save, then click **Enable** under **API Connection**; OneLogin checks the connection at that moment, and this page turns **Linked**.',
      ],
      fields: ['scim_base_url', 'bearer_token'],
      note: 'OneLogin builds every create and update from the **SCIM JSON Template**: an attribute that is not in the template never reaches Guestlist, whatever the mappings say.',
    },
    {
      title: 'Check what the SCIM username is',
      body: [
        'On the **Parameters** tab, check what **SCIM Username** is filled from; an email address is the usual choice. It becomes `userName` in Guestlist and must be unique.',
      ],
    },
    {
      title: 'Enable provisioning',
      body: [
        'On the **Provisioning** tab, select **Enable provisioning**.',
        'Under **Require admin approval before this action**, clear **Create user**, **Delete user** and **Update user** unless you want to approve each change by hand.',
        'In **When users are deleted in OneLogin**, choose **Suspend** to keep deleted people as inactive users in Guestlist, or **Delete** to remove them. Save.',
      ],
      note: 'With an approval box checked, OneLogin only queues that action: nothing reaches Guestlist until someone approves it under **Users** > **Provisioning**.',
    },
    {
      title: 'Give people access',
      body: [
        'On the app\'s **Access** tab, select the roles that get the app. Everyone with one of those roles is provisioned; to test, add a single user to such a role and save.',
      ],
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: '{$parameters.scimusername}', note: 'The SCIM Username parameter.' },
    { scim: 'name.givenName', idp: '{$user.firstname}' },
    { scim: 'name.familyName', idp: '{$user.lastname}' },
    { scim: 'emails[type eq "work"].value', idp: '{$user.email}' },
    { scim: 'title', idp: '{$parameters.title}', note: 'Only when the template includes it.' },
    {
      scim: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
      idp: '{$parameters.department}',
      note: 'Only when the template includes it.',
    },
  ],
  tips: [
    'Enabling the API connection looks up a user that does not exist, `GET /Users?filter=userName eq "…"`; Guestlist answers 200 with an empty list.',
    'Before each create OneLogin looks the user up by `userName`, then sends `POST /Users` with the rendered template. Templates often carry `"id": null`, `meta`, or `active` as a string; Guestlist ignores the read-only parts and reads `"true"`/`"false"` as booleans.',
    'Profile changes arrive as an update of the whole user; check the log for the method, Guestlist accepts PUT and PATCH alike.',
    'What a deletion in OneLogin sends depends on **When users are deleted in OneLogin**: **Delete** sends `DELETE /Users/{id}`, **Suspend** an update with `active` false, **Do Nothing** nothing at all.',
    'If users are missing, look under **Users** > **Provisioning** in OneLogin: pending approvals and OneLogin-side errors are listed there, not in this log.',
  ],
};
