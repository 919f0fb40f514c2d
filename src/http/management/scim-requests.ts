/**
 * `GET /directories/:id/scim_requests`: a directory's SCIM request log, newest first (docs/portal.md). The
 * query, the page and the object are exported for the portal's `GET /portal/api/directories/{id}/scim_requests`,
 * which answers the same way.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Executor } from '../../store/db.ts';
import { listScimRequests, type ScimRequestRecord, type StatusRange } from '../../store/scim-requests.ts';
import type { AppContext } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { ListOf, PageParams, listEnvelope, parseLimit, type ListEnvelope } from '../pagination.ts';
import { Nullable, ref } from '../schema.ts';
import { IdParams } from './fields.ts';
import type { ManagementScope } from './scope.ts';

export const ScimRequest = Type.Object(
  {
    object: Type.Literal('scim_request'),
    id: Type.String({ description: '`scim_request_…`' }),
    directory_id: Type.String(),
    method: Type.String(),
    path: Type.String({ description: 'The URL path and query as sent (capped; query parameters that name a secret redacted).' }),
    status: Type.Integer({ description: 'The HTTP status answered.' }),
    duration_ms: Type.Integer(),
    user_agent: Nullable(Type.String()),
    request_body: Type.Unknown({
      description:
        'The body as sent, with passwords, tokens and other secrets redacted: the JSON value; a string when it was too large (cut, ending `…[truncated]`) or not JSON (its first characters, unless they name a secret); null when there was none or it was not read (401).',
    }),
    error: Nullable(Type.String({ description: 'For a status of 400 or more: the SCIM error, `scimType: detail`.' })),
    created_at: Type.String({ format: 'date-time', description: 'When the request arrived.' }),
  },
  { $id: 'ScimRequest', description: 'One SCIM request an identity provider sent to a directory.' },
);

export const ScimRequestList = ListOf(ScimRequest, 'A page of SCIM requests.');

export const ScimRequestsQuery = Type.Object({
  limit: PageParams.limit,
  before: Type.Optional(Type.String({ description: 'A request id: the newer requests before it in the list.' })),
  after: Type.Optional(Type.String({ description: 'A request id: the older requests after it.' })),
  status: Type.Optional(Type.String({ description: 'A status code (`401`), a class (`2xx` … `5xx`), or `error` (400 and above).' })),
});
export type ScimRequestsQueryType = Static<typeof ScimRequestsQuery>;

/** `status`: `401`, `4xx`, or `error`; anything else is a 422. */
export function parseStatusFilter(value: string | undefined): StatusRange | undefined {
  if (value === undefined) return undefined;
  if (value.toLowerCase() === 'error') return { min: 400, max: 599 };
  if (/^[1-5]\d\d$/.test(value)) return { min: Number(value), max: Number(value) };
  const match = /^([1-5])xx$/i.exec(value);
  if (match) return { min: Number(match[1]) * 100, max: Number(match[1]) * 100 + 99 };
  throw invalid('status', 'invalid', "status must be a status code (400), a class (4xx) or 'error'.");
}

/** The stored body as the API shows it: the JSON value when it is JSON, else the text kept. */
function bodyValue(stored: string | null): unknown {
  if (stored === null) return null;
  try {
    return JSON.parse(stored);
  } catch {
    return stored;
  }
}

export function scimRequestObject(row: ScimRequestRecord): Static<typeof ScimRequest> {
  return {
    object: 'scim_request',
    id: row.id,
    directory_id: row.directory_id,
    method: row.method,
    path: row.path,
    status: Number(row.status),
    duration_ms: Number(row.duration_ms),
    user_agent: row.user_agent,
    request_body: bodyValue(row.request_body),
    error: row.error,
    created_at: row.created_at,
  };
}

/** One page of a directory's log, for a query as the route takes it (which the caller found to exist). */
export async function scimRequestPage(db: Executor, directoryId: string, query: ScimRequestsQueryType): Promise<ListEnvelope<Static<typeof ScimRequest>>> {
  const status = parseStatusFilter(query.status);
  const page = await listScimRequests(
    db,
    directoryId,
    {
      limit: parseLimit(query.limit),
      order: 'desc',
      ...(query.before ? { before: query.before } : {}),
      ...(query.after ? { after: query.after } : {}),
    },
    status ? { status } : {},
  );
  return listEnvelope(page, scimRequestObject);
}

export function scimRequestRoutes(app: ManagementScope, { store }: AppContext): void {
  app.get(
    '/directories/:id/scim_requests',
    {
      schema: {
        operationId: 'listDirectoryScimRequests',
        summary: "List a directory's SCIM requests",
        description:
          'The SCIM request log, newest first: every request to the directory, failed authentication included, kept for `GUESTLIST_REQUEST_LOG_DAYS` and at most `GUESTLIST_REQUEST_LOG_MAX_PER_DIRECTORY`. Requests appear within a second of their response.',
        tags: ['directories'],
        params: IdParams,
        querystring: ScimRequestsQuery,
        response: { 200: ref(ScimRequestList, 'A page of requests, newest first.') },
      },
    },
    async (request) => {
      const dir = await store.getDirectory(request.params.id);
      if (!dir) throw notFound('Directory', request.params.id);
      return scimRequestPage(store.db, dir.id, request.query);
    },
  );
}
