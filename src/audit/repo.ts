import type { Q } from '../db';

/** The only file of the audit feature that builds queries. */

export interface AuditRow {
  at: string;
  user_id: number | null;
  org_id: number | null;
  action: string;
  entity: string;
  entity_id: string | null;
  detail: string | null;
  request_id: string | null;
  ip: string | null;
}

/** One multi-row INSERT (the caller keeps batches small enough for SQLite's bound-variable limit). */
export async function insertAuditRows(q: Q, rows: AuditRow[]): Promise<void> {
  await q('audit_log').insert(rows);
}

export interface AuditListRow {
  id: number | string;
  at: string;
  user_id: number | null;
  email: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  detail: string | null;
}

/** Newest first, with the user's e-mail; `beforeId` pages back. */
export async function listAudit(q: Q, filter: { entity?: string; entityId?: string; limit: number; beforeId?: number }): Promise<AuditListRow[]> {
  const query = q('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select('a.id', 'a.at', 'a.user_id', 'u.email', 'a.action', 'a.entity', 'a.entity_id', 'a.detail')
    .orderBy('a.id', 'desc')
    .limit(filter.limit);
  if (filter.entity) query.where('a.entity', filter.entity);
  if (filter.entityId) query.where('a.entity_id', filter.entityId);
  if (filter.beforeId) query.where('a.id', '<', filter.beforeId);
  return query as Promise<AuditListRow[]>;
}
