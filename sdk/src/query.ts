/** URLs: path segments escaped, query parameters in the API's forms. */

export type QueryValue = string | number | boolean | Date | readonly string[] | null | undefined;
export type QueryParams = Record<string, QueryValue>;

/** A path whose interpolated ids are escaped: path`/directories/${id}/tokens`. */
export function path(strings: TemplateStringsArray, ...ids: string[]): string {
  return strings.reduce((out, part, i) => out + part + (i < ids.length ? encodeURIComponent(ids[i] ?? '') : ''), '');
}

/**
 * `?a=1&b=x,y`: undefined and null are left out, arrays are comma-separated (the API splits `events` and
 * `domains` on commas; neither an event type nor a domain holds one), dates are ISO 8601.
 */
export function queryString(params: QueryParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'object' && !(value instanceof Date) && value.length === 0) continue;
    search.set(key, value instanceof Date ? value.toISOString() : typeof value === 'object' ? value.join(',') : String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
