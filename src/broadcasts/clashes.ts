import type { Ctx } from '../deps';
import { authorize } from '../auth';
import { invalid, notFound } from '../shared/errors';
import { localDate } from '../shared/time';
import * as repo from './repo';
import { BROADCASTER_ROLES } from './audio';
import { itemsForCommune, scheduleFor } from './broadcaster';
import { clashGroups, clashOrder } from './clash-groups';
import type { FeedItem } from './model';

export interface Clash {
  /** When the first of the overlapping items starts. */
  at: string;
  items: FeedItem[];
  /** The occurrence ids in the order they play. */
  order: number[];
  /** Whether the commune chose this order (else: priority first). */
  reordered: boolean;
}

const toClash = (group: FeedItem[]): Clash => {
  const { items, chosen } = clashOrder(group);
  return { at: group[0].scheduledAt, items, order: items.map((i) => i.occurrenceId), reordered: chosen };
};

/** The commune's clashes of a day: where a priority bulletin overlaps one of its own slots. */
export async function listClashes(ctx: Ctx, query: { date?: string; orgId?: number }): Promise<{ orgId: number; date: string; items: Clash[] }> {
  const s = await scheduleFor(ctx, query);
  return { orgId: s.orgId, date: s.date, items: clashGroups(s.items).map(toClash) };
}

/**
 * The commune's broadcaster puts one clash in the order it chooses. Every occurrence must be its own commune's
 * (another commune's is refused before anything changes), and together they must be exactly one clash.
 */
export async function orderClash(ctx: Ctx, occurrenceIds: number[]): Promise<Clash> {
  const rows = await repo.findOccurrences(ctx.db, [...new Set(occurrenceIds)]);
  if (rows.length !== new Set(occurrenceIds).size || rows.length !== occurrenceIds.length) throw notFound('Broadcast occurrence', 'OCCURRENCE_NOT_FOUND');
  for (const r of rows) authorize(ctx.actor, BROADCASTER_ROLES, [r.org_id], 'Only the commune’s own broadcaster can order its broadcasts');
  const orgId = rows[0].org_id;
  const items = await itemsForCommune(ctx, orgId, localDate(new Date(rows[0].scheduled_at)));
  const wanted = new Set(occurrenceIds);
  const group = clashGroups(items).find((g) => g.length === wanted.size && g.every((i) => wanted.has(i.occurrenceId)));
  if (!group) throw invalid('NOT_A_CLASH', 'These broadcasts do not form one clash of a priority bulletin with the commune’s own slot', { occurrenceIds: 'not one clash' });
  await ctx.db.transaction((tx) => repo.setPlayOrder(tx, occurrenceIds, ctx.actor.id, ctx.clock().toISOString()));
  const after = await itemsForCommune(ctx, orgId, localDate(new Date(rows[0].scheduled_at)));
  return toClash(after.filter((i) => wanted.has(i.occurrenceId)));
}
