/**
 * The audit log, declared per route: a route that changes something names its action and where its target is
 * (`config: { audit: … }`), and a hook writes the entry after the route answered 2xx. A scope that uses
 * auditRoutes() refuses, at registration, a POST/PUT/PATCH/DELETE route without a declaration, so no change
 * goes unrecorded by omission; test/portal/audit.test.ts walks every served route to check the same.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { writeAudit, type Actor, type AuditTarget } from '../portal/audit.ts';
import { isObject } from '../scim/json.ts';
import type { KyselyStore } from '../store/kysely-store.ts';

type Json = Record<string, unknown>;

/** What a declaration reads the target from: the path, the request body, the answer's body, who asked. */
export interface AuditContext {
  actor: Actor;
  params: Json;
  body: Json;
  result: Json;
}

export interface AuditSpec {
  action: string;
  target: (c: AuditContext) => AuditTarget;
  /** The organization the entry belongs to; absent, the request's own (a portal session's), else none. */
  organization?: (c: AuditContext) => string | null;
  /** A directory (`params.id`) whose organization the entry belongs to, read before the handler runs (it may delete it). */
  directoryParam?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: AuditSpec;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A string value, or null: ids in params, bodies and answers. */
export const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Shorthands for declarations: the target is `params[key]`, or the answer's `id`. */
export const fromParams = (type: string, key = 'id') => (c: AuditContext): AuditTarget => ({ type, id: text(c.params[key]) });
export const fromResult = (type: string) => (c: AuditContext): AuditTarget => ({ type, id: text(c.result.id) });

interface RequestAudit {
  actor?: Actor;
  organization_id?: string | null;
  result?: unknown;
}

const state = new WeakMap<FastifyRequest, RequestAudit>();
const stateOf = (request: FastifyRequest) => {
  let s = state.get(request);
  if (!s) state.set(request, (s = {}));
  return s;
};

/** Who is making the request, and (portal) the organization it acts in: set by the scope's authentication. */
export function setActor(request: FastifyRequest, actor: Actor, organizationId?: string | null): void {
  Object.assign(stateOf(request), { actor, ...(organizationId !== undefined ? { organization_id: organizationId } : {}) });
}

/** Writes an entry now, for what no 2xx answer marks (a refused sign-in, a link opened with a redirect). */
export function auditNow(request: FastifyRequest, store: KyselyStore, entry: { actor: Actor; action: string; target: AuditTarget; organization_id: string | null }): Promise<void> {
  return writeAudit(store.db, { ...entry, ip: request.ip ?? null, user_agent: request.headers['user-agent'] ?? null }, request.log);
}

/** Declarations seen, per app: the route walk in the tests reads them. */
const declared = new WeakMap<FastifyInstance, Map<string, string>>();

/** `METHOD /path` → action, for every route registered in a scope that uses auditRoutes(). */
export function auditDeclarations(app: FastifyInstance): ReadonlyMap<string, string> {
  return declared.get(app) ?? new Map();
}

function mutatingMethods(route: RouteOptions): string[] {
  return [route.method].flat().filter((m) => MUTATING.has(m));
}

/**
 * Audits every route of `scope`: refuses an undeclared mutating route, and writes each declared route's entry
 * after a 2xx answer. `root` is the app the declarations are recorded under.
 */
export function auditRoutes(scope: FastifyInstance, root: FastifyInstance, store: KyselyStore): void {
  const seen = declared.get(root) ?? new Map<string, string>();
  declared.set(root, seen);
  scope.addHook('onRoute', (route) => {
    const spec = route.config?.audit;
    for (const method of mutatingMethods(route)) {
      if (!spec) throw new Error(`${method} ${route.url} changes something but declares no audit action (config.audit)`);
      seen.set(`${method} ${route.url}`, spec.action);
    }
  });
  scope.addHook('preHandler', async (request) => {
    const spec = request.routeOptions.config?.audit;
    if (spec?.directoryParam === undefined) return;
    const id = text((request.params as Json)[spec.directoryParam]);
    const dir = id === null ? undefined : await store.getDirectory(id);
    if (dir) stateOf(request).organization_id = dir.organization_id;
  });
  scope.addHook('preSerialization', async (request, _reply, payload) => {
    if (request.routeOptions.config?.audit) stateOf(request).result = payload;
    return payload;
  });
  scope.addHook('onSend', async (request, reply, payload) => {
    await record(request, reply, store);
    return payload;
  });
}

async function record(request: FastifyRequest, reply: FastifyReply, store: KyselyStore): Promise<void> {
  const spec = request.routeOptions.config?.audit;
  if (!spec || reply.statusCode < 200 || reply.statusCode >= 300 || !MUTATING.has(request.method)) return;
  const s = stateOf(request);
  if (!s.actor) return request.log.error({ action: spec.action }, 'audit: no actor for an audited route');
  const c: AuditContext = {
    actor: s.actor,
    params: isObject(request.params) ? request.params : {},
    body: isObject(request.body) ? request.body : {},
    result: isObject(s.result) ? s.result : {},
  };
  const organization_id = spec.organization ? spec.organization(c) : (s.organization_id ?? null);
  await auditNow(request, store, { actor: s.actor, action: spec.action, target: spec.target(c), organization_id });
}
