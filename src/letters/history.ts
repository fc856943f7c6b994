/**
 * A letter's history (issue 12 item 9): who drafted, submitted, sent back (with the reason), approved, signed,
 * issued and dispatched it, and when. Each event is written in the transaction of the change it records, so the
 * history is complete whichever way the change came (API, page, seed, another feature).
 */
import type { Q } from '../db';
import type { Ctx } from '../deps';
import { authorize, STAFF_ROLES } from '../auth';
import * as repo from './repo';
import { findLetterOr404 } from './service';

export const LETTER_EVENTS = ['drafted', 'submitted', 'rejected', 'approved', 'signed', 'issued', 'dispatched'] as const;
export type LetterEvent = (typeof LETTER_EVENTS)[number];

export interface HistoryItem {
  at: string;
  action: LetterEvent;
  by: { id: number; name: string } | null;
  note?: string;
}

/** Records one event at the context's time (`q`: the transaction of the change). */
export async function recordLetterEvent(ctx: Pick<Ctx, 'clock' | 'actor'>, q: Q, letterId: number, action: LetterEvent, note?: string | null): Promise<void> {
  await repo.insertEvent(q, { letter_id: letterId, at: ctx.clock().toISOString(), action, user_id: ctx.actor?.id ?? null, note: note ?? null });
}

const toItem = (r: repo.LetterEventRow): HistoryItem => ({
  at: r.at,
  action: r.action as LetterEvent,
  by: r.user_id == null ? null : { id: r.user_id, name: r.user_name ?? '' },
  ...(r.note ? { note: r.note } : {}),
});

/** One letter's history, oldest first (whoever may read the letter). */
export async function letterHistory(ctx: Ctx, letterId: number): Promise<{ items: HistoryItem[] }> {
  const row = await findLetterOr404(ctx.db, letterId);
  authorize(ctx.actor, STAFF_ROLES, row.issuing_org_id);
  return { items: (await repo.eventsOf(ctx.db, letterId)).map(toItem) };
}

export interface RecentEvent extends HistoryItem {
  letter: { id: number; subject: string; symbol: string | null };
}

/** The latest events on the letters of the actor's organisation, newest first (the /history page). */
export async function recentHistory(ctx: Ctx, limit = 100): Promise<RecentEvent[]> {
  authorize(ctx.actor, STAFF_ROLES, ctx.actor.orgId);
  const rows = await repo.recentEvents(ctx.db, ctx.actor.orgId, limit);
  return rows.map((r) => ({ ...toItem(r), letter: { id: Number(r.letter_id), subject: r.subject ?? '', symbol: r.symbol ?? null } }));
}
