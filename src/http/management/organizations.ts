/** `/organizations`: the host app's customers, and the email domains they own. */
import { Type } from '@sinclair/typebox';
import { newId } from '../../ids.ts';
import { fromParams, fromResult, text } from '../audit.ts';
import type { AppContext } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { Organization, directoryObject, organizationObject } from '../objects.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { NoContent, ref } from '../schema.ts';
import { IdParams, Name, requireName } from './fields.ts';
import type { ManagementScope } from './scope.ts';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

const Domains = Type.Array(Type.String({ maxLength: 253 }), { maxItems: 100, description: 'Email domains the organization owns; on update, the new set.' });
/** WorkOS SDKs send `domain_data` instead of `domains`; both are accepted. */
const DomainData = Type.Array(Type.Object({ domain: Type.String({ maxLength: 253 }) }), { maxItems: 100, description: 'WorkOS form of `domains`.' });

const CreateBody = Type.Object({ name: Name, domains: Type.Optional(Domains), domain_data: Type.Optional(DomainData) });
const UpdateBody = Type.Object({ name: Type.Optional(Name), domains: Type.Optional(Domains), domain_data: Type.Optional(DomainData) });
const ListQuery = Type.Object({
  ...PageParams,
  domains: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'Only organizations with one of these domains: comma-separated or repeated.' })),
});

export const OrganizationList = ListOf(Organization, 'A page of organizations.');
const tags = ['organizations'];

/** Lowercases, checks and de-duplicates domains; undefined when the request names none. */
export function normalizeDomains(body: { domains?: string[]; domain_data?: { domain: string }[] }): string[] | undefined {
  const raw = body.domains ?? body.domain_data?.map((d) => d.domain);
  if (raw === undefined) return undefined;
  const domains = [...new Set(raw.map((d) => d.trim().toLowerCase()))];
  domains.forEach((domain, i) => {
    if (!DOMAIN.test(domain)) throw invalid(`domains.${i}`, 'invalid', `'${domain}' is not a valid domain name.`);
  });
  return domains;
}

export function organizationRoutes(app: ManagementScope, { store, config }: AppContext): void {
  app.post(
    '/organizations',
    {
      schema: {
        operationId: 'createOrganization',
        summary: 'Create an organization',
        tags,
        body: CreateBody,
        response: { 201: ref(Organization, 'The new organization.') },
      },
      config: { audit: { action: 'organization.created', target: fromResult('organization'), organization: (c) => text(c.result.id) } },
    },
    async (request, reply) => {
      const org = await store.createOrganization({
        id: newId('org'),
        name: requireName(request.body.name)!,
        domains: normalizeDomains(request.body) ?? [],
      });
      return reply.status(201).send(organizationObject(org));
    },
  );

  app.get(
    '/organizations',
    {
      schema: {
        operationId: 'listOrganizations',
        summary: 'List organizations',
        tags,
        querystring: ListQuery,
        response: { 200: ref(OrganizationList, 'A page of organizations, newest first by default.') },
      },
    },
    async (request) => {
      const raw = request.query.domains;
      const domains = raw === undefined ? undefined : (Array.isArray(raw) ? raw : raw.split(',')).map((d) => d.trim().toLowerCase());
      const page = await store.listOrganizations(parsePage(request.query), domains ? { domains } : {});
      return listEnvelope(page, organizationObject);
    },
  );

  app.get(
    '/organizations/:id',
    { schema: { operationId: 'getOrganization', summary: 'Get an organization', tags, params: IdParams, response: { 200: ref(Organization, 'The organization.') } } },
    async (request) => {
      const org = await store.getOrganization(request.params.id);
      if (!org) throw notFound('Organization', request.params.id);
      return organizationObject(org);
    },
  );

  app.put(
    '/organizations/:id',
    {
      schema: {
        operationId: 'updateOrganization',
        summary: 'Update an organization',
        description: '`domains` replaces the set, keeping the ids of domains that stay.',
        tags,
        params: IdParams,
        body: UpdateBody,
        response: { 200: ref(Organization, 'The updated organization.') },
      },
      config: { audit: { action: 'organization.updated', target: fromParams('organization'), organization: (c) => text(c.params.id) } },
    },
    async (request) => {
      const name = requireName(request.body.name);
      const domains = normalizeDomains(request.body);
      const org = await store.updateOrganization(request.params.id, {
        ...(name !== undefined ? { name } : {}),
        ...(domains !== undefined ? { domains } : {}),
      });
      if (!org) throw notFound('Organization', request.params.id);
      return organizationObject(org);
    },
  );

  app.delete(
    '/organizations/:id',
    {
      schema: {
        operationId: 'deleteOrganization',
        summary: 'Delete an organization',
        description: 'Deletes its directories and everything in them; each directory emits `dsync.deleted`.',
        tags,
        params: IdParams,
        response: { 204: NoContent('Deleted.') },
      },
      config: { audit: { action: 'organization.deleted', target: fromParams('organization'), organization: (c) => text(c.params.id) } },
    },
    async (request, reply) => {
      const deleted = await store.deleteOrganization(request.params.id, (dir) => directoryObject(dir, config.publicUrl));
      if (!deleted) throw notFound('Organization', request.params.id);
      return reply.status(204).send();
    },
  );
}
