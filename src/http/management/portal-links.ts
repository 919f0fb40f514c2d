/**
 * `/portal/generate_link` and `/portal/invites` (docs/portal.md § Links): the links that open the admin portal
 * for one organization. The token is in the link only; the store keeps its hash, so lists carry no link.
 */
import { Type } from '@sinclair/typebox';
import { INVITE_DAYS, redirectUrlProblem } from '../../portal/links.ts';
import type { LinkRecord } from '../../store/portal.ts';
import { portalLinkUrl } from '../../urls.ts';
import { fromParams, fromResult, text } from '../audit.ts';
import type { BrowserContext } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { Nullable, ref } from '../schema.ts';
import { IdParams } from './fields.ts';
import type { ManagementScope } from './scope.ts';

const INTENTS = ['dsync'];
const OrganizationId = Type.String({ maxLength: 255, description: 'The organization id (`org_…`).' });
const RedirectUrl = (description: string) => Type.Optional(Type.String({ maxLength: 2048, description }));

const GenerateLinkBody = Type.Object({
  organization: OrganizationId,
  // Optional, as in WorkOS's Node SDK 11: Guestlist's portal has one intent.
  intent: Type.Optional(Type.String({ description: 'What the portal is for: `dsync`, the only intent Guestlist serves (and the default).' })),
  return_url: RedirectUrl('Absolute http(s) URL: where the portal sends the IT admin back to your app.'),
  success_url: RedirectUrl('Absolute http(s) URL: where the portal sends the IT admin once a directory is set up.'),
});
const InviteBody = Type.Object({
  organization: OrganizationId,
  expires_in_days: Type.Optional(
    Type.Integer({ minimum: INVITE_DAYS.min, maximum: INVITE_DAYS.max, description: `Days until it expires, ${INVITE_DAYS.min} to ${INVITE_DAYS.max} (default ${INVITE_DAYS.default}).` }),
  ),
});
const InviteListQuery = Type.Object({ ...PageParams, organization_id: Type.Optional(Type.String({ description: "Only this organization's invites." })) });

export const PortalLink = Type.Object(
  { link: Type.String({ description: '`{GUESTLIST_PUBLIC_URL}/portal/link/{token}`: opens the portal once, within 5 minutes.' }) },
  { $id: 'PortalLink', description: 'A single-use admin portal link.' },
);

export const PortalInvite = Type.Object(
  {
    object: Type.Literal('portal_invite'),
    id: Type.String({ description: '`portal_invite_…`' }),
    organization_id: Type.String(),
    link: Type.Optional(Type.String({ description: 'Only in the answer to create: the token is stored as a hash.' })),
    expires_at: Type.String({ format: 'date-time' }),
    revoked_at: Nullable(Type.String({ format: 'date-time' })),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'PortalInvite', description: 'A link to the admin portal for email: it opens the portal until it expires or is revoked.' },
);
export const PortalInviteList = ListOf(PortalInvite, 'A page of portal invites.');

const tags = ['portal'];

export function inviteObject(invite: LinkRecord) {
  return {
    object: 'portal_invite' as const,
    id: invite.id,
    organization_id: invite.organization_id,
    expires_at: invite.expires_at,
    revoked_at: invite.revoked_at,
    created_at: invite.created_at,
  };
}

function checkRedirectUrl(field: string, value: string | undefined): void {
  const problem = value === undefined ? undefined : redirectUrlProblem(value);
  if (problem) throw invalid(field, 'invalid', `${field} ${problem}.`);
}

export function portalLinkRoutes(app: ManagementScope, { store, config, links }: BrowserContext): void {
  async function requireOrganization(id: string) {
    const org = await store.getOrganization(id);
    if (!org) throw invalid('organization', 'not_found', `Organization not found: '${id}'.`);
    return org;
  }

  app.post(
    '/portal/generate_link',
    {
      schema: {
        operationId: 'generatePortalLink',
        summary: 'Generate an admin portal link',
        description: "A link that opens the admin portal for the organization's IT admin: single use, valid for 5 minutes.",
        tags,
        body: GenerateLinkBody,
        response: { 201: ref(PortalLink, 'The link.') },
      },
      config: { audit: { action: 'portal.link.generated', target: (c) => ({ type: 'organization', id: text(c.body.organization) }), organization: (c) => text(c.body.organization) } },
    },
    async (request, reply) => {
      const { organization, intent, return_url, success_url } = request.body;
      if (intent !== undefined && !INTENTS.includes(intent)) throw invalid('intent', 'invalid', `intent must be one of: ${INTENTS.join(', ')}.`);
      checkRedirectUrl('return_url', return_url);
      checkRedirectUrl('success_url', success_url);
      const org = await requireOrganization(organization);
      const { token } = await links.generateSetupLink(org.id, { ...(return_url ? { return_url } : {}), ...(success_url ? { success_url } : {}) });
      return reply.status(201).send({ link: portalLinkUrl(config.publicUrl, token) });
    },
  );

  app.post(
    '/portal/invites',
    {
      schema: {
        operationId: 'createPortalInvite',
        summary: 'Create an admin portal invite',
        description: 'A link for email that opens the admin portal any number of times until it expires or is revoked. The link is shown only here.',
        tags,
        body: InviteBody,
        response: { 201: ref(PortalInvite, 'The invite, with its link.') },
      },
      config: { audit: { action: 'portal.invite.created', target: fromResult('portal_invite'), organization: (c) => text(c.result.organization_id) } },
    },
    async (request, reply) => {
      const org = await requireOrganization(request.body.organization);
      const { link, token } = await links.createInvite(org.id, request.body.expires_in_days ?? INVITE_DAYS.default);
      return reply.status(201).send({ ...inviteObject(link), link: portalLinkUrl(config.publicUrl, token) });
    },
  );

  app.get(
    '/portal/invites',
    {
      schema: {
        operationId: 'listPortalInvites',
        summary: 'List admin portal invites',
        tags,
        querystring: InviteListQuery,
        response: { 200: ref(PortalInviteList, 'A page of invites, newest first by default (without their links).') },
      },
    },
    async (request) => {
      const { organization_id } = request.query;
      const page = await links.listInvites(parsePage(request.query), organization_id !== undefined ? { organization_id } : {});
      return listEnvelope(page, inviteObject);
    },
  );

  app.delete(
    '/portal/invites/:id',
    {
      schema: {
        operationId: 'revokePortalInvite',
        summary: 'Revoke an admin portal invite',
        description: 'The link stops opening the portal, and the portal sessions it started end. Revoking again keeps the first `revoked_at`.',
        tags,
        params: IdParams,
        response: { 200: ref(PortalInvite, 'The revoked invite.') },
      },
      config: { audit: { action: 'portal.invite.revoked', target: fromParams('portal_invite'), organization: (c) => text(c.result.organization_id) } },
    },
    async (request) => {
      const invite = await links.revokeInvite(request.params.id);
      if (!invite) throw notFound('Portal invite', request.params.id);
      return inviteObject(invite);
    },
  );
}
