import type { Ctx } from '../deps';
import { addDays, localToUtc } from '../shared/time';
import * as repo from './repo';
import { communesInScope } from './receivers';
import { unwrittenSlots } from './schedule';

export interface CommuneActivity {
  orgId: number;
  /** The statistics office's code of the commune, when known. */
  code: string | null;
  name: string;
  scheduled: number;
  played: number;
  missed: number;
  emergencies: number;
  emergencyConfirmed: number;
  /** Median minutes from an emergency's sending to the commune's confirmation; null without a confirmed one. */
  medianConfirmMinutes: number | null;
  /** Occurrences the commune put in its own order where a priority bulletin clashed with its slot. */
  reordered: number;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  const out = v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  return Math.round(out * 10) / 10;
}

/** Per commune, over local days from..to (inclusive): what was scheduled (not cancelled), played, missed, and emergency response. */
export async function activityReport(ctx: Ctx, query: { from: string; to: string; orgId?: number }): Promise<{ from: string; to: string; byCommune: CommuneActivity[] }> {
  const communes = await communesInScope(ctx, query.orgId);
  const rows = await repo.activityRows(ctx.db, communes.map((c) => c.id), localToUtc(query.from).toISOString(), localToUtc(addDays(query.to, 1)).toISOString());
  const byOrg = new Map<number, CommuneActivity & { times: number[] }>(
    communes.map((c) => [c.id, { orgId: c.id, code: c.code, name: c.name, scheduled: 0, played: 0, missed: 0, emergencies: 0, emergencyConfirmed: 0, medianConfirmMinutes: null, reordered: 0, times: [] }]),
  );
  for (const r of rows) {
    const a = byOrg.get(r.org_id)!;
    a.scheduled += 1;
    if (r.status === 'played') a.played += 1;
    if (r.status === 'missed') a.missed += 1;
    if (r.reordered_at && r.class === 'priority') a.reordered += 1;
    if (r.class === 'emergency') {
      a.emergencies += 1;
      if (r.status === 'played' && r.confirmed_at) {
        a.emergencyConfirmed += 1;
        a.times.push(Math.max(0, (Date.parse(r.confirmed_at) - Date.parse(r.scheduled_at)) / 60_000));
      }
    }
  }
  // Days beyond each schedule's written window: the rule's slots count as scheduled (nothing is played yet).
  for (const r of await repo.rulesAhead(ctx.db, communes.map((c) => c.id), query.to)) {
    const a = byOrg.get(r.target_org_id);
    if (a) a.scheduled += unwrittenSlots(r, query.from, query.to).length;
  }
  const byCommune = [...byOrg.values()]
    .map(({ times, ...a }) => ({ ...a, medianConfirmMinutes: median(times) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  return { from: query.from, to: query.to, byCommune };
}
