/** `/directory_users` and `/directory_groups`: the normalized directory, read by the host app. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DirectoryObjects } from '../../directory/objects.ts';
import { ApiError, notFound } from '../errors.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import type { AppContext } from './context.ts';

const Open = Type.Object({}, { additionalProperties: true });
const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);

export const DirectoryGroup = Type.Object(
  {
    object: Type.Literal('directory_group'),
    id: Type.String(),
    idp_id: Type.String(),
    directory_id: Type.String(),
    organization_id: Type.String(),
    name: Type.String(),
    member_count: Type.Integer(),
    raw_attributes: Open,
    version: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'DirectoryGroup' },
);

const Email = Type.Object({ primary: Type.Boolean(), type: Nullable(Type.String()), value: Type.String() });
const Slug = Type.Object({ slug: Type.String() });

export const DirectoryUser = Type.Object(
  {
    object: Type.Literal('directory_user'),
    id: Type.String(),
    idp_id: Type.String(),
    directory_id: Type.String(),
    organization_id: Type.String(),
    email: Nullable(Type.String()),
    emails: Type.Array(Email),
    first_name: Nullable(Type.String()),
    last_name: Nullable(Type.String()),
    name: Nullable(Type.String()),
    username: Type.String(),
    state: Type.Union([Type.Literal('active'), Type.Literal('inactive')]),
    role: Slug,
    roles: Type.Array(Slug),
    custom_attributes: Open,
    raw_attributes: Open,
    version: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    groups: Type.Optional(Type.Array(DirectoryGroup)),
  },
  { $id: 'DirectoryUser' },
);

const IdParams = Type.Object({ id: Type.String() });
const UserQuery = Type.Object({
  ...PageParams,
  directory: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  email: Type.Optional(Type.String({ maxLength: 320 })),
  idp_id: Type.Optional(Type.String({ maxLength: 1024 })),
});
const GroupQuery = Type.Object({ ...PageParams, directory: Type.Optional(Type.String()), user: Type.Optional(Type.String()) });

export function directoryObjectRoutes(app: FastifyInstance, { store, config }: AppContext): void {
  const objects = new DirectoryObjects(store, config.publicUrl);

  app.get<{ Querystring: Static<typeof UserQuery> }>(
    '/directory_users',
    { schema: { tags: ['directory users'], querystring: UserQuery, response: { 200: ListOf(DirectoryUser) } } },
    async (request) => {
      const { directory, group, email, idp_id } = request.query;
      if (directory === undefined && group === undefined) {
        throw new ApiError(422, 'validation_error', 'Pass directory or group.', [{ field: 'directory', code: 'required' }]);
      }
      const page = await objects.listUsers(
        {
          ...(directory !== undefined ? { directoryId: directory } : {}),
          ...(group !== undefined ? { groupId: group } : {}),
          ...(email !== undefined ? { email } : {}),
          ...(idp_id !== undefined ? { idpId: idp_id } : {}),
        },
        parsePage(request.query),
      );
      return listEnvelope(page, (u) => u);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/directory_users/:id',
    { schema: { tags: ['directory users'], params: IdParams, response: { 200: DirectoryUser } } },
    async (request) => {
      const user = await objects.getUser(request.params.id);
      if (!user) throw notFound('Directory user', request.params.id);
      return user;
    },
  );

  app.get<{ Querystring: Static<typeof GroupQuery> }>(
    '/directory_groups',
    { schema: { tags: ['directory groups'], querystring: GroupQuery, response: { 200: ListOf(DirectoryGroup) } } },
    async (request) => {
      const { directory, user } = request.query;
      if (directory === undefined && user === undefined) {
        throw new ApiError(422, 'validation_error', 'Pass directory or user.', [{ field: 'directory', code: 'required' }]);
      }
      const page = await objects.listGroups(
        { ...(directory !== undefined ? { directoryId: directory } : {}), ...(user !== undefined ? { userId: user } : {}) },
        parsePage(request.query),
      );
      return listEnvelope(page, (g) => g);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/directory_groups/:id',
    { schema: { tags: ['directory groups'], params: IdParams, response: { 200: DirectoryGroup } } },
    async (request) => {
      const group = await objects.getGroup(request.params.id);
      if (!group) throw notFound('Directory group', request.params.id);
      return group;
    },
  );
}
