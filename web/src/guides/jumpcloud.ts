import type { ProviderGuide } from './types.ts';

/**
 * Written from JumpCloud's article on the Custom SCIM Identity Management integration (prerequisites, the test
 * user and test group it creates). JumpCloud's step-by-step field list was not readable in full; the field labels
 * below (Base URL, Token Key, Test User Email, Test Connection, Activate) match several integrators' guides.
 */
export const jumpcloud: ProviderGuide = {
  type: 'jump cloud scim v2.0',
  slug: 'jumpcloud',
  name: 'JumpCloud',
  summary:
    "Turn on the custom SCIM integration on the Identity Management tab of this application's SSO app in JumpCloud, paste the base URL and token, activate it, and bind the user groups to sync. About 10 minutes.",
  sources: [
    {
      title: 'JumpCloud: Identity Management using a Custom SCIM Integration',
      url: 'https://jumpcloud.com/support/provision-and-manage-users-and-groups-in-apps-using-custom-scim-identity-management-integration',
    },
    {
      title: 'BoxyHQ: JumpCloud SCIM v2.0 (third-party guide, used for field labels)',
      url: 'https://boxyhq.com/docs/directory-sync/providers/jumpcloud',
    },
  ],
  scim: true,
  steps: [
    {
      title: 'Open the application in JumpCloud',
      body: [
        'In the JumpCloud Admin Portal, open the SSO application you use for this application. JumpCloud configures SCIM on an application, so if there is none yet, add a custom application first.',
        'Open its **Identity Management** tab.',
      ],
    },
    {
      title: 'Enter the connection details and activate',
      body: [
        'Choose the SCIM API with **SCIM 2.0** as the **SCIM Version**.',
        'Paste the SCIM base URL into **Base URL** and the token into **Token Key**. In **Test User Email**, enter the email of a user JumpCloud may use for the test.',
        'Select **Enable management of User Groups and Group Membership in this application** if you want groups in Guestlist.',
        'Click **Test Connection**; when it passes, click **Activate**, then **Save**. The test turns this page **Linked**, and its requests appear in the log below.',
      ],
      fields: ['scim_base_url', 'bearer_token'],
      note: '**Test Connection** really creates a test user and a test group in this directory and then deletes them (JumpCloud documents this). Your application sees them come and go; that is expected.',
    },
    {
      title: 'Bind the user groups to sync',
      body: [
        'On the application\'s **User Groups** tab, select the JumpCloud user groups whose members should reach the application, and save. JumpCloud provisions their members, and the groups themselves when group management is on.',
      ],
      note: 'Users are provisioned through the groups bound to the application: a user in none of them never reaches Guestlist.',
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'username' },
    { scim: 'name.givenName', idp: 'firstname' },
    { scim: 'name.familyName', idp: 'lastname' },
    { scim: 'emails[type eq "work"].value', idp: 'email' },
    { scim: 'active', idp: 'binding to the application', note: 'A user who loses access is deactivated.' },
  ],
  tips: [
    'The connection test shows in the log as `POST /Users` and `POST /Groups` for a test user and group, followed by `DELETE` of both. Guestlist supports DELETE, so JumpCloud does not fall back to only deactivating the test user.',
    'JumpCloud\'s articles on its SCIM integrations say that empty groups are not created, so a bound group appears in Guestlist once it has a member.',
    'The same articles say that a JumpCloud group whose name matches an existing group in the application takes that group over instead of creating a new one.',
    'And that unbinding a group from the application stops its sync and leaves the group as it is, while its members are deactivated unless another bound group still gives them access.',
    'Membership changes arrive as `PATCH /Groups/{id}`.',
  ],
};
