import type { Ctx } from '../deps';
import { campaignWeek, campaignWeeks, expectedCountsByWeek, loadManagedCampaign } from '../campaigns';
import * as repo from './repo';
import { descendantIds } from '../orgs';
import type { Q } from '../db';
import { DEFAULT_PAGE_SIZE } from '../shared/paging';
import { percentOf } from './model';
import { ancestorsOf, ensureRollups, rollupSeries } from './rollups';

export interface OrgProgress {
  orgId: number;
  name: string;
  code?: string | null;
  kind?: string;
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
  /** One page of the per-organisation table (default: ranked, highest percent first, organisations without figures last). */
  byOrg: OrgProgress[];
  /** Which page `byOrg` is, of how many organisations (after search and drill-down), in which order. */
  byOrgPage: { total: number; page: number; pageSize: number; sort: DashboardSort };
  /** With `under`: the same counts and totals for that part of the organisation tree. */
  scope?: { orgId: number } & Pick<Dashboard, 'expected' | 'received' | 'onTime' | 'late' | 'totals' | 'population18' | 'percentOfPopulation18'>;
  /** Only for campaigns that count residents: the population aged 18+ of the expected areas and the installs against it. */
  population18?: number;
  percentOfPopulation18?: number | null;
}

/** Vietnamese name order; one collator (String#localeCompare with a locale looks one up on every call, 3× slower over 10,000 names). */
const byName = new Intl.Collator('vi').compare;

/**
 * The expected organisations that lie inside another expected organisation (a commune whose district is also
 * expected): their residents are already in the district's figures. The same rule as the roll-ups' (rollups.ts).
 */
export async function nestedInExpected(db: Q, orgs: readonly { org_id: number; parent_id: number | null }[]): Promise<Set<number>> {
  const expected = new Set(orgs.map((o) => o.org_id));
  const ancestors = await ancestorsOf(db, orgs);
  return new Set(orgs.filter((o) => (ancestors.get(o.org_id) ?? []).some((a) => expected.has(a))).map((o) => o.org_id));
}

/** How the per-organisation table is ordered: progress (percent, highest first), lateness (missing, then late, then on time; latest first) or name. */
export const DASHBOARD_SORTS = ['progress', 'lateness', 'name'] as const;
export type DashboardSort = (typeof DASHBOARD_SORTS)[number];

/** Which page of the per-organisation table, of which organisations. */
export interface DashboardQuery {
  week?: string;
  /** Name or code contains this (case-insensitive). */
  q?: string;
  page?: number;
  pageSize?: number;
  sort?: DashboardSort;
  /** Drill-down: only organisations inside this one (itself included), with their own totals in `scope`. */
  under?: number;
  /** Only organisations of this level of the tree (orgs' kind: district, commune…). */
  kind?: string;
}

/** Lateness: missing first, then late, then on time; the latest submission first among equals. */
function latenessKeys(a: OrgProgress, b: OrgProgress): number {
  const rank = (o: OrgProgress) => (o.submittedAt == null ? 0 : o.onTime ? 2 : 1);
  return rank(a) - rank(b) || newerFirst(a.submittedAt ?? '', b.submittedAt ?? '');
}

/** ISO timestamps order as strings; localeCompare would consult the locale on each call. */
const newerFirst = (a: string, b: string) => (a === b ? 0 : a < b ? 1 : -1);

/** Progress: percent descending, then installed descending; no figures last. */
function progressKeys(a: OrgProgress, b: OrgProgress): number {
  if (a.percent == null || b.percent == null) return a.percent == null ? (b.percent == null ? 0 : 1) : -1;
  return b.percent - a.percent || (b.installed ?? 0) - (a.installed ?? 0);
}

/** Each order's own keys; the name (Vietnamese collation) and then the id settle what they leave equal. */
const SORT_KEYS: Record<DashboardSort, (a: OrgProgress, b: OrgProgress) => number> = {
  progress: progressKeys,
  lateness: latenessKeys,
  name: () => 0,
};

/**
 * Rows [from, to) of `list` in `keys`, then name, then id order. The list is sorted by the keys alone and only the
 * runs of equal keys that reach into the page are put in name order: the collator is the dear part (a name sort
 * of 10,000 organisations costs ~50 ms, a page of the week's missing ones a few).
 */
function pageInOrder<T extends OrgProgress>(list: readonly T[], keys: (a: T, b: T) => number, from: number, to: number): T[] {
  const sorted = [...list].sort(keys);
  if (from >= sorted.length) return [];
  let lo = from;
  while (lo > 0 && keys(sorted[lo - 1], sorted[lo]) === 0) lo--;
  let hi = Math.min(to, sorted.length);
  while (hi < sorted.length && keys(sorted[hi - 1], sorted[hi]) === 0) hi++;
  const window = sorted.slice(lo, hi).sort((a, b) => keys(a, b) || byName(a.name, b.name) || a.orgId - b.orgId);
  return window.slice(from - lo, to - lo);
}

/** Folds Vietnamese for search: case and diacritics do not matter ("Ða" finds "đa", "xa" finds "xã"). */
const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase();

/**
 * The week's picture: who was expected, who reported (on time or late), who is missing, and the totals over
 * the latest report of each organisation up to that week (an agency that skipped a week still counts with its
 * last figures) — all from one pass over one aggregate query. The per-organisation table is one page of
 * `byOrg` (searched, sorted, drilled down); `byOrgPage` says which and how many. Totals are the campaign's; with
 * `under`, `scope` holds the same figures for that part of the tree.
 */
export async function dashboard(ctx: Ctx, campaignId: number, asked: string | DashboardQuery | undefined): Promise<Dashboard> {
  const query: DashboardQuery = typeof asked === 'object' ? asked : { week: asked };
  const c = await loadManagedCampaign(ctx, campaignId);
  const week = campaignWeek(c, query.week, ctx.clock());
  const rows = await repo.dashboardRows(ctx.db, c.id, week);
  // Residents are counted once: a commune inside an expected district is already in the district's figures.
  const nested = c.countsResidents ? await nestedInExpected(ctx.db, rows) : new Set<number>();
  const inside = query.under === undefined ? undefined : new Set(await descendantIds(ctx.db, query.under));
  const all = summarise(rows, nested, c.countsResidents);
  const scoped = inside ? summarise(rows.filter((r) => inside.has(Number(r.org_id))), nested, c.countsResidents) : all;
  const needle = query.q ? fold(query.q) : undefined;
  const listed = scoped.byOrg.filter((o) => (!needle || fold(o.name).includes(needle) || (o.code != null && fold(o.code).includes(needle))) && (!query.kind || o.kind === query.kind));
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  const page = query.page ?? 1;
  const out: Dashboard = {
    week,
    ...all.figures,
    missing: all.missing,
    byOrg: pageInOrder(listed, SORT_KEYS[query.sort ?? 'progress'], (page - 1) * pageSize, page * pageSize),
    byOrgPage: { total: listed.length, page, pageSize, sort: query.sort ?? 'progress' },
  };
  if (inside) out.scope = { orgId: query.under!, ...scoped.figures };
  return out;
}

type Figures = Pick<Dashboard, 'expected' | 'received' | 'onTime' | 'late' | 'totals' | 'population18' | 'percentOfPopulation18'>;

/** Counts and totals of some expected organisations' rows (one pass), with their table rows and the missing ones. */
function summarise(rows: readonly repo.DashboardRow[], nested: ReadonlySet<number>, countsResidents: boolean): { figures: Figures; byOrg: (OrgProgress & { code: string | null; kind: string })[]; missing: Dashboard['missing'] } {
  let received = 0;
  let onTime = 0;
  let headcount = 0;
  let installed = 0;
  let population18 = 0;
  const missing: Dashboard['missing'] = [];
  const byOrg = rows.map((r) => {
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
      code: r.code,
      kind: r.kind,
      headcount: r.headcount == null ? null : Number(r.headcount),
      installed: r.installed == null ? null : Number(r.installed),
      percent: percentOf(r.installed == null ? null : Number(r.installed), r.headcount == null ? null : Number(r.headcount)),
      submittedAt: thisWeek ? r.this_submitted_at : null,
      onTime: thisWeek ? Boolean(r.this_on_time) : null,
      ...(countsResidents ? { inTotals } : {}),
    };
  });
  missing.sort((a, b) => byName(a.name, b.name) || a.orgId - b.orgId);
  const figures: Figures = { expected: rows.length, received, onTime, late: received - onTime, totals: { headcount, installed, percent: percentOf(installed, headcount) ?? 0 } };
  if (countsResidents) {
    figures.population18 = population18;
    figures.percentOfPopulation18 = percentOf(installed, population18);
  }
  return { figures, byOrg, missing };
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

/**
 * Every week from the campaign's first up to `week`: totals (carried forward) and completeness, from the weekly
 * roll-ups (rebuilt first when a change of the expected organisations marked them stale) and the expected count of
 * each week (organisations added or removed from a week on).
 */
export async function trend(ctx: Ctx, campaignId: number, weekAsked: string | undefined): Promise<{ week: string; targetPercent: number; weeks: TrendPoint[] }> {
  const { db } = ctx;
  const c = await loadManagedCampaign(ctx, campaignId);
  const week = campaignWeek(c, weekAsked, ctx.clock());
  await ensureRollups(db, c, ctx.clock().toISOString());
  const series = await rollupSeries(db, c, week);
  const expectedIn = await expectedCountsByWeek(db, c, week);
  const weeks = campaignWeeks(c, week).map((w) => {
    const r = series.get(w)!;
    const expected = expectedIn.get(w) ?? 0;
    return { week: w, expected, received: r.received, onTime: r.onTime, late: r.received - r.onTime, completeness: percentOf(r.received, expected) ?? 0, headcount: r.headcount, installed: r.installed, percent: percentOf(r.installed, r.headcount) ?? 0 };
  });
  return { week, targetPercent: c.targetPercent, weeks };
}
