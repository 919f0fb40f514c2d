import type { ProviderGuide } from './types.ts';

/**
 * Google Workspace has no SCIM client for custom applications: its automated provisioning works only for the
 * applications in Google's own catalog. Guestlist therefore reads the directory through the Admin SDK Directory
 * API (API.md §8), after a super admin grants read-only consent, or through a service account with domain-wide
 * delegation when the Guestlist operator set it up that way.
 */
export const google: ProviderGuide = {
  type: 'gsuite directory',
  slug: 'google',
  name: 'Google Workspace',
  summary:
    'A Google Workspace super admin signs in with Google and approves read-only access to users and groups; Guestlist then reads the directory on a schedule. No token to paste. About 5 minutes.',
  sources: [
    {
      title: 'Google Workspace Admin Help: About automated user provisioning',
      url: 'https://support.google.com/a/answer/7681608',
    },
    {
      title: 'Google for Developers: Admin SDK Directory API, Authorize requests (scopes)',
      url: 'https://developers.google.com/admin-sdk/directory/v1/guides/authorizing',
    },
    {
      title: 'Google Workspace Admin Help: Control which third-party & internal apps access Google Workspace data',
      url: 'https://support.google.com/a/answer/7281227',
    },
    {
      title: 'Google Workspace Admin Help: Control API access with domain-wide delegation',
      url: 'https://support.google.com/a/answer/162106',
    },
  ],
  scim: false,
  steps: [
    {
      title: 'Why there is no SCIM token for Google',
      body: [
        'Google Workspace provisions users automatically only to the applications in Google\'s own catalog; it cannot push SCIM to an application like this one. Instead, Guestlist reads your users and groups with Google\'s Admin SDK Directory API, read-only.',
        'You need a Google Workspace **super admin** account for the next steps.',
      ],
    },
    {
      title: 'If your organization restricts third-party apps, trust Guestlist first',
      body: [
        'In the Google Admin console, go to **Menu** > **Security** > **Access and data control** > **API controls** and click **Manage Third-Party App Access**.',
        'If your organization blocks or limits apps it has not configured, add Guestlist (ask your Guestlist operator for its OAuth client ID) and set its access to **Trusted**. If you do not restrict apps, skip this step.',
      ],
      note: 'When apps are restricted, Google refuses the consent in the next step and no data is read.',
    },
    {
      title: 'Sign in with Google and approve read-only access',
      body: [
        'Use the connect button on this page and sign in with the super admin account.',
        'Google\'s consent screen lists what Guestlist asks for: read-only access to users (`admin.directory.user.readonly`), groups (`admin.directory.group.readonly`) and group members (`admin.directory.group.member.readonly`). Approve, and Google sends you back here.',
      ],
      note: 'Approve with an administrator account. Consent from an ordinary account succeeds, but Google then refuses every directory read and this directory shows invalid credentials. Nothing is deleted while reads are refused.',
    },
    {
      title: 'Only if asked for a service account instead: authorize it',
      body: [
        'Some Guestlist operators connect Google with a service account rather than a sign-in. In that case they give you the service account\'s client ID and ask for the email address of an administrator to act as.',
        'In the Admin console, go to **Menu** > **Security** > **Access and data control** > **API controls** > **Manage Domain Wide Delegation**, click **Add new**, enter the **Client ID**, add the three read-only scopes above under **OAuth Scopes**, and click **Authorize**.',
      ],
    },
    {
      title: 'Wait for the first sync',
      body: [
        'The first sync runs shortly after consent and reads every user and group. After that Guestlist reads the directory again on a schedule (every 30 minutes unless your Guestlist operator changed it), so changes in Google appear within that interval.',
      ],
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'primaryEmail' },
    { scim: 'emails[type eq "work"].value', idp: 'primaryEmail' },
    { scim: 'name.givenName', idp: 'name.givenName' },
    { scim: 'name.familyName', idp: 'name.familyName' },
    { scim: 'externalId', idp: 'id', note: 'Google\'s immutable user ID; becomes the Directory User\'s idp_id.' },
    { scim: 'active', idp: 'suspended (inverted)', note: 'A suspended Google user is an inactive Directory User.' },
  ],
  tips: [
    'The SCIM request log stays empty for Google: nothing is pushed to Guestlist, which reads the directory on its schedule instead.',
    'A guard protects you from mass deprovisioning: if one sync would deactivate or delete a large share of the users at once (by default 30 % of at least 10 users within an hour), the changes are held until your Guestlist operator releases or discards them.',
    'Consent belongs to the admin who gave it. If that account is suspended, deleted or loses its admin role, or the app is removed under **Manage Third-Party App Access**, reads are refused and the directory shows invalid credentials; sign in again with another super admin.',
    'Your Guestlist operator can limit the sync to chosen groups; by default every group is read.',
  ],
};
