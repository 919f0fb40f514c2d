/** The management API's list parameters and envelope (API.md §3). */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Page, PageQuery } from '../store/store.ts';
import { invalid } from './errors.ts';
import { ref } from './schema.ts';

/** Query strings arrive as text; ranges are checked by parseLimit and parseOrder so errors name the parameter. */
export const PageParams = {
  limit: Type.Optional(Type.String({ description: 'Page size, 1 to 100 (default 10).' })),
  before: Type.Optional(Type.String({ description: 'Object id: return the page before it (with `after`: the objects between the two).' })),
  after: Type.Optional(Type.String({ description: 'Object id: return the page after it.' })),
  order: Type.Optional(Type.String({ description: '`asc`, `desc` (the default) or `normal` (WorkOS: `desc`, with `before` reaching older objects and `after` newer ones).' })),
};
const PageParamsSchema = Type.Object(PageParams);
type PageParamsType = Static<typeof PageParamsSchema>;

/** `limit`: 1 to 100, 10 when absent. */
export function parseLimit(value: string | undefined): number {
  if (value === undefined) return 10;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > 100) throw invalid('limit', 'invalid', 'limit must be an integer from 1 to 100.');
  return limit;
}

export type OrderParam = 'asc' | 'desc' | 'normal';

/** `order`: `asc`, `desc`, or WorkOS's `normal`; `fallback` when absent. */
export function parseOrder(value: string | undefined, fallback: 'asc' | 'desc'): OrderParam {
  const order = value ?? fallback;
  if (order !== 'asc' && order !== 'desc' && order !== 'normal') throw invalid('order', 'invalid', "order must be 'asc', 'desc' or 'normal'.");
  return order;
}

/**
 * The page a list request asks for. `before` and `after` may come together (WorkOS SDKs carry a caller's
 * `before` into every page they fetch after it): that is the window strictly between the two.
 */
export function parsePage(query: PageParamsType): PageQuery {
  const order = parseOrder(query.order, 'desc');
  return {
    limit: parseLimit(query.limit),
    order: order === 'normal' ? 'desc' : order,
    ...(order === 'normal' ? { reverseCursors: true } : {}),
    ...(query.before ? { before: query.before } : {}),
    ...(query.after ? { after: query.after } : {}),
  };
}

export interface ListEnvelope<T> {
  object: 'list';
  data: T[];
  list_metadata: { before: string | null; after: string | null };
}

export function listEnvelope<T, U>(page: Page<T>, toObject: (row: T) => U): ListEnvelope<U> {
  return {
    object: 'list',
    data: page.data.map(toObject),
    list_metadata: { before: page.before, after: page.after },
  };
}

export const ListMetadata = Type.Object({
  before: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `before` for the previous page; null at the start.' }),
  after: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `after` for the next page; null at the end.' }),
});

/** The list envelope of `item` (which has an `$id`), itself a component named `<item>List`. */
export const ListOf = <T extends TSchema>(item: T, description: string) =>
  Type.Object(
    { object: Type.Literal('list'), data: Type.Array(ref(item)), list_metadata: ListMetadata },
    { $id: `${item.$id}List`, description },
  );
