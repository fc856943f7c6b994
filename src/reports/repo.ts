import type { Q } from '../db';
import { chunked, insertId, isPostgres } from '../db';

/** Every query of the reports feature. Names say what they answer; nothing here reads a request. */

export interface CampaignRow {
  id: number;
  owner_org_id: number;
  name: string;
  description: string | null;
  metric_label: string | null;
  target_percent: number | string;
  start_date: string;
  end_date: string;
  deadline_weekday: number | null;
  deadline_time: string | null;
  reminder_hours_before: number | null;
  counts_residents: boolean | number;
  group_id: number | null;
  created_by: number | null;
  created_at: string;
}

export async function insertCampaign(q: Q, row: Omit<CampaignRow, 'id'>, orgIds: number[]): Promise<number> {
  const id = await insertId(q, 'campaigns', row);
  const unique = [...new Set(orgIds)];
  // SQLite's multi-row insert is a compound SELECT, limited to 500 terms.
  for (const part of chunked(unique)) {
    await q('campaign_orgs').insert(part.map((org_id) => ({ campaign_id: id, org_id })));
  }
  return id;
}

export async function findCampaign(q: Q, id: number): Promise<CampaignRow | undefined> {
  return q<CampaignRow>('campaigns').where({ id }).first();
}

/** Campaigns owned by one of `ownerOrgIds`, or (for reporters) in which `expectedOrgId` is expected; all when neither is given. */
export async function listCampaigns(q: Q, filter: { ownerOrgId?: number; expectedOrgId?: number }): Promise<CampaignRow[]> {
  const query = q<CampaignRow>('campaigns').select('campaigns.*').orderBy('campaigns.start_date', 'desc').orderBy('campaigns.id', 'desc');
  if (filter.ownerOrgId !== undefined) query.where('campaigns.owner_org_id', filter.ownerOrgId);
  if (filter.expectedOrgId !== undefined) {
    query.whereExists((sub) => sub.select(q.raw('1')).from('campaign_orgs').whereRaw('campaign_orgs.campaign_id = campaigns.id').andWhere('campaign_orgs.org_id', filter.expectedOrgId!));
  }
  return query;
}

/** Campaigns running on a local date (or ended less than 8 days before it, so the last late notices still go out). */
export async function campaignsRunningOn(q: Q, today: string, graceStart: string): Promise<CampaignRow[]> {
  return q<CampaignRow>('campaigns').where('start_date', '<=', today).andWhere('end_date', '>=', graceStart).whereNotNull('deadline_weekday');
}

export async function countExpected(q: Q, campaignIds: number[]): Promise<Map<number, number>> {
  const map = new Map<number, number>();
  if (campaignIds.length === 0) return map;
  const rows = (await q('campaign_orgs').whereIn('campaign_id', campaignIds).groupBy('campaign_id').select('campaign_id').count({ n: '*' })) as { campaign_id: number; n: number | string }[];
  for (const r of rows) map.set(Number(r.campaign_id), Number(r.n));
  return map;
}

/** The organisation's defaults (headcount, population) when it is expected in the campaign; undefined otherwise. */
export async function expectedOrg(q: Q, campaignId: number, orgId: number): Promise<{ headcount: number | null; population18: number | null } | undefined> {
  return q('campaign_orgs')
    .join('orgs', 'orgs.id', 'campaign_orgs.org_id')
    .where({ 'campaign_orgs.campaign_id': campaignId, 'campaign_orgs.org_id': orgId })
    .first('orgs.headcount', 'orgs.population18');
}

/**
 * The campaign and, when `orgId` is expected in it, that organisation's defaults: one query for the submission path.
 * undefined when there is no such campaign.
 */
export async function campaignWithExpectedOrg(q: Q, campaignId: number, orgId: number): Promise<{ campaign: CampaignRow; org: { headcount: number | null; population18: number | null } | undefined } | undefined> {
  const row = await q('campaigns as c')
    .leftJoin('campaign_orgs as co', (j) => j.on('co.campaign_id', 'c.id').andOn('co.org_id', q.raw('?', [orgId])))
    .leftJoin('orgs as o', 'o.id', 'co.org_id')
    .where('c.id', campaignId)
    .first('c.*', 'co.org_id as expected_org_id', 'o.headcount as expected_org_headcount', 'o.population18 as expected_org_population18');
  if (!row) return undefined;
  const { expected_org_id, expected_org_headcount, expected_org_population18, ...campaign } = row as CampaignRow & { expected_org_id: number | null; expected_org_headcount: number | null; expected_org_population18: number | null };
  return { campaign, org: expected_org_id == null ? undefined : { headcount: expected_org_headcount, population18: expected_org_population18 } };
}

/**
 * Serialises the writers of one organisation's reports in one campaign until the transaction ends: on PostgreSQL a
 * row lock (FOR NO KEY UPDATE, which foreign-key checks do not wait for) on its `campaign_orgs` row, which exists
 * before any report. On SQLite the single connection already runs one transaction at a time: no statement.
 */
export async function lockExpectedOrg(q: Q, campaignId: number, orgId: number): Promise<void> {
  if (!isPostgres(q)) return;
  await q('campaign_orgs').where({ campaign_id: campaignId, org_id: orgId }).forNoKeyUpdate().first('org_id');
}

export async function isExpected(q: Q, campaignId: number, orgId: number): Promise<boolean> {
  return Boolean(await q('campaign_orgs').where({ campaign_id: campaignId, org_id: orgId }).first());
}

export interface OrgBrief {
  id: number;
  name: string;
  short_name: string;
  email: string | null;
  headcount: number | null;
  population18: number | null;
  parent_id: number | null;
  place: string | null;
}

export async function findOrg(q: Q, id: number): Promise<OrgBrief | undefined> {
  return q<OrgBrief>('orgs').where({ id }).first('id', 'name', 'short_name', 'email', 'headcount', 'population18', 'parent_id', 'place');
}

export async function existingOrgIds(q: Q, ids: number[]): Promise<number[]> {
  const out: number[] = [];
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await q('orgs').whereIn('id', unique.slice(i, i + 500)).select('id');
    out.push(...rows.map((r: { id: number }) => Number(r.id)));
  }
  return out;
}

export async function groupExists(q: Q, groupId: number): Promise<boolean> {
  return Boolean(await q('recipient_groups').where({ id: groupId }).first());
}

export async function groupMemberIds(q: Q, groupId: number): Promise<number[]> {
  const rows = await q('recipient_group_members').where({ group_id: groupId }).select('org_id');
  return rows.map((r: { org_id: number }) => Number(r.org_id));
}

/** The expected organisations of a campaign, by name. */
export async function expectedOrgs(q: Q, campaignId: number): Promise<OrgBrief[]> {
  return q<OrgBrief>('campaign_orgs')
    .join('orgs', 'orgs.id', 'campaign_orgs.org_id')
    .where('campaign_orgs.campaign_id', campaignId)
    .orderBy('orgs.name')
    .orderBy('orgs.id')
    .select('orgs.id', 'orgs.name', 'orgs.short_name', 'orgs.email', 'orgs.headcount', 'orgs.population18', 'orgs.parent_id', 'orgs.place');
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
  const base = (await q('campaign_orgs as co')
    .join('orgs as o', 'o.id', 'co.org_id')
    .where('co.campaign_id', campaignId)
    .select('co.org_id', 'o.name', 'o.headcount as org_headcount', 'o.population18')) as { org_id: number; name: string; org_headcount: number | null; population18: number | null }[];
  const figures = new Map<number, Fig>();
  for (const r of (await q('report_submissions').where({ campaign_id: campaignId, week }).select(cols)) as Fig[]) figures.set(Number(r.org_id), r);

  const earlier = (await q('campaign_orgs as co')
    .where('co.campaign_id', campaignId)
    .whereNotExists((sub) => sub.select(q.raw('1')).from('report_submissions as s0').whereRaw('s0.campaign_id = co.campaign_id').whereRaw('s0.org_id = co.org_id').andWhere('s0.week', week))
    .select('co.org_id')
    .select(
      q('report_submissions as s1')
        .max('s1.week')
        .whereRaw('s1.campaign_id = co.campaign_id')
        .whereRaw('s1.org_id = co.org_id')
        .andWhere('s1.week', '<', week)
        .as('latest_week'),
    )) as { org_id: number; latest_week: string | null }[];

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
      org_headcount: r.org_headcount,
      population18: r.population18,
      latest_week: f?.week ?? null,
      headcount: f ? f.headcount : null,
      installed: f ? f.installed : null,
      this_submitted_at: thisWeek ? f!.submitted_at : null,
      this_on_time: thisWeek ? f!.on_time : null,
    };
  });
}

/** Per week: how many reported and how many of those on time. */
export async function receivedByWeek(q: Q, campaignId: number): Promise<{ week: string; received: number; on_time: number }[]> {
  const rows = await q('report_submissions')
    .where({ campaign_id: campaignId })
    .groupBy('week')
    .orderBy('week')
    .select('week')
    .count({ received: '*' })
    .select(q.raw('SUM(CASE WHEN on_time THEN 1 ELSE 0 END) AS on_time'));
  return (rows as { week: string; received: number | string; on_time: number | string }[]).map((r) => ({ week: r.week, received: Number(r.received), on_time: Number(r.on_time ?? 0) }));
}

/**
 * Changes of the carried-forward totals per week: a report adds its figures from its week until the
 * organisation's next report (LEAD over the organisation's weeks) takes them away again. A running sum over
 * the weeks gives "totals over the latest report of each organisation up to that week" for every week at once.
 */
export async function totalsDeltasByWeek(q: Q, campaignId: number): Promise<{ week: string; headcount: number; installed: number }[]> {
  const rows = await q.raw(
    `WITH x AS (
       SELECT week, headcount, installed, LEAD(week) OVER (PARTITION BY org_id ORDER BY week) AS next_week
       FROM report_submissions WHERE campaign_id = ?
     ),
     d AS (
       SELECT week AS w, headcount AS dh, installed AS di FROM x
       UNION ALL
       SELECT next_week AS w, -headcount AS dh, -installed AS di FROM x WHERE next_week IS NOT NULL
     )
     SELECT w AS week, SUM(dh) AS headcount, SUM(di) AS installed FROM d GROUP BY w ORDER BY w`,
    [campaignId],
  );
  const list = (Array.isArray(rows) ? rows : rows.rows) as { week: string; headcount: number | string; installed: number | string }[];
  return list.map((r) => ({ week: r.week, headcount: Number(r.headcount), installed: Number(r.installed) }));
}

/** Expected organisations with no report for `week`. */
export async function missingOrgs(q: Q, campaignId: number, week: string): Promise<OrgBrief[]> {
  return q<OrgBrief>('campaign_orgs as co')
    .join('orgs', 'orgs.id', 'co.org_id')
    .where('co.campaign_id', campaignId)
    .whereNotExists((sub) => sub.select(q.raw('1')).from('report_submissions as s').whereRaw('s.campaign_id = co.campaign_id').whereRaw('s.org_id = co.org_id').andWhere('s.week', week))
    .orderBy('orgs.name')
    .select('orgs.id', 'orgs.name', 'orgs.short_name', 'orgs.email', 'orgs.headcount', 'orgs.population18', 'orgs.parent_id', 'orgs.place');
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

export async function listReminders(q: Q, campaignId: number, week?: string): Promise<(ReminderRow & { org_name: string })[]> {
  const query = q('report_reminders as r')
    .join('orgs', 'orgs.id', 'r.org_id')
    .where('r.campaign_id', campaignId)
    .orderBy('r.sent_at', 'desc')
    .orderBy('r.id', 'desc')
    .select('r.*', 'orgs.name as org_name');
  if (week) query.andWhere('r.week', week);
  return query;
}
