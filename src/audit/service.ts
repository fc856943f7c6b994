import type { Q } from '../db';
import { nowIso } from '../db';
import type { Actor } from '../auth/roles';
import { requireRole } from '../auth/policy';

export interface AuditEntry {
  userId: number | null;
  orgId: number | null;
  action: string;
  entity: string;
  entityId: string | null;
  detail: unknown;
  requestId: string | null;
  ip: string | null;
}

export async function recordAudit(q: Q, e: AuditEntry): Promise<void> {
  await q('audit_log').insert({
    at: nowIso(),
    user_id: e.userId,
    org_id: e.orgId,
    action: e.action.slice(0, 60),
    entity: e.entity.slice(0, 40),
    entity_id: e.entityId?.slice(0, 60) ?? null,
    detail: e.detail == null ? null : JSON.stringify(e.detail),
    request_id: e.requestId,
    ip: e.ip,
  });
}

export interface AuditView {
  id: number;
  at: string;
  userId: number | null;
  userEmail: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  detail: string | null;
}

/** Newest first, for the admins' audit page. */
export async function listAudit(q: Q, actor: Actor, filter: { entity?: string; entityId?: string; limit?: number; beforeId?: number }): Promise<AuditView[]> {
  requireRole(actor, ['admin']);
  const query = q('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select('a.id', 'a.at', 'a.user_id', 'u.email', 'a.action', 'a.entity', 'a.entity_id', 'a.detail')
    .orderBy('a.id', 'desc')
    .limit(Math.min(filter.limit ?? 100, 500));
  if (filter.entity) query.where('a.entity', filter.entity);
  if (filter.entityId) query.where('a.entity_id', filter.entityId);
  if (filter.beforeId) query.where('a.id', '<', filter.beforeId);
  const rows = await query;
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    at: String(r.at),
    userId: (r.user_id as number) ?? null,
    userEmail: (r.email as string) ?? null,
    action: String(r.action),
    entity: String(r.entity),
    entityId: (r.entity_id as string) ?? null,
    detail: (r.detail as string) ?? null,
  }));
}
