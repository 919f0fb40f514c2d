/**
 * Every schema with an `$id`, registered once with app.addSchema before the routes: route schemas reach them
 * with ref() (src/http/schema.ts), Fastify serializes through them, and @fastify/swagger emits each as
 * `#/components/schemas/<$id>`.
 */
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AuditLog, AuditLogList } from '../management/audit-logs.ts';
import { DirectoryList, DirectoryTokenList } from '../management/directories.ts';
import { DirectoryGroup, DirectoryGroupList, DirectoryUser, DirectoryUserEvent, DirectoryUserList } from '../management/directory-objects.ts';
import { Event, EventList } from '../management/events.ts';
import { MAPPING_COMPONENTS } from '../management/mapping.ts';
import { SOURCE_COMPONENTS } from '../management/sources.ts';
import { OrganizationList } from '../management/organizations.ts';
import { PortalInvite, PortalInviteList, PortalLink } from '../management/portal-links.ts';
import { ScimRequest, ScimRequestList } from '../management/scim-requests.ts';
import {
  ResentDelivery,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
} from '../management/webhooks.ts';
import {
  ApiErrorObject,
  Directory,
  DirectoryEvent,
  DirectoryToken,
  DirectoryWithToken,
  NewDirectoryToken,
  Organization,
  OrganizationDomain,
} from '../objects.ts';
import { DirectoryGroupUpdate, DirectoryMembership, DirectoryUserUpdate, EVENT_SCHEMAS } from './webhooks.ts';

export const COMPONENTS: TSchema[] = [
  ApiErrorObject,
  Organization,
  OrganizationDomain,
  OrganizationList,
  Directory,
  DirectoryEvent,
  DirectoryWithToken,
  DirectoryList,
  DirectoryToken,
  NewDirectoryToken,
  DirectoryTokenList,
  DirectoryUser,
  DirectoryUserEvent,
  DirectoryUserList,
  DirectoryGroup,
  DirectoryGroupList,
  ScimRequest,
  ScimRequestList,
  Event,
  EventList,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEndpointList,
  WebhookDelivery,
  WebhookDeliveryList,
  ResentDelivery,
  PortalLink,
  PortalInvite,
  PortalInviteList,
  AuditLog,
  AuditLogList,
  DirectoryUserUpdate,
  DirectoryGroupUpdate,
  DirectoryMembership,
  ...MAPPING_COMPONENTS,
  ...SOURCE_COMPONENTS,
  ...EVENT_SCHEMAS,
];

export function addComponents(app: FastifyInstance): void {
  for (const schema of COMPONENTS) app.addSchema(schema);
}
