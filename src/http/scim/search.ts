/**
 * `POST /.search` at the root (RFC 7644 §3.4.3): Users then Groups as one list. A filter that names an attribute
 * one type lacks matches nothing of that type instead of failing the whole search.
 */
import type { FastifyInstance } from 'fastify';
import type { Answer } from '../../directory/render.ts';
import type { ScimService } from '../../directory/scim-service.ts';
import { ScimError } from '../../scim/errors.ts';
import { listResponse, type ListRequest } from '../../scim/list.ts';
import type { DirectoryRecord } from '../../store/store.ts';
import { directoryOf } from './authenticate.ts';
import { sendScim } from './reply.ts';
import { searchBody } from './request.ts';

export function searchRoute(app: FastifyInstance, service: ScimService): void {
  app.post('/.search', async (request, reply) => {
    const search = searchBody(request);
    const page = await searchAll(service, directoryOf(request), search);
    return sendScim(request, reply, 200, page);
  });
}

async function searchAll(service: ScimService, dir: DirectoryRecord, search: ListRequest) {
  const probe = { ...search, startIndex: 1, count: 0 };
  const totals = await Promise.all([
    countOrZero(() => service.listUsers(dir, probe)),
    countOrZero(() => service.listGroups(dir, probe)),
  ]);
  const [users, groups] = totals;
  const offset = search.startIndex - 1;
  const resources: Answer[] = [];
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
