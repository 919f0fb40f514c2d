/**
 * The data of a directory's lifecycle events, as WorkOS sends them. Events speak another vocabulary for a
 * directory's `state` than its REST object (WorkOS's SDKs type them apart): `active`/`inactive` where the
 * REST object says `linked`/`unlinked`; `deleting` and `invalid_credentials` are the same in both.
 */
import type { Json } from '../scim/json.ts';

const EVENT_STATES: Record<string, string> = { linked: 'active', unlinked: 'inactive' };

export function eventState(restState: string): string {
  return EVENT_STATES[restState] ?? restState;
}

/**
 * `dsync.activated`: the Directory object, its `state` in the event vocabulary, and its organization's domains
 * (`{object: "organization_domain", id, domain, organization_id}`, which WorkOS's Python SDK requires).
 */
export function activatedEventData(directory: Json & { state: string }, domains: Json[]): Json {
  return { ...directory, state: eventState(directory.state), domains };
}
