/**
 * Evaluation: a directory's mapping compiled once (paths parsed, transforms built), then run per user. A
 * re-evaluation of 100,000 users calls the compiled function in a loop, so nothing here parses per user.
 */
import { fitValue } from './coerce.ts';
import { compileSource } from './paths.ts';
import { compileTransforms } from './transforms.ts';
import type { AttributeMappingEntry, AttributeType, CustomAttributeDef, MappedAttributes, MappingFieldError, MappingWarning } from './types.ts';

/** One user's mapped values. `errors` lists the stored entries that could not be compiled (they map to null). */
export type MappingEvaluator = ((resource: unknown) => MappedAttributes) & { readonly errors: readonly MappingFieldError[] };

interface CompiledAttribute {
  name: string;
  type: AttributeType;
  required: boolean;
  /** Undefined when the attribute is unmapped, or its entry could not be compiled. */
  evaluate?: (resource: unknown) => unknown;
}

/**
 * Compiles a directory's mapping. Entries for attributes that are not defined are ignored (validation reports
 * them). A stored entry that no longer compiles maps to null and is listed in `errors` instead of throwing:
 * throwing here would fail every SCIM write to the directory, for one bad mapping.
 */
export function compileMapping(defs: CustomAttributeDef[], mappings: AttributeMappingEntry[]): MappingEvaluator {
  const errors: MappingFieldError[] = [];
  const attributes: CompiledAttribute[] = [];
  const seen = new Set<string>();
  for (const def of defs) {
    if (seen.has(def.name)) continue;
    seen.add(def.name);
    const index = mappings.findIndex((m) => m.attribute === def.name);
    const entry = mappings[index];
    const compiled = entry ? compileEntry(entry, `mappings[${index}]`, errors) : undefined;
    attributes.push({ name: def.name, type: def.type, required: def.required, ...(compiled ? { evaluate: compiled } : {}) });
  }
  const evaluator = (resource: unknown): MappedAttributes => evaluateAll(attributes, resource);
  return Object.assign(evaluator, { errors });
}

function compileEntry(entry: AttributeMappingEntry, field: string, errors: MappingFieldError[]): ((resource: unknown) => unknown) | undefined {
  const source = compileSource(entry.source, `${field}.source`);
  const transforms = compileTransforms(entry.transforms, `${field}.transforms`);
  if (!source.ok) errors.push(...source.errors);
  if (!transforms.ok) errors.push(...transforms.errors);
  if (!source.ok || !transforms.ok) return undefined;
  const read = source.value;
  const transform = transforms.value;
  return (resource) => transform(read(resource));
}

function evaluateAll(attributes: CompiledAttribute[], resource: unknown): MappedAttributes {
  const values: Record<string, unknown> = {};
  const warnings: MappingWarning[] = [];
  for (const attribute of attributes) {
    const value = attribute.evaluate ? evaluateOne(attribute.evaluate, attribute.type, resource) : null;
    values[attribute.name] = value;
    if (value === null && attribute.required) warnings.push({ attribute: attribute.name, code: 'missing_required' });
  }
  return { values, warnings };
}

/** The resource is the IdP's: whatever its shape, one attribute's failure is that attribute's null, not a failed write. */
function evaluateOne(evaluate: (resource: unknown) => unknown, type: AttributeType, resource: unknown): unknown {
  try {
    return fitValue(evaluate(resource), type);
  } catch {
    return null;
  }
}
