import type { FeedItem } from './model';

/** How long an item occupies the loudspeakers (at least a minute, as the calendar shows it). */
const endOf = (i: FeedItem) => Date.parse(i.scheduledAt) + Math.max(60, Math.ceil(i.durationSec ?? 60)) * 1000;

/**
 * Clashes in one commune's items: runs of items whose playing times overlap, kept when a priority bulletin overlaps
 * one of the commune's own (normal) slots. Emergencies play at once and never wait for an order.
 */
export function clashGroups(items: FeedItem[]): FeedItem[][] {
  const candidates = items.filter((i) => i.class !== 'emergency' && i.status !== 'cancelled').sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt) || a.occurrenceId - b.occurrenceId);
  const groups: FeedItem[][] = [];
  let current: FeedItem[] = [];
  let end = 0;
  for (const i of candidates) {
    if (current.length && Date.parse(i.scheduledAt) < end) {
      current.push(i);
      end = Math.max(end, endOf(i));
    } else {
      if (current.length) groups.push(current);
      current = [i];
      end = endOf(i);
    }
  }
  if (current.length) groups.push(current);
  return groups.filter((g) => g.some((i) => i.class === 'priority') && g.some((i) => i.class === 'normal'));
}

/** A clash's order: the commune's choice when it made one for every item, else priority first, then by time. */
export function clashOrder(group: FeedItem[]): { items: FeedItem[]; chosen: boolean } {
  const chosen = group.every((i) => i.playOrder != null);
  const items = [...group].sort((a, b) => (chosen ? a.playOrder! - b.playOrder! : 0) || (a.class === b.class ? 0 : a.class === 'priority' ? -1 : 1) || a.scheduledAt.localeCompare(b.scheduledAt));
  return { items, chosen };
}

/** The feed in class-then-time order, except that each clash the commune ordered takes its chosen order in its places. */
export function applyChosenOrders(items: FeedItem[]): FeedItem[] {
  const out = [...items];
  for (const g of clashGroups(items)) {
    const { items: ordered, chosen } = clashOrder(g);
    if (!chosen) continue;
    const places = g.map((i) => out.indexOf(i)).sort((a, b) => a - b);
    places.forEach((p, k) => (out[p] = ordered[k]));
  }
  return out;
}
