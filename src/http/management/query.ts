/**
 * Query strings as every WorkOS SDK writes them (docs/migrate-from-workos.md): an empty value is no value, and
 * a list of event types comes in four spellings.
 */
import type { FastifyRequest } from 'fastify';
import { isObject } from '../../scim/json.ts';

/**
 * Drops empty parameters before validation: WorkOS's legacy Go SDK sends `before=&after=&search=&organization_id=`
 * for every option left unset, which must mean "unset", not "the empty id". A repeated parameter keeps its
 * non-empty values (a single one as a plain string).
 */
export async function omitEmptyQueryParams(request: FastifyRequest): Promise<void> {
  const query = request.query;
  if (!isObject(query)) return;
  for (const [key, value] of Object.entries(query)) {
    const kept = Array.isArray(value) ? value.filter((v) => v !== '') : value === '' ? [] : [value];
    if (kept.length === 0) delete query[key];
    else if (Array.isArray(value)) query[key] = kept.length === 1 ? kept[0] : kept;
  }
}

/** `events`, `events[]` (.NET) and `events[0]`, `events[1]`… (PHP's http_build_query), each repeatable. */
const EVENTS_KEY = /^events(\[\d*\])?$/;

/**
 * The event types a query asks for, in every form the SDKs send: `events=a,b` (Node), `events=a&events=b`
 * (Python, Go, Ruby, Kotlin), `events[]=a` (.NET), `events[0]=a` (PHP; percent-encoded brackets arrive decoded).
 */
export function eventTypesOf(query: Record<string, unknown>): string[] {
  return Object.entries(query)
    .filter(([key]) => EVENTS_KEY.test(key))
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value]))
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
