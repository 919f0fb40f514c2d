/** The client: one HttpClient shared by a resource object per part of the management API. */
import { HttpClient, type GuestlistOptions } from './http.js';
import { CustomAttributes } from './resources/custom-attributes.js';
import { DirectoryGroups, DirectoryUsers } from './resources/directory-objects.js';
import { Directories } from './resources/directories.js';
import { Events } from './resources/events.js';
import { Organizations } from './resources/organizations.js';
import { Roles } from './resources/roles.js';
import { WebhookEndpoints } from './resources/webhook-endpoints.js';
import { Webhooks } from './webhooks.js';

export class Guestlist {
  readonly organizations: Organizations;
  readonly directories: Directories;
  readonly directoryUsers: DirectoryUsers;
  readonly directoryGroups: DirectoryGroups;
  readonly events: Events;
  readonly webhookEndpoints: WebhookEndpoints;
  /** The operator's custom attributes; each directory maps onto them (`directories.setAttributeMapping`). */
  readonly customAttributes: CustomAttributes;
  /** The operator's roles; each directory's groups map to them (`directories.setRoleMapping`). */
  readonly roles: Roles;
  /** Signature verification for your webhook receiver; it needs only the endpoint's secret. */
  readonly webhooks: Webhooks;

  constructor(options: GuestlistOptions) {
    const http = new HttpClient(options);
    this.organizations = new Organizations(http);
    this.directories = new Directories(http);
    this.directoryUsers = new DirectoryUsers(http);
    this.directoryGroups = new DirectoryGroups(http);
    this.events = new Events(http);
    this.webhookEndpoints = new WebhookEndpoints(http);
    this.customAttributes = new CustomAttributes(http);
    this.roles = new Roles(http);
    this.webhooks = new Webhooks();
  }
}
