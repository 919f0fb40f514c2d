/**
 * A pulled directory's connection (`PUT /directories/{id}/connection`, API.md §8): checked per type, stored
 * encrypted (AES-256-GCM, a key derived from GUESTLIST_SECRET_KEY for this purpose only), never returned; the
 * API shows a summary of its non-secret fields.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey, toSecretKeys, type SecretKeys } from '../events/crypto.ts';
import { isObject } from '../scim/json.ts';
import type { MappingFieldError } from '../mapping/types.ts';
import type { PulledType } from './kinds.ts';

/** Google through the operator's OAuth client, after a super admin's consent in the portal. */
export interface GoogleConsentConnection {
  kind: 'oauth';
  refresh_token: string;
  /** Who consented, when Google said. */
  granted_scopes: string;
  customer?: string;
}

export interface GoogleConnection {
  kind: 'service_account';
  service_account_key: { client_email: string; private_key: string; token_uri?: string; client_id?: string };
  admin_email: string;
  customer?: string;
}
export interface WorkdayConnection {
  report_url: string;
  username: string;
  password: string;
  columns?: Record<string, string>;
}
export interface BambooConnection {
  subdomain: string;
  api_key: string;
}
export type Connection = GoogleConnection | GoogleConsentConnection | WorkdayConnection | BambooConnection;

const PURPOSE = 'guestlist/connection/v1';
const WORKDAY_COLUMNS = ['Employee_ID', 'Email', 'First_Name', 'Last_Name', 'Active', 'Job_Title', 'Department', 'Manager_Email', 'Groups'];

export function sealConnection(connection: Connection, secretKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secretKey, PURPOSE), iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(connection), 'utf8'), cipher.final()]);
  return ['c1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** The connection, opened with the current key or, during a key rotation, the previous one; undefined if neither. */
export function openConnection(stored: string, keys: string | SecretKeys): Connection | undefined {
  const { current, previous } = toSecretKeys(keys);
  const [version, iv, tag, ciphertext] = stored.split('.');
  if (version !== 'c1' || !iv || !tag || !ciphertext) return undefined;
  for (const key of previous ? [current, previous] : [current]) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(key, PURPOSE), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return JSON.parse(Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')) as Connection;
    } catch {
      // the other key, if any
    }
  }
  return undefined;
}

type Parsed = { ok: true; connection: Connection } | { ok: false; errors: MappingFieldError[] };

const text = (body: Record<string, unknown>, field: string, errors: MappingFieldError[], max = 2048, optional = false): string | undefined => {
  const value = body[field];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.trim() === '') errors.push({ field, code: 'required', message: `${field} is required.` });
  else if (value.length > max) errors.push({ field, code: 'too_long', message: `${field} is longer than ${max} characters.` });
  else return value.trim();
  return undefined;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A PUT body for a directory of `type`, checked; every error found, by field. */
export function parseConnection(type: PulledType, body: unknown): Parsed {
  if (!isObject(body)) return { ok: false, errors: [{ field: 'body', code: 'invalid', message: 'The body must be a JSON object.' }] };
  const errors: MappingFieldError[] = [];
  if (type === 'gsuite directory') {
    const key = body.service_account_key;
    const admin = text(body, 'admin_email', errors, 320);
    if (admin !== undefined && !EMAIL.test(admin)) errors.push({ field: 'admin_email', code: 'invalid', message: 'admin_email must be an email address (a super admin the service account acts as).' });
    const customer = text(body, 'customer', errors, 64, true);
    if (!isObject(key) || typeof key.client_email !== 'string' || typeof key.private_key !== 'string' || !key.private_key.includes('PRIVATE KEY')) {
      errors.push({ field: 'service_account_key', code: 'invalid', message: 'service_account_key must be the JSON key file of a Google service account (with client_email and private_key).' });
    } else if (JSON.stringify(key).length > 16_384) {
      errors.push({ field: 'service_account_key', code: 'too_long', message: 'service_account_key is larger than a Google key file.' });
    }
    if (errors.length > 0 || !isObject(key)) return { ok: false, errors };
    const k = key as GoogleConnection['service_account_key'];
    return {
      ok: true,
      connection: {
        kind: 'service_account',
        service_account_key: { client_email: k.client_email, private_key: k.private_key, ...(typeof k.token_uri === 'string' ? { token_uri: k.token_uri } : {}), ...(typeof k.client_id === 'string' ? { client_id: k.client_id } : {}) },
        admin_email: admin!,
        ...(customer !== undefined ? { customer } : {}),
      },
    };
  }
  if (type === 'workday') {
    const url = text(body, 'report_url', errors);
    if (url !== undefined && !/^https?:\/\//i.test(url)) errors.push({ field: 'report_url', code: 'invalid', message: 'report_url must be the report\'s http(s) URL.' });
    const username = text(body, 'username', errors, 256);
    const password = text(body, 'password', errors, 1024);
    const columns = body.columns;
    if (columns !== undefined && (!isObject(columns) || Object.entries(columns).some(([k, v]) => !WORKDAY_COLUMNS.includes(k) || typeof v !== 'string' || v === '' || v.length > 256))) {
      errors.push({ field: 'columns', code: 'invalid', message: `columns renames any of ${WORKDAY_COLUMNS.join(', ')} to the report's own column names.` });
    }
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, connection: { report_url: url!, username: username!, password: password!, ...(isObject(columns) ? { columns: columns as Record<string, string> } : {}) } };
  }
  const subdomain = text(body, 'subdomain', errors, 63);
  if (subdomain !== undefined && !/^[a-z0-9][a-z0-9-]*$/i.test(subdomain)) errors.push({ field: 'subdomain', code: 'invalid', message: 'subdomain is the part before .bamboohr.com.' });
  const apiKey = text(body, 'api_key', errors, 256);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, connection: { subdomain: subdomain!.toLowerCase(), api_key: apiKey! } };
}

/** What the API shows of a connection: never a secret. */
export function connectionSummary(connection: Connection): Record<string, unknown> {
  if ('refresh_token' in connection) return { method: 'oauth_consent', scopes: connection.granted_scopes, customer: connection.customer ?? 'my_customer' };
  if ('service_account_key' in connection) {
    return { method: 'service_account', client_email: connection.service_account_key.client_email, admin_email: connection.admin_email, customer: connection.customer ?? 'my_customer' };
  }
  if ('report_url' in connection) return { report_url: connection.report_url, username: connection.username, columns: connection.columns ?? {} };
  return { subdomain: connection.subdomain };
}
