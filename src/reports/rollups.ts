import type { Q } from '../db';
import { campaignWeeks, claimRollupRebuild, isExpectedInWeek, membershipsOf, type CampaignInfo, type Membership } from '../campaigns';
import { findOrgsByIds } from '../orgs';
import * as repo from './repo';

/**
 * Weekly roll-ups (`report_rollups`): per campaign and week, the reports received (and on time) and the change of
 * the carried-forward totals in that week. The trend is their running sum (a lookup of ≤ 160 rows, not a scan of
 * every report). Each submission adds its changes in its own transaction (`applySubmission`); a change of the
 * expected organisations clears `rollups_built_at` and the next read rebuilds them from the reports (`ensureRollups`).
 *
 * An organisation's contribution to the totals of week W is its latest report up to W, when it is expected in W
 * and — in a campaign that counts residents — no organisation above it is expected in W too (its people are in
 * that one's figures already): the same rule as the dashboard's `inTotals`.
 */

export interface RollupDelta {
  week: string;
  received: number;
  onTime: number;
  headcount: number;
  installed: number;
}

/**
 * Does an organisation count in the totals of a week (expected, and not inside another expected one for residents)?
 * `changesAt`: the only weeks where the answer can change (the periods' bounds); constant between them.
 */
export type Counted = ((week: string) => boolean) & { changesAt: string[] };

export function countedRule(c: Pick<CampaignInfo, 'countsResidents'>, own: Membership, ancestors: readonly Membership[]): Counted {
  const periods = c.countsResidents ? [own, ...ancestors] : [own];
  const changesAt = [...new Set(periods.flatMap((m) => [m.fromWeek, m.untilWeek]).filter((w): w is string => w != null))].sort();
  return Object.assign((w: string) => isExpectedInWeek(own, w) && !(c.countsResidents && ancestors.some((a) => isExpectedInWeek(a, w))), { changesAt });
}

/**
 * The changes of a weekly series of (headcount, installed) over `weeks` (ascending), as deltas at the weeks where it
 * changes; `closeAt` (the week after the series, if any) takes the last value away again.
 */
export function seriesDeltas(weeks: readonly string[], value: (week: string) => readonly [number, number], closeAt?: string): RollupDelta[] {
  const out: RollupDelta[] = [];
  let h0 = 0;
  let i0 = 0;
  for (const w of weeks) {
    const [h, i] = value(w);
    if (h !== h0 || i !== i0) out.push({ week: w, received: 0, onTime: 0, headcount: h - h0, installed: i - i0 });
    h0 = h;
    i0 = i;
  }
  if (closeAt && (h0 || i0)) out.push({ week: closeAt, received: 0, onTime: 0, headcount: -h0, installed: -i0 });
  return out;
}

/** Each organisation's ancestors (nearest first), walking up the tree one query per level through the orgs index. */
export async function ancestorsOf(db: Q, orgs: readonly { org_id: number; parent_id: number | null }[]): Promise<Map<number, number[]>> {
  const parentOf = new Map<number, number | null>(orgs.map((o) => [o.org_id, o.parent_id]));
  let unknown = [...new Set(orgs.map((o) => o.parent_id).filter((p): p is number => p != null && !parentOf.has(p)))];
  while (unknown.length) {
    const found = await findOrgsByIds(db, unknown);
    for (const id of unknown) parentOf.set(id, null);
    for (const o of found) parentOf.set(o.id, o.parentId);
    unknown = [...new Set(found.map((o) => o.parentId).filter((p): p is number => p != null && !parentOf.has(p)))];
  }
  const out = new Map<number, number[]>();
  for (const o of orgs) {
    const chain: number[] = [];
    const seen = new Set<number>([o.org_id]);
    let cursor = o.parent_id;
    while (cursor != null && !seen.has(cursor)) {
      chain.push(cursor);
      seen.add(cursor);
      cursor = parentOf.get(cursor) ?? null;
    }
    out.set(o.org_id, chain);
  }
  return out;
}

/** Who counts in the totals, per organisation (reads the ancestors' periods only for campaigns that count residents). */
async function countedRules(db: Q, c: CampaignInfo, orgs: readonly { org_id: number; parent_id: number | null; membership: Membership }[]): Promise<Map<number, Counted>> {
  const rules = new Map<number, Counted>();
  if (!c.countsResidents) {
    for (const o of orgs) rules.set(o.org_id, countedRule(c, o.membership, []));
    return rules;
  }
  const ancestors = await ancestorsOf(db, orgs);
  const all = new Set<number>();
  for (const chain of ancestors.values()) for (const a of chain) all.add(a);
  const periods = await membershipsOf(db, c.id, [...all]);
  for (const o of orgs) {
    const above = (ancestors.get(o.org_id) ?? []).map((a) => periods.get(a)).filter((m): m is Membership => m != null);
    rules.set(o.org_id, countedRule(c, o.membership, above));
  }
  return rules;
}

/** Sums deltas per week (fewer rows to write). */
function mergeByWeek(deltas: readonly RollupDelta[]): RollupDelta[] {
  const byWeek = new Map<string, RollupDelta>();
  for (const d of deltas) {
    const m = byWeek.get(d.week);
    if (m) {
      m.received += d.received;
      m.onTime += d.onTime;
      m.headcount += d.headcount;
      m.installed += d.installed;
    } else byWeek.set(d.week, { ...d });
  }
  return [...byWeek.values()].filter((d) => d.received || d.onTime || d.headcount || d.installed).sort((a, b) => (a.week < b.week ? -1 : 1));
}

/**
 * The roll-ups computed afresh from every report of the campaign (a scan: used after a change of the expected
 * organisations, and by the tests as the reference).
 */
export async function scanRollups(db: Q, c: CampaignInfo): Promise<RollupDelta[]> {
  const weeks = campaignWeeks(c);
  const members = await repo.membersWithParents(db, c.id);
  const rules = await countedRules(db, c, members);
  const reports = await repo.figuresOfCampaign(db, c.id);
  const byOrg = new Map<number, typeof reports>();
  for (const r of reports) {
    const list = byOrg.get(r.org_id);
    if (list) list.push(r);
    else byOrg.set(r.org_id, [r]);
  }
  const deltas: RollupDelta[] = [];
  for (const m of members) {
    const counted = rules.get(m.org_id)!;
    const list = byOrg.get(m.org_id) ?? [];
    for (const r of list) if (isExpectedInWeek(m.membership, r.week)) deltas.push({ week: r.week, received: 1, onTime: r.on_time ? 1 : 0, headcount: 0, installed: 0 });
    let k = -1;
    deltas.push(
      ...seriesDeltas(weeks, (w) => {
        while (k + 1 < list.length && list[k + 1].week <= w) k += 1;
        return k >= 0 && counted(w) ? [list[k].headcount, list[k].installed] : [0, 0];
      }),
    );
  }
  return mergeByWeek(deltas);
}

/** Rebuilds the campaign's roll-ups from its reports when they are marked stale (at most one rebuild at a time). */
export async function ensureRollups(db: Q, c: CampaignInfo, at: string): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await claimRollupRebuild(tx, c.id, at))) return;
    const rows = await scanRollups(tx, c);
    await repo.replaceRollups(tx, c.id, rows);
  });
}

/** What a submission changed: the organisation's figures carried at `week` before (null: none) and after. */
export interface SubmissionChange {
  orgId: number;
  parentId: number | null;
  membership: Membership;
  week: string;
  /** A first report for the week (counts as received). */
  created: boolean;
  onTime: boolean;
  before: { headcount: number; installed: number } | null;
  after: { headcount: number; installed: number };
}

/**
 * Adds a submission's changes to the roll-ups, inside the submission's transaction: the received count of its week
 * (a first report) and the totals from its week until the organisation's next report (which carries its own figures).
 */
export async function applySubmission(tx: Q, c: CampaignInfo, change: SubmissionChange): Promise<void> {
  const next = await repo.nextReportWeek(tx, c.id, change.orgId, change.week);
  const rules = c.countsResidents ? await countedRules(tx, c, [{ org_id: change.orgId, parent_id: change.parentId, membership: change.membership }]) : undefined;
  const counted = rules?.get(change.orgId) ?? countedRule(c, change.membership, []);
  const dh = change.after.headcount - (change.before?.headcount ?? 0);
  const di = change.after.installed - (change.before?.installed ?? 0);
  // The change is constant between the weeks where "counts" can change: evaluate it only at this week and those
  // (stepping through every week of the campaign cost ~1.5 ms a request in the submission path's CPU profile).
  const points = [change.week, ...counted.changesAt.filter((w) => w > change.week && (next == null || w < next))];
  const deltas = seriesDeltas(points, (w) => (counted(w) ? [dh, di] : [0, 0]), next ?? undefined);
  if (change.created) deltas.push({ week: change.week, received: 1, onTime: change.onTime ? 1 : 0, headcount: 0, installed: 0 });
  for (const d of mergeByWeek(deltas)) await repo.addToRollup(tx, c.id, d);
}

/** The trend's weekly figures from the roll-ups: received, on time and the running totals for each week up to `until`. */
export async function rollupSeries(db: Q, c: CampaignInfo, until: string): Promise<Map<string, { received: number; onTime: number; headcount: number; installed: number }>> {
  const rows = await repo.rollupsUpTo(db, c.id, until);
  const byWeek = new Map(rows.map((r) => [r.week, r]));
  const out = new Map<string, { received: number; onTime: number; headcount: number; installed: number }>();
  let headcount = 0;
  let installed = 0;
  for (const w of campaignWeeks(c, until)) {
    const r = byWeek.get(w);
    headcount += r?.headcount ?? 0;
    installed += r?.installed ?? 0;
    out.set(w, { received: r?.received ?? 0, onTime: r?.onTime ?? 0, headcount, installed });
  }
  return out;
}
