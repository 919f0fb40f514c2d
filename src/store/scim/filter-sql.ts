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
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { badRequest } from '../../scim/errors.ts';
import type { AttrPath, CompareOp, Filter, Literal, PatchPath } from '../../scim/filter/ast.ts';
import { parsePatchPath } from '../../scim/filter/path.ts';
import type { AttrType, AttributeDef } from '../../scim/schema/types.ts';
import * as d from './sql-dialect.ts';

type Sql = RawBuilder<unknown>;

export interface ResolvedAttribute {
  schema: string;
  attr: AttributeDef;
  sub?: AttributeDef;
}

export interface FilterContext {
  dialect: d.Dialect;
  /** The directory whose resources are filtered: child-table subqueries name it so its index prefix applies. */
  directoryId: string;
  /** 'User' or 'Group': decides the column and child-table mappings. */
  resourceType: 'User' | 'Group';
  /** The core schema URN of the resource type (its attributes are stored at the JSON top level). */
  coreSchema: string;
  resolve(path: AttrPath): ResolvedAttribute | undefined;
}

/** A value the filter compares: a column or a JSON-extracted value, with how to compare it. */
interface Operand {
  /** The SQL expression (text, integer flag, or JSON value). */
  expr: Sql;
  type: AttrType;
  caseExact: boolean;
  /** The column already holds the JavaScript-lowercased value. */
  lowered?: boolean;
  /** 'column' (native SQL value), 'json' (extracted; booleans and numbers need JSON-aware comparison). */
  source: 'column' | 'json' | 'constant';
  /** A column that may hold NULL (JSON operands always may). */
  nullable?: boolean;
  /** For JSON operands: the raw JSON value and its type name, for presence and number checks. */
  jsonValue?: Sql;
  jsonType?: Sql;
}

/** The elements of a multi-valued attribute: how to say "some element matches", and how to read one. */
interface Collection {
  /** True when some element satisfies `inner` (or, without it, when there is any element). */
  any(inner: Sql | undefined): Sql;
  element(subName: string | undefined): Operand;
  /** Set for the child tables (each `any` is one `r.id in (select …)` subquery); undefined for JSON arrays. */
  table?: 'emails' | 'groups' | 'members';
}

/**
 * Most child-table subqueries (`r.id in (select … from members/emails …)`) one filter compiles to, after
 * identical comparisons are folded and an `or` of comparisons on the same child table is merged into one
 * subquery. PostgreSQL plans an `and` of such subqueries as a chain of semi-joins whose planning time grows
 * steeply with their number (100 took seconds, 200 minutes), so more are refused with 400 invalidFilter.
 * IdPs send one or two.
 */
export const MAX_CHILD_SUBQUERIES = 20;

const invalid = (detail: string) => badRequest('invalidFilter', detail);

/** `schemas` is not a schema attribute (RFC 7643 §3), but filters may name it; URIs compare case-insensitively. */
const SCHEMAS_ATTRIBUTE: AttributeDef = {
  name: 'schemas',
  type: 'reference',
  multiValued: true,
  description: 'The schema URIs of the resource.',
  required: true,
  caseExact: false,
  mutability: 'readOnly',
  returned: 'always',
  uniqueness: 'none',
};
const R = sql.ref('r');

export function compileFilter(filter: Filter, ctx: FilterContext): Sql {
  return new Compiler(ctx).node(filter);
}

/**
 * A filter on a Group's member elements (`value`, `display`, `type`), over the membership row `m` and the
 * member user `u`: what PATCH `remove members[…]` selects.
 */
export function compileMemberFilter(filter: Filter, ctx: FilterContext): RawBuilder<SqlBool> {
  return new Compiler(ctx).members(filter).$castTo<SqlBool>();
}

/**
 * The SQL sort key for `sortBy` over the resource `r` (RFC 7644 §3.4.2.3); undefined when the attribute is the
 * same for every resource (`meta.resourceType`), which both databases refuse as an ORDER BY constant.
 */
export function compileSortKey(sortBy: string, ctx: FilterContext): Sql | undefined {
  let parsed: PatchPath;
  try {
    parsed = parsePatchPath(sortBy);
  } catch {
    throw badRequest('invalidValue', `sortBy "${sortBy}" is not an attribute path.`);
  }
  if (parsed.filter) throw badRequest('invalidValue', 'sortBy takes an attribute path, not a value filter.');
  return new Compiler(ctx).sortKey(parsed.path);
}

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
    const parts: Sql[] = [];
    if (op === 'or') {
      // Per child table: its collection, where its merged subquery goes, and the element filters (undefined: any element).
      const merged = new Map<string, { collection: Collection; index: number; inners: (Filter | undefined)[] }>();
      for (const g of operands) {
        const element = this.elementFilter(g);
        const collection = element && this.collection(element.resolved, element.inner);
        if (!element || !collection?.table) {
          parts.push(this.node(g));
          continue;
        }
        const group = merged.get(collection.table);
        if (group) group.inners.push(element.inner);
        else {
          merged.set(collection.table, { collection, index: parts.length, inners: [element.inner] });
          parts.push(sql``);
        }
      }
      for (const { collection, index, inners } of merged.values()) {
        const any = inners.includes(undefined)
          ? undefined
          : sql.join(
              (inners as Filter[]).map((inner) => sql`(${this.scoped(inner, (p) => collection.element(p.sub ? `${p.attr}.${p.sub}` : p.attr))})`),
              sql` or `,
            );
        parts[index] = this.countSubquery(collection.any(any && inners.length > 1 ? sql`(${any})` : any));
      }
    } else {
      for (const g of operands) parts.push(this.node(g));
    }
    return parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, sql.raw(` ${op} `))})`;
  }

  /**
   * For a comparison or value filter on a multi-valued attribute: the attribute and the filter on its elements
   * (undefined for `attr pr`: any element). Undefined for anything else.
   */
  private elementFilter(f: Filter): { resolved: ResolvedAttribute; inner: Filter | undefined } | undefined {
    if (f.kind !== 'compare' && f.kind !== 'present' && f.kind !== 'valuePath') return undefined;
    const resolved = this.resolve(f.path);
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

  members(filter: Filter): Sql {
    return this.scoped(filter, (p) => this.memberElement(p.sub ? `${p.attr}.${p.sub}` : p.attr));
  }

  sortKey(path: AttrPath): Sql | undefined {
    const resolved = this.ctx.resolve(path);
    if (!resolved) throw badRequest('invalidValue', `sortBy names an unknown attribute '${formatPath(path)}'.`);
    const { attr } = resolved;
    if (attr.multiValued) {
      const core = resolved.schema === this.ctx.coreSchema;
      if (core && this.ctx.resourceType === 'User' && attr.name === 'emails' && (!resolved.sub || resolved.sub.name === 'value')) {
        // RFC 7644: a multi-valued attribute sorts by its primary value, else its first.
        return sql`(select e.value_lower from directory_user_emails e where e.user_id = r.id order by e."primary" desc, e.position limit 1)`;
      }
      const def = resolved.sub ?? attr.subAttributes?.find((s) => s.name === 'value') ?? attr;
      const keys = [...this.keys({ ...resolved, sub: undefined }), '0', ...(attr.subAttributes ? [def.name] : [])];
      return this.sortable(this.jsonOperand(keys, def));
    }
    if (attr.type === 'complex' && !resolved.sub) throw badRequest('invalidValue', `sortBy '${formatPath(path)}' is complex: name a sub-attribute.`);
    const operand = this.operand(resolved);
    return operand.source === 'constant' ? undefined : this.sortable(operand);
  }

  private sortable(o: Operand): Sql {
    if (o.type === 'integer' || o.type === 'decimal') {
      return this.ctx.dialect === 'sqlite' ? sql`${o.jsonValue}` : sql`(case when ${o.jsonType} = 'number' then (${o.jsonValue})::numeric end)`;
    }
    if (o.type === 'boolean' && o.source === 'json') return sql`${o.jsonType}`;
    let expr = o.expr;
    if (o.type === 'string' && !o.caseExact && !o.lowered) expr = d.lower(this.ctx.dialect, expr);
    return o.source === 'json' ? d.bytewise(this.ctx.dialect, expr) : expr;
  }

  private resolve(path: AttrPath): ResolvedAttribute {
    // `schemas eq "urn:…"` (an RFC 7644 §3.4.2.2 example): the resource's schema URIs, compared like strings.
    if (!path.uri && !path.sub && path.attr.toLowerCase() === 'schemas') return { schema: this.ctx.coreSchema, attr: SCHEMAS_ATTRIBUTE };
    const resolved = this.ctx.resolve(path);
    if (!resolved) throw invalid(`Unknown attribute '${formatPath(path)}' in filter.`);
    return resolved;
  }

  /** `attr op value` / `attr pr` at the top level; multi-valued attributes become an EXISTS over elements. */
  private leaf(f: Extract<Filter, { kind: 'compare' | 'present' }>): Sql {
    const resolved = this.resolve(f.path);
    if (resolved.attr.multiValued) {
      // `emails.value eq x` means "some element's value eq x"; a bare `emails eq x` compares `value`.
      if (f.kind === 'present' && !resolved.sub) return this.any(this.collection(resolved, undefined), undefined);
      const inner: Filter = { ...f, path: { attr: resolved.sub?.name ?? 'value' } };
      return this.anyElement(resolved, inner);
    }
    if (resolved.attr.type === 'complex' && !resolved.sub) {
      if (f.kind === 'present') return this.present(this.jsonOperand(this.keys(resolved), resolved.attr));
      throw invalid(`'${formatPath(f.path)}' is complex: compare one of its sub-attributes.`);
    }
    const operand = this.operand(resolved);
    return f.kind === 'present' ? this.present(operand) : this.compare(operand, f.op, f.value, formatPath(f.path));
  }

  private valuePath(path: AttrPath, filter: Filter): Sql {
    const resolved = this.resolve(path);
    if (resolved.attr.type !== 'complex' && !resolved.attr.multiValued) {
      throw invalid(`'${formatPath(path)}[…]' needs a multi-valued or complex attribute.`);
    }
    if (!resolved.attr.multiValued) {
      // A single complex attribute (e.g. manager): the inner filter reads its sub-attributes.
      const base = this.keys(resolved);
      return this.scoped(filter, (p) => this.jsonOperand([...base, this.subDef(resolved.attr, p).name], this.subDef(resolved.attr, p)));
    }
    return this.anyElement(resolved, filter);
  }

  private anyElement(resolved: ResolvedAttribute, filter: Filter): Sql {
    const collection = this.collection(resolved, filter);
    return this.any(collection, this.scoped(filter, (p) => collection.element(p.sub ? `${p.attr}.${p.sub}` : p.attr)));
  }

  /** "Some element matches", counting a child-table subquery. */
  private any(collection: Collection, inner: Sql | undefined): Sql {
    const sub = collection.any(inner);
    return collection.table ? this.countSubquery(sub) : sub;
  }

  /** Compiles a filter whose paths name sub-attributes, reading them through `element`. */
  private scoped(filter: Filter, element: (p: AttrPath) => Operand): Sql {
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
          return this.present(element(f.path));
        case 'compare':
          return this.compare(element(f.path), f.op, f.value, formatPath(f.path));
      }
    };
    return walk(filter);
  }

  private subDef(attr: AttributeDef, path: AttrPath): AttributeDef {
    const name = path.sub ? `${path.attr}.${path.sub}` : path.attr;
    const sub = attr.subAttributes?.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!sub) throw invalid(`Unknown sub-attribute '${name}' of '${attr.name}' in filter.`);
    return sub;
  }

  /** JSON keys of an attribute in the stored resource: extensions live under their schema URN. */
  private keys(resolved: ResolvedAttribute): string[] {
    const base = resolved.schema === this.ctx.coreSchema ? [] : [resolved.schema];
    return [...base, resolved.attr.name, ...(resolved.sub ? [resolved.sub.name] : [])];
  }

  // ── Operands ────────────────────────────────────────────────────────────

  private operand(resolved: ResolvedAttribute): Operand {
    const column = this.columnOperand(resolved);
    if (column) return column;
    const def = resolved.sub ?? resolved.attr;
    return this.jsonOperand(this.keys(resolved), def);
  }

  /** The indexed columns; undefined for attributes that live only in the JSON. */
  private columnOperand(resolved: ResolvedAttribute): Operand | undefined {
    if (resolved.schema !== this.ctx.coreSchema) return undefined;
    const name = resolved.sub ? `${resolved.attr.name}.${resolved.sub.name}` : resolved.attr.name;
    const text = (column: string, caseExact: boolean, lowered = false, nullable = false): Operand => ({
      expr: sql.ref(`r.${column}`),
      type: 'string',
      caseExact,
      lowered,
      source: 'column',
      nullable,
    });
    switch (name) {
      case 'id':
        return text('id', true);
      case 'externalId':
        return text('external_id', true, false, true);
      case 'userName':
        return this.ctx.resourceType === 'User' ? text('user_name_lower', false, true) : undefined;
      case 'displayName':
        return this.ctx.resourceType === 'Group' ? text('display_name_lower', false, true) : undefined;
      case 'active':
        return this.ctx.resourceType === 'User' ? { expr: sql.ref('r.active'), type: 'boolean', caseExact: true, source: 'column' } : undefined;
      case 'meta.created':
        return { expr: sql.ref('r.created_at'), type: 'dateTime', caseExact: true, source: 'column' };
      case 'meta.lastModified':
        return { expr: sql.ref('r.updated_at'), type: 'dateTime', caseExact: true, source: 'column' };
      case 'meta.resourceType':
        return { expr: sql.lit(this.ctx.resourceType), type: 'string', caseExact: true, source: 'constant' };
      case 'meta.location':
      case 'meta.version':
        throw invalid(`'${name}' cannot be filtered on.`);
      default:
        return undefined;
    }
  }

  private jsonOperand(keys: string[], def: AttributeDef, column: Sql = sql.ref('r.resource')): Operand {
    const { dialect } = this.ctx;
    return {
      expr: d.jsonText(dialect, column, keys),
      type: def.type,
      caseExact: def.caseExact,
      source: 'json',
      nullable: true,
      jsonValue: d.jsonValue(dialect, column, keys),
      jsonType: d.jsonType(dialect, column, keys),
    };
  }

  // ── Multi-valued attributes ─────────────────────────────────────────────

  private collection(resolved: ResolvedAttribute, filter: Filter | undefined): Collection {
    const { attr } = resolved;
    const core = resolved.schema === this.ctx.coreSchema;
    const emailColumns = ['value', 'type', 'primary'];
    // The emails table holds value, type and primary; other sub-attributes are read from the JSON array.
    if (core && this.ctx.resourceType === 'User' && attr.name === 'emails' && subNames(filter).every((n) => emailColumns.includes(n))) {
      return this.emails();
    }
    if (core && this.ctx.resourceType === 'User' && attr.name === 'groups') return this.userGroups();
    if (core && this.ctx.resourceType === 'Group' && attr.name === 'members') return this.groupMembers();
    return this.jsonCollection(resolved);
  }

  private emails(): Collection {
    const { dialect } = this.ctx;
    return {
      table: 'emails',
      any: (inner) =>
        sql`r.id in (select e.user_id from directory_user_emails e where e.directory_id = ${this.ctx.directoryId}${inner ? sql` and ${inner}` : sql``})`,
      element: (sub) => {
        const name = (sub ?? 'value').toLowerCase();
        if (name === 'type') return { expr: d.lower(dialect, sql.ref('e.type')), type: 'string', caseExact: false, lowered: true, source: 'column', nullable: true };
        if (name === 'primary') return { expr: sql.ref('e.primary'), type: 'boolean', caseExact: true, source: 'column' };
        return { expr: sql.ref('e.value_lower'), type: 'string', caseExact: false, lowered: true, source: 'column' };
      },
    };
  }

  private userGroups(): Collection {
    return {
      table: 'groups',
      any: (inner) =>
        sql`r.id in (select m.user_id from directory_group_members m join directory_groups g on g.id = m.group_id where m.directory_id = ${this.ctx.directoryId}${inner ? sql` and ${inner}` : sql``})`,
      element: (sub) => this.membershipElement(sub, sql.ref('m.group_id'), sql.ref('g.display_name_lower'), 'direct'),
    };
  }

  private groupMembers(): Collection {
    return {
      table: 'members',
      any: (inner) =>
        sql`r.id in (select m.group_id from directory_group_members m join directory_users u on u.id = m.user_id where m.directory_id = ${this.ctx.directoryId}${inner ? sql` and ${inner}` : sql``})`,
      element: (sub) => this.memberElement(sub),
    };
  }

  private memberElement(sub: string | undefined): Operand {
    const display = d.lower(this.ctx.dialect, sql`coalesce(${d.jsonText(this.ctx.dialect, sql.ref('u.resource'), ['displayName'])}, u.user_name)`);
    return this.membershipElement(sub, sql.ref('m.user_id'), display, 'User');
  }

  private membershipElement(sub: string | undefined, value: Sql, display: Sql, type: string): Operand {
    switch ((sub ?? 'value').toLowerCase()) {
      case 'value':
        return { expr: value, type: 'string', caseExact: true, source: 'column' };
      case 'display':
        return { expr: display, type: 'string', caseExact: false, lowered: true, source: 'column' };
      case 'type':
        return { expr: sql.lit(type), type: 'string', caseExact: false, source: 'constant' };
      default:
        throw invalid(`'${sub}' cannot be filtered on here; use value, display or type.`);
    }
  }

  /** Any other multi-valued attribute: the elements of its JSON array. */
  private jsonCollection(resolved: ResolvedAttribute): Collection {
    const { dialect } = this.ctx;
    const keys = this.keys({ ...resolved, sub: undefined });
    const element = sql.ref('j.value');
    const rows = d.jsonArrayRows(dialect, sql.ref('r.resource'), keys, 'j');
    return {
      any: (inner) => sql`exists (select 1 from ${rows}${inner ? sql` where ${inner}` : sql``})`,
      element: (sub) => {
        if (!resolved.attr.subAttributes) {
          // A multi-valued simple attribute: the element is the value.
          if (sub && sub !== 'value') throw invalid(`'${resolved.attr.name}' has no sub-attribute '${sub}'.`);
          return this.elementOperand(element, [], resolved.attr);
        }
        const def = this.subDef(resolved.attr, { attr: sub ?? 'value' });
        return this.elementOperand(element, [def.name], def);
      },
    };
  }

  private elementOperand(element: Sql, keys: string[], def: AttributeDef): Operand {
    const { dialect } = this.ctx;
    if (dialect === 'sqlite') {
      // json_each's value is SQL for scalars and JSON text for objects.
      const expr = keys.length === 0 ? element : d.jsonText(dialect, element, keys);
      const type = keys.length === 0 ? sql`j.type` : d.jsonType(dialect, element, keys);
      return { expr, type: def.type, caseExact: def.caseExact, source: 'json', nullable: true, jsonValue: expr, jsonType: type };
    }
    return this.jsonOperand(keys, def, element);
  }

  // ── Comparisons ─────────────────────────────────────────────────────────

  private present(o: Operand): Sql {
    if (o.source !== 'json') {
      return o.type === 'string' ? sql`(${o.expr} is not null and ${o.expr} <> '')` : sql`(${o.expr} is not null)`;
    }
    const { dialect } = this.ctx;
    const empty = dialect === 'sqlite' ? sql`'[]', '{}', ''` : sql`'[]', '{}', '""'`;
    const raw = dialect === 'sqlite' ? sql`coalesce(${o.expr}, '')` : sql`coalesce(${o.jsonValue}::text, '')`;
    return sql`(coalesce(${o.jsonType}, 'null') <> 'null' and ${raw} not in (${empty}))`;
  }

  private compare(o: Operand, op: CompareOp, value: Literal, name: string): Sql {
    if (value === null) {
      if (op === 'eq') return sql`(not ${this.present(o)})`;
      if (op === 'ne') return this.present(o);
      throw invalid(`'${op}' cannot compare '${name}' with null.`);
    }
    switch (o.type) {
      case 'boolean':
        return this.compareBoolean(o, op, value, name);
      case 'integer':
      case 'decimal':
        return this.compareNumber(o, op, value, name);
      case 'complex':
        throw invalid(`'${name}' is complex: compare one of its sub-attributes.`);
      default:
        return this.compareText(o, op, value, name);
    }
  }

  private compareBoolean(o: Operand, op: CompareOp, value: Literal, name: string): Sql {
    const flag = typeof value === 'boolean' ? value : typeof value === 'string' ? parseBool(value) : undefined;
    if (flag === undefined) throw invalid(`'${name}' is a boolean; compare it with true or false.`);
    if (op !== 'eq' && op !== 'ne') throw invalid(`'${op}' is not defined for the boolean '${name}'.`);
    let test: Sql;
    if (o.source === 'column') test = sql`${o.expr} = ${flag ? 1 : 0}`;
    else if (this.ctx.dialect === 'sqlite') test = sql`(${o.jsonType} = ${flag ? 'true' : 'false'})`;
    else test = sql`(${o.jsonValue} = ${flag ? 'true' : 'false'}::jsonb)`;
    const positive = this.twoValued(o, test);
    return op === 'eq' ? positive : sql`(not ${positive})`;
  }

  private compareNumber(o: Operand, op: CompareOp, value: Literal, name: string): Sql {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) throw invalid(`'${name}' is a number; compare it with a number.`);
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw invalid(`'${op}' is not defined for the number '${name}'.`);
    const num =
      this.ctx.dialect === 'sqlite'
        ? sql`(case when ${o.jsonType} in ('integer', 'real') then ${o.jsonValue} end)`
        : sql`(case when ${o.jsonType} = 'number' then (${o.jsonValue})::numeric end)`;
    return this.relate(o, num, op, n);
  }

  private compareText(o: Operand, op: CompareOp, value: Literal, name: string): Sql {
    let v = String(value);
    if (o.type === 'dateTime') {
      if (op === 'co' || op === 'sw' || op === 'ew') throw invalid(`'${op}' is not defined for the dateTime '${name}'.`);
      const ms = Date.parse(v);
      if (Number.isNaN(ms)) throw invalid(`'${v}' is not a valid dateTime for '${name}'.`);
      // `Date.parse("12345")` is the year 12345, which PostgreSQL's timestamps refuse: years 1–9999 only.
      const year = new Date(ms).getUTCFullYear();
      if (year < 1 || year > 9999) throw invalid(`'${v}' is outside the years 1–9999 for '${name}'.`);
      v = new Date(ms).toISOString();
    }
    let expr = textOf(o);
    if (!o.caseExact) {
      v = v.toLowerCase();
      if (!o.lowered) expr = d.lower(this.ctx.dialect, expr);
    }
    if (o.source === 'json' && this.ctx.dialect === 'postgres') expr = d.bytewise('postgres', expr);
    if (o.type === 'dateTime' && o.source === 'column' && this.ctx.dialect === 'postgres') {
      return this.relate(o, expr, op, sql`${v}::timestamptz`);
    }
    switch (op) {
      case 'co':
        return this.twoValued(o, d.contains(this.ctx.dialect, expr, v));
      case 'sw':
        return this.twoValued(o, d.startsWith(expr, v));
      case 'ew':
        return this.twoValued(o, d.endsWith(this.ctx.dialect, expr, v));
      default:
        return this.relate(o, expr, op, v);
    }
  }

  private relate(o: Operand, expr: Sql, op: CompareOp, v: unknown): Sql {
    const symbol = { eq: '=', ne: '=', gt: '>', ge: '>=', lt: '<', le: '<=' }[op as 'eq'];
    if (!symbol) throw invalid(`'${op}' is not defined here.`);
    const positive = this.twoValued(o, sql`${expr} ${sql.raw(symbol)} ${v}`);
    return op === 'ne' ? sql`(not ${positive})` : positive;
  }

  /**
   * Makes a comparison never NULL while keeping it index-friendly: a NOT NULL column compares as is, a nullable
   * column is guarded with `is not null and`, and a JSON expression is coalesced to false.
   */
  private twoValued(o: Operand, test: Sql): Sql {
    if (o.source === 'json') return sql`coalesce((${test}), false)`;
    if (o.nullable) return sql`(${o.expr} is not null and ${test})`;
    return sql`(${test})`;
  }
}

function textOf(o: Operand): Sql {
  return o.expr;
}

/** Lowercased sub-attribute names an element filter reads. */
function subNames(filter: Filter | undefined): string[] {
  if (!filter) return [];
  switch (filter.kind) {
    case 'and':
    case 'or':
      return [...subNames(filter.left), ...subNames(filter.right)];
    case 'not':
      return subNames(filter.filter);
    case 'valuePath':
      return [filter.path.attr.toLowerCase()];
    default:
      return [(filter.path.sub ? `${filter.path.attr}.${filter.path.sub}` : filter.path.attr).toLowerCase()];
  }
}

function parseBool(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

export function formatPath(path: AttrPath): string {
  return `${path.uri ? `${path.uri}:` : ''}${path.attr}${path.sub ? `.${path.sub}` : ''}`;
}
