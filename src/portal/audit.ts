/**
 * The audit log's entries: who (an API key caller, the operator in the console, an IT admin in the portal)
 * did what to which object, from where. Writing one never fails the change it records: the change has
 * committed by then, so a failed write is logged and the answer stands.
 */
import { newId } from '../ids.ts';
import { insertAuditLog, type AuditLogRecord } from '../store/audit-logs.ts';
import type { Executor } from '../store/db.ts';

export type ActorType = 'api_key' | 'operator' | 'portal';

export interface Actor {
  type: ActorType;
  /** The session id for `operator` and `portal`; none for the API key (there is one). */
  id?: string;
}

export interface AuditTarget {
  type: string;
  id: string | null;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  target: AuditTarget;
  organization_id: string | null;
  ip: string | null;
  user_agent: string | null;
}

/** Longest User-Agent kept: enough for any real browser, and a client cannot fill the log with its header. */
const MAX_USER_AGENT = 512;

/** Text as the database can hold it on both sides: no NUL or other control character (PostgreSQL refuses NUL). */
const storable = (value: string | null, max: number) => (value === null ? null : value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max));

export function auditRecord(entry: AuditEntry, at: Date): AuditLogRecord {
  return {
    id: newId('audit_log'),
    organization_id: entry.organization_id,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id ?? null,
    action: entry.action,
    target_type: entry.target.type,
    target_id: entry.target.id,
    ip: storable(entry.ip, 64),
    user_agent: storable(entry.user_agent, MAX_USER_AGENT),
    created_at: at.toISOString(),
  };
}

export interface AuditLogger {
  error(obj: object, message: string): void;
}

/** Writes the entry; a failure is logged, never thrown. */
export async function writeAudit(db: Executor, entry: AuditEntry, log: AuditLogger, at = new Date()): Promise<void> {
  try {
    await insertAuditLog(db, auditRecord(entry, at));
  } catch (err) {
    log.error({ err, audit: { action: entry.action, target: entry.target } }, 'audit log entry not written');
  }
}
