/**
 * SCIM Bulk (RFC 7644 §3.7): operations run one by one, each in its own transaction, through the same
 * ScimService as single requests. `bulkId:` references are resolved to the ids created earlier in the request;
 * an operation whose reference points at a later POST waits until that POST has run. `failOnErrors` stops the
 * job after that many errors. Operation data is walked with explicit stacks, never recursion, and refused when
 * nested deeper than MAX_JSON_DEPTH: a body of 10,000 nested arrays is a 400, not a stack overflow.
 * Operation data is taken as sent unless the caller brings a BulkTolerance: IdP quirks are the edge's business.
 */
import { BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA, type ScimResource } from '../scim/schema/types.ts';
import { ScimError, badRequest } from '../scim/errors.ts';
import type { PatchOptions } from '../scim/patch/apply.ts';
import type { DirectoryRecord } from '../store/store.ts';
import type { ScimService } from './scim-service.ts';
import { MAX_JSON_DEPTH, deeperThan, forEachString, isObject, mapStrings } from '../scim/json.ts';
import { printableId } from '../ids.ts';

type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The resource endpoints an operation's path may name. */
export type BulkEndpoint = 'Users' | 'Groups';

/**
 * How the caller reads each operation, as it reads a single request: its data rewritten into RFC form (after
 * bulkId references are resolved), and the PATCH engine's tolerant readings, passed with every write.
 */
export interface BulkTolerance {
  normalize(endpoint: BulkEndpoint, method: Method, data: unknown): unknown;
  patch?: PatchOptions;
}

export interface BulkOptions {
  maxOperations: number;
  /** The directory's SCIM base URL, for the `location` of a DELETE (other results take the resource's). */
  baseUrl: string;
  tolerance?: BulkTolerance;
}

const AS_SENT: BulkTolerance = { normalize: (_endpoint, _method, data) => data };

interface BulkOperation {
  method: Method;
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

export interface BulkOperationResult {
  method: Method;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: unknown;
}

/** `bulkId:x` as a whole value (`members[].value`) or inside a path (`/Users/bulkId:x`). */
const BULK_REF = /bulkId:([^/\s?]+)/g;

export function parseBulkRequest(body: unknown, maxOperations: number): { operations: BulkOperation[]; failOnErrors?: number } {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'A Bulk body must be a JSON object.');
  if (!Array.isArray(body.schemas) || !body.schemas.includes(BULK_REQUEST_SCHEMA)) {
    throw badRequest('invalidSyntax', `A Bulk body's schemas must include "${BULK_REQUEST_SCHEMA}".`);
  }
  if (!Array.isArray(body.Operations)) throw badRequest('invalidSyntax', 'A Bulk body needs an "Operations" array.');
  if (body.Operations.length > maxOperations) {
    throw new ScimError(413, 'tooMany', `A Bulk request may hold at most ${maxOperations} operations; this one has ${body.Operations.length}.`);
  }
  const failOnErrors = readFailOnErrors(body.failOnErrors);
  const seen = new Set<string>();
  const operations = body.Operations.map((raw, i): BulkOperation => {
    if (!isObject(raw)) throw badRequest('invalidSyntax', `Operations[${i}] must be an object.`);
    const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : '';
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
      throw badRequest('invalidValue', `Operations[${i}].method must be POST, PUT, PATCH or DELETE.`);
    }
    if (typeof raw.path !== 'string' || !raw.path.startsWith('/')) throw badRequest('invalidValue', `Operations[${i}].path must be a path such as "/Users".`);
    if (method === 'POST') {
      if (typeof raw.bulkId !== 'string' || raw.bulkId === '') throw badRequest('invalidValue', `Operations[${i}] (POST) needs a bulkId.`);
      if (seen.has(raw.bulkId)) throw badRequest('uniqueness', `bulkId "${raw.bulkId}" is used twice.`);
      seen.add(raw.bulkId);
    }
    if (method !== 'DELETE' && raw.data === undefined) throw badRequest('invalidValue', `Operations[${i}] (${method}) needs data.`);
    if (deeperThan(raw.data, MAX_JSON_DEPTH)) {
      throw badRequest('invalidValue', `Operations[${i}].data nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`);
    }
    return {
      method: method as Method,
      path: raw.path,
      ...(typeof raw.bulkId === 'string' ? { bulkId: raw.bulkId } : {}),
      ...(typeof raw.version === 'string' ? { version: raw.version } : {}),
      ...(raw.data !== undefined ? { data: raw.data } : {}),
    };
  });
  return { operations, ...(failOnErrors !== undefined ? { failOnErrors: failOnErrors as number } : {}) };
}

/**
 * RFC 7644 §3.7.3: an integer, the number of errors after which the job stops. Clients send 0 meaning "not
 * set", so 0 (like no value) means no limit. Negative or fractional values are refused.
 */
function readFailOnErrors(value: unknown): number | undefined {
  if (value === undefined || value === null || value === 0) return undefined;
  if (!Number.isInteger(value) || (value as number) < 0) throw badRequest('invalidValue', 'failOnErrors must be a non-negative integer.');
  return value as number;
}

/** Every `bulkId:x` an operation names (in its path or anywhere in its data). */
function references(op: BulkOperation): string[] {
  const out = new Set<string>();
  const visit = (s: string) => {
    if (s.includes('bulkId:')) for (const m of s.matchAll(BULK_REF)) out.add(m[1]!);
  };
  visit(op.path);
  forEachString(op.data, visit);
  return [...out];
}

function substitute(value: unknown, ids: Map<string, string>): unknown {
  return mapStrings(value, (s) => (s.includes('bulkId:') ? s.replace(BULK_REF, (whole, id: string) => ids.get(id) ?? whole) : s));
}

export async function runBulk(
  service: ScimService,
  dir: DirectoryRecord,
  body: unknown,
  options: BulkOptions,
): Promise<{ schemas: string[]; Operations: BulkOperationResult[] }> {
  const { operations, failOnErrors } = parseBulkRequest(body, options.maxOperations);
  const refs = new Map(operations.map((op) => [op, references(op)]));
  const created = new Map<string, string>();
  const context: BulkContext = { service, dir, created, baseUrl: options.baseUrl, tolerance: options.tolerance ?? AS_SENT };
  const failedPosts = new Set<string>();
  const results = new Map<BulkOperation, BulkOperationResult>();
  const posts = new Set(operations.filter((o) => o.method === 'POST').map((o) => o.bulkId!));
  let pending = [...operations];
  let errors = 0;
  const stopped = () => failOnErrors !== undefined && errors >= failOnErrors;

  while (pending.length > 0 && !stopped()) {
    // Run, in order, every operation whose references are resolved (or can never be: those fail below).
    const ready = pending.filter((op) => refs.get(op)!.every((ref) => created.has(ref) || !posts.has(ref) || failedPosts.has(ref)));
    if (ready.length === 0) {
      for (const op of pending) results.set(op, errorResult(op, new ScimError(409, undefined, 'Circular bulkId references could not be resolved.')));
      break;
    }
    for (const op of ready) {
      if (stopped()) break;
      const result = await runOne(context, op, refs.get(op)!);
      results.set(op, result);
      if (Number(result.status) >= 400) {
        errors++;
        if (op.method === 'POST') failedPosts.add(op.bulkId!);
      }
    }
    pending = pending.filter((op) => !results.has(op));
  }
  return {
    schemas: [BULK_RESPONSE_SCHEMA],
    Operations: operations.filter((op) => results.has(op)).map((op) => results.get(op)!),
  };
}

/** What every operation of one Bulk request shares; `created` maps each bulkId to the id its POST created. */
interface BulkContext {
  service: ScimService;
  dir: DirectoryRecord;
  created: Map<string, string>;
  baseUrl: string;
  tolerance: BulkTolerance;
}

async function runOne({ service, dir, created, baseUrl, tolerance }: BulkContext, op: BulkOperation, refs: string[]): Promise<BulkOperationResult> {
  try {
    const unresolved = refs.filter((ref) => !created.has(ref));
    if (unresolved.length > 0) throw new ScimError(409, undefined, `bulkId "${unresolved[0]}" did not create a resource.`);
    const path = substitute(op.path, created) as string;
    const match = /^\/(Users|Groups)(?:\/([^/?]+))?\/?$/i.exec(path);
    if (!match) throw new ScimError(404, undefined, `No resource endpoint at "${printableId(path)}".`);
    const kind = match[1]!.toLowerCase() === 'users' ? 'Users' : 'Groups';
    const id = match[2];
    const data = tolerance.normalize(kind, op.method, substitute(op.data, created));
    // Bulk answers carry only version and location, so group writes skip serializing members.
    const options = { ...(op.version ? { ifMatch: op.version } : {}), withMembers: false, patch: tolerance.patch };
    if (op.method === 'POST') {
      if (id) throw new ScimError(405, undefined, 'POST takes a resource endpoint such as "/Users".');
      const resource = kind === 'Users' ? await service.createUser(dir, data) : await service.createGroup(dir, data);
      created.set(op.bulkId!, resource.id as string);
      return success(op, 201, resource);
    }
    if (!id) throw new ScimError(405, undefined, `${op.method} needs a resource path such as "/${kind}/{id}".`);
    if (op.method === 'DELETE') {
      await (kind === 'Users' ? service.deleteUser(dir, id, options) : service.deleteGroup(dir, id, options));
      return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), location: `${baseUrl}/${kind}/${id}`, status: '204' };
    }
    const resource =
      op.method === 'PUT'
        ? await (kind === 'Users' ? service.replaceUser(dir, id, data, options) : service.replaceGroup(dir, id, data, options))
        : await (kind === 'Users' ? service.patchUser(dir, id, data, options) : service.patchGroup(dir, id, data, options));
    return success(op, 200, resource!);
  } catch (error) {
    if (error instanceof ScimError) return errorResult(op, error);
    throw error;
  }
}

function success(op: BulkOperation, status: number, resource: ScimResource): BulkOperationResult {
  const meta = resource.meta as { location: string; version: string };
  return {
    method: op.method,
    ...(op.bulkId ? { bulkId: op.bulkId } : {}),
    version: meta.version,
    location: meta.location,
    status: String(status),
  };
}

function errorResult(op: BulkOperation, error: ScimError): BulkOperationResult {
  return {
    method: op.method,
    ...(op.bulkId ? { bulkId: op.bulkId } : {}),
    status: String(error.status),
    response: error.toJSON(),
  };
}
