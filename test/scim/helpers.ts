/** Shared SCIM test plumbing: a directory with its token, and request helpers that speak SCIM JSON. */
import type { LightMyRequestResponse } from 'fastify';
import { createDirectory, createTestApp, type TestApp } from '../support/harness.ts';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ScimClient {
  t: TestApp;
  directoryId: string;
  token: string;
  base: string;
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  createUser(userName: string, extra?: Record<string, unknown>): Promise<Record<string, any>>;
  createGroup(displayName: string, extra?: Record<string, unknown>): Promise<Record<string, any>>;
  patch(path: string, operations: unknown[]): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function scimClient(): Promise<ScimClient> {
  const t = await createTestApp();
  const dir = await createDirectory(t);
  const base = `/scim/v2/${dir.id}`;
  const req = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.scim(method, `${base}${path}`, dir.bearer_token, body, { ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...headers });
  const created = async (res: LightMyRequestResponse) => {
    if (res.statusCode !== 201) throw new Error(`expected 201, got ${res.statusCode}: ${res.body}`);
    return res.json();
  };
  return {
    t,
    directoryId: dir.id,
    token: dir.bearer_token,
    base,
    req,
    createUser: async (userName, extra = {}) => created(await req('POST', '/Users', { schemas: [USER], userName, ...extra })),
    createGroup: async (displayName, extra = {}) => created(await req('POST', '/Groups', { schemas: [GROUP], displayName, ...extra })),
    patch: (path, operations) => req('PATCH', path, { schemas: [PATCH_OP], Operations: operations }),
    close: () => t.close(),
  };
}

/** Asserts a SCIM Error response and returns its body. */
export function scimError(res: LightMyRequestResponse, status: number, scimType?: string): Record<string, unknown> {
  const body = res.json();
  if (res.statusCode !== status || body.status !== String(status) || (scimType !== undefined && body.scimType !== scimType)) {
    throw new Error(`expected SCIM error ${status}${scimType ? ` ${scimType}` : ''}, got ${res.statusCode}: ${res.body}`);
  }
  if (!Array.isArray(body.schemas) || body.schemas[0] !== ERROR) throw new Error(`not SCIM Error JSON: ${res.body}`);
  return body;
}
