import type { ProviderGuide } from './types.ts';

/**
 * BambooHR does not push SCIM: Guestlist reads the employee directory through BambooHR's REST API with an API
 * key (API.md §8). Written from BambooHR's "Getting Started With The API" (the subdomain, API keys and their
 * permissions). Where to find **API Keys** in BambooHR's menus is described there only in outline, so the menu
 * steps also follow n8n's and Nango's public setup guides, which agree with it.
 */
export const bamboohr: ProviderGuide = {
  type: 'bamboohr',
  slug: 'bamboohr',
  name: 'BambooHR',
  summary:
    'Create an API key in BambooHR with an account that can see every employee, then paste it here with your BambooHR subdomain. Guestlist reads the employee directory on a schedule. About 5 minutes.',
  sources: [
    {
      title: 'BambooHR API documentation: Getting Started With The API (subdomain, authentication, API keys)',
      url: 'https://documentation.bamboohr.com/docs/getting-started',
    },
    {
      title: 'n8n docs (third party): BambooHR credentials, creating an API key',
      url: 'https://docs.n8n.io/integrations/builtin/credentials/bamboohr/',
    },
    {
      title: 'Nango docs (third party): BambooHR (Basic Auth), finding the subdomain and the API key',
      url: 'https://nango.dev/docs/integrations/all/bamboohr-basic/connect',
    },
  ],
  scim: false,
  steps: [
    {
      title: 'Choose the account the key belongs to',
      body: [
        'BambooHR does not push users to applications over SCIM. Instead, Guestlist reads your employees through BambooHR\'s API with an API key.',
        'BambooHR answers each API request with the permissions of the user who created the key: Guestlist sees exactly the employees and fields that user sees. Sign in as a BambooHR administrator (or a user whose access level covers every employee\'s name, work email, status, termination date, job title, department and supervisor) before creating the key.',
      ],
      note: 'A key made by a user who sees only part of the company reads only that part, and a later change to that user\'s access changes what Guestlist reads.',
    },
    {
      title: 'Create an API key',
      body: [
        'In BambooHR, open your account menu (your name or picture; it sits in the upper right corner or, in newer layouts, under **My Account** at the bottom left) and choose **API Keys**. If the option is missing, your access level does not allow API keys: ask a BambooHR administrator.',
        'Click **Add New Key**, name it (for example `Guestlist`), click **Generate Key** and copy the key. BambooHR shows it only once.',
      ],
    },
    {
      title: 'Find your subdomain',
      body: [
        'Your subdomain is the part of your BambooHR address between `https://` and `.bamboohr.com`: if you sign in at `https://acme.bamboohr.com`, it is `acme`. You may also paste the whole address below; Guestlist keeps only the subdomain.',
      ],
    },
    {
      title: 'Paste the subdomain and the key',
      body: [
        'Enter the subdomain and paste the API key. Once saved, the key is stored encrypted and never shown again; this page shows only the subdomain.',
      ],
      fields: ['connection'],
    },
    {
      title: 'Wait for the first sync',
      body: [
        'The first sync starts shortly after you save and reads every employee. After that Guestlist reads BambooHR again on a schedule (every 30 minutes unless your Guestlist operator changed it). The **Syncs** tab lists every sync with what it changed, and **Sync now** starts one at once.',
      ],
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'workEmail' },
    { scim: 'emails[type eq "work"].value', idp: 'workEmail' },
    { scim: 'externalId', idp: 'id (the employee ID)', note: 'Becomes the Directory User\'s idp_id.' },
    { scim: 'name.givenName', idp: 'firstName' },
    { scim: 'name.familyName', idp: 'lastName' },
    { scim: 'active', idp: 'status and terminationDate', note: 'An employee whose status is Inactive, or whose termination date has passed, is an inactive Directory User: former employees stay listed rather than vanish.' },
    { scim: 'title', idp: 'jobTitle' },
    { scim: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', idp: 'department' },
    { scim: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', idp: 'supervisorEId', note: 'The supervisor\'s employee ID.' },
  ],
  tips: [
    'There is no SCIM request log for BambooHR: nothing is pushed to Guestlist. The **Syncs** tab shows each read instead, with its counts and, when it failed, the reason.',
    'If the directory shows **Credentials refused**, BambooHR rejected the key or found no company at that subdomain: the key was deleted, the user who created it was deactivated or lost API access, or the subdomain is mistyped. Nothing is deleted while reads are refused; fix it and save the connection again.',
    'BambooHR has no groups: this directory has users only. Roles can still come from a mapped attribute such as the department.',
    'A guard protects you from mass deprovisioning: if one sync would deactivate or delete a large share of the users at once (by default at least 10 users and more than 30 % of the active ones within an hour), for example because the key\'s user lost access to most employees, the changes are held until they are released or discarded on this page.',
  ],
};
