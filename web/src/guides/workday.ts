import type { ProviderGuide } from './types.ts';

/**
 * Workday does not push SCIM to applications: Guestlist reads a custom report the customer exposes as a web
 * service (Reports-as-a-Service, RaaS) as JSON, signed in as an Integration System User (API.md §8).
 *
 * Workday's own administrator documentation is published only to Workday customers (behind a sign-in), so
 * these steps follow the public setup guides of other products that read Workday RaaS the same way (Workato,
 * Ping Identity, StackOne, Trelica, Oort). Where they differ in wording, the guide says so and names the task
 * to search for rather than a menu path; labels can vary between Workday releases.
 */
export const workday: ProviderGuide = {
  type: 'workday',
  slug: 'workday',
  name: 'Workday',
  summary:
    'A Workday administrator creates an Integration System User, builds a custom report of your workers exposed as a web service, shares it with that user, and pastes the report\'s JSON URL and the user\'s credentials here. About 30 minutes.',
  sources: [
    {
      title: 'Workato docs (third party): Workday RaaS, making a custom report a web service and finding its JSON URL',
      url: 'https://docs.workato.com/connectors/workday/workday_raas.html',
    },
    {
      title: 'Ping Identity docs (third party): Adding the Integration System User to a Security Group',
      url: 'https://docs.pingidentity.com/pingone/integrations/p1_adding_integration_system_user_to_security_group.html',
    },
    {
      title: 'StackOne docs (third party): Workday RaaS, creating the ISU and the custom report',
      url: 'https://hub.stackone.com/integration-configuration-concepts/hris/workday-raas',
    },
    {
      title: 'Trelica help (third party): Workday HR, ISU, security group and domain permissions',
      url: 'https://help.trelica.com/hc/en-us/articles/14678953682589-Workday-HR',
    },
    {
      title: 'Oort docs (third party): Workday Report as a Service (RaaS) integration, sharing the report with the ISU',
      url: 'https://docs.oort.io/integrations/workday/workday-report-as-a-service-integration',
    },
  ],
  scim: false,
  steps: [
    {
      title: 'Before you start',
      body: [
        'Workday does not push users to applications over SCIM. Instead, Guestlist reads a custom report of your workers, which Workday serves as a web service (Reports-as-a-Service), on a schedule.',
        'You need a Workday account that can create integration system users, security groups and custom reports. Workday publishes its administrator guides to customers only, so these steps follow the public guides of other Workday integrations (listed under Sources); a task may be worded slightly differently in your tenant. In Workday, type each task\'s name in the search bar to open it.',
      ],
    },
    {
      title: 'Create an Integration System User',
      body: [
        'Open the **Create Integration System User** task. Enter a user name (for example `isu_guestlist`) and a strong password, and write both down: you paste them here in the last step.',
        'Untick **Require New Password at Next Sign In** and tick **Do Not Allow UI Sessions**, so the account can read reports but never sign in to Workday\'s pages.',
      ],
      note: 'If your tenant\'s password rules make the password expire, the directory shows **Credentials refused** when it does. Nothing is deleted then; set a new password in Workday and save it here.',
    },
    {
      title: 'Give it a security group and access to worker data',
      body: [
        'Open **Create Security Group**, choose **Integration System Security Group (Unconstrained)** as the type, name it (for example `guestlist`) and click **OK**. On the next page, add the Integration System User under **Integration System Users** and click **OK**.',
        'Give the group access to the data the report reads: on each security domain behind the report\'s fields (typically **Worker Data: Public Worker Reports**, **Person Data: Work Contact Information** and **Worker Data: Current Staffing Information**), edit the security policy and add the group with **View** (report) and **Get** (integration) permission. Then run **Activate Pending Security Policy Changes**.',
      ],
      note: 'Which domains you need depends on the fields you choose in the next step, and on your tenant. A field the group cannot see comes back empty, and a worker with an empty **Email** cannot be matched: check with your Workday security administrator if the first sync reads fewer people than expected.',
    },
    {
      title: 'Create the custom report',
      body: [
        'Open **Create Custom Report**. Give it a name (for example `Guestlist Workers`), set **Report Type** to **Advanced**, and choose a data source that returns one row per worker, including those who left if you want them marked inactive rather than removed (for example **All Active and Terminated Workers**).',
        'Add one column per value below and set each column\'s **Column Heading Override XML Alias** to exactly this name, which becomes the key in the report\'s JSON: `Employee_ID` (the worker\'s ID), `Email` (work email), `First_Name`, `Last_Name`, `Active` (`1` for an active worker, `0` otherwise, for example a calculated field), `Job_Title`, `Department`, `Manager_Email`, and `Groups` (the names of the groups the worker belongs to, separated by `;`, or a multi-instance field).',
        'On the **Advanced** tab, tick **Enable As Web Service**, then click **OK**.',
      ],
      note: 'Guestlist finds each value by its XML alias, not by the column heading. If your report already exists with other names, keep them and enter them under **Column names** in the form below instead.',
    },
    {
      title: 'Share the report with the Integration System User',
      body: [
        'On the report definition\'s **Share** tab, choose **Share with specific authorized groups and users** and add the Integration System User (or its security group). Some teams make the Integration System User the report\'s owner instead; either lets it run the report.',
      ],
    },
    {
      title: 'Copy the report\'s JSON URL',
      body: [
        'Run the report, open its related actions (the **…** button next to its name) and choose **Web Service** > **View URLs**. Under **JSON**, copy the link (right-click it and copy the link address).',
        'It looks like `https://wd2-impl-services1.workday.com/ccx/service/customreport2/acme/isu_guestlist/Guestlist_Workers?format=json`, with your own host, tenant and report name.',
      ],
    },
    {
      title: 'Paste the URL and the user\'s credentials',
      body: [
        'Paste the JSON URL, and the Integration System User\'s user name and password. Some tenants expect the user name followed by `@` and the tenant name (`isu_guestlist@acme`); if the first sync says the credentials were refused, try that form.',
        'Once saved, the password is stored encrypted and never shown again; this page shows only the URL and the user name.',
      ],
      fields: ['connection'],
    },
    {
      title: 'Wait for the first sync',
      body: [
        'The first sync starts shortly after you save and reads the whole report. After that Guestlist reads it again on a schedule (every 30 minutes unless your Guestlist operator changed it). The **Syncs** tab lists every sync with what it changed, and **Sync now** starts one at once.',
      ],
    },
  ],
  attributeMappings: [
    { scim: 'userName', idp: 'Email' },
    { scim: 'emails[type eq "work"].value', idp: 'Email' },
    { scim: 'externalId', idp: 'Employee_ID', note: 'Becomes the Directory User\'s idp_id; must not change for a worker.' },
    { scim: 'name.givenName', idp: 'First_Name' },
    { scim: 'name.familyName', idp: 'Last_Name' },
    { scim: 'active', idp: 'Active', note: '`1` is active; `0` makes the Directory User inactive.' },
    { scim: 'title', idp: 'Job_Title' },
    { scim: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', idp: 'Department' },
    { scim: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', idp: 'Manager_Email', note: 'Resolved to the manager\'s Employee_ID when the manager is in the report.' },
  ],
  tips: [
    'There is no SCIM request log for Workday: nothing is pushed to Guestlist. The **Syncs** tab shows each read instead, with its counts and, when it failed, the reason.',
    'A worker missing from the report is treated as gone. If a report filter or a lost domain permission suddenly hides many workers, the guard holds the deactivations and deletions back (by default when syncs within an hour would remove at least 10 users and more than 30 % of the active ones) until they are released or discarded on this page.',
    'Groups come only from the `Groups` column, by name; leave the column empty if your application does not need groups.',
    'The JSON Guestlist reads has one entry per worker under `Report_Entry`, with the XML aliases as keys. If a value is missing for everyone, the alias is misspelled or the security group cannot see that field.',
  ],
};
