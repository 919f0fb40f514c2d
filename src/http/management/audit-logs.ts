/** `GET /audit_logs`: who changed what, newest first (docs/portal.md § Request log and audit log). */
import { Type } from '@sinclair/typebox';
import { listAuditLogs, type AuditLogRecord } from '../../store/audit-logs.ts';
import type { AppContext } from '../context.ts';
import { ListOf, PageParams, listEnvelope, parsePage } from '../pagination.ts';
import { Nullable, StringEnum, ref } from '../schema.ts';
import type { ManagementScope } from './scope.ts';

const ACTOR_TYPES = ['api_key', 'operator', 'portal'] as const;

export const AuditLog = Type.Object(
  {
    object: Type.Literal('audit_log'),
    id: Type.String({ description: '`audit_log_…`' }),
    actor: Type.Object({
      type: StringEnum<string>(ACTOR_TYPES, { description: '`api_key` (the management API), `operator` (the console), `portal` (an IT admin).' }),
      id: Type.Optional(Type.String({ description: "The session's id, for `operator` and `portal`." })),
    }),
    action: Type.String({ description: '`organization.created`, `directory.deleted`, `portal.session.started`, `console.sign_in_failed`, …' }),
    target: Type.Object({ type: Type.String(), id: Nullable(Type.String()) }),
    organization_id: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'AuditLog', description: 'One change, or sign-in, and who made it.' },
);
export const AuditLogList = ListOf(AuditLog, 'A page of audit log entries.');

const Query = Type.Object({
  ...PageParams,
  organization_id: Type.Optional(Type.String({ description: "Only this organization's entries." })),
  action: Type.Optional(Type.String({ description: 'Only entries of this action.' })),
});

export function auditLogObject(row: AuditLogRecord) {
  return {
    object: 'audit_log' as const,
    id: row.id,
    actor: { type: row.actor_type, ...(row.actor_id !== null ? { id: row.actor_id } : {}) },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    organization_id: row.organization_id,
    ip: row.ip,
    user_agent: row.user_agent,
    created_at: row.created_at,
  };
}

export function auditLogRoutes(app: ManagementScope, { store }: AppContext): void {
  app.get(
    '/audit_logs',
    {
      schema: {
        operationId: 'listAuditLogs',
        summary: 'List audit log entries',
        description: 'Every change made through the management API, the console or the portal, and every console sign-in, newest first.',
        tags: ['audit logs'],
        querystring: Query,
        response: { 200: ref(AuditLogList, 'A page of entries, newest first by default.') },
      },
    },
    async (request) => {
      const { organization_id, action } = request.query;
      const page = await listAuditLogs(store.db, parsePage(request.query), {
        ...(organization_id !== undefined ? { organization_id } : {}),
        ...(action !== undefined ? { action } : {}),
      });
      return listEnvelope(page, auditLogObject);
    },
  );
}
