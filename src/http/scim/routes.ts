/**
 * SCIM protocol routes (RFC 7644 §3): resources, search, discovery. Handlers are thin: parse the request,
 * call the directory's ScimService, and answer with SCIM JSON, ETag and Location headers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { PATCH_TOLERANCE, normalizePatchBody } from '../../dialects/patch.ts';
import { normalizeListRequest } from '../../dialects/query.ts';
import { normalizeResourceBody } from '../../dialects/resource.ts';
import { runBulk } from '../../directory/bulk.ts';
import { wants, type Projection } from '../../directory/projection.ts';
import { ScimService } from '../../directory/scim-service.ts';
import { ScimError, notFound } from '../../scim/errors.ts';
import { etagMatches, etagOf } from '../../scim/etag.ts';
import { listResponse, parseListRequest, parseSearchRequest, type ListLimits, type ListRequest } from '../../scim/list.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../scim/schema/definitions.ts';
import { resourceTypes, schemasList, serviceProviderConfig } from '../../scim/schema/discovery.ts';
import { project } from '../../scim/schema/projection.ts';
import type { ScimResource } from '../../scim/schema/types.ts';
import type { DirectoryRecord } from '../../store/store.ts';
import type { KyselyStore } from '../../store/kysely-store.ts';
import { scimContentType } from './index.ts';

export const LIST_LIMITS: ListLimits = { maxResults: 1000, defaultCount: 100 };
export const BULK_LIMITS = { maxOperations: 1000 };

type Kind = 'Users' | 'Groups';

function directory(request: FastifyRequest): DirectoryRecord {
  return request.scim!.directory;
}

function send(request: FastifyRequest, reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).type(scimContentType(request)).send(JSON.stringify(body));
}

function projectionOf(request: FastifyRequest): Projection {
  const parsed = normalizeListRequest(parseListRequest(request.query as Record<string, unknown>, LIST_LIMITS));
  const { attributes, excludedAttributes } = parsed;
  return { attributes, excludedAttributes };
}

function versionOf(resource: ScimResource): string | undefined {
  return (resource.meta as { version?: string } | undefined)?.version;
}

/**
 * Answers a single resource with its ETag (and Location when created). Both come from the whole resource:
 * the body sent may be a projection without `meta`.
 */
function sendResource(request: FastifyRequest, reply: FastifyReply, status: number, whole: ScimResource, body: ScimResource = whole, etag?: string) {
  const tag = etag ?? versionOf(whole);
  if (tag) reply.header('etag', tag);
  if (status === 201) reply.header('location', (whole.meta as { location: string }).location);
  return send(request, reply, status, body);
}

export function scimRoutes(app: FastifyInstance, ctx: { config: Config; store: KyselyStore }): void {
  const service = new ScimService(ctx.store, ctx.config.publicUrl);
  const base = (request: FastifyRequest) => `${ctx.config.publicUrl}/scim/v2/${directory(request).id}`;

  // ── Discovery (RFC 7644 §4) ──
  app.get('/ServiceProviderConfig', async (request, reply) =>
    send(request, reply, 200, serviceProviderConfig({
      baseUrl: base(request),
      maxResults: LIST_LIMITS.maxResults,
      maxOperations: BULK_LIMITS.maxOperations,
      maxPayloadSize: ctx.config.maxBodyBytes,
    })),
  );
  app.get('/ResourceTypes', async (request, reply) => {
    const all = resourceTypes(base(request));
    return send(request, reply, 200, listResponse(all, all.length, 1));
  });
  app.get<{ Params: { name: string } }>('/ResourceTypes/:name', async (request, reply) => {
    const found = resourceTypes(base(request)).find((r) => String(r.id).toLowerCase() === request.params.name.toLowerCase());
    if (!found) throw notFound(`Resource type ${request.params.name} not found.`);
    return send(request, reply, 200, found);
  });
  app.get('/Schemas', async (request, reply) => {
    const all = schemasList(base(request));
    return send(request, reply, 200, listResponse(all, all.length, 1));
  });
  app.get<{ Params: { urn: string } }>('/Schemas/:urn', async (request, reply) => {
    const found = schemasList(base(request)).find((s) => String(s.id).toLowerCase() === request.params.urn.toLowerCase());
    if (!found) throw notFound(`Schema ${request.params.urn} not found.`);
    return send(request, reply, 200, found);
  });

  // ── Resources ──
  for (const kind of ['Users', 'Groups'] as const) resourceRoutes(app, service, kind);

  app.post('/Bulk', async (request, reply) => {
    const result = await runBulk(service, directory(request), request.body, { ...BULK_LIMITS, baseUrl: base(request) });
    return send(request, reply, 200, result);
  });

  // ── Search across resource types (RFC 7644 §3.4.3) ──
  app.post('/.search', async (request, reply) => {
    const search = normalizeListRequest(parseSearchRequest(request.body, LIST_LIMITS));
    const page = await searchAll(service, directory(request), search);
    return send(request, reply, 200, page);
  });
}

function resourceRoutes(app: FastifyInstance, service: ScimService, kind: Kind): void {
  const ops = kind === 'Users'
    ? { create: service.createUser, get: service.getUser, replace: service.replaceUser, patch: service.patchUser, remove: service.deleteUser, list: service.listUsers }
    : { create: service.createGroup, get: service.getGroup, replace: service.replaceGroup, patch: service.patchGroup, remove: service.deleteGroup, list: service.listGroups };
  const call = <K extends keyof typeof ops>(name: K) => (ops[name] as (...args: unknown[]) => Promise<unknown>).bind(service);

  const list = async (request: FastifyRequest, reply: FastifyReply, listRequest: ListRequest) => {
    const { total, resources } = (await call('list')(directory(request), listRequest)) as { total: number; resources: ScimResource[] };
    return send(request, reply, 200, listResponse(resources, total, listRequest.startIndex));
  };

  const rt = kind === 'Users' ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE;
  app.get(`/${kind}`, (request, reply) =>
    list(request, reply, normalizeListRequest(parseListRequest(request.query as Record<string, unknown>, LIST_LIMITS))),
  );
  app.post(`/${kind}/.search`, (request, reply) => list(request, reply, normalizeListRequest(parseSearchRequest(request.body, LIST_LIMITS))));

  app.post(`/${kind}`, async (request, reply) => {
    // The projection is read first: a bad `attributes` must refuse the request before anything is written.
    const projection = projectionOf(request);
    const created = (await call('create')(directory(request), normalizeResourceBody(rt, request.body))) as ScimResource;
    return sendResource(request, reply, 201, created, reprojected(kind, created, projection));
  });

  app.get<{ Params: { id: string } }>(`/${kind}/:id`, async (request, reply) => {
    const projection = projectionOf(request);
    const { resource, version } = (await call('get')(directory(request), request.params.id, projection)) as { resource: ScimResource; version: number };
    const ifNoneMatch = request.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && etagMatches(ifNoneMatch, version)) {
      return reply.status(304).header('etag', etagOf(version)).send();
    }
    return sendResource(request, reply, 200, resource, resource, etagOf(version));
  });

  const write = (method: 'replace' | 'patch') => async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const ifMatch = typeof request.headers['if-match'] === 'string' ? request.headers['if-match'] : undefined;
    const body = method === 'patch' ? normalizePatchBody(rt, request.body) : normalizeResourceBody(rt, request.body);
    const projection = projectionOf(request);
    const asked = projection.attributes.length > 0 || projection.excludedAttributes.length > 0;
    // RFC 7644 §3.5.2 allows 200 with the resource or 204. A Group PATCH answers 204 (as Entra's and Okta's
    // documentation show) unless the client asks for attributes, so that changing one member never
    // serializes a group of 100,000. Every other write answers 200 with the resource.
    const noContent = kind === 'Groups' && method === 'patch' && !asked;
    const options = {
      ...(ifMatch ? { ifMatch } : {}),
      ...(noContent || !wants(projection, 'members') ? { withMembers: false } : {}),
      patch: PATCH_TOLERANCE,
    };
    const resource = (await call(method)(directory(request), request.params.id, body, options)) as ScimResource;
    if (noContent) return reply.status(204).header('etag', versionOf(resource)).send();
    return sendResource(request, reply, 200, resource, reprojected(kind, resource, projection));
  };
  app.put<{ Params: { id: string } }>(`/${kind}/:id`, write('replace'));
  app.patch<{ Params: { id: string } }>(`/${kind}/:id`, write('patch'));

  app.delete<{ Params: { id: string } }>(`/${kind}/:id`, async (request, reply) => {
    const ifMatch = typeof request.headers['if-match'] === 'string' ? request.headers['if-match'] : undefined;
    await call('remove')(directory(request), request.params.id, ifMatch ? { ifMatch } : {});
    return reply.status(204).send();
  });

  // Methods the RFC does not define on these paths.
  app.route({ method: ['PUT', 'PATCH', 'DELETE'], url: `/${kind}`, handler: methodNotAllowed });
  app.route({ method: ['POST'], url: `/${kind}/:id`, handler: methodNotAllowed });
}

async function methodNotAllowed(request: FastifyRequest): Promise<never> {
  throw new ScimError(405, undefined, `${request.method} is not supported on ${request.url.split('?')[0]}.`);
}

function reprojected(kind: Kind, resource: ScimResource, projection: Projection): ScimResource {
  if (projection.attributes.length === 0 && projection.excludedAttributes.length === 0) return resource;
  return projectResource(kind, resource, projection);
}

function projectResource(kind: Kind, resource: ScimResource, projection: Projection): ScimResource {
  return project(kind === 'Users' ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE, resource, projection);
}

/**
 * POST /.search at the root: Users then Groups as one list. A filter that names an attribute one type lacks
 * matches nothing of that type instead of failing the whole search.
 */
async function searchAll(service: ScimService, dir: DirectoryRecord, search: ListRequest) {
  const probe = { ...search, startIndex: 1, count: 0 };
  const totals = await Promise.all([
    countOrZero(() => service.listUsers(dir, probe)),
    countOrZero(() => service.listGroups(dir, probe)),
  ]);
  const [users, groups] = totals;
  const offset = search.startIndex - 1;
  const resources: ScimResource[] = [];
  if (offset < users && search.count > 0) {
    const page = await service.listUsers(dir, { ...search, count: Math.min(search.count, users - offset) });
    resources.push(...page.resources);
  }
  const remaining = search.count - resources.length;
  if (remaining > 0 && groups > 0) {
    const groupStart = Math.max(0, offset - users) + 1;
    const page = await service.listGroups(dir, { ...search, startIndex: groupStart, count: remaining });
    resources.push(...page.resources);
  }
  return listResponse(resources, users + groups, search.startIndex);
}

async function countOrZero(fn: () => Promise<{ total: number }>): Promise<number> {
  try {
    return (await fn()).total;
  } catch (error) {
    if (error instanceof ScimError && error.scimType === 'invalidFilter' && /Unknown attribute/.test(error.message)) return 0;
    throw error;
  }
}
