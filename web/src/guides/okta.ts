import type { ProviderGuide } from './types.ts';

/**
 * Written from Okta's help topic on adding SCIM to an App Integration Wizard (AIW) integration, the developer guide
 * "Connect your SCIM API service to Okta", and Okta's SCIM 2.0 protocol reference (what Okta sends, and when).
 */
export const okta: ProviderGuide = {
  type: 'okta scim v2.0',
  slug: 'okta',
  name: 'Okta',
  summary:
    'Create a SAML or SWA app integration in Okta, turn on SCIM provisioning, paste the base URL and token, then enable the push actions and assign people and groups. About 15 minutes.',
  sources: [
    {
      title: 'Okta Help Center: Add SCIM provisioning to app integrations',
      url: 'https://help.okta.com/oie/en-us/Content/Topics/Apps/Apps_App_Integration_Wizard_SCIM.htm',
    },
    {
      title: 'Okta Developer: Connect your SCIM API service to Okta',
      url: 'https://developer.okta.com/docs/guides/scim-provisioning-integration-connect/main/',
    },
    {
      title: 'Okta Developer: Okta and SCIM Version 2.0 (protocol reference)',
      url: 'https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20',
    },
  ],
  scim: true,
  steps: [
    {
      title: 'Create an app integration (or open your existing one)',
      body: [
        'In the Okta Admin Console, go to **Applications** > **Applications**. If you already sign in to this application through Okta with a SAML or SWA integration, open that one and skip to the next step.',
        'Otherwise click **Create App Integration** and choose **SAML 2.0** or **SWA**. Okta does not support adding SCIM provisioning to an OpenID Connect (OIDC) integration.',
      ],
    },
    {
      title: 'Turn on SCIM provisioning',
      body: ['On the integration\'s **General** tab, click **Edit** in **App Settings**, select **SCIM** in the **Provisioning** field, and click **Save**. A **Provisioning** tab appears.'],
      note: 'If **SCIM** is not offered in the **Provisioning** field, provisioning is not enabled for your Okta org; Okta says to contact Okta support to have it activated.',
    },
    {
      title: 'Enter the connection details',
      body: [
        'On the **Provisioning** tab, open **Settings** > **Integration** and click **Edit**.',
        'Paste the SCIM base URL into **SCIM connector base URL**, and enter `userName` in **Unique identifier field for users**.',
        'Under **Supported provisioning actions**, select **Push New Users**, **Push Profile Updates** and **Push Groups**. **Import New Users and Profile Updates** is optional: it only reads from Guestlist.',
        'Set **Authentication Mode** to **HTTP Header** and paste the token as the bearer token (the token alone). Click **Test Connector Configuration**, then **Save**.',
        'The test is Okta\'s first authenticated request: this page turns **Linked**, and from now on every request appears in the log below.',
      ],
      fields: ['scim_base_url', 'bearer_token'],
      note: 'The **Unique identifier field for users** must be exactly `userName`. Okta looks every user up by this field before creating them; any other value makes the lookup miss, and the create then fails with 409 for people who already exist in the directory.',
    },
    {
      title: 'Enable the push actions',
      body: [
        'Still on the **Provisioning** tab, open **Settings** > **To App**, click **Edit**, enable **Create Users**, **Update User Attributes** and **Deactivate Users**, and click **Save**.',
        'Scroll to the **Attribute Mappings** section on the same page to review what Okta sends (see the table below).',
      ],
      note: 'The boxes on **Integration** only make these settings available; nothing is sent until they are enabled here. Without **Deactivate Users**, people you unassign or deactivate in Okta stay active in Guestlist.',
    },
    {
      title: 'Assign people and groups',
      body: [
        'On the **Assignments** tab, click **Assign** and choose **Assign to People** or **Assign to Groups**. Okta creates each assigned person in Guestlist.',
        'Assigning a group gives its members access; it does not create the group in Guestlist. That is the next step.',
      ],
    },
    {
      title: 'Push the groups',
      body: [
        'On the **Push Groups** tab, click **Push Groups**, find the groups by name (or by rule) and save. Okta creates each pushed group in Guestlist and keeps its membership in sync.',
      ],
      note: 'A membership reaches Guestlist only when the group is pushed here **and** the member is assigned to the app on **Assignments**.',
    },
  ],
  attributeMappings: [
    {
      scim: 'userName',
      idp: 'Okta username (user.login), through the app username format on the Sign On tab',
      note: 'Okta matches existing users on this value, so it must match the unique identifier field set above.',
    },
    { scim: 'name.givenName', idp: 'user.firstName' },
    { scim: 'name.familyName', idp: 'user.lastName' },
    { scim: 'emails[type eq "work"].value', idp: 'user.email', note: 'Sent as the primary work email.' },
    {
      scim: 'externalId',
      idp: 'the Okta user id (00u…)',
      note: 'Present in Okta\'s documented create request; becomes the Directory User\'s idp_id when sent.',
    },
    {
      scim: 'active',
      idp: 'assignment and Okta user status',
      note: 'Okta sets it to false when a user is unassigned, suspended or deactivated; it never deletes users.',
    },
  ],
  tips: [
    '**Test Connector Configuration** reads a page of users (a `GET /Users` with `startIndex` and `count`); a 200 with a list, even an empty one, is a pass.',
    'Before each create, Okta checks whether the user exists: the log shows `GET /Users?filter=userName eq "…"&startIndex=1&count=100` (URL-encoded), answered 200 with an empty list, followed by `POST /Users`.',
    'Okta\'s create request may carry a random `password` and an empty `groups` list; Guestlist ignores both, and the log redacts the password.',
    'Profile updates arrive as `GET /Users/{id}` followed by `PUT /Users/{id}` with the whole user. Integrations created with the App Integration Wizard send every user update, deactivation included, as PUT.',
    'Okta never sends DELETE for users. Unassigning or deactivating someone shows up as a PUT with `"active": false` (or, for Okta catalog integrations, a PATCH `{"op":"replace","value":{"active":false}}`); the Directory User becomes inactive.',
    'Pushing a group shows `POST /Groups` with `members: []`, then membership changes on `/Groups/{id}` (PUT for App Integration Wizard integrations, PATCH for catalog ones). Okta resends the group name with every membership update; an unchanged name emits no event.',
    'Unlinking a pushed group on **Push Groups** and choosing **Delete the group in the target app** sends `DELETE /Groups/{id}`; **Leave the group in the target app** sends nothing.',
    'If every request is 401, the token was pasted with an extra `Bearer ` or is stale: generate a new token here and paste it again under **Settings** > **Integration**.',
    'Okta\'s own view of failed pushes is in the System Log: on the app\'s page, **View Logs**.',
  ],
};
