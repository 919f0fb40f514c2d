/**
 * The management API: every route here requires the API key (API.md §3), or the operator's console session
 * cookie with, on changes, its CSRF token (docs/portal.md). Every change is audited (src/http/audit.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifySecret } from '../../secrets.ts';
import { auditRoutes, setActor } from '../audit.ts';
import { bearerToken } from '../auth.ts';
import { authenticateBrowser } from '../browser-session.ts';
import type { BrowserContext } from '../context.ts';
import { sessionCookie } from '../cookies.ts';
import { ApiError, sendApiError } from '../errors.ts';
import { documentManagementRoute } from '../openapi/operations.ts';
import { auditLogRoutes } from './audit-logs.ts';
import { directoryRoutes } from './directories.ts';
import { directoryObjectRoutes } from './directory-objects.ts';
import { eventRoutes } from './events.ts';
import { checkManagementInput } from './input.ts';
import { mappingRoutes } from './mapping.ts';
import { managementSourceRoutes } from './sources.ts';
import { organizationRoutes } from './organizations.ts';
import { portalLinkRoutes } from './portal-links.ts';
import { omitEmptyQueryParams } from './query.ts';
import { scimRequestRoutes } from './scim-requests.ts';
import { webhookRoutes } from './webhooks.ts';

export interface ApiKeyVerifier {
  verify(presented: string): boolean;
  /** Which keys are accepted (their hashes): console sessions end when it changes (portal/credentials.ts). */
  fingerprint: string;
}

/** Checks a presented key against every accepted hash, each in constant time. */
export function apiKeyVerifier(hashes: string[]): ApiKeyVerifier {
  return {
    verify: (presented) => hashes.reduce((ok, hash) => verifySecret(presented, hash) || ok, false),
    fingerprint: [...hashes].sort().join(','),
  };
}

export async function managementApi(app: FastifyInstance, ctx: BrowserContext, root: FastifyInstance): Promise<void> {
  app.setErrorHandler(sendApiError);
  app.addHook('onRequest', async (request) => {
    // A request with an Authorization header is an API call, judged exactly as without the console.
    if (request.headers.authorization === undefined && sessionCookie(request, 'console') !== undefined) {
      const session = await authenticateBrowser(request, 'console', ctx.sessions, ctx.config.publicUrl);
      return setActor(request, { type: 'operator', id: session.id });
    }
    checkApiKey(request, ctx.apiKeys);
    setActor(request, { type: 'api_key' });
  });
  app.addHook('preValidation', omitEmptyQueryParams);
  app.addHook('preValidation', checkManagementInput);
  // Each route's schema gains the API key and its error responses: served, and documented in /openapi.json.
  app.addHook('onRoute', documentManagementRoute);
  auditRoutes(app, root, ctx.store);
  const scope = app.withTypeProvider<TypeBoxTypeProvider>();
  organizationRoutes(scope, ctx);
  directoryRoutes(scope, ctx);
  directoryObjectRoutes(scope, ctx);
  scimRequestRoutes(scope, ctx);
  eventRoutes(scope, ctx);
  webhookRoutes(scope, ctx);
  portalLinkRoutes(scope, ctx);
  auditLogRoutes(scope, ctx);
  mappingRoutes(scope, ctx);
  managementSourceRoutes(scope, ctx);
}

function checkApiKey(request: FastifyRequest, keys: ApiKeyVerifier): void {
  const key = bearerToken(request.headers.authorization);
  if (key === undefined) {
    throw new ApiError(401, 'unauthorized', 'Missing API key: send Authorization: Bearer <GUESTLIST_API_KEY>.');
  }
  if (!keys.verify(key)) throw new ApiError(401, 'unauthorized', 'Invalid API key.');
}
