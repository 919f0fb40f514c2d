/**
 * Replays: an IdP's documented request sequence, step by step, against a fresh directory. Each step states
 * the status it must get; values captured from earlier answers (ids) feed later steps.
 */
import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { scimClient, type ScimClient } from '../scim/helpers.ts';

export type Vars = Record<string, string>;

export interface Step {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the SCIM base URL; `{var}` is replaced from captured values. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  /** Captures values from the answer for later steps. */
  capture?: (json: any) => Vars;
  check?: (json: any, vars: Vars) => void;
}

function fill<T>(value: T, vars: Vars): T {
  return JSON.parse(JSON.stringify(value).replace(/\{(\w+)\}/g, (whole, key: string) => vars[key] ?? whole)) as T;
}

export async function replay(steps: Step[], after: (c: ScimClient, vars: Vars) => Promise<void>): Promise<void> {
  const c = await scimClient();
  const vars: Vars = {};
  try {
    for (const step of steps) {
      const path = step.path.replace(/\{(\w+)\}/g, (whole, key: string) => encodeURIComponent(vars[key] ?? whole));
      const body = step.body === undefined ? undefined : typeof step.body === 'string' ? step.body : JSON.stringify(fill(step.body, vars));
      const res: LightMyRequestResponse = await c.req(step.method, path, body, step.headers);
      expect(res.statusCode, `${step.name}: ${res.body}`).toBe(step.status);
      const json = res.body ? res.json() : undefined;
      if (res.statusCode >= 400) expect(json?.schemas, step.name).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      if (step.capture) Object.assign(vars, step.capture(json));
      step.check?.(json, vars);
    }
    await after(c, vars);
  } finally {
    await c.close();
  }
}

/** The normalized state the host app sees. */
export async function directoryUser(c: ScimClient, id: string): Promise<any> {
  const res = await c.t.api('GET', `/directory_users/${id}`);
  return res.statusCode === 200 ? res.json() : undefined;
}

export async function directoryState(c: ScimClient) {
  const users = (await c.t.api('GET', `/directory_users?directory=${c.directoryId}&limit=100&order=asc`)).json().data;
  const groups = (await c.t.api('GET', `/directory_groups?directory=${c.directoryId}&limit=100&order=asc`)).json().data;
  const metadata = (await c.t.api('GET', `/directories/${c.directoryId}`)).json().metadata;
  return { users, groups, metadata };
}
