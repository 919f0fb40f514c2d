/** `/directory_users` and `/directory_groups`: the normalized directory, read by the host app. */
import { Type, type TSchema } from '@sinclair/typebox';
import { DirectoryObjects } from '../../directory/objects.ts';
import type { AppContext } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { Nullable } from '../objects.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { IdParams } from './fields.ts';
import type { ManagementScope } from './scope.ts';

const Open = Type.Object({}, { additionalProperties: true });

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
    job_title: Nullable(Type.String()),
    state: Type.Union([Type.Literal('active'), Type.Literal('inactive')]),
    role: Slug,
    roles: Type.Array(Slug),
    custom_attributes: Open,
    raw_attributes: Open,
    version: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    groups: Type.Array(DirectoryGroup),
  },
  { $id: 'DirectoryUser' },
);

const UserQuery = Type.Object({
  ...PageParams,
  directory: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  email: Type.Optional(Type.String({ maxLength: 320 })),
  idp_id: Type.Optional(Type.String({ maxLength: 1024 })),
});
const GroupQuery = Type.Object({ ...PageParams, directory: Type.Optional(Type.String()), user: Type.Optional(Type.String()) });

/**
 * The domain renders directory users and groups as plain JSON (DirectoryObjects), not as the types these
 * schemas infer: the schemas still serialize and document the replies, but leave them untyped.
 */
const untyped = (schema: TSchema): TSchema => schema;

export function directoryObjectRoutes(app: ManagementScope, { store, config }: AppContext): void {
  const objects = new DirectoryObjects(store, config.publicUrl);

  app.get(
    '/directory_users',
    { schema: { tags: ['directory users'], querystring: UserQuery, response: { 200: untyped(ListOf(DirectoryUser)) } } },
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

  app.get(
    '/directory_users/:id',
    { schema: { tags: ['directory users'], params: IdParams, response: { 200: untyped(DirectoryUser) } } },
    async (request) => {
      const user = await objects.getUser(request.params.id);
      if (!user) throw notFound('Directory user', request.params.id);
      return user;
    },
  );

  app.get(
    '/directory_groups',
    { schema: { tags: ['directory groups'], querystring: GroupQuery, response: { 200: untyped(ListOf(DirectoryGroup)) } } },
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

  app.get(
    '/directory_groups/:id',
    { schema: { tags: ['directory groups'], params: IdParams, response: { 200: untyped(DirectoryGroup) } } },
    async (request) => {
      const group = await objects.getGroup(request.params.id);
      if (!group) throw notFound('Directory group', request.params.id);
      return group;
    },
  );
}
