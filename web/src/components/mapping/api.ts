/**
 * What the mapping screens need from the server, for one directory. The portal and the console answer it from
 * their own routes (portal/api.ts, console/api.ts), so both show the same components.
 */
import type {
  AttributeMapping,
  AttributePaths,
  CustomAttribute,
  GroupSummary,
  List,
  MappedUser,
  MappingEntry,
  MappingPreviewRow,
  Role,
  RoleMapping,
} from '../../lib/types.ts';

export interface MappingApi {
  customAttributes(): Promise<List<CustomAttribute>>;
  roles(): Promise<List<Role>>;
  attributeMapping(): Promise<AttributeMapping>;
  saveAttributeMapping(mappings: MappingEntry[]): Promise<AttributeMapping>;
  preview(mappings: MappingEntry[]): Promise<List<MappingPreviewRow>>;
  attributePaths(): Promise<AttributePaths>;
  roleMapping(): Promise<RoleMapping>;
  saveRoleMapping(mappings: RoleMapping['mappings']): Promise<RoleMapping>;
  groups(query: { search?: string; after?: string; limit: number }): Promise<List<GroupSummary>>;
  /** Users of the directory that have at least one warning. */
  usersWithWarnings(after?: string): Promise<List<MappedUser>>;
}
