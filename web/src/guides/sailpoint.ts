import type { ProviderGuide } from './types.ts';

/**
 * Written from SailPoint's documentation of its SCIM 2.0 connector for Identity Security Cloud (formerly
 * IdentityNow): connection settings, API token authentication, supported features, aggregation, and the
 * prerequisites of the SaaS variant of the connector.
 */
export const sailpoint: ProviderGuide = {
  type: 'sailpoint scim v2.0',
  slug: 'sailpoint',
  name: 'SailPoint Identity Security Cloud',
  summary:
    'Create a SCIM 2.0 source in SailPoint Identity Security Cloud, connect it with the base URL and an API token, discover the schema and aggregate, then let SailPoint provision accounts and group memberships. About 30 minutes.',
  sources: [
    {
      title: 'SailPoint: SCIM 2.0 connector, Connection Settings',
      url: 'https://documentation.sailpoint.com/connectors/scim_2_0/help/integrating_scim2/connection_settings.html',
    },
    {
      title: 'SailPoint: SCIM 2.0 connector, API Token',
      url: 'https://documentation.sailpoint.com/connectors/scim_2_0/help/integrating_scim2/api_token.html',
    },
    {
      title: 'SailPoint: SCIM 2.0 connector, Supported Features',
      url: 'https://documentation.sailpoint.com/connectors/scim_2_0/help/integrating_scim2/supported_features.html',
    },
    {
      title: 'SailPoint: SCIM 2.0 connector, Additional Aggregation Information',
      url: 'https://documentation.sailpoint.com/connectors/scim_2_0/help/integrating_scim2/additional_aggregation_information.html',
    },
    {
      title: 'SailPoint: SCIM 2.0 SaaS connector, Prerequisites',
      url: 'https://documentation.sailpoint.com/connectors/saas/scim_2_0/help/saas_connectivity/scim_2_0_saas/prerequisites.html',
    },
  ],
  scim: true,
  steps: [
    {
      title: 'Create a SCIM 2.0 source',
      body: [
        'In Identity Security Cloud, create a new source of type **SCIM 2.0**, give it a name and an owner. This application is a target of SailPoint, not an authoritative source of identities.',
      ],
      note: 'SailPoint lists provisioning on the SCIM 2.0 connector as a feature it must activate for your site. Without it, SailPoint only reads this directory and never creates or changes anyone.',
    },
    {
      title: 'Enter the connection details',
      body: [
        'In the source\'s **Connection Settings**, paste the SCIM base URL into **Host URL** and keep the default **Connection Timeout**.',
        'Set **Authentication Type** to **API Token** and paste the token into the API token field. SailPoint supports only bearer API tokens, long-lived or non-expiring, which is what this token is. Save, then test the connection; this page turns **Linked** at the first authenticated request.',
      ],
      fields: ['scim_base_url', 'bearer_token'],
    },
    {
      title: 'Discover the schema and load the accounts',
      body: [
        'On **Import Data**, select **Account Schema** and **Discover**. Mark `userName` as the **Account Name** and `id` as the **Account ID**.',
        'Then start a manual aggregation on **Import Data** and check the **Aggregation Activity** log. Load the groups (entitlements) the same way if you will grant group memberships from SailPoint.',
      ],
      note: 'Guestlist\'s `id` is the stable key of a user; `userName` can change. With **Account ID** set to `userName`, a renamed user looks like a new account to SailPoint.',
    },
    {
      title: 'Configure account creation',
      body: [
        'In the source\'s **Create Account** configuration, set how SailPoint fills `userName`, the name parts and the work email from identity attributes.',
        'SailPoint then creates accounts in Guestlist when access on this source is granted, from an access request, a role or a lifecycle state, and disables or removes them when the access ends.',
      ],
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'identity attribute of your choice, often email or uid', note: 'Set in Create Account.' },
    { scim: 'emails[type eq "work"].value', idp: 'email' },
    { scim: 'name.givenName', idp: 'firstname' },
    { scim: 'name.familyName', idp: 'lastname' },
    { scim: 'active', idp: 'account enabled state', note: 'Disabling the account in SailPoint sends active false.' },
  ],
  tips: [
    'Testing the connection and discovering the schema read `/ServiceProviderConfig`, `/ResourceTypes`, `/ResourceTypes/User`, `/ResourceTypes/Group` and `/Schemas`; SailPoint requires valid answers from all of them, and Guestlist serves them.',
    'Every aggregation reads the whole directory: the log shows `GET /Users` and `GET /Groups` page by page with `startIndex` and `count`, on SailPoint\'s schedule. These are reads and change nothing.',
    'Accounts are created only when SailPoint grants access on this source; aggregating alone never creates anyone in Guestlist.',
    'Granting or revoking a group entitlement from SailPoint is a membership change on that group; the log shows the exact request SailPoint makes.',
  ],
};
