import type { Q } from '../db';
import { nowIso } from '../db';
import type { Actor } from '../auth';
import { requireRole } from '../auth';

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

function auditRow(e: AuditEntry, at = nowIso()) {
  return {
    at,
    user_id: e.userId,
    org_id: e.orgId,
    action: e.action.slice(0, 60),
    entity: e.entity.slice(0, 40),
    entity_id: e.entityId?.slice(0, 60) ?? null,
    detail: e.detail == null ? null : JSON.stringify(e.detail),
    // Column widths of audit_log: PostgreSQL refuses a longer value (and with it the whole INSERT).
    request_id: e.requestId?.slice(0, 64) ?? null,
    ip: e.ip?.slice(0, 64) ?? null,
  };
}

export async function recordAudit(q: Q, e: AuditEntry): Promise<void> {
  await q('audit_log').insert(auditRow(e));
}

/** Rows per multi-row INSERT of queued entries (9 columns each: well inside SQLite's bound-variable limit). */
const AUDIT_BATCH = 50;
interface AuditQueue {
  rows: AuditRow[];
  flushing: Promise<void> | null;
}
const queues = new WeakMap<object, AuditQueue>();

type AuditRow = ReturnType<typeof auditRow>;

/**
 * One INSERT for the batch; when the database refuses it, each row on its own, so one bad entry (say a user
 * deleted meanwhile) never costs the other users theirs. `onError` hears about each row that could not be written.
 */
async function writeBatch(q: Q, rows: AuditRow[], onError: (err: unknown) => void): Promise<void> {
  try {
    await q('audit_log').insert(rows);
    return;
  } catch (err) {
    if (rows.length === 1) return onError(Object.assign(asError(err), { auditEntry: rows[0] }));
  }
  for (const row of rows) {
    await q('audit_log')
      .insert(row)
      .catch((err) => onError(Object.assign(asError(err), { auditEntry: row })));
  }
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Queues an entry and writes it within the same turn of the event loop, together with every other entry queued
 * meanwhile (one INSERT instead of one per request under load). `onError` hears about each entry that could not
 * be written (the entry rides along as `err.auditEntry`, so the log keeps it).
 */
export function queueAudit(q: Q, e: AuditEntry, onError: (err: unknown) => void): void {
  let queue = queues.get(q);
  if (!queue) queues.set(q, (queue = { rows: [], flushing: null }));
  queue.rows.push(auditRow(e));
  if (queue.flushing) return;
  const qu = queue;
  qu.flushing = new Promise<void>((resolve) => setImmediate(resolve))
    .then(async () => {
      while (qu.rows.length) {
        await writeBatch(q, qu.rows.splice(0, AUDIT_BATCH), onError);
      }
    })
    .finally(() => {
      qu.flushing = null;
    });
}

/** Resolves when every queued entry is written (graceful shutdown, before closing the database). */
export async function auditIdle(q: Q): Promise<void> {
  while (queues.get(q)?.flushing) await queues.get(q)!.flushing;
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
