import type { Q } from '../db';
import type { Ctx, Deps } from '../deps';
import { ADMIN_ROLES, requireRole } from '../auth';
import * as repo from './repo';
import type { AuditRow } from './repo';

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

function auditRow(e: AuditEntry, at: Date): AuditRow {
  return {
    at: at.toISOString(),
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

/** Rows per multi-row INSERT of queued entries (9 columns each: well inside SQLite's bound-variable limit). */
const AUDIT_BATCH = 50;
interface AuditQueue {
  rows: AuditRow[];
  flushing: Promise<void> | null;
}
const queues = new WeakMap<object, AuditQueue>();

/**
 * One INSERT for the batch; when the database refuses it, each row on its own, so one bad entry (say a user
 * deleted meanwhile) never costs the other users theirs. `onError` hears about each row that could not be written.
 */
async function writeBatch(q: Q, rows: AuditRow[], onError: (err: unknown) => void): Promise<void> {
  try {
    await repo.insertAuditRows(q, rows);
    return;
  } catch (err) {
    if (rows.length === 1) return onError(Object.assign(asError(err), { auditEntry: rows[0] }));
  }
  for (const row of rows) {
    await repo
      .insertAuditRows(q, [row])
      .catch((err) => onError(Object.assign(asError(err), { auditEntry: row })));
  }
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Queues an entry, stamped now, and writes it within the same turn of the event loop, together with every other
 * entry queued meanwhile (one INSERT instead of one per request under load). `onError` hears about each entry that
 * could not be written (the entry rides along as `err.auditEntry`); by default it is logged, so the log keeps it.
 */
export function queueAudit(deps: Deps, e: AuditEntry, onError: (err: unknown) => void = (err) => deps.log.error({ err }, 'audit write failed')): void {
  const q = deps.db;
  let queue = queues.get(q);
  if (!queue) queues.set(q, (queue = { rows: [], flushing: null }));
  queue.rows.push(auditRow(e, deps.clock()));
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
export async function auditIdle(deps: Deps): Promise<void> {
  const q = deps.db;
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
export async function listAudit(ctx: Ctx, filter: { entity?: string; entityId?: string; limit?: number; beforeId?: number }): Promise<AuditView[]> {
  requireRole(ctx.actor, ADMIN_ROLES);
  const rows = await repo.listAudit(ctx.db, { ...filter, limit: Math.min(filter.limit ?? 100, 500) });
  return rows.map((r) => ({
    id: Number(r.id),
    at: String(r.at),
    userId: r.user_id ?? null,
    userEmail: r.email ?? null,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id ?? null,
    detail: r.detail ?? null,
  }));
}
