import type { Ctx, Deps } from '../deps';
import { PREPARER_ROLES, activeEmailsByRole, authorize } from '../auth';
import { enqueueMail, kickOutbox } from '../dispatch';
import { findOrgsByIds } from '../orgs';
import { conflict, notFound } from '../shared/errors';
import { addDays, formatVnDateTime, localDate, localToUtc } from '../shared/time';
import { t } from '../shared/i18n';
import * as repo from './repo';
import { unwrittenSlots } from './schedule';

/** How long a commune's broadcaster sees a cancellation on their schedule. */
export const CANCELLATIONS_SHOWN_DAYS = 14;

/**
 * Cancels a schedule from now on (issue 15): its future pending slots are cancelled (past, played and missed ones
 * stay), the rule ends (the window job writes no more), and every targeted commune is told — on its broadcaster's
 * schedule, with the reason, and by e-mail to its broadcasters (else the commune's own address), through the
 * outbox in the same transaction. Cancelled already → 409 BROADCAST_CANCELLED; nothing left to play → 409
 * BROADCAST_FINISHED.
 */
export async function cancelBroadcast(ctx: Ctx, id: number, reason: string): Promise<{ id: number; cancelledAt: string; reason: string; cancelled: number; communes: number; messages: number }> {
  const { actor, db } = ctx;
  const row = await repo.findBroadcast(db, id);
  if (!row) throw notFound('Broadcast', 'BROADCAST_NOT_FOUND');
  authorize(actor, PREPARER_ROLES, [row.owner_org_id]);
  if (row.cancelled_at) throw conflict('BROADCAST_CANCELLED', 'This schedule was cancelled');
  const now = ctx.clock().toISOString();
  const futureWritten = (await repo.occurrencesFrom(db, id, now)).filter((o) => o.status === 'pending').length;
  if (!futureWritten && !unwrittenSlots(row).some((s) => s > now)) throw conflict('BROADCAST_FINISHED', 'This schedule has no broadcast left to cancel');

  const communes = await findOrgsByIds(db, await repo.targetIds(db, id));
  const emails = await activeEmailsByRole(db, communes.map((c) => c.id), 'broadcaster');
  let cancelled = 0;
  let messages = 0;
  await db.transaction(async (tx) => {
    if (!(await repo.markCancelled(tx, id, actor.id, reason, now))) throw conflict('BROADCAST_CANCELLED', 'This schedule was cancelled');
    cancelled = await repo.cancelPendingFrom(tx, id, now, now);
    for (const c of communes) {
      const vars = { title: row.title, commune: c.name, reason, at: formatVnDateTime(now), link: `${ctx.config.publicUrl}/broadcaster` };
      for (const address of emails.get(c.id) ?? (c.email ? [c.email] : [])) {
        const { created } = await enqueueMail(ctx, tx, {
          to: address,
          subject: t('vi', 'broadcasts.mail.cancelled.subject', vars),
          text: t('vi', 'broadcasts.mail.cancelled.text', vars),
          kind: 'broadcast-cancelled',
          orgId: row.owner_org_id,
          dedupeKey: `broadcast-cancelled:${id}:${c.id}:${address}`,
        });
        if (created) messages += 1;
      }
    }
  });
  if (messages > 0) kickOutbox(ctx);
  return { id, cancelledAt: now, reason, cancelled, communes: communes.length, messages };
}

export interface Cancellation {
  broadcastId: number;
  title: string;
  reason: string | null;
  cancelledAt: string;
}

/** The schedules of this commune cancelled in the last CANCELLATIONS_SHOWN_DAYS days (its broadcaster's schedule shows them). */
export async function cancellationsFor(deps: Deps, orgId: number): Promise<Cancellation[]> {
  const since = addDays(localDate(deps.clock()), -CANCELLATIONS_SHOWN_DAYS);
  const rows = await repo.cancellationsFor(deps.db, orgId, localToUtc(since).toISOString());
  return rows.map((r) => ({ broadcastId: r.id, title: r.title, reason: r.cancel_reason, cancelledAt: r.cancelled_at }));
}
