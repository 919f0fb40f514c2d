/**
 * `/portal/api/directories`: the IT admin's directories, within the session's organization only. An id outside
 * it answers 404, as an unknown one does. The work is the management API's (directory-actions.ts).
 */
import { Type } from '@sinclair/typebox';
import { StoreConflict, type DirectoryRecord } from '../../store/store.ts';
import { fromParams, fromResult } from '../audit.ts';
import { sessionOf } from '../browser-session.ts';
import type { BrowserContext } from '../context.ts';
import { directoryActions } from '../directory-actions.ts';
import { ApiError, notFound } from '../errors.ts';
import { IdParams, Name } from '../management/fields.ts';
import { ScimRequestsQuery, scimRequestPage } from '../management/scim-requests.ts';
import type { ManagementScope } from '../management/scope.ts';
import { tokenObject } from '../objects.ts';
import { portalDirectoryObject } from './objects.ts';

const CreateBody = Type.Object({ type: Type.String({ maxLength: 64 }), name: Type.Optional(Name) });
const TokenParams = Type.Object({ id: Type.String(), token_id: Type.String() });
const ALL = { limit: 100, order: 'asc' as const };

export function portalDirectoryRoutes(app: ManagementScope, ctx: BrowserContext): void {
  const { store, config } = ctx;
  const actions = directoryActions(ctx);

  /** Every active token of the directory (at most two), for the object. */
  async function present(dir: DirectoryRecord) {
    const tokens = await store.listTokens(dir.id, ALL);
    return portalDirectoryObject(dir, tokens.data, config.publicUrl);
  }

  async function allDirectories(organizationId: string): Promise<DirectoryRecord[]> {
    const found: DirectoryRecord[] = [];
    let after: string | undefined;
    do {
      const page = await store.listDirectories({ ...ALL, ...(after ? { after } : {}) }, { organization_id: organizationId });
      found.push(...page.data);
      after = page.after ?? undefined;
    } while (after);
    return found;
  }

  /** The directory, if it belongs to the session's organization. */
  async function requireDirectory(organizationId: string | null, id: string): Promise<DirectoryRecord> {
    const dir = await store.getDirectory(id);
    if (!dir || dir.organization_id !== organizationId) throw notFound('Directory', id);
    return dir;
  }
  const scoped = (request: Parameters<typeof sessionOf>[0], id: string) => requireDirectory(sessionOf(request).organization_id, id);

  app.get('/directories', async (request) => {
    const dirs = await allDirectories(sessionOf(request).organization_id ?? '');
    return { object: 'list' as const, data: await Promise.all(dirs.map(present)) };
  });

  app.post(
    '/directories',
    { schema: { body: CreateBody }, config: { audit: { action: 'directory.created', target: fromResult('directory') } } },
    async (request, reply) => {
      const org = await store.getOrganization(sessionOf(request).organization_id ?? '');
      if (!org) throw new ApiError(401, 'unauthorized', 'The organization of this session is gone.');
      const { dir, secret, tokenId } = await actions.create(org, request.body);
      request.log.info({ directory_id: dir.id, token_id: tokenId }, 'directory created in the portal');
      return reply.status(201).send({ ...(await present(dir)), ...(secret !== undefined ? { bearer_token: secret, bearer_token_id: tokenId } : {}) });
    },
  );

  app.get('/directories/:id', { schema: { params: IdParams } }, async (request) => present(await scoped(request, request.params.id)));

  // The directory's SCIM request log, as the management API serves it (same paging, filters and redaction).
  app.get('/directories/:id/scim_requests', { schema: { params: IdParams, querystring: ScimRequestsQuery } }, async (request) => {
    const dir = await scoped(request, request.params.id);
    return scimRequestPage(store.db, dir.id, request.query);
  });

  app.delete(
    '/directories/:id',
    { schema: { params: IdParams }, config: { audit: { action: 'directory.deleted', target: fromParams('directory') } } },
    async (request, reply) => {
      const dir = await scoped(request, request.params.id);
      if (!(await actions.delete(dir.id))) throw notFound('Directory', dir.id);
      return reply.status(202).send();
    },
  );

  app.post(
    '/directories/:id/tokens',
    { schema: { params: IdParams }, config: { audit: { action: 'directory_token.created', target: fromResult('directory_token') } } },
    async (request, reply) => {
      const dir = await scoped(request, request.params.id);
      try {
        const { record, secret } = await actions.createToken(dir);
        return reply.status(201).send({ ...tokenObject(record), token: secret });
      } catch (error) {
        if (error instanceof StoreConflict) throw new ApiError(409, 'token_limit', error.message);
        throw error;
      }
    },
  );

  app.delete(
    '/directories/:id/tokens/:token_id',
    { schema: { params: TokenParams }, config: { audit: { action: 'directory_token.revoked', target: fromParams('directory_token', 'token_id') } } },
    async (request) => {
      const dir = await scoped(request, request.params.id);
      const token = await actions.revokeToken(dir, request.params.token_id);
      if (!token) throw notFound('Directory token', request.params.token_id);
      return tokenObject(token);
    },
  );
}
