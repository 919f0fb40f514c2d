/**
 * A resource endpoint's routes (RFC 7644 §3.3–3.6): create, get, list, search, replace, patch and delete, each a
 * thin call to the directory's ScimService, answered with SCIM JSON, ETag and Location headers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PATCH_TOLERANCE } from '../../dialects/patch.ts';
import { wants, type Projection } from '../../directory/projection.ts';
import type { ScimService } from '../../directory/scim-service.ts';
import type { Answer } from '../../directory/render.ts';
import { ScimError } from '../../scim/errors.ts';
import { RawJson } from '../../scim/raw-json.ts';
import { etagMatches, etagOf } from '../../scim/etag.ts';
import { listResponse, type ListRequest } from '../../scim/list.ts';
import { project } from '../../scim/schema/projection.ts';
import type { ScimResource } from '../../scim/schema/types.ts';
import { directoryOf } from './authenticate.ts';
import { sendPagedResource, sendResource, sendScim, versionOf } from './reply.ts';
import { ifMatchOf, listQuery, normalizeBody, projectionOf, resourceTypeOf, searchBody, type Kind } from './request.ts';

type ByIdRequest = FastifyRequest<{ Params: { id: string } }>;

/** The endpoint's ScimService methods, bound once, each with the service's own signature. */
function operations(service: ScimService, kind: Kind) {
  return kind === 'Users'
    ? {
        create: service.createUser.bind(service),
        get: service.getUser.bind(service),
        replace: service.replaceUser.bind(service),
        patch: service.patchUser.bind(service),
        remove: service.deleteUser.bind(service),
        list: service.listUsers.bind(service),
      }
    : {
        create: service.createGroup.bind(service),
        get: service.getGroup.bind(service),
        replace: service.replaceGroup.bind(service),
        patch: service.patchGroup.bind(service),
        remove: service.deleteGroup.bind(service),
        list: service.listGroups.bind(service),
      };
}

export function resourceRoutes(app: FastifyInstance, service: ScimService, kind: Kind): void {
  const ops = operations(service, kind);

  const list = async (request: FastifyRequest, reply: FastifyReply, listRequest: ListRequest) => {
    const { total, resources } = await ops.list(directoryOf(request), listRequest);
    return sendScim(request, reply, 200, listResponse(resources, total, listRequest.startIndex));
  };
  app.get(`/${kind}`, (request, reply) => list(request, reply, listQuery(request)));
  app.post(`/${kind}/.search`, (request, reply) => list(request, reply, searchBody(request)));

  app.post(`/${kind}`, async (request, reply) => {
    // The projection is read first: a bad `attributes` must refuse the request before anything is written.
    const projection = projectionOf(request);
    const created = await ops.create(directoryOf(request), normalizeBody(kind, 'POST', request.body));
    return sendResource(request, reply, 201, created, reprojected(kind, created, projection));
  });

  app.get<{ Params: { id: string } }>(`/${kind}/:id`, async (request, reply) => {
    const projection = projectionOf(request);
    // A group's members come a page at a time, sent as they are read (a group of 100,000 is never held whole).
    // A user may come as its JSON text (RawJson), a group never: its members are paged.
    const { resource, version, more }: { resource: Answer; version: number; more?: AsyncIterable<unknown[]> } =
      kind === 'Groups' ? await service.getGroup(directoryOf(request), request.params.id, projection, true) : await service.getUser(directoryOf(request), request.params.id, projection);
    const ifNoneMatch = request.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && etagMatches(ifNoneMatch, version)) {
      return reply.status(304).header('etag', etagOf(version)).send();
    }
    if (more && !(resource instanceof RawJson)) return sendPagedResource(request, reply, 200, resource, more, etagOf(version));
    return sendScim(request, reply.header('etag', etagOf(version)), 200, resource);
  });

  const write = (method: 'replace' | 'patch') => async (request: ByIdRequest, reply: FastifyReply) => {
    const ifMatch = ifMatchOf(request);
    const body = normalizeBody(kind, method === 'patch' ? 'PATCH' : 'PUT', request.body);
    const projection = projectionOf(request);
    const asked = projection.attributes.length > 0 || projection.excludedAttributes.length > 0;
    // RFC 7644 §3.5.2 allows 200 with the resource or 204. A Group PATCH answers 204 (as Entra's and Okta's
    // documentation show) unless the client asks for attributes, so that changing one member never
    // serializes a group of 100,000. Every other write answers 200 with the resource.
    const noContent = kind === 'Groups' && method === 'patch' && !asked;
    // A group answered with its members reads them after the write, a page at a time, as GET does.
    const pagedMembers = kind === 'Groups' && !noContent && wants(projection, 'members');
    const options: { ifMatch?: string; withMembers?: boolean; patch: typeof PATCH_TOLERANCE } = { patch: PATCH_TOLERANCE };
    if (ifMatch) options.ifMatch = ifMatch;
    if (noContent || pagedMembers || !wants(projection, 'members')) options.withMembers = false;
    // patchGroup is declared to return `ScimResource | undefined` but always returns the resource it wrote.
    const resource = (await ops[method](directoryOf(request), request.params.id, body, options))!;
    if (noContent) return reply.status(204).header('etag', versionOf(resource)).send();
    if (pagedMembers) {
      const paged = await service.groupWithMembers(directoryOf(request), resource, projection);
      if (paged.more) return sendPagedResource(request, reply, 200, paged.resource, paged.more, versionOf(resource));
      return sendResource(request, reply, 200, resource, paged.resource);
    }
    return sendResource(request, reply, 200, resource, reprojected(kind, resource, projection));
  };
  app.put<{ Params: { id: string } }>(`/${kind}/:id`, write('replace'));
  app.patch<{ Params: { id: string } }>(`/${kind}/:id`, write('patch'));

  app.delete<{ Params: { id: string } }>(`/${kind}/:id`, async (request, reply) => {
    const ifMatch = ifMatchOf(request);
    await ops.remove(directoryOf(request), request.params.id, ifMatch ? { ifMatch } : {});
    return reply.status(204).send();
  });

  // Methods the RFC does not define on these paths.
  app.route({ method: ['PUT', 'PATCH', 'DELETE'], url: `/${kind}`, handler: methodNotAllowed });
  app.route({ method: ['POST'], url: `/${kind}/:id`, handler: methodNotAllowed });
}

async function methodNotAllowed(request: FastifyRequest): Promise<never> {
  throw new ScimError(405, undefined, `${request.method} is not supported on ${request.url.split('?')[0]}.`);
}

/** The resource a write answers with, projected when the request asks for attributes. */
function reprojected(kind: Kind, resource: ScimResource, projection: Projection): ScimResource {
  if (projection.attributes.length === 0 && projection.excludedAttributes.length === 0) return resource;
  return project(resourceTypeOf(kind), resource, projection);
}
