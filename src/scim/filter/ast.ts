/**
 * Filter AST (RFC 7644 §3.4.2.2). Produced by the parser, consumed by the in-memory evaluator (PATCH value
 * filters) and by the SQL compiler in src/store. Attribute names are kept as written; resolution against the
 * schema (case-insensitive) happens in the consumers.
 */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** `urn:…:User:name.givenName` → { uri: 'urn:…:User', attr: 'name', sub: 'givenName' } */
export interface AttrPath {
  uri?: string;
  attr: string;
  sub?: string;
}

/** Dates are string literals; consumers compare them as dateTime when the attribute's type says so. */
export type Literal = string | number | boolean | null;

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: Literal }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: Filter; right: Filter }
  | { kind: 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  /** `emails[type eq "work"]`: the inner filter's paths name sub-attributes of `path` (their `attr` is the sub-attribute). */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };

/** PATCH path (RFC 7644 §3.5.2): `attr`, `attr.sub`, `urn:…:attr`, `attr[filter]`, `attr[filter].sub`. */
export interface PatchPath {
  /** The top-level attribute, with its sub-attribute when written `attr.sub` (no filter). */
  path: AttrPath;
  /** Value filter on a multi-valued (or complex) attribute: `emails[type eq "work"]`. */
  filter?: Filter;
  /** Sub-attribute after a value filter: `emails[type eq "work"].value` → 'value'. */
  subAfterFilter?: string;
}
