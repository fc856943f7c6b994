import type { Q } from '../db';
import { insertId } from '../db';
import { whereExpectedInWeek, type Membership } from '../campaigns';

/**
 * Every query of the reports feature (report_submissions, report_revisions, report_reminders). Names say what they
 * answer; nothing here reads a request. The dashboard and the reminders join the campaign's expected organisations
 * (`campaign_orgs`) and `orgs` for their names in the same statement — read only, for speed at 10,000 organisations;
 * those tables belong to src/campaigns and src/orgs.
 */

/** An organisation as the reminders address it. */
export interface OrgBrief {
  id: number;
  name: string;
  email: string | null;
}

// ---- submissions ----

export interface SubmissionRow {
  id: number;
  campaign_id: number;
  org_id: number;
  week: string;
  headcount: number;
  installed: number;
  note: string | null;
  revision: number;
  submitted_at: string;
  on_time: boolean | number;
  updated_at: string;
  updated_by: number | null;
}

export async function findSubmission(q: Q, campaignId: number, orgId: number, week: string): Promise<SubmissionRow | undefined> {
  return q<SubmissionRow>('report_submissions').where({ campaign_id: campaignId, org_id: orgId, week }).first();
}

/** Every report of one organisation in a campaign up to `week`, with whether its latest revision came in on time. */
export async function submissionsOfOrg(q: Q, campaignId: number, orgId: number, week: string): Promise<(SubmissionRow & { last_on_time: boolean | number | null })[]> {
  return q('report_submissions as s')
    .leftJoin('report_revisions as r', function joinLatest() {
      this.on('r.campaign_id', 's.campaign_id').andOn('r.org_id', 's.org_id').andOn('r.week', 's.week').andOn('r.revision', 's.revision');
    })
    .where({ 's.campaign_id': campaignId, 's.org_id': orgId })
    .andWhere('s.week', '<=', week)
    .orderBy('s.week', 'desc')
    .select('s.*', 'r.on_time as last_on_time');
}

/** The organisation's most recent report before `week` (for defaults and the "went down" warning). */
export async function previousSubmission(q: Q, campaignId: number, orgId: number, week: string): Promise<SubmissionRow | undefined> {
  return q<SubmissionRow>('report_submissions').where({ campaign_id: campaignId, org_id: orgId }).andWhere('week', '<', week).orderBy('week', 'desc').first();
}

/** The organisation's report for `week` (if any) and its latest report before it, in one index seek. */
export async function currentAndPrevious(q: Q, campaignId: number, orgId: number, week: string): Promise<{ current?: SubmissionRow; previous?: SubmissionRow }> {
  const rows = await q<SubmissionRow>('report_submissions').where({ campaign_id: campaignId, org_id: orgId }).andWhere('week', '<=', week).orderBy('week', 'desc').limit(2);
  const current = rows[0]?.week === week ? rows[0] : undefined;
  return { current, previous: current ? rows[1] : rows[0] };
}

export async function insertSubmission(q: Q, row: Omit<SubmissionRow, 'id'>): Promise<number> {
  return insertId(q, 'report_submissions', row);
}

/** Moves a submission from `fromRevision` to the next one; 0 when someone else changed it first. */
export async function bumpSubmission(q: Q, id: number, fromRevision: number, values: Pick<SubmissionRow, 'headcount' | 'installed' | 'note' | 'updated_at' | 'updated_by'>): Promise<number> {
  return q('report_submissions').where({ id, revision: fromRevision }).update({ ...values, revision: fromRevision + 1 });
}

export interface RevisionRow {
  id: number;
  campaign_id: number;
  org_id: number;
  week: string;
  revision: number;
  headcount: number;
  installed: number;
  note: string | null;
  on_time: boolean | number;
  submitted_by: number | null;
  submitted_at: string;
}

export async function insertRevision(q: Q, row: Omit<RevisionRow, 'id'>): Promise<void> {
  await q('report_revisions').insert(row);
}

export async function listRevisions(q: Q, campaignId: number, orgId: number, week: string): Promise<(RevisionRow & { submitted_by_name: string | null })[]> {
  return q('report_revisions')
    .leftJoin('users', 'users.id', 'report_revisions.submitted_by')
    .where({ 'report_revisions.campaign_id': campaignId, 'report_revisions.org_id': orgId, 'report_revisions.week': week })
    .orderBy('report_revisions.revision')
    .select('report_revisions.*', 'users.name as submitted_by_name');
}

export interface DashboardRow {
  org_id: number;
  name: string;
  code: string | null;
  kind: string;
  parent_id: number | null;
  org_headcount: number | null;
  population18: number | null;
  latest_week: string | null;
  headcount: number | null;
  installed: number | null;
  this_submitted_at: string | null;
  this_on_time: boolean | number | null;
}

/**
 * One row per expected organisation: its latest report up to `week` and, when it reported in `week`
 * itself, when and whether on time. Steps, the same on both engines:
 * 1. the expected organisations (no per-row subquery);
 * 2. the reports of `week` itself, by the (campaign_id, week) index: most organisations have one;
 * 3. only for the organisations without one (an anti-join: PostgreSQL hashes the week's reports instead of
 *    probing the index 10,000 times), the week of the latest earlier report: a correlated MAX(week) that seeks
 *    the UNIQUE(campaign_id, org_id, week) index;
 * 4. those reports, fetched per latest week: by the (campaign_id, week) index when most organisations share it,
 *    else by organisation id. (Joining step 3 to the reports in one statement makes PostgreSQL hash the whole
 *    table, ~5× slower at 10,000 organisations × 52 weeks.)
 */
export async function dashboardRows(q: Q, campaignId: number, week: string): Promise<DashboardRow[]> {
  type Fig = { org_id: number; week: string; headcount: number; installed: number; submitted_at: string; on_time: boolean | number };
  const cols = ['org_id', 'week', 'headcount', 'installed', 'submitted_at', 'on_time'];
  const baseRows: unknown = await whereExpectedInWeek(q('campaign_orgs as co').join('orgs as o', 'o.id', 'co.org_id').where('co.campaign_id', campaignId), week, 'co').select(
    'co.org_id',
    'o.name',
    'o.code',
    'o.kind',
    'o.parent_id',
    'o.headcount as org_headcount',
    'o.population18',
  );
  const base = baseRows as { org_id: number; name: string; code: string | null; kind: string; parent_id: number | null; org_headcount: number | null; population18: number | null }[];
  const figures = new Map<number, Fig>();
  const thisWeekRows: unknown = await q('report_submissions').where({ campaign_id: campaignId, week }).select(cols);
  const expected = new Set(base.map((r) => Number(r.org_id)));
  // Reports of organisations no longer expected this week (removed by an edit) are not this week's.
  for (const r of thisWeekRows as Fig[]) if (expected.has(Number(r.org_id))) figures.set(Number(r.org_id), r);

  const earlierRows: unknown = await whereExpectedInWeek(q('campaign_orgs as co').where('co.campaign_id', campaignId), week, 'co')
    .whereNotExists((sub) => sub.select(q.raw('1')).from('report_submissions as s0').whereRaw('s0.campaign_id = co.campaign_id').whereRaw('s0.org_id = co.org_id').andWhere('s0.week', week))
    .select('co.org_id')
    .select(
      q('report_submissions as s1')
        .max('s1.week')
        .whereRaw('s1.campaign_id = co.campaign_id')
        .whereRaw('s1.org_id = co.org_id')
        .andWhere('s1.week', '<', week)
        .as('latest_week'),
    );
  const earlier = earlierRows as { org_id: number; latest_week: string | null }[];

  const latestOf = new Map<number, string>();
  const byWeek = new Map<string, number[]>();
  for (const r of earlier) {
    if (!r.latest_week) continue;
    latestOf.set(Number(r.org_id), r.latest_week);
    const list = byWeek.get(r.latest_week);
    if (list) list.push(Number(r.org_id));
    else byWeek.set(r.latest_week, [Number(r.org_id)]);
  }
  const keep = (rows: Fig[]) => {
    for (const r of rows) if (latestOf.get(Number(r.org_id)) === r.week) figures.set(Number(r.org_id), r);
  };
  for (const [w, ids] of byWeek) {
    if (ids.length > 1000) keep(await q('report_submissions').where({ campaign_id: campaignId, week: w }).select(cols));
    else for (let i = 0; i < ids.length; i += 500) keep(await q('report_submissions').where({ campaign_id: campaignId, week: w }).whereIn('org_id', ids.slice(i, i + 500)).select(cols));
  }
  return base.map((r) => {
    const f = figures.get(Number(r.org_id));
    const thisWeek = f?.week === week;
    return {
      org_id: Number(r.org_id),
      name: r.name,
      code: r.code,
      kind: r.kind,
      parent_id: r.parent_id == null ? null : Number(r.parent_id),
      org_headcount: r.org_headcount,
      population18: r.population18,
      latest_week: f?.week ?? null,
      headcount: f ? f.headcount : null,
      installed: f ? f.installed : null,
      this_submitted_at: thisWeek ? f.submitted_at : null,
      this_on_time: thisWeek ? f.on_time : null,
    };
  });
}

/** Organisations expected in `week` with no report for it. */
export async function missingOrgs(q: Q, campaignId: number, week: string): Promise<OrgBrief[]> {
  return whereExpectedInWeek(q<OrgBrief>('campaign_orgs as co').join('orgs', 'orgs.id', 'co.org_id').where('co.campaign_id', campaignId), week, 'co')
    .whereNotExists((sub) => sub.select(q.raw('1')).from('report_submissions as s').whereRaw('s.campaign_id = co.campaign_id').whereRaw('s.org_id = co.org_id').andWhere('s.week', week))
    .orderBy('orgs.name')
    .select('orgs.id', 'orgs.name', 'orgs.email');
}

export type ExportFigures = Pick<SubmissionRow, 'org_id' | 'week' | 'headcount' | 'installed' | 'submitted_at' | 'on_time' | 'revision'>;
const EXPORT_COLS = ['org_id', 'week', 'headcount', 'installed', 'submitted_at', 'on_time', 'revision'];

/** The reports of one week (by the (campaign_id, week) index), for exports that go week by week. */
export async function submissionsOfWeek(q: Q, campaignId: number, week: string): Promise<ExportFigures[]> {
  return q('report_submissions').where({ campaign_id: campaignId, week }).select(EXPORT_COLS);
}

/** The reports of some organisations up to `until` (by the UNIQUE(campaign_id, org_id, week) index), for exports that go organisation by organisation. */
export async function submissionsOfOrgs(q: Q, campaignId: number, orgIds: number[], until: string): Promise<ExportFigures[]> {
  if (orgIds.length === 0) return [];
  return q('report_submissions').where({ campaign_id: campaignId }).whereIn('org_id', orgIds).andWhere('week', '<=', until).select(EXPORT_COLS);
}

// ---- roll-ups ----

/** Every organisation ever expected in the campaign with its parent and its period (the roll-ups' rebuild). */
export async function membersWithParents(q: Q, campaignId: number): Promise<{ org_id: number; parent_id: number | null; membership: Membership }[]> {
  const rowsRaw: unknown = await q('campaign_orgs as co').join('orgs as o', 'o.id', 'co.org_id').where('co.campaign_id', campaignId).select('co.org_id', 'o.parent_id', 'co.from_week', 'co.until_week');
  const rows = rowsRaw as {
    org_id: number;
    parent_id: number | null;
    from_week: string | null;
    until_week: string | null;
  }[];
  return rows.map((r) => ({ org_id: Number(r.org_id), parent_id: r.parent_id == null ? null : Number(r.parent_id), membership: { fromWeek: r.from_week, untilWeek: r.until_week } }));
}

/** Every report of the campaign, by organisation and week (the roll-ups' rebuild). */
export async function figuresOfCampaign(q: Q, campaignId: number): Promise<{ org_id: number; week: string; headcount: number; installed: number; on_time: boolean }[]> {
  const rowsRaw: unknown = await q('report_submissions').where({ campaign_id: campaignId }).orderBy('org_id').orderBy('week').select('org_id', 'week', 'headcount', 'installed', 'on_time');
  const rows = rowsRaw as {
    org_id: number;
    week: string;
    headcount: number;
    installed: number;
    on_time: boolean | number;
  }[];
  return rows.map((r) => ({ org_id: Number(r.org_id), week: r.week, headcount: Number(r.headcount), installed: Number(r.installed), on_time: Boolean(r.on_time) }));
}

/** The week of the organisation's next report after `week` (by the UNIQUE(campaign_id, org_id, week) index). */
export async function nextReportWeek(q: Q, campaignId: number, orgId: number, week: string): Promise<string | null> {
  const rowRaw: unknown = await q('report_submissions').where({ campaign_id: campaignId, org_id: orgId }).andWhere('week', '>', week).orderBy('week').first('week');
  const row = rowRaw as { week: string } | undefined;
  return row?.week ?? null;
}

export interface RollupRow {
  week: string;
  received: number;
  onTime: number;
  headcount: number;
  installed: number;
}

/** Adds to one week's roll-up (an upsert: the row is made by the first change of that week). */
export async function addToRollup(q: Q, campaignId: number, d: RollupRow): Promise<void> {
  await q('report_rollups')
    .insert({ campaign_id: campaignId, week: d.week, received: d.received, on_time: d.onTime, headcount_delta: d.headcount, installed_delta: d.installed })
    .onConflict(['campaign_id', 'week'])
    .merge({
      received: q.raw('report_rollups.received + excluded.received'),
      on_time: q.raw('report_rollups.on_time + excluded.on_time'),
      headcount_delta: q.raw('report_rollups.headcount_delta + excluded.headcount_delta'),
      installed_delta: q.raw('report_rollups.installed_delta + excluded.installed_delta'),
    });
}

export async function replaceRollups(q: Q, campaignId: number, rows: readonly RollupRow[]): Promise<void> {
  await q('report_rollups').where({ campaign_id: campaignId }).delete();
  const list = rows.map((d) => ({ campaign_id: campaignId, week: d.week, received: d.received, on_time: d.onTime, headcount_delta: d.headcount, installed_delta: d.installed }));
  for (let i = 0; i < list.length; i += 80) await q('report_rollups').insert(list.slice(i, i + 80));
}

export async function rollupsUpTo(q: Q, campaignId: number, until: string): Promise<RollupRow[]> {
  const rowsRaw: unknown = await q('report_rollups').where({ campaign_id: campaignId }).andWhere('week', '<=', until).orderBy('week').select('week', 'received', 'on_time', 'headcount_delta', 'installed_delta');
  const rows = rowsRaw as {
    week: string;
    received: number | string;
    on_time: number | string;
    headcount_delta: number | string;
    installed_delta: number | string;
  }[];
  return rows.map((r) => ({ week: r.week, received: Number(r.received), onTime: Number(r.on_time), headcount: Number(r.headcount_delta), installed: Number(r.installed_delta) }));
}

// ---- reminders ----

export interface ReminderRow {
  id: number;
  campaign_id: number;
  org_id: number;
  week: string;
  kind: string;
  recipients: string;
  sent_at: string;
  sent_by: number | null;
}

export async function insertReminder(q: Q, row: Omit<ReminderRow, 'id'>): Promise<number> {
  return insertId(q, 'report_reminders', row);
}

export async function reminderExists(q: Q, campaignId: number, orgId: number, week: string, kind: string): Promise<boolean> {
  return Boolean(await q('report_reminders').where({ campaign_id: campaignId, org_id: orgId, week, kind }).first('id'));
}

export async function listReminders(q: Q, campaignId: number, week?: string, limit?: number): Promise<(ReminderRow & { org_name: string })[]> {
  const query = q('report_reminders as r')
    .join('orgs', 'orgs.id', 'r.org_id')
    .where('r.campaign_id', campaignId)
    .orderBy('r.sent_at', 'desc')
    .orderBy('r.id', 'desc')
    .select('r.*', 'orgs.name as org_name');
  if (week) query.andWhere('r.week', week);
  if (limit) query.limit(limit);
  return query;
}
