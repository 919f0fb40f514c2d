/** Events (docs/events.md): the types the server emits and the data each one carries. */
import type { DeprovisionGuard, Directory, DirectoryGroup, DirectoryToken, DirectoryUser } from './objects.js';

export const EVENT_TYPES = [
  'dsync.activated',
  'dsync.deleted',
  'dsync.user.created',
  'dsync.user.updated',
  'dsync.user.deleted',
  'dsync.group.created',
  'dsync.group.updated',
  'dsync.group.deleted',
  'dsync.group.user_added',
  'dsync.group.user_removed',
  'dsync.token.created',
  'dsync.token.revoked',
  'dsync.guard.tripped',
  'dsync.guard.released',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventOf<E extends EventType, D> {
  object: 'event';
  id: string;
  event: E;
  data: D;
  created_at: string;
}

/**
 * `*.updated` data: the object after the change, and the shallow previous value of each changed field (null
 * for a field that did not exist). `raw_attributes` and `custom_attributes` are diffed one level down.
 */
export type Updated<T> = T & { previous_attributes: Record<string, unknown> };

export interface MembershipData {
  directory_id: string;
  user: DirectoryUser;
  group: DirectoryGroup;
}

/** An event, discriminated by `event`: `if (e.event === 'dsync.user.updated') e.data.previous_attributes`. */
export type Event =
  | EventOf<'dsync.activated' | 'dsync.deleted', Directory>
  | EventOf<'dsync.user.created' | 'dsync.user.deleted', DirectoryUser>
  | EventOf<'dsync.user.updated', Updated<DirectoryUser>>
  | EventOf<'dsync.group.created' | 'dsync.group.deleted', DirectoryGroup>
  | EventOf<'dsync.group.updated', Updated<DirectoryGroup>>
  | EventOf<'dsync.group.user_added' | 'dsync.group.user_removed', MembershipData>
  | EventOf<'dsync.token.created' | 'dsync.token.revoked', DirectoryToken>
  /** `tripped`: `held_changes` held so far; `released`: armed again, with `released` or `discarded` counted. */
  | EventOf<'dsync.guard.tripped' | 'dsync.guard.released', DeprovisionGuard>;

const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && TYPES.has(value);
}

/**
 * The envelope check a webhook body gets before it is handed over as an Event. The data is the server's (its
 * signature was just verified), so only the envelope is checked, not every field of every object.
 */
export function isEvent(value: unknown): value is Event {
  if (typeof value !== 'object' || value === null) return false;
  const v: { object?: unknown; id?: unknown; event?: unknown; data?: unknown; created_at?: unknown } = value;
  return (
    v.object === 'event' &&
    typeof v.id === 'string' &&
    isEventType(v.event) &&
    typeof v.data === 'object' &&
    v.data !== null &&
    typeof v.created_at === 'string'
  );
}
