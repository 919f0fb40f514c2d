/**
 * Google Workspace by admin consent, in the portal (docs/sources.md § Google Workspace): the IT admin asks for
 * Google's consent screen (`GET /portal/api/directories/{id}/google/authorize` → its URL), consents there as a
 * super admin, and Google sends the browser back to `GET /portal/google/callback`, which stores the connection
 * and returns to the directory's page. The callback is a page navigation: it answers redirects, never JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyState } from '../../sources/consent.ts';
import type { GoogleConsentConfig } from '../../sources/admin.ts';
import { auditNow } from '../audit.ts';
import { sessionOf } from '../browser-session.ts';
import type { BrowserContext } from '../context.ts';
import { sessionCookie } from '../cookies.ts';
import { notFound } from '../errors.ts';
import { IdParams } from '../management/fields.ts';
import type { ManagementScope } from '../management/scope.ts';

export const GOOGLE_CALLBACK_PATH = '/portal/google/callback';

export const googleConsentConfig = (ctx: BrowserContext): GoogleConsentConfig => ({
  client: ctx.config.sources.googleClient,
  authUrl: ctx.config.sources.googleAuthUrl,
  tokenUrl: ctx.config.sources.googleTokenUrl,
  redirectUri: `${ctx.config.publicUrl}${GOOGLE_CALLBACK_PATH}`,
});

/** Inside the portal API (session, organization scope). */
export function googleAuthorizeRoute(app: ManagementScope, ctx: BrowserContext): void {
  app.get('/directories/:id/google/authorize', { schema: { params: IdParams } }, async (request) => {
    const session = sessionOf(request);
    const dir = await ctx.store.getDirectory(request.params.id);
    if (!dir || dir.organization_id !== session.organization_id) throw notFound('Directory', request.params.id);
    return { object: 'google_authorization' as const, url: ctx.sources.consentUrl(dir, session.id, googleConsentConfig(ctx)) };
  });
}

/** Where Google sends the admin back; outside the JSON API. */
export function googleCallbackRoute(app: FastifyInstance, ctx: BrowserContext): void {
  const back = (reply: FastifyReply, location: string) => reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(location, 303);
  app.get(GOOGLE_CALLBACK_PATH, { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    const query = request.query as Record<string, unknown>;
    const session = await ctx.sessions.authenticate('portal', sessionCookie(request, 'portal'));
    const directoryId = session && typeof query.state === 'string' ? verifyState(query.state, session.id, ctx.secretKey) : undefined;
    const dir = directoryId ? await ctx.store.getDirectory(directoryId) : undefined;
    if (!session || !dir || dir.organization_id !== session.organization_id) return back(reply, '/portal/?error=consent_invalid');
    const page = `/portal/directories/${encodeURIComponent(dir.id)}`;
    // The admin declined on Google's screen (`error=access_denied`), or Google sent no code.
    if (typeof query.code !== 'string' || query.code === '' || query.code.length > 2048) return back(reply, `${page}?google=declined`);
    try {
      await ctx.sources.completeConsent(dir, query.code, googleConsentConfig(ctx));
    } catch (err) {
      request.log.warn({ err, directory_id: dir.id }, 'Google admin consent refused');
      return back(reply, `${page}?google=refused`);
    }
    await auditNow(request, ctx.store, {
      actor: { type: 'portal', id: session.id },
      action: 'directory.connection.updated',
      target: { type: 'directory', id: dir.id },
      organization_id: dir.organization_id,
    });
    return back(reply, `${page}?google=connected`);
  });
}
