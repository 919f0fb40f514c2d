/** `/directory_users` and `/directory_groups`: the normalized directory, read by the host app. */
import { Type, type TSchema } from '@sinclair/typebox';
import { DirectoryObjects } from '../../directory/objects.ts';
import type { AppContext } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { Nullable, StringEnum, ref } from '../schema.ts';
import { IdParams } from './fields.ts';
import type { ManagementScope } from './scope.ts';

const Open = (description: string) => Type.Object({}, { additionalProperties: true, description });

export const DirectoryGroup = Type.Object(
  {
    object: Type.Literal('directory_group'),
    id: Type.String({ description: '`directory_group_…`' }),
    idp_id: Type.String({ description: "The group's `externalId`, else its `displayName`." }),
    directory_id: Type.String(),
    organization_id: Type.String(),
    name: Type.String({ description: 'The `displayName`.' }),
    member_count: Type.Integer(),
    raw_attributes: Open('The SCIM resource without `members`.'),
    version: Type.Integer({ description: 'Grows with every change to the group.' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'DirectoryGroup', description: 'A group as the identity provider sent it, normalized.' },
);

const Email = Type.Object({ primary: Type.Boolean(), type: Nullable(Type.String()), value: Type.String() });
const Slug = Type.Object({ slug: Type.String() });

const userFields = {
    object: Type.Literal('directory_user'),
    id: Type.String({ description: '`directory_user_…`' }),
    idp_id: Type.String({ description: "The IdP's `externalId`, else the SCIM id." }),
    directory_id: Type.String(),
    organization_id: Type.String(),
    email: Nullable(Type.String(), { description: 'The primary email, else the first `work` one, else the first; null without one.' }),
    emails: Type.Array(Email),
    first_name: Nullable(Type.String()),
    last_name: Nullable(Type.String()),
    name: Nullable(Type.String()),
    username: Type.String(),
    job_title: Nullable(Type.String()),
    state: StringEnum(['active', 'inactive']),
    role: Slug,
    roles: Type.Array(Slug),
    custom_attributes: Open(
      'Every custom attribute the operator defined (`/custom_attributes`), by name, as the directory\'s attribute mapping fills it (null when unmapped, missing or not of its type); next to them the auto-mapped ones (`job_title`, `department_name`, `manager_email`, …), present when the IdP sent them.',
    ),
    warnings: Type.Array(
      Type.Object({ attribute: Type.String(), code: StringEnum(['missing_required']) }),
      { description: 'What the user lacks: each required custom attribute whose value is null.' },
    ),
    raw_attributes: Open('The SCIM resource as stored, with `id` and `meta`.'),
    version: Type.Integer({ description: 'Grows with every change to the user or its memberships.' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
};

export const DirectoryUser = Type.Object(
  { ...userFields, groups: Type.Array(ref(DirectoryGroup), { description: "The user's groups (every Directory User the API returns carries them, list items too)." }) },
  { $id: 'DirectoryUser', description: 'A user as the identity provider sent it, normalized.' },
);

/** A user as events carry it: without `groups` (membership events name the group themselves). */
export const DirectoryUserEvent = Type.Object(userFields, { $id: 'DirectoryUserEvent', description: 'A Directory User as events carry it, without its groups.' });

/** Guestlist's extension, for the operator console's search box. */
const Search = (what: string) =>
  Type.String({ maxLength: 200, description: `Guestlist extension: a case-insensitive substring of ${what}.` });

const UserQuery = Type.Object({
  ...PageParams,
  directory: Type.Optional(Type.String({ description: 'A directory id (this or `group` is required).' })),
  group: Type.Optional(Type.String({ description: "A group id: only that group's members." })),
  email: Type.Optional(Type.String({ maxLength: 320, description: "Matches any of the user's emails, case-insensitively." })),
  idp_id: Type.Optional(Type.String({ maxLength: 1024 })),
  search: Type.Optional(Search('userName, any email, or a name part')),
  warnings: Type.Optional(StringEnum(['true', 'false'], { description: 'Guestlist extension: `true` lists only the users that lack a required custom attribute.' })),
});
const GroupQuery = Type.Object({
  ...PageParams,
  directory: Type.Optional(Type.String({ description: 'A directory id (this or `user` is required).' })),
  user: Type.Optional(Type.String({ description: "A user id: only that user's groups." })),
  search: Type.Optional(Search('the name')),
});

export const DirectoryUserList = ListOf(DirectoryUser, 'A page of directory users.');
export const DirectoryGroupList = ListOf(DirectoryGroup, 'A page of directory groups.');

/**
 * The domain renders directory users and groups as plain JSON (DirectoryObjects), not as the types these
 * schemas infer: the schemas still serialize and document the replies, but leave them untyped.
 */
const untyped = (schema: TSchema): TSchema => schema;

export function directoryObjectRoutes(app: ManagementScope, { store, config }: AppContext): void {
  const objects = new DirectoryObjects(store, config.publicUrl);

  app.get(
    '/directory_users',
    {
      schema: {
        operationId: 'listDirectoryUsers',
        summary: 'List directory users',
        tags: ['directory users'],
        querystring: UserQuery,
        response: { 200: untyped(ref(DirectoryUserList, 'A page of directory users.')) },
      },
    },
    async (request) => {
      const { directory, group, email, idp_id, search, warnings } = request.query;
      if (directory === undefined && group === undefined) {
        throw new ApiError(422, 'validation_error', 'Pass directory or group.', [{ field: 'directory', code: 'required' }]);
      }
      const page = await objects.listUsers(
        {
          ...(directory !== undefined ? { directoryId: directory } : {}),
          ...(group !== undefined ? { groupId: group } : {}),
          ...(email !== undefined ? { email } : {}),
          ...(idp_id !== undefined ? { idpId: idp_id } : {}),
          ...(search !== undefined ? { search } : {}),
          ...(warnings === 'true' ? { withWarnings: true } : {}),
        },
        parsePage(request.query),
      );
      return listEnvelope(page, (u) => u);
    },
  );

  app.get(
    '/directory_users/:id',
    {
      schema: {
        operationId: 'getDirectoryUser',
        summary: 'Get a directory user',
        tags: ['directory users'],
        params: IdParams,
        response: { 200: untyped(ref(DirectoryUser, 'The directory user, with `groups`.')) },
      },
    },
    async (request) => {
      const user = await objects.getUser(request.params.id);
      if (!user) throw notFound('Directory user', request.params.id);
      return user;
    },
  );

  app.get(
    '/directory_groups',
    {
      schema: {
        operationId: 'listDirectoryGroups',
        summary: 'List directory groups',
        tags: ['directory groups'],
        querystring: GroupQuery,
        response: { 200: untyped(ref(DirectoryGroupList, 'A page of directory groups.')) },
      },
    },
    async (request) => {
      const { directory, user, search } = request.query;
      if (directory === undefined && user === undefined) {
        throw new ApiError(422, 'validation_error', 'Pass directory or user.', [{ field: 'directory', code: 'required' }]);
      }
      const page = await objects.listGroups(
        {
          ...(directory !== undefined ? { directoryId: directory } : {}),
          ...(user !== undefined ? { userId: user } : {}),
          ...(search !== undefined ? { search } : {}),
        },
        parsePage(request.query),
      );
      return listEnvelope(page, (g) => g);
    },
  );

  app.get(
    '/directory_groups/:id',
    {
      schema: {
        operationId: 'getDirectoryGroup',
        summary: 'Get a directory group',
        tags: ['directory groups'],
        params: IdParams,
        response: { 200: untyped(ref(DirectoryGroup, 'The directory group, with `member_count`.')) },
      },
    },
    async (request) => {
      const group = await objects.getGroup(request.params.id);
      if (!group) throw notFound('Directory group', request.params.id);
      return group;
    },
  );
}
