/**
 * The IT admin's side of API.md §7, in the portal (docs/portal.md): the operator's custom attributes and roles
 * (read only), and for each directory of the session's organization its attribute mapping, preview, schema
 * explorer and role mapping (the management API's own routes), plus the groups to map and the users with
 * warnings. A directory outside the organization answers 404, as an unknown one does.
 */
import { Type } from '@sinclair/typebox';
import { DirectoryObjects } from '../../directory/objects.ts';
import type { FastifyRequest } from 'fastify';
import { sessionOf } from '../browser-session.ts';
import type { BrowserContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { directoryMappingRoutes, customAttributeObject, roleObject } from '../management/mapping.ts';
import { IdParams } from '../management/fields.ts';
import { sourceRoutes } from '../management/sources.ts';
import type { ManagementScope } from '../management/scope.ts';
import { PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { StringEnum } from '../schema.ts';

const GroupQuery = Type.Object({ ...PageParams, search: Type.Optional(Type.String({ maxLength: 200 })) });
const UserQuery = Type.Object({ ...PageParams, search: Type.Optional(Type.String({ maxLength: 200 })), warnings: Type.Optional(StringEnum(['true', 'false'])) });

type Json = Record<string, unknown>;

/** What the portal shows of a user: enough to see its mapping, not its whole record. */
const portalUser = (u: Json) => ({
  object: 'directory_user',
  id: u.id,
  email: u.email,
  name: u.name,
  state: u.state,
  role: u.role,
  roles: u.roles,
  custom_attributes: u.custom_attributes,
  warnings: u.warnings,
});

const portalGroup = (g: Json) => ({ object: 'directory_group', id: g.id, name: g.name, member_count: g.member_count });

export function portalMappingRoutes(app: ManagementScope, ctx: BrowserContext): void {
  const objects = new DirectoryObjects(ctx.store, ctx.config.publicUrl);
  const find = async (request: unknown, id: string) => {
    const dir = await ctx.store.getDirectory(id);
    if (!dir || dir.organization_id !== sessionOf(request as FastifyRequest).organization_id) throw notFound('Directory', id);
    return dir;
  };

  app.get('/custom_attributes', async () => ({ object: 'list' as const, data: (await ctx.mapping.listAttributes()).map(customAttributeObject) }));
  app.get('/roles', async () => ({ object: 'list' as const, data: (await ctx.mapping.listRoles()).map(roleObject) }));

  directoryMappingRoutes(app, ctx, find);
  sourceRoutes(app, ctx, find);

  app.get('/directories/:id/groups', { schema: { params: IdParams, querystring: GroupQuery } }, async (request) => {
    const dir = await find(request, request.params.id);
    const { search } = request.query;
    const page = await objects.listGroups({ directoryId: dir.id, ...(search ? { search } : {}) }, parsePage(request.query));
    return listEnvelope(page, portalGroup);
  });

  app.get('/directories/:id/users', { schema: { params: IdParams, querystring: UserQuery } }, async (request) => {
    const dir = await find(request, request.params.id);
    const { search, warnings } = request.query;
    const page = await objects.listUsers(
      { directoryId: dir.id, ...(search ? { search } : {}), ...(warnings === 'true' ? { withWarnings: true } : {}) },
      parsePage(request.query),
    );
    return listEnvelope(page, portalUser);
  });
}
