import type { Ctx } from '../deps';
import { campaignWeek, campaignWeeks, expectedCount, loadManagedCampaign } from '../campaigns';
import * as repo from './repo';
import { findOrgsByIds } from '../orgs';
import type { Q } from '../db';
import { percentOf } from './model';

export interface OrgProgress {
  orgId: number;
  name: string;
  headcount: number | null;
  installed: number | null;
  percent: number | null;
  submittedAt: string | null;
  onTime: boolean | null;
  /** Only for campaigns that count residents: false when an organisation above it is also expected (its people are already in that one's figures). */
  inTotals?: boolean;
}

export interface Dashboard {
  week: string;
  expected: number;
  received: number;
  onTime: number;
  late: number;
  missing: { orgId: number; name: string }[];
  totals: { headcount: number; installed: number; percent: number | null };
  /** Ranked: highest percent first, organisations without figures last. */
  byOrg: OrgProgress[];
  /** Only for campaigns that count residents: the population aged 18+ of the expected areas and the installs against it. */
  population18?: number;
  percentOfPopulation18?: number | null;
}

/** Vietnamese name order; one collator (String#localeCompare with a locale looks one up on every call, 3× slower over 10,000 names). */
const byName = new Intl.Collator('vi').compare;

/** Ranking order: percent descending, then installed descending, then name; no figures last. */
export function rankCompare(a: OrgProgress, b: OrgProgress): number {
  if (a.percent == null || b.percent == null) return a.percent == null ? (b.percent == null ? byName(a.name, b.name) : 1) : -1;
  return b.percent - a.percent || (b.installed ?? 0) - (a.installed ?? 0) || byName(a.name, b.name);
}

/**
 * The expected organisations that lie inside another expected organisation (a commune whose district is also
 * expected): their residents are already in the district's figures. Walks up the tree from the expected
 * organisations' parents, one query per level through the orgs index.
 */
export async function nestedInExpected(db: Q, orgs: readonly { org_id: number; parent_id: number | null }[]): Promise<Set<number>> {
  const expected = new Set(orgs.map((o) => o.org_id));
  const parentOf = new Map<number, number | null>(orgs.map((o) => [o.org_id, o.parent_id]));
  let unknown = [...new Set(orgs.map((o) => o.parent_id).filter((p): p is number => p != null && !parentOf.has(p)))];
  while (unknown.length) {
    const found = await findOrgsByIds(db, unknown);
    for (const id of unknown) parentOf.set(id, null);
    for (const o of found) parentOf.set(o.id, o.parentId);
    unknown = [...new Set(found.map((o) => o.parentId).filter((p): p is number => p != null && !parentOf.has(p)))];
  }
  const nested = new Set<number>();
  for (const o of orgs) {
    const seen = new Set<number>([o.org_id]);
    let cursor = o.parent_id;
    while (cursor != null && !seen.has(cursor)) {
      if (expected.has(cursor)) {
        nested.add(o.org_id);
        break;
      }
      seen.add(cursor);
      cursor = parentOf.get(cursor) ?? null;
    }
  }
  return nested;
}

/**
 * The week's picture: who was expected, who reported (on time or late), who is missing, and the totals over
 * the latest report of each organisation up to that week (an agency that skipped a week still counts with its
 * last figures).
 */
export async function dashboard(ctx: Ctx, campaignId: number, weekAsked: string | undefined): Promise<Dashboard> {
  const c = await loadManagedCampaign(ctx, campaignId);
  const week = campaignWeek(c, weekAsked, ctx.clock());
  const rows = await repo.dashboardRows(ctx.db, c.id, week);
  // Residents are counted once: a commune inside an expected district is already in the district's figures.
  const nested = c.countsResidents ? await nestedInExpected(ctx.db, rows) : new Set<number>();
  let received = 0;
  let onTime = 0;
  let headcount = 0;
  let installed = 0;
  let population18 = 0;
  const missing: Dashboard['missing'] = [];
  const byOrg: OrgProgress[] = rows.map((r) => {
    const thisWeek = r.this_submitted_at != null;
    if (thisWeek) {
      received += 1;
      if (r.this_on_time) onTime += 1;
    } else missing.push({ orgId: Number(r.org_id), name: r.name });
    const inTotals = !nested.has(Number(r.org_id));
    if (inTotals && r.installed != null && r.headcount != null) {
      headcount += Number(r.headcount);
      installed += Number(r.installed);
    }
    if (inTotals) population18 += Number(r.population18 ?? 0);
    return {
      orgId: Number(r.org_id),
      name: r.name,
      headcount: r.headcount == null ? null : Number(r.headcount),
      installed: r.installed == null ? null : Number(r.installed),
      percent: percentOf(r.installed == null ? null : Number(r.installed), r.headcount == null ? null : Number(r.headcount)),
      submittedAt: thisWeek ? r.this_submitted_at : null,
      onTime: thisWeek ? Boolean(r.this_on_time) : null,
      ...(c.countsResidents ? { inTotals } : {}),
    };
  });
  byOrg.sort(rankCompare);
  missing.sort((a, b) => byName(a.name, b.name) || a.orgId - b.orgId);
  const out: Dashboard = {
    week,
    expected: rows.length,
    received,
    onTime,
    late: received - onTime,
    missing,
    totals: { headcount, installed, percent: percentOf(installed, headcount) ?? 0 },
    byOrg,
  };
  if (c.countsResidents) {
    out.population18 = population18;
    out.percentOfPopulation18 = percentOf(installed, population18);
  }
  return out;
}

export interface TrendPoint {
  week: string;
  expected: number;
  received: number;
  onTime: number;
  late: number;
  /** received / expected × 100 */
  completeness: number;
  headcount: number;
  installed: number;
  percent: number;
}

/** Every week from the campaign's first up to `week`: totals (carried forward) and completeness. */
export async function trend(ctx: Ctx, campaignId: number, weekAsked: string | undefined): Promise<{ week: string; targetPercent: number; weeks: TrendPoint[] }> {
  const { db } = ctx;
  const c = await loadManagedCampaign(ctx, campaignId);
  const week = campaignWeek(c, weekAsked, ctx.clock());
  const expected = await expectedCount(db, c.id);
  const received = new Map((await repo.receivedByWeek(db, c.id)).map((r) => [r.week, r]));
  const deltas = await repo.totalsDeltasByWeek(db, c.id);
  let i = 0;
  let headcount = 0;
  let installed = 0;
  const weeks = campaignWeeks(c, week).map((w) => {
    while (i < deltas.length && deltas[i].week <= w) {
      headcount += deltas[i].headcount;
      installed += deltas[i].installed;
      i += 1;
    }
    const r = received.get(w);
    const got = r?.received ?? 0;
    const ok = r?.on_time ?? 0;
    return { week: w, expected, received: got, onTime: ok, late: got - ok, completeness: percentOf(got, expected) ?? 0, headcount, installed, percent: percentOf(installed, headcount) ?? 0 };
  });
  return { week, targetPercent: c.targetPercent, weeks };
}
