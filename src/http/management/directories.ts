/** `/directories` and their SCIM bearer tokens. */
import { Type } from '@sinclair/typebox';
import { generateDirectoryToken } from '../../directory/tokens.ts';
import { newId } from '../../ids.ts';
import { StoreConflict, type DirectoryRecord } from '../../store/store.ts';
import type { AppContext } from '../context.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import {
  ApiErrorObject,
  DIRECTORY_TYPES,
  Directory,
  DirectorySettings,
  DirectoryToken,
  DirectoryWithToken,
  NewDirectoryToken,
  directoryObject,
  tokenObject,
} from '../objects.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { NoContent, ref } from '../schema.ts';
import { IdParams, Name, requireName } from './fields.ts';
import type { ManagementScope } from './scope.ts';

const DEFAULT_SETTINGS = { inactive_users: 'retain' };

const TYPE_LABELS: Record<string, string> = {
  'generic scim v2.0': 'SCIM',
  'okta scim v2.0': 'Okta',
  'azure scim v2.0': 'Microsoft Entra ID',
  'onelogin scim v2.0': 'OneLogin',
  'jump cloud scim v2.0': 'JumpCloud',
  'pingfederate scim v2.0': 'PingFederate',
  'rippling scim v2.0': 'Rippling',
  'cyberark scim v2.0': 'CyberArk',
  'sailpoint scim v2.0': 'SailPoint',
  'gsuite directory': 'Google Workspace',
};

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
  const present = (dir: DirectoryRecord) => directoryObject(dir, config.publicUrl);

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
    },
    async (request, reply) => {
      const { organization_id, type } = request.body;
      if (!(DIRECTORY_TYPES as readonly string[]).includes(type)) {
        throw invalid('type', 'invalid', `type must be one of: ${DIRECTORY_TYPES.join(', ')}.`);
      }
      const org = await store.getOrganization(organization_id);
      if (!org) throw invalid('organization_id', 'not_found', `Organization not found: '${organization_id}'.`);
      const name = request.body.name?.trim() || `${org.name} ${TYPE_LABELS[type]}`;
      const domain = request.body.domain?.trim().toLowerCase() || org.domains[0]?.domain || null;
      const { secret, token } = generateDirectoryToken();
      const dir = await store.createDirectory(
        { id: newId('directory'), organization_id, type, name, domain, settings: DEFAULT_SETTINGS },
        token,
        tokenObject,
      );
      request.log.info({ directory_id: dir.id, token_id: token.id }, 'directory created');
      return reply.status(201).send({ ...present(dir), bearer_token: secret, bearer_token_id: token.id });
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
    },
    async (request, reply) => {
      if (!(await store.deleteDirectory(request.params.id, present))) throw notFound('Directory', request.params.id);
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
    },
    async (request, reply) => {
      const dir = await requireDirectory(request.params.id);
      const { secret, token } = generateDirectoryToken();
      try {
        const record = await store.createToken(dir.id, token, tokenObject);
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
    },
    async (request) => {
      const dir = await requireDirectory(request.params.id);
      const token = await store.revokeToken(dir.id, request.params.token_id, tokenObject);
      if (!token) throw notFound('Directory token', request.params.token_id);
      request.log.info({ directory_id: dir.id, token_id: token.id }, 'directory token revoked');
      return tokenObject(token);
    },
  );
}
