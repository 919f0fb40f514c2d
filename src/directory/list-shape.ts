/**
 * A filter's shape: the filter with its string values taken out, as IdPs send the same lookup again and again
 * with another userName or externalId. Lists of one shape run the same statements with other values bound, so
 * the store compiles them once per shape (store/scim/statement-template.ts) rather than once per request.
 *
 * Only filters whose SQL cannot depend on their string values are shaped: no `or` (an `or` of equalities on
 * one attribute binds each distinct lowercased value once, so "A or a" and "A or b" differ). Values that are
 * equal share one argument, since `X and X` compiles as `X`. Any other dependence on a value (a dateTime or a
 * boolean compared with a string, a LIKE pattern) shows when the shape's statements are first compiled, and
 * the shape then runs unshaped (ListShapes verifies the first statement of every shape against the real one).
 */
import type { Filter, Literal } from '../scim/filter/ast.ts';

/** Longer filters are not shaped: lookups are short, and a key is kept per shape. */
const MAX_SHAPED_LENGTH = 1024;

export interface FilterShape {
  /** Equal for two filters that differ only in their string values (and not in which of them are equal). */
  key: string;
  /** The distinct string values, in order of first appearance. */
  values: string[];
  /** The filter with `replacements[i]` in place of `values[i]`. */
  with(replacements: readonly string[]): Filter;
}

export function filterShape(filter: Filter, text: string): FilterShape | undefined {
  if (text.length > MAX_SHAPED_LENGTH || hasOr(filter)) return undefined;
  const values: string[] = [];
  const index = new Map<string, number>();
  const placeholders = mapStrings(filter, (value) => {
    let i = index.get(value);
    if (i === undefined) {
      i = values.length;
      index.set(value, i);
      values.push(value);
    }
    // Whether a value is empty is part of the shape: an empty suffix, say, compiles to other SQL.
    return `\u0000${i}${value === '' ? 'e' : ''}`;
  });
  return {
    key: JSON.stringify(placeholders),
    values,
    with: (replacements) => mapStrings(placeholders, (placeholder) => replacements[Number.parseInt(placeholder.slice(1), 10)]!),
  };
}

function hasOr(f: Filter): boolean {
  switch (f.kind) {
    case 'or':
      return true;
    case 'and':
      return hasOr(f.left) || hasOr(f.right);
    case 'not':
    case 'valuePath':
      return hasOr(f.filter);
    default:
      return false;
  }
}

/** The filter with each string value replaced (numbers, booleans and null stay: they are part of the shape). */
function mapStrings(f: Filter, replace: (value: string) => string): Filter {
  switch (f.kind) {
    case 'and':
    case 'or':
      return { kind: f.kind, left: mapStrings(f.left, replace), right: mapStrings(f.right, replace) };
    case 'not':
      return { kind: 'not', filter: mapStrings(f.filter, replace) };
    case 'valuePath':
      return { kind: 'valuePath', path: f.path, filter: mapStrings(f.filter, replace) };
    case 'present':
      return f;
    case 'compare':
      return { ...f, value: typeof f.value === 'string' ? replace(f.value) : (f.value satisfies Literal) };
  }
}
