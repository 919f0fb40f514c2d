/** The management API: every route here requires the API key (API.md §3). */
import type { FastifyInstance } from 'fastify';
import { verifySecret } from '../../secrets.ts';
import { ApiError, sendApiError } from '../errors.ts';
import type { AppContext } from './context.ts';
import { directoryRoutes } from './directories.ts';
import { directoryObjectRoutes } from './directory-objects.ts';
import { checkManagementInput } from './input.ts';
import { eventRoutes } from './events.ts';
import { webhookRoutes } from './webhooks.ts';
import { organizationRoutes } from './organizations.ts';

/** Reads `Authorization: Bearer <token>`; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

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
  app.addHook('preValidation', checkManagementInput);
  organizationRoutes(app, ctx);
  directoryRoutes(app, ctx);
  directoryObjectRoutes(app, ctx);
  eventRoutes(app, ctx);
  webhookRoutes(app, ctx);
}
