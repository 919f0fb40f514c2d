/** `/directories` and their SCIM bearer tokens. */
import { Type } from '@sinclair/typebox';
import { StoreConflict } from '../../store/store.ts';
import { fromParams, fromResult, text } from '../audit.ts';
import type { AppContext } from '../context.ts';
import { checkDirectoryType, directoryActions } from '../directory-actions.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import {
  ApiErrorObject,
  DIRECTORY_TYPES,
  Directory,
  DirectorySettings,
  DirectoryToken,
  DirectoryWithToken,
  NewDirectoryToken,
  tokenObject,
} from '../objects.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { NoContent, ref } from '../schema.ts';
import { IdParams, Name, requireName } from './fields.ts';
import type { ManagementScope } from './scope.ts';

// `type` is checked by the handler, not by an enum here, so that its 422 names the accepted values.
const CreateBody = Type.Object({
  organization_id: Type.String(),
  type: Type.String({ description: `One of: ${DIRECTORY_TYPES.join(', ')}.` }),
  name: Type.Optional({ ...Name, description: 'Default: the organization\'s name and the IdP\'s, e.g. "Acme Okta".' }),
  domain: Type.Optional(Type.String({ maxLength: 253, description: "Default: the organization's first domain." })),
});
const UpdateBody = Type.Object({
  name: Type.Optional(Name),
  settings: Type.Optional({ ...DirectorySettings, description: 'Merged into the current settings; an unknown key is a 422.' }),
});
const TokenParams = Type.Object({ id: Type.String({ description: 'The directory id.' }), token_id: Type.String() });
const ListQuery = Type.Object({
  ...PageParams,
  organization_id: Type.Optional(Type.String({ description: "Only this organization's directories." })),
  search: Type.Optional(Type.String({ maxLength: 255, description: 'Matches the name, case-insensitively and literally.' })),
  domain: Type.Optional(Type.String({ maxLength: 253, description: 'Only directories with this domain.' })),
});
const TokenListQuery = Type.Object(PageParams);

export const DirectoryList = ListOf(Directory, 'A page of directories.');
export const DirectoryTokenList = ListOf(DirectoryToken, 'A page of directory tokens.');
const tags = ['directories'];

export function directoryRoutes(app: ManagementScope, { store, config }: AppContext): void {
  const actions = directoryActions({ store, config });
  const present = actions.present;

  async function requireDirectory(id: string) {
    const dir = await store.getDirectory(id);
    if (!dir) throw notFound('Directory', id);
    return dir;
  }

  app.post(
    '/directories',
    {
      schema: {
        operationId: 'createDirectory',
        summary: 'Create a directory',
        description: 'Answers with the first SCIM bearer token, in plain text, only here. Emits `dsync.token.created`.',
        tags,
        body: CreateBody,
        response: { 201: ref(DirectoryWithToken, 'The new directory, with its first bearer token.') },
      },
      config: { audit: { action: 'directory.created', target: fromResult('directory'), organization: (c) => text(c.result.organization_id) } },
    },
    async (request, reply) => {
      const { organization_id, type, name, domain } = request.body;
      // Before the organization is read, so that a wrong type is reported whatever the organization.
      checkDirectoryType(type);
      const org = await store.getOrganization(organization_id);
      if (!org) throw invalid('organization_id', 'not_found', `Organization not found: '${organization_id}'.`);
      const { dir, secret, tokenId } = await actions.create(org, { type, name, domain });
      request.log.info({ directory_id: dir.id, token_id: tokenId }, 'directory created');
      return reply.status(201).send({ ...present(dir), ...(secret !== undefined ? { bearer_token: secret, bearer_token_id: tokenId } : {}) });
    },
  );

  app.get(
    '/directories',
    {
      schema: {
        operationId: 'listDirectories',
        summary: 'List directories',
        tags,
        querystring: ListQuery,
        response: { 200: ref(DirectoryList, 'A page of directories, newest first by default.') },
      },
    },
    async (request) => {
      const { organization_id, search, domain } = request.query;
      const page = await store.listDirectories(parsePage(request.query), {
        ...(organization_id !== undefined ? { organization_id } : {}),
        ...(search !== undefined ? { search } : {}),
        ...(domain !== undefined ? { domain: domain.toLowerCase() } : {}),
      });
      return listEnvelope(page, present);
    },
  );

  app.get(
    '/directories/:id',
    { schema: { operationId: 'getDirectory', summary: 'Get a directory', tags, params: IdParams, response: { 200: ref(Directory, 'The directory.') } } },
    async (request) => present(await requireDirectory(request.params.id)),
  );

  app.patch(
    '/directories/:id',
    {
      schema: {
        operationId: 'updateDirectory',
        summary: 'Update a directory',
        description: 'Renames it, or changes its settings: `settings` keys merge into the current ones.',
        tags,
        params: IdParams,
        body: UpdateBody,
        response: { 200: ref(Directory, 'The updated directory.') },
      },
      config: { audit: { action: 'directory.updated', target: fromParams('directory'), organization: (c) => text(c.result.organization_id) } },
    },
    async (request) => {
      const current = await requireDirectory(request.params.id);
      const name = requireName(request.body.name);
      const settings = request.body.settings ? { ...current.settings, ...request.body.settings } : undefined;
      const dir = await store.updateDirectory(current.id, {
        ...(name !== undefined ? { name } : {}),
        ...(settings !== undefined ? { settings } : {}),
      });
      if (!dir) throw notFound('Directory', request.params.id);
      return present(dir);
    },
  );

  app.delete(
    '/directories/:id',
    {
      schema: {
        operationId: 'deleteDirectory',
        summary: 'Delete a directory',
        description: 'Deletes the directory and everything in it, and emits a single `dsync.deleted`.',
        tags,
        params: IdParams,
        response: { 204: NoContent('Deleted.') },
      },
      config: { audit: { action: 'directory.deleted', target: fromParams('directory'), directoryParam: 'id' } },
    },
    async (request, reply) => {
      if (!(await actions.delete(request.params.id))) throw notFound('Directory', request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/directories/:id/tokens',
    {
      schema: {
        operationId: 'createDirectoryToken',
        summary: 'Create a SCIM bearer token',
        description: 'A directory has at most two active tokens, so that one can be rotated without downtime. Emits `dsync.token.created`.',
        tags,
        params: IdParams,
        response: {
          201: ref(NewDirectoryToken, 'The new token, with its secret (shown only here).'),
          409: ref(ApiErrorObject, 'The directory already has two active tokens (`token_limit_reached`).'),
        },
      },
      config: { audit: { action: 'directory_token.created', target: fromResult('directory_token'), directoryParam: 'id' } },
    },
    async (request, reply) => {
      const dir = await requireDirectory(request.params.id);
      try {
        const { record, secret } = await actions.createToken(dir);
        request.log.info({ directory_id: dir.id, token_id: record.id }, 'directory token created');
        return reply.status(201).send({ ...tokenObject(record), token: secret });
      } catch (error) {
        if (error instanceof StoreConflict) throw new ApiError(409, error.code, error.message);
        throw error;
      }
    },
  );

  app.get(
    '/directories/:id/tokens',
    {
      schema: {
        operationId: 'listDirectoryTokens',
        summary: "List a directory's SCIM bearer tokens",
        tags,
        params: IdParams,
        querystring: TokenListQuery,
        response: { 200: ref(DirectoryTokenList, 'A page of tokens (never their secrets).') },
      },
    },
    async (request) => {
      const dir = await requireDirectory(request.params.id);
      return listEnvelope(await store.listTokens(dir.id, parsePage(request.query)), tokenObject);
    },
  );

  app.delete(
    '/directories/:id/tokens/:token_id',
    {
      schema: {
        operationId: 'revokeDirectoryToken',
        summary: 'Revoke a SCIM bearer token',
        description: 'It stops authenticating at once; revoking it again keeps the first `revoked_at`. Emits `dsync.token.revoked`.',
        tags,
        params: TokenParams,
        response: { 200: ref(DirectoryToken, 'The revoked token.') },
      },
      config: { audit: { action: 'directory_token.revoked', target: fromParams('directory_token', 'token_id'), directoryParam: 'id' } },
    },
    async (request) => {
      const dir = await requireDirectory(request.params.id);
      const token = await actions.revokeToken(dir, request.params.token_id);
      if (!token) throw notFound('Directory token', request.params.token_id);
      request.log.info({ directory_id: dir.id, token_id: token.id }, 'directory token revoked');
      return tokenObject(token);
    },
  );
}
