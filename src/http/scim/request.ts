/**
 * What a SCIM request asks, read through the tolerant edge (src/dialects) so that the strict core sees RFC
 * form: list and search parameters, projections, If-Match, and the body of every write, single or in a Bulk.
 */
import type { FastifyRequest } from 'fastify';
import { normalizePatchBody } from '../../dialects/patch.ts';
import { normalizeListRequest } from '../../dialects/query.ts';
import { normalizeResourceBody } from '../../dialects/resource.ts';
import type { Projection } from '../../directory/projection.ts';
import { parseListRequest, parseSearchRequest, type ListLimits, type ListRequest } from '../../scim/list.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../scim/schema/definitions.ts';
import type { ResourceTypeDef } from '../../scim/schema/types.ts';

export const LIST_LIMITS: ListLimits = { maxResults: 1000, defaultCount: 100 };

/** A resource endpoint. */
export type Kind = 'Users' | 'Groups';
export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export function resourceTypeOf(kind: Kind): ResourceTypeDef {
  return kind === 'Users' ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE;
}

/** A write's body in RFC form: a PATCH's operations, or the resource that POST and PUT (and Bulk data) carry. */
export function normalizeBody(kind: Kind, method: WriteMethod, body: unknown): unknown {
  const rt = resourceTypeOf(kind);
  return method === 'PATCH' ? normalizePatchBody(rt, body) : normalizeResourceBody(rt, body);
}

/** `GET …?filter=…&startIndex=…`. */
export function listQuery(request: FastifyRequest): ListRequest {
  return normalizeListRequest(parseListRequest(request.query as Record<string, unknown>, LIST_LIMITS));
}

/** `POST …/.search` (RFC 7644 §3.4.3). */
export function searchBody(request: FastifyRequest): ListRequest {
  return normalizeListRequest(parseSearchRequest(request.body, LIST_LIMITS));
}

/** `attributes` and `excludedAttributes`, which every resource endpoint accepts in its query. */
export function projectionOf(request: FastifyRequest): Projection {
  // Most reads and writes of one resource have no query at all.
  const query = request.query as Record<string, unknown> | undefined;
  if (!query || Object.keys(query).length === 0) return { attributes: [], excludedAttributes: [] };
  const { attributes, excludedAttributes } = listQuery(request);
  return { attributes, excludedAttributes };
}

export function ifMatchOf(request: FastifyRequest): string | undefined {
  const ifMatch = request.headers['if-match'];
  return typeof ifMatch === 'string' ? ifMatch : undefined;
}
