/**
 * API.md §7: `/custom_attributes`, `/roles`, and each directory's `attribute_mapping` (with its preview and the
 * schema explorer, `attribute_paths`) and `role_mapping`. The rules are MappingAdmin's (src/directory); the
 * portal serves the directory routes too, for its own organization (src/http/portal/mapping.ts).
 */
import { Type } from '@sinclair/typebox';
import { ATTRIBUTE_TYPES } from '../../mapping/types.ts';
import type { CustomAttributeRecord, RoleRecord } from '../../store/mapping.ts';
import type { DirectoryRecord } from '../../store/store.ts';
import { fromParams, fromResult, text } from '../audit.ts';
import type { BrowserContext } from '../context.ts';
import { ApiErrorObject } from '../objects.ts';
import { notFound } from '../errors.ts';
import { NoContent, Nullable, StringEnum, ref } from '../schema.ts';
import { IdParams } from './fields.ts';
import type { ManagementScope } from './scope.ts';

export const CustomAttribute = Type.Object(
  {
    object: Type.Literal('custom_attribute'),
    id: Type.String({ description: '`custom_attribute_…`' }),
    name: Type.String({ description: 'The key in every Directory User\'s `custom_attributes`: lowercase letters, digits and `_`, starting with a letter.' }),
    type: StringEnum<string>(ATTRIBUTE_TYPES, { description: 'A mapped value that does not fit the type is null.' }),
    required: Type.Boolean({ description: 'A user without a value lists it in its `warnings`; the user is never dropped or blocked.' }),
    description: Nullable(Type.String()),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'CustomAttribute', description: 'An attribute the application wants on every Directory User.' },
);
export const CustomAttributeList = Type.Object(
  { object: Type.Literal('list'), data: Type.Array(ref(CustomAttribute)) },
  { $id: 'CustomAttributeList', description: 'Every custom attribute, oldest first.' },
);

export const Role = Type.Object(
  {
    object: Type.Literal('role'),
    id: Type.String({ description: '`role_…`' }),
    slug: Type.String(),
    name: Type.String(),
    priority: Type.Integer({ description: 'A higher priority wins when a user\'s groups map to several roles.' }),
    default: Type.Boolean({ description: 'The role of users whose groups map to none. Exactly one role is the default.' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Role', description: 'A role the application grants.' },
);
export const RoleList = Type.Object(
  { object: Type.Literal('list'), data: Type.Array(ref(Role)) },
  { $id: 'RoleList', description: 'Every role, highest priority first.' },
);

const Source = Type.Unknown({
  description:
    'A SCIM attribute path (`name.givenName`, `emails[type eq "work"].value`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, a custom extension\'s URN path), or `{"constant": value}`. `{"constant": null}` un-maps an attribute the directory type maps by default.',
});
const Transforms = Type.Array(Type.Unknown(), {
  description: 'Applied in order: `"lowercase"`, `"uppercase"`, `"trim"`, `"first"`, `{"split": sep}`, `{"join": sep}`, `{"map": {from: to}, "default"?: value}`.',
});
const MappingEntry = Type.Object({
  attribute: Type.String({ description: 'A custom attribute\'s name.' }),
  source: Source,
  transforms: Type.Optional(Transforms),
  origin: StringEnum<string>(['default', 'custom'], { description: '`default`: the directory type\'s default source; `custom`: set through this API or the portal.' }),
});

export const AttributeMapping = Type.Object(
  {
    object: Type.Literal('attribute_mapping'),
    directory_id: Type.String(),
    mappings: Type.Array(MappingEntry, { description: 'Every defined attribute\'s source: the explicit ones, and the directory type\'s defaults for the rest.' }),
    state: StringEnum<string>(['current', 'reevaluating'], { description: '`reevaluating` while a change is being applied to every user, in the background.' }),
    progress: Type.Optional(
      Type.Object(
        {
          done: Type.Integer({ description: 'Users evaluated so far.' }),
          total: Type.Integer({ description: 'Users when the re-evaluation started.' }),
          changed: Type.Integer({ description: 'Users whose values or roles changed, each with a `dsync.user.updated`.' }),
          started_at: Type.String({ format: 'date-time' }),
          finished_at: Nullable(Type.String({ format: 'date-time' })),
        },
        { description: 'The last re-evaluation (running, or finished).' },
      ),
    ),
  },
  { $id: 'AttributeMapping', description: "A directory's mapping from its SCIM users to the custom attributes." },
);

const AttributeMappingBody = Type.Object({
  mappings: Type.Array(Type.Unknown({ description: '`{attribute, source, transforms?}`' }), { description: 'The explicit entries; attributes not listed take the directory type\'s default.' }),
});

export const AttributeMappingPreview = Type.Object(
  {
    object: Type.Literal('list'),
    data: Type.Array(
      Type.Object({
        object: Type.Literal('attribute_mapping_preview'),
        user_id: Type.String(),
        email: Nullable(Type.String()),
        custom_attributes: Type.Object({}, { additionalProperties: true }),
        warnings: Type.Array(Type.Object({ attribute: Type.String(), code: Type.String() })),
      }),
    ),
  },
  { $id: 'AttributeMappingPreview', description: 'The proposed mapping evaluated on the newest users; nothing is saved.' },
);

export const AttributePathList = Type.Object(
  {
    object: Type.Literal('list'),
    data: Type.Array(
      Type.Object({
        path: Type.String({ description: 'Usable as a `source` as it is.' }),
        users: Type.Integer({ description: 'How many of the scanned users carry it.' }),
        samples: Type.Array(Type.Unknown(), { description: 'Up to three distinct values (long strings cut).' }),
        type: Type.String(),
      }),
    ),
    scanned: Type.Integer({ description: 'Users read: the newest, up to 5,000.' }),
    total_users: Type.Integer(),
  },
  { $id: 'AttributePathList', description: "The schema explorer: the attribute paths the directory's users actually carry." },
);

export const RoleMapping = Type.Object(
  {
    object: Type.Literal('role_mapping'),
    directory_id: Type.String(),
    mappings: Type.Array(Type.Object({ group_id: Type.String({ description: 'A Directory Group id of this directory.' }), role: Type.String({ description: 'A role slug.' }) })),
  },
  { $id: 'RoleMapping', description: "A directory's groups and the roles they grant." },
);
const RoleMappingBody = Type.Object({ mappings: Type.Array(Type.Unknown({ description: '`{group_id, role}`' })) });

const AttributeBody = Type.Object({
  name: Type.String(),
  type: Type.String({ description: `One of: ${ATTRIBUTE_TYPES.join(', ')}.` }),
  required: Type.Optional(Type.Boolean()),
  description: Type.Optional(Nullable(Type.String())),
});
const RoleBody = Type.Object({ slug: Type.String(), name: Type.String(), priority: Type.Integer(), default: Type.Optional(Type.Boolean()) });
const RolePatch = Type.Object({ name: Type.Optional(Type.String()), priority: Type.Optional(Type.Integer()), default: Type.Optional(Type.Boolean()) });
const SlugParams = Type.Object({ slug: Type.String() });

export const MAPPING_COMPONENTS = [CustomAttribute, CustomAttributeList, Role, RoleList, AttributeMapping, AttributeMappingPreview, AttributePathList, RoleMapping];

export const customAttributeObject = (a: CustomAttributeRecord) => ({
  object: 'custom_attribute' as const,
  id: a.id,
  name: a.name,
  type: a.type,
  required: a.required,
  description: a.description,
  created_at: a.created_at,
});

export const roleObject = (r: RoleRecord) => ({
  object: 'role' as const,
  id: r.id,
  slug: r.slug,
  name: r.name,
  priority: r.priority,
  default: r.default,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** The directory routes, shared with the portal: `find` gives the directory the caller may see, or throws 404. */
export function directoryMappingRoutes(app: ManagementScope, ctx: BrowserContext, find: (request: unknown, id: string) => Promise<DirectoryRecord>, tags: string[] = ['mapping']): void {
  const admin = ctx.mapping;
  const byDirectory = { directoryParam: 'id' };

  app.get(
    '/directories/:id/attribute_mapping',
    { schema: { operationId: 'getAttributeMapping', summary: "Get a directory's attribute mapping", tags, params: IdParams, response: { 200: ref(AttributeMapping) } } },
    async (request) => admin.attributeMapping(await find(request, request.params.id)),
  );

  app.put(
    '/directories/:id/attribute_mapping',
    {
      schema: {
        operationId: 'setAttributeMapping',
        summary: "Replace a directory's attribute mapping",
        description: 'Re-evaluates every user of the directory in the background (`state: "reevaluating"`, with `progress`); each user whose values change gets a `dsync.user.updated`.',
        tags,
        params: IdParams,
        body: AttributeMappingBody,
        response: { 200: ref(AttributeMapping) },
      },
      config: { audit: { action: 'attribute_mapping.updated', target: fromParams('directory'), ...byDirectory } },
    },
    async (request) => admin.setAttributeMapping(await find(request, request.params.id), request.body),
  );

  app.post(
    '/directories/:id/attribute_mapping/preview',
    {
      schema: {
        operationId: 'previewAttributeMapping',
        summary: 'Preview an attribute mapping',
        description: 'Evaluates the proposed mapping on up to 10 of the newest users. Nothing is saved.',
        tags,
        params: IdParams,
        body: AttributeMappingBody,
        response: { 200: ref(AttributeMappingPreview) },
      },
      // Audited: it reads users' attributes.
      config: { audit: { action: 'attribute_mapping.previewed', target: fromParams('directory'), ...byDirectory } },
    },
    async (request) => admin.preview(await find(request, request.params.id), request.body),
  );

  app.get(
    '/directories/:id/attribute_paths',
    { schema: { operationId: 'listAttributePaths', summary: 'Explore the attribute paths users carry', tags, params: IdParams, response: { 200: ref(AttributePathList) } } },
    async (request) => admin.attributePaths(await find(request, request.params.id)),
  );

  app.get(
    '/directories/:id/role_mapping',
    { schema: { operationId: 'getRoleMapping', summary: "Get a directory's role mapping", tags, params: IdParams, response: { 200: ref(RoleMapping) } } },
    async (request) => admin.roleMapping(await find(request, request.params.id)),
  );

  app.put(
    '/directories/:id/role_mapping',
    {
      schema: {
        operationId: 'setRoleMapping',
        summary: "Replace a directory's role mapping",
        description: "Resolves again, in the same transaction, the roles of every member of each group whose role changed; each user whose roles change gets a `dsync.user.updated`.",
        tags,
        params: IdParams,
        body: RoleMappingBody,
        response: { 200: ref(RoleMapping) },
      },
      config: { audit: { action: 'role_mapping.updated', target: fromParams('directory'), ...byDirectory } },
    },
    async (request) => admin.setRoleMapping(await find(request, request.params.id), request.body),
  );
}

export function mappingRoutes(app: ManagementScope, ctx: BrowserContext): void {
  const admin = ctx.mapping;
  const tags = ['mapping'];

  app.get(
    '/custom_attributes',
    { schema: { operationId: 'listCustomAttributes', summary: 'List custom attributes', tags, response: { 200: ref(CustomAttributeList) } } },
    async () => ({ object: 'list' as const, data: (await admin.listAttributes()).map(customAttributeObject) }),
  );

  app.post(
    '/custom_attributes',
    {
      schema: {
        operationId: 'createCustomAttribute',
        summary: 'Define a custom attribute',
        description: 'Every directory\'s users are re-evaluated in the background; a directory type that maps the name by default fills it at once.',
        tags,
        body: AttributeBody,
        response: { 201: ref(CustomAttribute), 409: ref(ApiErrorObject, 'The name is taken (`attribute_exists`), or 200 attributes exist (`attribute_limit_reached`).') },
      },
      config: { audit: { action: 'custom_attribute.created', target: fromResult('custom_attribute') } },
    },
    async (request, reply) => reply.status(201).send(customAttributeObject(await admin.createAttribute(request.body))),
  );

  app.delete(
    '/custom_attributes/:id',
    {
      schema: { operationId: 'deleteCustomAttribute', summary: 'Delete a custom attribute', tags, params: IdParams, response: { 204: NoContent('Deleted; users lose the attribute in the background.') } },
      config: { audit: { action: 'custom_attribute.deleted', target: fromParams('custom_attribute') } },
    },
    async (request, reply) => {
      if (!(await admin.deleteAttribute(request.params.id))) throw notFound('Custom attribute', request.params.id);
      return reply.status(204).send();
    },
  );

  app.get('/roles', { schema: { operationId: 'listRoles', summary: 'List roles', tags, response: { 200: ref(RoleList) } } }, async () => ({
    object: 'list' as const,
    data: (await admin.listRoles()).map(roleObject),
  }));

  app.post(
    '/roles',
    {
      schema: {
        operationId: 'createRole',
        summary: 'Define a role',
        description: 'The first role is the default one. Users are re-evaluated in the background.',
        tags,
        body: RoleBody,
        response: { 201: ref(Role), 409: ref(ApiErrorObject, 'The slug is taken (`role_exists`), or 100 roles exist (`role_limit_reached`).') },
      },
      config: { audit: { action: 'role.created', target: fromResult('role') } },
    },
    async (request, reply) => reply.status(201).send(roleObject(await admin.createRole(request.body))),
  );

  app.patch(
    '/roles/:slug',
    {
      schema: { operationId: 'updateRole', summary: 'Update a role', tags, params: SlugParams, body: RolePatch, response: { 200: ref(Role) } },
      config: { audit: { action: 'role.updated', target: (c) => ({ type: 'role', id: text(c.result.id) }) } },
    },
    async (request) => roleObject(await admin.updateRole(request.params.slug, request.body)),
  );

  app.delete(
    '/roles/:slug',
    {
      schema: {
        operationId: 'deleteRole',
        summary: 'Delete a role',
        description: 'Groups mapped to it map to nothing. The default role can be deleted only when it is the last one (409 `default_role`).',
        tags,
        params: SlugParams,
        response: { 204: NoContent('Deleted.'), 409: ref(ApiErrorObject, 'It is the default role and others exist (`default_role`).') },
      },
      config: { audit: { action: 'role.deleted', target: (c) => ({ type: 'role', id: text(c.params.slug) }) } },
    },
    async (request, reply) => {
      if (!(await admin.deleteRole(request.params.slug))) throw notFound('Role', request.params.slug);
      return reply.status(204).send();
    },
  );

  directoryMappingRoutes(app, ctx, async (_request, id) => {
    const dir = await ctx.store.getDirectory(id);
    if (!dir) throw notFound('Directory', id);
    return dir;
  });
}
