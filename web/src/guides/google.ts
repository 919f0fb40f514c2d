import type { ProviderGuide } from './types.ts';

/**
 * Google Workspace has no SCIM client for custom applications: its automated provisioning works only for the
 * applications in Google's own catalog. Guestlist therefore reads the directory through the Admin SDK Directory
 * API (API.md §8) as a service account with domain-wide delegation, acting as one of the customer's super
 * admins. Written from Google Cloud's pages on creating service accounts and their keys, the Admin SDK's
 * delegation and scopes pages, and the Admin Help article on domain-wide delegation.
 */
export const google: ProviderGuide = {
  type: 'gsuite directory',
  slug: 'google',
  name: 'Google Workspace',
  summary:
    'Create a service account in Google Cloud, authorize it in the Google Admin console to read users and groups, then paste its JSON key and a super admin\'s email here. Guestlist reads the directory on a schedule. About 15 minutes.',
  sources: [
    {
      title: 'Google Workspace Admin Help: About automated user provisioning',
      url: 'https://support.google.com/a/answer/7681608',
    },
    {
      title: 'Google Cloud: Create service accounts',
      url: 'https://cloud.google.com/iam/docs/service-accounts-create',
    },
    {
      title: 'Google Cloud: Create and delete service account keys',
      url: 'https://cloud.google.com/iam/docs/keys-create-delete',
    },
    {
      title: 'Google for Developers: Admin SDK, Perform Google Workspace domain-wide delegation of authority',
      url: 'https://developers.google.com/admin-sdk/directory/v1/guides/delegation',
    },
    {
      title: 'Google for Developers: Admin SDK Directory API, Authorize requests (scopes)',
      url: 'https://developers.google.com/admin-sdk/directory/v1/guides/authorizing',
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
        'Google Workspace provisions users automatically only to the applications in Google\'s own catalog; it cannot push SCIM to an application like this one. Instead, Guestlist reads your users and groups with Google\'s Admin SDK Directory API, read-only, as a service account you create and authorize.',
        'You need a Google Workspace **super admin** account, and a Google Cloud project in which you may create service accounts (any project of your organization will do, or a new one).',
      ],
    },
    {
      title: 'Create a service account in Google Cloud',
      body: [
        'In the Google Cloud console, select the project. Under **APIs & Services** > **Library**, search for **Admin SDK API** and click **Enable**.',
        'Go to **IAM & Admin** > **Service accounts** and click **Create service account**. Give it a name such as `guestlist-directory` and click **Create and continue**, then **Done**: it needs no role on the project, because its access to your directory comes from the delegation in step 4.',
      ],
    },
    {
      title: 'Create a JSON key for it',
      body: [
        'Click the service account\'s email address, open the **Keys** tab, click **Add key** > **Create new key**, choose **JSON** and click **Create**. Your browser downloads the key file; Google does not let you download it again.',
        'Keep the file like a password. Its `client_id` field (a long number, also shown as the service account\'s **Unique ID** on its **Details** tab) is what you enter in the next step.',
      ],
      note: 'If Google refuses to create the key, your organization enforces the policy that disables service account key creation (`iam.disableServiceAccountKeyCreation`); an administrator of your organization\'s policies can allow it for this project.',
    },
    {
      title: 'Authorize it in the Admin console (domain-wide delegation)',
      body: [
        'Sign in to the Google Admin console as a super admin and go to **Menu** > **Security** > **Access and data control** > **API controls**. Under **Domain wide delegation**, click **Manage Domain Wide Delegation**, then **Add new**.',
        'In **Client ID**, paste the service account\'s client ID. In **OAuth scopes**, paste these three read-only scopes, separated by commas: `https://www.googleapis.com/auth/admin.directory.user.readonly`, `https://www.googleapis.com/auth/admin.directory.group.readonly`, `https://www.googleapis.com/auth/admin.directory.group.member.readonly`. Click **Authorize**.',
      ],
      note: 'Google says the authorization usually applies within minutes but can take up to 24 hours. If the first sync says the credentials were refused, wait a little and press **Sync now** again.',
    },
    {
      title: 'Paste the key and a super admin\'s email',
      body: [
        'Paste the whole JSON key file below, or choose the file. Enter the email address of a **super admin**: the service account acts as this person when it reads the directory.',
        '**Customer ID** is optional. Leave it empty to read the Google Workspace account the admin belongs to; otherwise it is the ID shown in the Admin console under **Account** > **Account settings**.',
        'Once saved, the key is stored encrypted and never shown again, here or anywhere else; this page shows only the service account\'s email and the admin\'s.',
      ],
      fields: ['connection'],
    },
    {
      title: 'Wait for the first sync',
      body: [
        'The first sync starts shortly after you save and reads every user and group. After that Guestlist reads the directory again on a schedule (every 30 minutes unless your Guestlist operator changed it). The **Syncs** tab lists every sync with what it changed, and **Sync now** starts one at once.',
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
    'There is no SCIM request log for Google: nothing is pushed to Guestlist. The **Syncs** tab shows each read instead, with its counts and, when it failed, Google\'s reason.',
    'If the directory shows **Credentials refused**, Google rejected the service account: the delegation was removed or lacks one of the three scopes, the key was deleted in Google Cloud, or the admin whose email you entered was suspended, deleted or is no longer a super admin. Nothing is deleted while reads are refused; fix the cause, then save the key again if you made a new one.',
    'A guard protects you from mass deprovisioning: if one sync would deactivate or delete a large share of the users at once (by default at least 10 users and more than 30 % of the active ones within an hour), the changes are held until they are released or discarded on this page.',
    'Your Guestlist operator can limit the sync to chosen groups, and then only their members are read; by default every group and user is read.',
    'To rotate the key, create a new one on the service account\'s **Keys** tab, save it here, then delete the old key in Google Cloud.',
  ],
};
