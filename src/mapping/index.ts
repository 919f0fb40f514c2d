/** The mapping core (API.md §7): custom attributes, attribute mappings and transforms, roles. Pure. */
export * from './types.ts';
export { compileSource, compileSourcePath, MAX_PATH_LENGTH } from './paths.ts';
export { compileTransforms, MAX_MAP_ENTRIES, MAX_TRANSFORMS } from './transforms.ts';
export { fitValue, fitsType } from './coerce.ts';
export { compileMapping, type MappingEvaluator } from './evaluate.ts';
export {
  ATTRIBUTE_NAME,
  MAX_CONSTANT_BYTES,
  MAX_MAPPINGS,
  parseAttributeMapping,
  parseCustomAttributeInput,
  parseRoleInput,
  ROLE_SLUG,
} from './validate.ts';
export { defaultMappings, defaultSource, effectiveMappings } from './defaults.ts';
export { resolveRoles } from './roles.ts';
export { PathExplorer, type ExploredPath, type ExploredType } from './explore.ts';
export { mappingFingerprint } from './fingerprint.ts';
