import type { ProviderGuide } from './types.ts';

/**
 * Written from Ping Identity's documentation of the SCIM Provisioner (the SCIM Connector for PingFederate
 * outbound provisioning): features, settings reference, user and group management. The SCIM outbound support
 * built into older PingFederate releases speaks SCIM 1.1 only, so the guide uses the SCIM Provisioner.
 */
export const pingfederate: ProviderGuide = {
  type: 'pingfederate scim v2.0',
  slug: 'pingfederate',
  name: 'PingFederate',
  summary:
    'Add an outbound provisioning connection that uses the SCIM Provisioner in PingFederate, point it at Guestlist with the base URL and an OAuth 2 bearer token, and choose the users and groups from your data store. About 30 minutes.',
  sources: [
    {
      title: 'Ping Identity: SCIM Provisioner (features and specifications)',
      url: 'https://docs.pingidentity.com/integrations/scim/pf_scim_connector.html',
    },
    {
      title: 'Ping Identity: SCIM provisioner settings reference',
      url: 'https://docs.pingidentity.com/integrations/scim/setup/pf_scim_connector_scim_connector_settings_reference.html',
    },
    {
      title: 'Ping Identity: SCIM Provisioner, user and group management',
      url: 'https://docs.pingidentity.com/integrations/scim/pf_scim_connector_user_and_group_management.html',
    },
    {
      title: 'Ping Identity: SCIM Provisioner, gathering information from the service provider',
      url: 'https://docs.pingidentity.com/integrations/scim/setup/pf_scim_connector_gathering_information_from_the_service_provider.html',
    },
  ],
  scim: true,
  steps: [
    {
      title: 'Check the prerequisites',
      body: [
        'You need the SCIM Provisioner (Ping\'s SCIM Connector) installed in PingFederate, outbound provisioning enabled, and the data store that holds your users (Active Directory or another LDAP directory) configured as a data store.',
        'Ping describes the SCIM outbound support built into older PingFederate releases as SCIM 1.1 only; use the SCIM Provisioner, which defaults to SCIM 2.0.',
      ],
    },
    {
      title: 'Create the provisioning connection',
      body: [
        'In the PingFederate administrative console, go to **Applications** > **Integration** > **SP Connections** and create a connection (or edit the one you use for single sign-on to this application).',
        'Enable outbound provisioning for the connection and choose the SCIM Provisioner as the provisioning type.',
      ],
    },
    {
      title: 'Enter the connection details',
      body: [
        'On the provisioning target settings, paste the SCIM base URL into **SCIM URL** and set **SCIM Version** to **2.0**.',
        'Set **Authentication Methods** to **OAuth 2 Bearer Token** and paste the token into **Access Token**. Entries in the fields of the other methods are ignored.',
        'Under **SCIM Overrides**, leave **Unique User Identifier** at `userName` and leave **Filter Expression** empty.',
      ],
      fields: ['scim_base_url', 'bearer_token'],
      note: 'The authentication method defaults to **None**: if it is not switched to **OAuth 2 Bearer Token**, PingFederate sends no token and every request is refused with 401.',
    },
    {
      title: 'Choose the provisioning options',
      body: [
        'Keep **User Create**, **User Update** and **User Disable / Delete** selected.',
        'Set **Remove User Action** to disable (users removed from scope stay in Guestlist as inactive) or delete (they are removed). Select **Provision Disabled Users** only if you also want disabled accounts created, as inactive users.',
      ],
      note: 'PingFederate can re-enable a user only while **User Update** is selected; with it cleared, a user disabled once stays inactive in Guestlist.',
    },
    {
      title: 'Select the users and map the attributes',
      body: [
        'Configure the channel: choose the data store as the source, then the group or filter that selects the users to provision.',
        'On the **Attribute Mapping** tab, map `userName` to the attribute that identifies people in your data store (Ping\'s example maps it to `sAMAccountName`), and map the email and name attributes. Then activate the channel and save the connection. This page turns **Linked** at PingFederate\'s first authenticated request.',
      ],
      note: 'PingFederate links existing accounts by `userName` alone. Map it to the value people already have in this directory, or they are created a second time under a new `userName`.',
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'sAMAccountName', note: 'Ping\'s own example; any unique attribute of your data store works.' },
    { scim: 'emails[type eq "work"].value', idp: 'mail', note: 'Active Directory attribute names; yours may differ.' },
    { scim: 'name.givenName', idp: 'givenName' },
    { scim: 'name.familyName', idp: 'sn' },
    { scim: 'active', idp: 'the account\'s disabled flag in the data store', note: 'Disabled accounts are sent inactive.' },
  ],
  tips: [
    'PingFederate never PATCHes users: Ping lists PATCH for users as unsupported, so every profile change is a `PUT /Users/{id}` with the whole user.',
    'For groups PingFederate does not filter by name: it lists the groups (`GET /Groups`, page by page) and finds the match itself. Membership changes are PATCH requests on `/Groups/{id}`.',
    'With **Remove User Action** set to disable, removed users arrive as updates with `active` false; set to delete, as `DELETE /Users/{id}`.',
    'PingFederate provisions on its own schedule by reading the data store, so a change in Active Directory reaches Guestlist on the next provisioning cycle, not immediately.',
    'On PingOne rather than PingFederate, the equivalent is a SCIM provisioning connection (**Integrations** > **Provisioning**) with the same base URL and a bearer-token authentication method.',
  ],
};
