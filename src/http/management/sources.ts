/**
 * API.md §8: a pulled directory's connection (write-only secrets), its syncs, and the deprovision guard of any
 * directory. The rules are SourcesAdmin's (src/sources/admin.ts); the portal serves the same routes for its own
 * organization's directories.
 */
import { Type } from '@sinclair/typebox';
import type { DirectoryRecord } from '../../store/store.ts';
import type { SyncRecord } from '../../store/sources.ts';
import { fromParams } from '../audit.ts';
import type { BrowserContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { ApiErrorObject } from '../objects.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { Nullable, StringEnum, ref } from '../schema.ts';
import { IdParams } from './fields.ts';
import type { ManagementScope } from './scope.ts';

const Counts = Type.Object({
  users_created: Type.Integer(),
  users_updated: Type.Integer(),
  users_deactivated: Type.Integer(),
  users_deleted: Type.Integer(),
  groups_created: Type.Integer(),
  groups_updated: Type.Integer(),
  groups_deleted: Type.Integer(),
  memberships_added: Type.Integer(),
  memberships_removed: Type.Integer(),
});

export const DirectorySync = Type.Object(
  {
    object: Type.Literal('directory_sync'),
    id: Type.String({ description: '`directory_sync_…`' }),
    directory_id: Type.String(),
    state: StringEnum<string>(['queued', 'running', 'succeeded', 'failed', 'held'], {
      description: '`held`: the deprovision guard held this pull\'s deactivations and deletions (the rest was applied).',
    }),
    trigger: StringEnum<string>(['schedule', 'manual']),
    counts: Counts,
    error: Nullable(Type.String({ description: 'Why it failed, or what it skipped; null otherwise.' })),
    created_at: Type.String({ format: 'date-time' }),
    started_at: Nullable(Type.String({ format: 'date-time' })),
    finished_at: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'DirectorySync', description: 'One pull of a directory from its source.' },
);
export const DirectorySyncList = ListOf(DirectorySync, 'A page of syncs, newest first.');

export const DirectoryConnection = Type.Object(
  {
    object: Type.Literal('directory_connection'),
    directory_id: Type.String(),
    type: Type.String(),
    configured: Type.Boolean(),
    updated_at: Nullable(Type.String({ format: 'date-time' })),
    summary: Type.Object({}, { additionalProperties: true, description: 'The non-secret fields (the service account\'s email, the report URL, the subdomain…). Secrets are never returned.' }),
  },
  { $id: 'DirectoryConnection', description: "A pulled directory's connection to its source." },
);

export const DeprovisionGuard = Type.Object(
  {
    object: Type.Literal('deprovision_guard'),
    directory_id: Type.String(),
    state: StringEnum<string>(['armed', 'tripped']),
    held_changes: Type.Integer({ description: 'Deactivations and deletions held back from the app.' }),
    tripped_at: Nullable(Type.String({ format: 'date-time' })),
    settings: Type.Object({
      enabled: Type.Boolean(),
      max_share: Type.Number(),
      min_users: Type.Integer(),
      window_minutes: Type.Integer(),
    }),
    released: Type.Optional(Type.Integer({ description: 'In `dsync.guard.released`: how many held changes were applied.' })),
    discarded: Type.Optional(Type.Integer({ description: 'In `dsync.guard.released`: how many held changes were dropped.' })),
  },
  { $id: 'DeprovisionGuard', description: "A directory's mass-deprovision guard." },
);

const ConnectionBody = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'Per type. `gsuite directory`: `{service_account_key, admin_email, customer?}`; `workday`: `{report_url, username, password, columns?}`; `bamboohr`: `{subdomain, api_key}`.',
  },
);

export const SOURCE_COMPONENTS = [DirectorySync, DirectorySyncList, DirectoryConnection, DeprovisionGuard];

export const syncObject = (s: SyncRecord) => ({
  object: 'directory_sync' as const,
  id: s.id,
  directory_id: s.directory_id,
  state: s.state,
  trigger: s.trigger,
  counts: s.counts,
  error: s.error,
  created_at: s.created_at,
  started_at: s.started_at,
  finished_at: s.finished_at,
});

const notPulled = ref(ApiErrorObject, 'The directory receives SCIM; Guestlist does not pull it (`not_pulled`).');

/** The routes, shared with the portal: `find` gives the directory the caller may see, or throws 404. */
export function sourceRoutes(app: ManagementScope, ctx: BrowserContext, find: (request: unknown, id: string) => Promise<DirectoryRecord>, tags: string[] = ['directories']): void {
  const admin = ctx.sources;
  const byDirectory = { directoryParam: 'id' };

  app.get(
    '/directories/:id/connection',
    { schema: { operationId: 'getDirectoryConnection', summary: "Get a pulled directory's connection (never its secrets)", tags, params: IdParams, response: { 200: ref(DirectoryConnection), 422: notPulled } } },
    async (request) => admin.connection(await find(request, request.params.id)),
  );

  app.put(
    '/directories/:id/connection',
    {
      schema: {
        operationId: 'setDirectoryConnection',
        summary: "Set a pulled directory's connection",
        description: 'Stored encrypted and never returned. Queues a sync with it.',
        tags,
        params: IdParams,
        body: ConnectionBody,
        response: { 200: ref(DirectoryConnection) },
      },
      config: { audit: { action: 'directory.connection.updated', target: fromParams('directory'), ...byDirectory } },
    },
    async (request) => admin.setConnection(await find(request, request.params.id), request.body),
  );

  app.post(
    '/directories/:id/sync',
    {
      schema: { operationId: 'syncDirectory', summary: 'Sync a pulled directory now', tags, params: IdParams, response: { 202: ref(DirectorySync), 422: notPulled } },
      config: { audit: { action: 'directory.sync.requested', target: fromParams('directory'), ...byDirectory } },
    },
    async (request, reply) => reply.status(202).send(syncObject(await admin.requestSync(await find(request, request.params.id)))),
  );

  app.get(
    '/directories/:id/syncs',
    { schema: { operationId: 'listDirectorySyncs', summary: "List a directory's syncs", tags, params: IdParams, querystring: Type.Object(PageParams), response: { 200: ref(DirectorySyncList) } } },
    async (request) => listEnvelope(await admin.syncs(await find(request, request.params.id), parsePage(request.query)), syncObject),
  );

  app.get(
    '/directories/:id/guard',
    { schema: { operationId: 'getDeprovisionGuard', summary: "Get a directory's deprovision guard", tags, params: IdParams, response: { 200: ref(DeprovisionGuard) } } },
    async (request) => admin.guard(await find(request, request.params.id)),
  );

  for (const action of ['release', 'discard'] as const) {
    app.post(
      `/directories/:id/guard/${action}`,
      {
        schema: {
          operationId: action === 'release' ? 'releaseDeprovisionGuard' : 'discardDeprovisionGuard',
          summary: action === 'release' ? 'Apply what the guard holds' : 'Drop what the guard holds',
          description:
            action === 'release'
              ? 'Applies the held deactivations and deletions in order, with their events, then arms the guard again (`dsync.guard.released`).'
              : 'Drops the held changes and arms the guard again (`dsync.guard.released`); a later pull that finds the same may trip it anew.',
          tags,
          params: IdParams,
          response: { 200: ref(DeprovisionGuard), 409: ref(ApiErrorObject, 'The guard has not tripped (`guard_not_tripped`), or a sync is running (`sync_running`).') },
        },
        config: { audit: { action: `guard.${action === 'release' ? 'released' : 'discarded'}`, target: fromParams('directory'), ...byDirectory } },
      },
      async (request) => admin[action](await find(request, request.params.id)),
    );
  }
}

export function managementSourceRoutes(app: ManagementScope, ctx: BrowserContext): void {
  sourceRoutes(app, ctx, async (_request, id) => {
    const dir = await ctx.store.getDirectory(id);
    if (!dir) throw notFound('Directory', id);
    return dir;
  });
}
