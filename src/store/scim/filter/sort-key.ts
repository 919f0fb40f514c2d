/** `sortBy` (RFC 7644 §3.4.2.3) as an SQL sort key over the resource `r`. */
import { sql } from 'kysely';
import { badRequest } from '../../../scim/errors.ts';
import type { AttrPath, PatchPath } from '../../../scim/filter/ast.ts';
import { formatPath } from '../../../scim/filter/parser.ts';
import { parsePatchPath } from '../../../scim/filter/path.ts';
import * as d from '../sql-dialect.ts';
import { jsonKeys, type FilterContext, type Sql } from './context.ts';
import { jsonOperand, operand, type Operand } from './operands.ts';

/**
 * The SQL sort key for `sortBy` over the resource `r`; undefined when the attribute is the same for every
 * resource (`meta.resourceType`), which both databases refuse as an ORDER BY constant.
 */
export function compileSortKey(sortBy: string, ctx: FilterContext): Sql | undefined {
  let parsed: PatchPath;
  try {
    parsed = parsePatchPath(sortBy);
  } catch {
    throw badRequest('invalidValue', `sortBy "${sortBy}" is not an attribute path.`);
  }
  if (parsed.filter) throw badRequest('invalidValue', 'sortBy takes an attribute path, not a value filter.');
  return sortKey(ctx, parsed.path);
}

function sortKey(ctx: FilterContext, path: AttrPath): Sql | undefined {
  const resolved = ctx.resolve(path);
  if (!resolved) throw badRequest('invalidValue', `sortBy names an unknown attribute '${formatPath(path)}'.`);
  const { attr } = resolved;
  if (attr.multiValued) {
    const core = resolved.schema === ctx.coreSchema;
    if (core && ctx.resourceType === 'User' && attr.name === 'emails' && (!resolved.sub || resolved.sub.name === 'value')) {
      // RFC 7644: a multi-valued attribute sorts by its primary value, else its first.
      return sql`(select e.value_lower from directory_user_emails e where e.user_id = r.id order by e."primary" desc, e.position limit 1)`;
    }
    const def = resolved.sub ?? attr.subAttributes?.find((s) => s.name === 'value') ?? attr;
    const keys = [...jsonKeys(ctx, { ...resolved, sub: undefined }), '0', ...(attr.subAttributes ? [def.name] : [])];
    return sortable(ctx.dialect, jsonOperand(ctx.dialect, keys, def));
  }
  if (attr.type === 'complex' && !resolved.sub) throw badRequest('invalidValue', `sortBy '${formatPath(path)}' is complex: name a sub-attribute.`);
  const o = operand(ctx, resolved);
  return o.source === 'constant' ? undefined : sortable(ctx.dialect, o);
}

function sortable(dialect: d.Dialect, o: Operand): Sql {
  if (o.type === 'integer' || o.type === 'decimal') {
    return dialect === 'sqlite' ? sql`${o.jsonValue}` : sql`(case when ${o.jsonType} = 'number' then (${o.jsonValue})::numeric end)`;
  }
  if (o.type === 'boolean' && o.source === 'json') return sql`${o.jsonType}`;
  let expr = o.expr;
  if (o.type === 'string' && !o.caseExact && !o.lowered) expr = d.lower(dialect, expr);
  return o.source === 'json' ? d.bytewise(dialect, expr) : expr;
}
