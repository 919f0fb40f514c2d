/** The management API: every route here requires the API key (API.md §3). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { verifySecret } from '../../secrets.ts';
import { bearerToken } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { ApiError, sendApiError } from '../errors.ts';
import { documentManagementRoute } from '../openapi/operations.ts';
import { directoryRoutes } from './directories.ts';
import { directoryObjectRoutes } from './directory-objects.ts';
import { eventRoutes } from './events.ts';
import { checkManagementInput } from './input.ts';
import { organizationRoutes } from './organizations.ts';
import { omitEmptyQueryParams } from './query.ts';
import { scimRequestRoutes } from './scim-requests.ts';
import { webhookRoutes } from './webhooks.ts';

export interface ApiKeyVerifier {
  verify(presented: string): boolean;
}

/** Checks a presented key against every accepted hash, each in constant time. */
export function apiKeyVerifier(hashes: string[]): ApiKeyVerifier {
  return {
    verify: (presented) => hashes.reduce((ok, hash) => verifySecret(presented, hash) || ok, false),
  };
}

export async function managementApi(app: FastifyInstance, ctx: AppContext & { apiKeys: ApiKeyVerifier }): Promise<void> {
  app.setErrorHandler(sendApiError);
  app.addHook('onRequest', async (request) => {
    const key = bearerToken(request.headers.authorization);
    if (key === undefined) {
      throw new ApiError(401, 'unauthorized', 'Missing API key: send Authorization: Bearer <GUESTLIST_API_KEY>.');
    }
    if (!ctx.apiKeys.verify(key)) throw new ApiError(401, 'unauthorized', 'Invalid API key.');
  });
  app.addHook('preValidation', omitEmptyQueryParams);
  app.addHook('preValidation', checkManagementInput);
  // Each route's schema gains the API key and its error responses: served, and documented in /openapi.json.
  app.addHook('onRoute', documentManagementRoute);
  const scope = app.withTypeProvider<TypeBoxTypeProvider>();
  organizationRoutes(scope, ctx);
  directoryRoutes(scope, ctx);
  directoryObjectRoutes(scope, ctx);
  scimRequestRoutes(scope, ctx);
  eventRoutes(scope, ctx);
  webhookRoutes(scope, ctx);
}
