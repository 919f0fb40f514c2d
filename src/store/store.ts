/**
 * The one storage interface. Both implementations (SQLite, PostgreSQL) share the Kysely queries in
 * kysely-store.ts and differ only in connection setup, locking and type decoding.
 */

import type { AttributeMappingEntry } from '../mapping/types.ts';

export type Order = 'asc' | 'desc';

export interface PageQuery {
  limit: number;
  /** With `after` too: only the objects strictly between the two (docs/management-api.md § Lists). */
  before?: string;
  after?: string;
  order: Order;
  /**
   * WorkOS's `order=normal`: the list runs `desc`, but `before` reaches older objects and `after` newer ones,
   * in the request and in `list_metadata` alike.
   */
  reverseCursors?: boolean;
}

/** A page of a cursor list; `before`/`after` are the cursors for the neighbouring pages, null at the ends. */
export interface Page<T> {
  data: T[];
  before: string | null;
  after: string | null;
}

export interface DomainRecord {
  id: string;
  domain: string;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  domains: DomainRecord[];
  created_at: string;
  updated_at: string;
}

export type DirectoryState = 'linked' | 'unlinked' | 'deleting' | 'invalid_credentials';

export interface DirectoryRecord {
  id: string;
  organization_id: string;
  type: string;
  name: string;
  domain: string | null;
  state: DirectoryState;
  settings: Record<string, unknown>;
  users_active: number;
  users_inactive: number;
  groups_count: number;
  linked_at: string | null;
  created_at: string;
  updated_at: string;
  /** The last SCIM request to it, whatever its outcome; null before the first. */
  last_request_at: string | null;
  /** The last SCIM request that changed something and succeeded; null before the first. */
  last_sync_at: string | null;
  /** The explicit attribute mapping; null: the directory type's defaults alone (src/mapping/defaults.ts). */
  attribute_mapping: AttributeMappingEntry[] | null;
  /** When the deprovision guard tripped; null while armed (migration 0009). */
  guard_tripped_at: string | null;
  /** Pulled directories: when the next scheduled sync is due. */
  next_sync_at: string | null;
  /** Users the IdP deleted while the app keeps them (the guard held or discarded the deletion; migration 0010). */
  scim_hidden_users: number;
}

export interface TokenRecord {
  id: string;
  directory_id: string;
  token_suffix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A token about to be stored: only its hash and suffix, never the secret. */
export interface NewToken {
  id: string;
  hash: string;
  suffix: string;
}

export interface NewDirectory {
  id: string;
  organization_id: string;
  type: string;
  name: string;
  domain: string | null;
  settings: Record<string, unknown>;
}

/** Raised for a conflict the caller must report as 409 (e.g. `token_limit_reached`). */
export class StoreConflict extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoreConflict';
  }
}

export const MAX_ACTIVE_TOKENS = 2;

/** Builds an event's data from the record it is about (the API object: the store knows no API shapes). */
export type EventData<T> = (record: T) => Record<string, unknown>;

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  migrate(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;

  apiKeyHashes(): Promise<string[]>;
  /** Stores the generated key's hash unless a key already exists; true when this call stored it. */
  insertFirstApiKey(id: string, hash: string): Promise<boolean>;

  createOrganization(input: { id: string; name: string; domains: string[] }): Promise<OrganizationRecord>;
  getOrganization(id: string): Promise<OrganizationRecord | undefined>;
  listOrganizations(page: PageQuery, filter: { domains?: string[] }): Promise<Page<OrganizationRecord>>;
  updateOrganization(id: string, patch: { name?: string; domains?: string[] }): Promise<OrganizationRecord | undefined>;
  /** Deletes the organization with its directories and everything in them. */
  deleteOrganization(id: string, eventData: EventData<DirectoryRecord>): Promise<boolean>;

  createDirectory(input: NewDirectory, token: NewToken | undefined, tokenEvent: EventData<TokenRecord>): Promise<DirectoryRecord>;
  getDirectory(id: string): Promise<DirectoryRecord | undefined>;
  listDirectories(
    page: PageQuery,
    filter: { organization_id?: string; search?: string; domain?: string },
  ): Promise<Page<DirectoryRecord>>;
  updateDirectory(
    id: string,
    patch: { name?: string; settings?: Record<string, unknown> },
  ): Promise<DirectoryRecord | undefined>;
  /** Deletes the directory and everything in it, emitting a single `dsync.deleted`. */
  deleteDirectory(id: string, eventData: EventData<DirectoryRecord>): Promise<boolean>;
  /** Moves an unlinked directory to `linked` (first authenticated SCIM request) with `dsync.activated`. */
  markDirectoryLinked(id: string, eventData: EventData<DirectoryRecord>): Promise<boolean>;

  /** Throws StoreConflict('token_limit_reached') when the directory already has two active tokens. */
  createToken(directoryId: string, token: NewToken, eventData: EventData<TokenRecord>): Promise<TokenRecord>;
  listTokens(directoryId: string, page: PageQuery): Promise<Page<TokenRecord>>;
  /** Revokes at once; undefined when the directory has no such token. Revoking twice keeps the first time. */
  revokeToken(directoryId: string, tokenId: string, eventData: EventData<TokenRecord>): Promise<TokenRecord | undefined>;
  /** The directory, with its active token whose hash matches (compared in constant time), if any. */
  authenticateDirectory(directoryId: string, tokenHash: string): Promise<{ directory: DirectoryRecord; token: TokenRecord } | undefined>;
  /** What authenticateDirectory answered this process for the pair within its cache's TTL, without waiting; else undefined. */
  cachedAuthentication(directoryId: string, tokenHash: string): { directory: DirectoryRecord; token: TokenRecord } | undefined;
  touchToken(tokenId: string, at: string): Promise<void>;
}
