import type { ProviderGuide } from './types.ts';

/**
 * Written from Microsoft's SCIM tutorial ("Integrate your SCIM endpoint with the Microsoft Entra provisioning
 * service"), its article on SCIM compliance flags (`aadOptscim062020`), the provisioning-management article
 * (scope, Provisioning Status) and "How Application Provisioning works" (cycles, deprovisioning, nested groups).
 */
export const entra: ProviderGuide = {
  type: 'azure scim v2.0',
  slug: 'entra',
  name: 'Microsoft Entra ID',
  summary:
    'Create a non-gallery enterprise application in Microsoft Entra ID, connect its provisioning to Guestlist with the Tenant URL and Secret Token, assign users and groups, and start provisioning. About 20 minutes, then up to 40 minutes for changes to flow.',
  sources: [
    {
      title: 'Microsoft Learn: Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID',
      url: 'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups',
    },
    {
      title: 'Microsoft Learn: Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra user provisioning service',
      url: 'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility',
    },
    {
      title: 'Microsoft Learn: Managing user account provisioning for enterprise apps in the Microsoft Entra admin center',
      url: 'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/configure-automatic-user-provisioning-portal',
    },
    {
      title: 'Microsoft Learn: How Application Provisioning works in Microsoft Entra ID',
      url: 'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works',
    },
  ],
  scim: true,
  steps: [
    {
      title: 'Create a non-gallery enterprise application',
      body: [
        'Sign in to the Microsoft Entra admin center as at least an **Application Administrator** and browse to **Entra ID** > **Enterprise apps** (older menus: **Identity** > **Applications** > **Enterprise applications**).',
        'Select **New application** > **Create your own application**, enter a name, choose **Integrate any other application you don\'t find in the gallery (Non-gallery)**, and create it.',
      ],
    },
    {
      title: 'Enter the Tenant URL and Secret Token',
      body: [
        'In the application, select **Provisioning** in the left panel, then **New configuration**. (In older versions of the portal: **Get started**, set **Provisioning Mode** to **Automatic**, and expand **Admin Credentials**.)',
        'Paste the SCIM base URL into **Tenant URL** exactly as shown here, including `?aadOptscim062020` at the end, and the token into **Secret Token**.',
        'Select **Test Connection**; when it succeeds, select **Create** (or **Save**). The test is Entra\'s first authenticated request: this page turns **Linked**, and every request appears in the log below.',
      ],
      fields: ['scim_base_url', 'bearer_token'],
      note: 'Keep `?aadOptscim062020`: it is Microsoft\'s documented flag for RFC-compliant PATCH requests (boolean `active`, proper member removal). And never leave **Secret Token** empty: Entra then sends a token of its own, which Guestlist rejects with 401.',
    },
    {
      title: 'Choose who is provisioned',
      body: [
        'Under the provisioning **Settings**, set **Scope** to **Sync only assigned users and groups** (Microsoft\'s recommendation).',
        'Then, on the application\'s **Users and groups** page, assign the users and groups that should reach the application.',
      ],
      note: 'With **Sync only assigned users and groups**, nothing is provisioned until someone is assigned; with **Sync all users and groups**, your whole tenant is. Members of a nested group are not provisioned: Entra reads only the direct members of an assigned group.',
    },
    {
      title: 'Review the attribute mappings',
      body: [
        'Select **Attribute mapping**. There are two mappings: one for users, one for groups. The defaults suit Guestlist (see the table below); the attributes marked **Matching** decide how Entra finds existing users, by default `userName`.',
        'If you do not want groups in Guestlist, disable the group mapping. Select **Save** after any change.',
      ],
    },
    {
      title: 'Test with Provision on demand',
      body: [
        'Select **Provision on demand**, search for a user who is in scope, and provision them. The requests appear in the log below within seconds.',
      ],
      note: 'Microsoft notes that the `aadOptscim062020` flag does not apply to on-demand provisioning, so these requests use Entra\'s older format (see the tips). Guestlist accepts both.',
    },
    {
      title: 'Start provisioning',
      body: [
        'Back on the provisioning **Overview**, open **Properties** to add a notification email for failures, then select **Start provisioning** (in older portals: set **Provisioning Status** to **On** and save).',
        'The first cycle reads everyone in scope and can take a while; after that Entra syncs changes about every 40 minutes. **Provisioning logs** in the left panel shows Entra\'s side of each action.',
      ],
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'userPrincipalName', note: 'The default matching attribute.' },
    { scim: 'emails[type eq "work"].value', idp: 'mail' },
    { scim: 'name.givenName', idp: 'givenName' },
    { scim: 'name.familyName', idp: 'surname' },
    { scim: 'displayName', idp: 'displayName' },
    { scim: 'externalId', idp: 'mailNickname', note: 'Entra can change it later with a Replace operation.' },
    {
      scim: 'active',
      idp: 'IsSoftDeleted (inverted)',
      note: 'A computed value: false when the user is disabled, soft-deleted or leaves the provisioning scope.',
    },
    { scim: 'title', idp: 'jobTitle' },
    { scim: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', idp: 'department' },
    { scim: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', idp: 'employeeId' },
    { scim: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', idp: 'manager' },
  ],
  tips: [
    '**Test Connection** queries a user that cannot exist, `GET /Users?filter=userName eq "<random GUID>"`, and a random group; Guestlist answers 200 with an empty list, which is what Entra expects.',
    'Entra updates users only with PATCH, never PUT. Without the flag its operations are capitalised (`Replace`, `Add`, `Remove`) and `active` is the string `"False"` or `"True"`; with `?aadOptscim062020` they are lowercase with a boolean. Guestlist accepts both forms.',
    'Unassigning a user, or the user leaving the scope or being disabled, sends PATCH `active` false; the Directory User becomes inactive. A DELETE follows only when the user is permanently deleted in Entra, which happens 30 days after a soft delete.',
    'Before creating a user Entra looks for it with `GET /Users?filter=userName eq "…"`; groups are looked up with `GET /Groups?excludedAttributes=members&filter=displayName eq "…"`.',
    'Groups are created with `POST /Groups` without members; members follow in PATCH requests. Without the flag a removal lists the members in `value`; with it, the path is `members[value eq "…"]`.',
    'Changes made in Entra reach Guestlist on the next cycle, about every 40 minutes, not immediately. Use **Provision on demand** to push one user now.',
    'If most requests fail (a revoked token, say), Entra puts the job in quarantine and slows its cycles down to once a day. Fix the cause (paste a new token on **Provisioning**) and the next cycle clears it.',
  ],
};
