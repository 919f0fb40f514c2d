/** The audit log: who changed what, newest first. Rows reference nothing, so they outlive what they name. */
import type { Executor } from './db.ts';
import { pageById } from './pagination.ts';
import type { Page, PageQuery } from './store.ts';

export interface AuditLogRecord {
  id: string;
  organization_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
}

export interface AuditLogFilter {
  organization_id?: string;
  action?: string;
}

export async function insertAuditLog(db: Executor, entry: AuditLogRecord): Promise<void> {
  await db.insertInto('audit_logs').values(entry).execute();
}

export function listAuditLogs(db: Executor, page: PageQuery, filter: AuditLogFilter): Promise<Page<AuditLogRecord>> {
  let q = db.selectFrom('audit_logs').selectAll();
  if (filter.organization_id !== undefined) q = q.where('organization_id', '=', filter.organization_id);
  if (filter.action !== undefined) q = q.where('action', '=', filter.action);
  return pageById(q, 'id', page);
}
