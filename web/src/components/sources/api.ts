/**
 * What the pulled-directory panels and the guard's banner (any directory) need from the server (API.md §8), for
 * one directory: the portal answers it under /portal/api/directories/{id}/…, the console over the management
 * API's /directories/{id}/….
 */
import type { Query } from '../../lib/http.ts';
import type { ConnectionInput, DeprovisionGuard, DirectoryConnection, DirectorySync, List } from '../../lib/types.ts';

export interface SourcesApi {
  connection: () => Promise<DirectoryConnection>;
  saveConnection: (body: ConnectionInput) => Promise<DirectoryConnection>;
  sync: () => Promise<DirectorySync>;
  syncs: (query: Query) => Promise<List<DirectorySync>>;
  guard: () => Promise<DeprovisionGuard>;
  releaseGuard: () => Promise<DeprovisionGuard>;
  discardGuard: () => Promise<DeprovisionGuard>;
}

/** The same routes under a prefix (`/portal/api/directories/{id}` or `/directories/{id}`), through a client. */
export function sourcesApiAt(
  client: { get<T>(path: string, query?: Query): Promise<T>; send<T>(method: 'POST' | 'PUT', path: string, body?: unknown): Promise<T> },
  prefix: string,
): SourcesApi {
  return {
    connection: () => client.get<DirectoryConnection>(`${prefix}/connection`),
    saveConnection: (body) => client.send<DirectoryConnection>('PUT', `${prefix}/connection`, body),
    sync: () => client.send<DirectorySync>('POST', `${prefix}/sync`),
    syncs: (query) => client.get<List<DirectorySync>>(`${prefix}/syncs`, query),
    guard: () => client.get<DeprovisionGuard>(`${prefix}/guard`),
    releaseGuard: () => client.send<DeprovisionGuard>('POST', `${prefix}/guard/release`),
    discardGuard: () => client.send<DeprovisionGuard>('POST', `${prefix}/guard/discard`),
  };
}
