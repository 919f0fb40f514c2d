/**
 * SCIM protocol routes (RFC 7644 §3): discovery here; resources, Bulk and search in their own modules. Handlers
 * are thin: read the request, call the directory's ScimService, and answer with SCIM JSON.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { ScimService } from '../../directory/scim-service.ts';
import { notFound } from '../../scim/errors.ts';
import { listResponse } from '../../scim/list.ts';
import { resourceTypes, schemasList, serviceProviderConfig } from '../../scim/schema/discovery.ts';
import type { KyselyStore } from '../../store/kysely-store.ts';
import { scimBaseUrl } from '../../urls.ts';
import { directoryOf } from './authenticate.ts';
import { BULK_LIMITS, bulkRoute } from './bulk.ts';
import { sendScim } from './reply.ts';
import { LIST_LIMITS } from './request.ts';
import { resourceRoutes } from './resources.ts';
import { searchRoute } from './search.ts';

export function scimRoutes(app: FastifyInstance, ctx: { config: Config; store: KyselyStore }): void {
  const service = new ScimService(ctx.store, ctx.config.publicUrl);
  const base = (request: FastifyRequest) => scimBaseUrl(ctx.config.publicUrl, directoryOf(request).id);

  // ── Discovery (RFC 7644 §4) ──
  app.get('/ServiceProviderConfig', async (request, reply) =>
    sendScim(request, reply, 200, serviceProviderConfig({
      baseUrl: base(request),
      maxResults: LIST_LIMITS.maxResults,
      maxOperations: BULK_LIMITS.maxOperations,
      maxPayloadSize: ctx.config.maxBodyBytes,
    })),
  );
  app.get('/ResourceTypes', async (request, reply) => {
    const all = resourceTypes(base(request));
    return sendScim(request, reply, 200, listResponse(all, all.length, 1));
  });
  app.get<{ Params: { name: string } }>('/ResourceTypes/:name', async (request, reply) => {
    const found = resourceTypes(base(request)).find((r) => String(r.id).toLowerCase() === request.params.name.toLowerCase());
    if (!found) throw notFound(`Resource type ${request.params.name} not found.`);
    return sendScim(request, reply, 200, found);
  });
  app.get('/Schemas', async (request, reply) => {
    const all = schemasList(base(request));
    return sendScim(request, reply, 200, listResponse(all, all.length, 1));
  });
  app.get<{ Params: { urn: string } }>('/Schemas/:urn', async (request, reply) => {
    const found = schemasList(base(request)).find((s) => String(s.id).toLowerCase() === request.params.urn.toLowerCase());
    if (!found) throw notFound(`Schema ${request.params.urn} not found.`);
    return sendScim(request, reply, 200, found);
  });

  for (const kind of ['Users', 'Groups'] as const) resourceRoutes(app, service, kind);
  bulkRoute(app, service, ctx.config.publicUrl);
  searchRoute(app, service);
}
