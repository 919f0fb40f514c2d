/**
 * The IT admin's side (docs/portal.md): `GET /portal/link/{token}` starts a portal session, and `/portal/api/*`
 * serves the session's one organization. The management routes under `/portal/` (generate_link, invites) are
 * in management/portal-links.ts.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_POLICIES } from '../../portal/sessions.ts';
import type { LinkRecord } from '../../store/portal.ts';
import { PORTAL_LINK_PATH } from '../../urls.ts';
import { auditNow, setActor } from '../audit.ts';
import { authenticateBrowser, sessionOf, unauthorized } from '../browser-session.ts';
import { browserApiScope } from '../browser-scope.ts';
import type { BrowserContext } from '../context.ts';
import { clearSessionCookie, secureCookies, setSessionCookie } from '../cookies.ts';
import { portalDirectoryRoutes } from './directories.ts';
import { googleAuthorizeRoute, googleCallbackRoute } from './google.ts';
import { portalMappingRoutes } from './mapping.ts';
import { portalSessionObject } from './objects.ts';

const PORTAL_HOME = '/portal/';
const LINK_INVALID = '/portal/?error=link_invalid';

/** `root` is the app, under which the audit declarations are recorded. */
export async function portalApp(app: FastifyInstance, ctx: BrowserContext, root: FastifyInstance): Promise<void> {
  await app.register(async (scope) => linkRoute(scope, ctx));
  await app.register(async (scope) => googleCallbackRoute(scope, ctx));
  await app.register(async (scope) => portalApi(scope, root, ctx), { prefix: '/portal/api' });
}

/** Opens a link: a session and `303 /portal/`, or `303 /portal/?error=link_invalid` and no cookie. */
function linkRoute(app: FastifyInstance, ctx: BrowserContext): void {
  const redirect = (reply: FastifyReply, location: string) =>
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(location, 303);
  // GET only: a HEAD (a link checker) must not use up a single-use link.
  app.get(`${PORTAL_LINK_PATH}/:token`, { schema: { hide: true }, exposeHeadRoute: false }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const opened = await ctx.links.open(token);
    if (!opened.ok) {
      request.log.info({ reason: opened.reason }, 'portal link refused');
      return redirect(reply, LINK_INVALID);
    }
    const { session, secret } = opened.started;
    setSessionCookie(reply, 'portal', secret, SESSION_POLICIES.portal.absoluteMs / 1000, secureCookies(ctx.config.publicUrl));
    await auditStart(request, ctx, opened.link, session.id);
    ctx.sessions.prune().catch((err: unknown) => request.log.warn({ err }, 'pruning ended sessions failed'));
    return redirect(reply, PORTAL_HOME);
  });
}

function auditStart(request: FastifyRequest, ctx: BrowserContext, link: LinkRecord, sessionId: string): Promise<void> {
  return auditNow(request, ctx.store, {
    actor: { type: 'portal', id: sessionId },
    action: 'portal.session.started',
    target: { type: link.kind === 'setup' ? 'portal_link' : 'portal_invite', id: link.id },
    organization_id: link.organization_id,
  });
}

function portalApi(app: FastifyInstance, root: FastifyInstance, ctx: BrowserContext): void {
  browserApiScope(app, root, ctx);
  app.addHook('onRequest', async (request) => {
    const session = await authenticateBrowser(request, 'portal', ctx.sessions, ctx.config.publicUrl);
    setActor(request, { type: 'portal', id: session.id }, session.organization_id);
  });
  const scope = app.withTypeProvider<TypeBoxTypeProvider>();

  scope.get('/session', async (request) => {
    const session = sessionOf(request);
    const org = session.organization_id === null ? undefined : await ctx.store.getOrganization(session.organization_id);
    if (!org) throw unauthorized();
    const link = session.link_id === null ? undefined : await ctx.links.get(session.link_id);
    return portalSessionObject(session, org, link, { google_consent: ctx.config.sources.googleClient !== undefined });
  });

  scope.post(
    '/logout',
    { config: { audit: { action: 'portal.session.ended', target: (c) => ({ type: 'session', id: c.actor.id ?? null }) } } },
    async (request, reply) => {
      await ctx.sessions.end(sessionOf(request).id);
      clearSessionCookie(reply, 'portal', secureCookies(ctx.config.publicUrl));
      return reply.status(204).send();
    },
  );

  portalDirectoryRoutes(scope, ctx);
  portalMappingRoutes(scope, ctx);
  googleAuthorizeRoute(scope, ctx);
}
