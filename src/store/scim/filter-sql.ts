/**
 * SCIM filter AST → SQL predicate, for both databases. Values are always bound parameters. Attributes that
 * IdPs query (id, userName, externalId, emails, displayName, members, meta times) map to indexed columns or
 * child tables; every other attribute is read from the stored resource JSON inside the database, never by
 * loading rows into memory.
 *
 * Every leaf is two-valued (never NULL), so `not` and `ne` treat an absent attribute as "not equal", as the
 * in-memory evaluator does. Leaves on columns stay plain comparisons (`col = ?`, or `col is not null and
 * col = ?` for nullable ones) so that indexes serve them; child tables are reached with `r.id in (select …)`,
 * which the planner drives from the child table's index.
 *
 * The parts: filter/context.ts (attributes), filter/operands.ts (columns and JSON values),
 * filter/collections.ts (multi-valued attributes), filter/comparisons.ts (operators), filter/sort-key.ts.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AttrPath, Filter } from '../../scim/filter/ast.ts';
import { formatPath } from '../../scim/filter/parser.ts';
import { collection, memberElement, type Collection } from './filter/collections.ts';
import { compare, compareIn, present } from './filter/comparisons.ts';
import { invalid, jsonKeys, resolveFilterPath, subDef, type FilterContext, type Sql } from './filter/context.ts';
import type { Resolved } from '../../scim/schema/resolve.ts';
import { jsonOperand, operand, type Operand } from './filter/operands.ts';
import type { Dialect } from './sql-dialect.ts';

/**
 * Most child-table subqueries (`r.id in (select … from members/emails …)`) one filter compiles to, after
 * identical comparisons are folded and an `or` of comparisons on the same child table is merged into one
 * subquery. PostgreSQL plans an `and` of such subqueries as a chain of semi-joins whose planning time grows
 * steeply with their number (100 took seconds, 200 minutes), so more are refused with 400 invalidFilter.
 * IdPs send one or two.
 */
export const MAX_CHILD_SUBQUERIES = 20;

export function compileFilter(filter: Filter, ctx: FilterContext): RawBuilder<SqlBool> {
  return new Compiler(ctx).node(filter).$castTo<SqlBool>();
}

/**
 * A filter on a Group's member elements (`value`, `display`, `type`), over the membership row `m` and the
 * member user `u`: what PATCH `remove members[…]` selects.
 */
export function compileMemberFilter(filter: Filter, ctx: FilterContext): RawBuilder<SqlBool> {
  return scoped(ctx.dialect, filter, (p) => memberElement(ctx.dialect, elementName(p))).$castTo<SqlBool>();
}

/** For `or`: per child table, its collection, where its merged subquery goes, and the element filters (undefined: any element). */
type MergedOr = Map<string, { collection: Collection; index: number; inners: (Filter | undefined)[] }>;

class Compiler {
  constructor(private readonly ctx: FilterContext) {}

  /** Child-table subqueries compiled so far (bounded by MAX_CHILD_SUBQUERIES). */
  private subqueries = 0;

  node(f: Filter): Sql {
    switch (f.kind) {
      case 'and':
      case 'or':
        return this.chain(f.kind, f);
      case 'not':
        return sql`(not ${this.node(f.filter)})`;
      case 'valuePath':
        return this.valuePath(f.path, f.filter);
      case 'present':
      case 'compare':
        return this.leaf(f);
    }
  }

  /**
   * A chain of one operator, flattened: identical operands are folded (`X and X` ≡ `X`), and for `or`, the
   * comparisons on one child table become a single subquery: "some element matches A, or some element matches
   * B" is "some element matches A or B". (Not so for `and`: two elements may each match one side.)
   */
  private chain(op: 'and' | 'or', f: Filter): Sql {
    const operands = distinctOperands(op, f);
    const parts = op === 'or' ? this.orParts(operands) : operands.map((g) => this.node(g));
    return parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, sql.raw(` ${op} `))})`;
  }

  /**
   * The parts of an `or`, each child table's comparisons merged into one subquery where the first stood, and
   * each single-valued attribute's `eq` strings into one `in (…)` where the first stood.
   */
  private orParts(operands: Filter[]): Sql[] {
    const parts: Sql[] = [];
    const merged: MergedOr = new Map();
    const equalities = new Map<string, { operand: Operand; index: number; values: string[] }>();
    for (const g of operands) {
      const equality = this.stringEquality(g);
      if (equality) {
        const group = equalities.get(equality.key);
        if (group) group.values.push(equality.value);
        else {
          equalities.set(equality.key, { operand: equality.operand, index: parts.length, values: [equality.value] });
          parts.push(sql``);
        }
        continue;
      }
      const element = this.elementFilter(g);
      const found = element && collection(this.ctx, element.resolved, element.inner);
      if (!element || !found?.table) {
        parts.push(this.node(g));
        continue;
      }
      const group = merged.get(found.table);
      if (group) group.inners.push(element.inner);
      else {
        merged.set(found.table, { collection: found, index: parts.length, inners: [element.inner] });
        parts.push(sql``);
      }
    }
    for (const { collection: c, index, inners } of merged.values()) parts[index] = this.mergedAny(c, inners);
    for (const { operand: o, index, values } of equalities.values()) parts[index] = compareIn(this.ctx.dialect, o, values);
    return parts;
  }

  /**
   * `attr eq "text"` on a single-valued string attribute (not a dateTime, whose values are parsed), with the
   * operand it compares and a key naming the attribute: an `or` of these on one attribute is one `in (…)`, whose
   * operand the database computes once a row. On a JSON attribute SQLite called the lowercasing function once
   * per comparison per row: 200 of them over 20,000 users took 620 ms, on the one thread serving every tenant.
   */
  private stringEquality(f: Filter): { key: string; operand: Operand; value: string } | undefined {
    if (f.kind !== 'compare' || f.op !== 'eq' || typeof f.value !== 'string') return undefined;
    const resolved = resolveFilterPath(this.ctx, f.path);
    if (resolved.attr.multiValued || (resolved.attr.type === 'complex' && !resolved.sub)) return undefined;
    const o = operand(this.ctx, resolved);
    if (o.type === 'boolean' || o.type === 'integer' || o.type === 'decimal' || o.type === 'dateTime' || o.type === 'complex') return undefined;
    return { key: `${resolved.schema}|${resolved.attr.name}|${resolved.sub?.name ?? ''}`, operand: o, value: f.value };
  }

  /** "Some element matches one of `inners`" as one subquery; any element at all when one of them is undefined. */
  private mergedAny(c: Collection, inners: (Filter | undefined)[]): Sql {
    const any = inners.includes(undefined)
      ? undefined
      : sql.join(
          (inners as Filter[]).map((inner) => sql`(${scoped(this.ctx.dialect, inner, (p) => c.element(elementName(p)))})`),
          sql` or `,
        );
    return this.countSubquery(c.any(any && inners.length > 1 ? sql`(${any})` : any));
  }

  /**
   * For a comparison or value filter on a multi-valued attribute: the attribute and the filter on its elements
   * (undefined for `attr pr`: any element). Undefined for anything else.
   */
  private elementFilter(f: Filter): { resolved: Resolved; inner: Filter | undefined } | undefined {
    if (f.kind !== 'compare' && f.kind !== 'present' && f.kind !== 'valuePath') return undefined;
    const resolved = resolveFilterPath(this.ctx, f.path);
    if (!resolved.attr.multiValued) return undefined;
    if (f.kind === 'valuePath') return { resolved, inner: f.filter };
    if (f.kind === 'present' && !resolved.sub) return { resolved, inner: undefined };
    return { resolved, inner: { ...f, path: { attr: resolved.sub?.name ?? 'value' } } };
  }

  /** Counts one child-table subquery against MAX_CHILD_SUBQUERIES. */
  private countSubquery(subquery: Sql): Sql {
    this.subqueries += 1;
    if (this.subqueries > MAX_CHILD_SUBQUERIES) {
      throw invalid(
        `The filter compares more than ${MAX_CHILD_SUBQUERIES} times on members, groups or emails (each is a subquery; comparisons joined by 'or' on the same attribute count once, identical ones once).`,
      );
    }
    return subquery;
  }

  /** `attr op value` / `attr pr` at the top level; multi-valued attributes become an EXISTS over elements. */
  private leaf(f: Extract<Filter, { kind: 'compare' | 'present' }>): Sql {
    const { dialect } = this.ctx;
    const resolved = resolveFilterPath(this.ctx, f.path);
    if (resolved.attr.multiValued) {
      // `emails.value eq x` means "some element's value eq x"; a bare `emails eq x` compares `value`.
      if (f.kind === 'present' && !resolved.sub) return this.any(collection(this.ctx, resolved, undefined), undefined);
      const inner: Filter = { ...f, path: { attr: resolved.sub?.name ?? 'value' } };
      return this.anyElement(resolved, inner);
    }
    if (resolved.attr.type === 'complex' && !resolved.sub) {
      if (f.kind === 'present') return present(dialect, jsonOperand(dialect, jsonKeys(this.ctx, resolved), resolved.attr));
      throw invalid(`'${formatPath(f.path)}' is complex: compare one of its sub-attributes.`);
    }
    const o = operand(this.ctx, resolved);
    return f.kind === 'present' ? present(dialect, o) : compare(dialect, o, f.op, f.value, formatPath(f.path));
  }

  private valuePath(path: AttrPath, filter: Filter): Sql {
    const resolved = resolveFilterPath(this.ctx, path);
    if (resolved.attr.type !== 'complex' && !resolved.attr.multiValued) {
      throw invalid(`'${formatPath(path)}[…]' needs a multi-valued or complex attribute.`);
    }
    if (!resolved.attr.multiValued) {
      // A single complex attribute (e.g. manager): the inner filter reads its sub-attributes.
      const base = jsonKeys(this.ctx, resolved);
      return scoped(this.ctx.dialect, filter, (p) => jsonOperand(this.ctx.dialect, [...base, subDef(resolved.attr, p).name], subDef(resolved.attr, p)));
    }
    return this.anyElement(resolved, filter);
  }

  private anyElement(resolved: Resolved, filter: Filter): Sql {
    const c = collection(this.ctx, resolved, filter);
    return this.any(c, scoped(this.ctx.dialect, filter, (p) => c.element(elementName(p))));
  }

  /** "Some element matches", counting a child-table subquery. */
  private any(c: Collection, inner: Sql | undefined): Sql {
    const sub = c.any(inner);
    return c.table ? this.countSubquery(sub) : sub;
  }
}

/** Compiles a filter whose paths name sub-attributes, reading them through `element`. */
function scoped(dialect: Dialect, filter: Filter, element: (p: AttrPath) => Operand): Sql {
  const walk = (f: Filter): Sql => {
    switch (f.kind) {
      case 'and':
        return sql`(${walk(f.left)} and ${walk(f.right)})`;
      case 'or':
        return sql`(${walk(f.left)} or ${walk(f.right)})`;
      case 'not':
        return sql`(not ${walk(f.filter)})`;
      case 'valuePath':
        throw invalid('Value filters cannot be nested.');
      case 'present':
        return present(dialect, element(f.path));
      case 'compare':
        return compare(dialect, element(f.path), f.op, f.value, formatPath(f.path));
    }
  };
  return walk(filter);
}

/** The operands of a chain of `op`, flattened, each distinct one once, in order. */
function distinctOperands(op: 'and' | 'or', f: Filter): Filter[] {
  const operands: Filter[] = [];
  const seen = new Set<string>();
  const flatten = (g: Filter) => {
    if (g.kind === op) {
      flatten(g.left);
      flatten(g.right);
      return;
    }
    const key = JSON.stringify(g);
    if (seen.has(key)) return;
    seen.add(key);
    operands.push(g);
  };
  flatten(f);
  return operands;
}

/** The element's sub-attribute a path inside a value filter names (`value`, or `name.givenName`). */
function elementName(p: AttrPath): string {
  return p.sub ? `${p.attr}.${p.sub}` : p.attr;
}
