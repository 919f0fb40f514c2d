/**
 * The operator console's sign-in (docs/portal.md § Sessions and CSRF): `POST /console/api/login` with the API
 * key or GUESTLIST_ADMIN_PASSWORD starts a session whose cookie the management API accepts. Failed sign-ins
 * are limited per client address and audited.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { credentialsValid, type Credentials } from '../../portal/credentials.ts';
import { originAllowed } from '../../portal/csrf.ts';
import { SESSION_POLICIES, type ActiveSession } from '../../portal/sessions.ts';
import { auditNow, setActor } from '../audit.ts';
import { authenticateBrowser, sessionOf } from '../browser-session.ts';
import { browserApiScope } from '../browser-scope.ts';
import type { BrowserContext } from '../context.ts';
import { clearSessionCookie, secureCookies, setSessionCookie } from '../cookies.ts';
import { ApiError, invalid } from '../errors.ts';

const LoginBody = Type.Object({
  api_key: Type.Optional(Type.String({ maxLength: 1024 })),
  password: Type.Optional(Type.String({ maxLength: 1024 })),
});

const consoleSessionObject = (session: ActiveSession) => ({ object: 'console_session' as const, csrf_token: session.csrf_token, expires_at: session.expires_at });

/** Exactly one way to sign in. */
function credentialsOf(body: { api_key?: string | undefined; password?: string | undefined }): Credentials {
  if (body.api_key !== undefined && body.password === undefined) return { api_key: body.api_key };
  if (body.password !== undefined && body.api_key === undefined) return { password: body.password };
  throw invalid('api_key', 'invalid', 'Send either api_key or password.');
}

/** `root` is the app, under which the audit declarations are recorded. */
export async function consoleApp(app: FastifyInstance, ctx: BrowserContext, root: FastifyInstance): Promise<void> {
  await app.register(async (scope) => signIn(scope, root, ctx), { prefix: '/console/api' });
  await app.register(async (scope) => sessionRoutes(scope, root, ctx), { prefix: '/console/api' });
}

function signIn(app: FastifyInstance, root: FastifyInstance, ctx: BrowserContext): void {
  browserApiScope(app, root, ctx);
  const limiter = ctx.signInFailures;
  const secure = secureCookies(ctx.config.publicUrl);
  const failed = (request: FastifyRequest) =>
    auditNow(request, ctx.store, { actor: { type: 'operator' }, action: 'console.sign_in_failed', target: { type: 'session', id: null }, organization_id: null });

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/login',
    { schema: { body: LoginBody }, config: { audit: { action: 'console.signed_in', target: (c) => ({ type: 'session', id: c.actor.id ?? null }) } } },
    async (request, reply) => {
      // A sign-in from another site's page would sign the operator's browser in to someone else's console.
      const origin = request.headers.origin;
      if (!originAllowed(typeof origin === 'string' ? origin : undefined, ctx.config.publicUrl, request.headers.host)) {
        throw new ApiError(403, 'csrf_failed', 'The request comes from another origin.');
      }
      if (limiter.blocked(request.ip, Date.now())) {
        reply.header('retry-after', String(Math.ceil(limiter.windowMs / 1000)));
        throw new ApiError(429, 'rate_limited', 'Too many failed sign-ins from this address; wait a minute.');
      }
      const credentials = credentialsOf(request.body);
      if (!credentialsValid(credentials, ctx.apiKeys, ctx.config.adminPassword)) {
        limiter.fail(request.ip, Date.now());
        await failed(request);
        const passwordOff = 'password' in credentials && ctx.config.adminPassword === undefined;
        throw new ApiError(401, 'invalid_credentials', passwordOff ? 'Password sign-in is off (GUESTLIST_ADMIN_PASSWORD is unset): use the API key.' : 'Wrong API key or password.');
      }
      const { session, secret } = await ctx.sessions.start('console', {});
      setActor(request, { type: 'operator', id: session.id });
      setSessionCookie(reply, 'console', secret, SESSION_POLICIES.console.absoluteMs / 1000, secure);
      ctx.sessions.prune().catch((err: unknown) => request.log.warn({ err }, 'pruning ended sessions failed'));
      return consoleSessionObject(session);
    },
  );
}

function sessionRoutes(app: FastifyInstance, root: FastifyInstance, ctx: BrowserContext): void {
  browserApiScope(app, root, ctx);
  app.addHook('onRequest', async (request) => {
    const session = await authenticateBrowser(request, 'console', ctx.sessions, ctx.config.publicUrl);
    setActor(request, { type: 'operator', id: session.id });
  });
  app.get('/session', async (request) => consoleSessionObject(sessionOf(request)));
  app.post(
    '/logout',
    { config: { audit: { action: 'console.signed_out', target: (c) => ({ type: 'session', id: c.actor.id ?? null }) } } },
    async (request, reply) => {
      await ctx.sessions.end(sessionOf(request).id);
      clearSessionCookie(reply, 'console', secureCookies(ctx.config.publicUrl));
      return reply.status(204).send();
    },
  );
}
