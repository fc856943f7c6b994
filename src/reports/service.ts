import type { Db, Q } from '../db';
import { nowIso } from '../db';
import type { Actor, Role } from '../auth';
import { authorize, can } from '../auth';
import { forbidden, invalid, notFound } from '../shared/errors';
import { isoWeekOf } from '../shared/time';
import * as repo from './repo';
import { toCampaign, toRevision, type Campaign, type Revision } from './model';
import type { CampaignCreate, SubmissionBody } from './schemas';
import { checkCampaignDates, checkWeek, deadlineOf, weekInCampaign } from './weeks';

/** Who runs a campaign: staff of the owner organisation (admins everywhere). */
export const MANAGERS: readonly Role[] = ['admin', 'drafter', 'secretary', 'approver'];
/** Who may enter figures for any expected organisation. */
export const SUBMIT_FOR_OTHERS: readonly Role[] = ['admin', 'secretary'];

export async function loadCampaign(db: Q, id: number): Promise<repo.CampaignRow> {
  const row = await repo.findCampaign(db, id);
  if (!row) throw notFound('Campaign', 'CAMPAIGN_NOT_FOUND');
  return row;
}

export function canManage(actor: Actor, c: repo.CampaignRow): boolean {
  return can(actor, MANAGERS, c.owner_org_id);
}

/** Managers see a campaign; a reporter sees it when its organisation is expected to report. Others get 404. */
async function loadVisibleCampaign(db: Q, actor: Actor, id: number): Promise<repo.CampaignRow> {
  const c = await loadCampaign(db, id);
  if (canManage(actor, c)) return c;
  if (can(actor, ['reporter'], actor.orgId) && (await repo.isExpected(db, c.id, actor.orgId))) return c;
  throw notFound('Campaign', 'CAMPAIGN_NOT_FOUND');
}

/** Loads a campaign for an action only its managers may take (dashboard, exports, reminders). */
export async function loadManagedCampaign(db: Q, actor: Actor, id: number): Promise<repo.CampaignRow> {
  const c = await loadCampaign(db, id);
  authorize(actor, MANAGERS, c.owner_org_id);
  return c;
}

/**
 * For features that file a record under a campaign (a letter, a broadcast): the campaign must exist and be one
 * the actor's organisation runs. Anything else is the same 400, so other organisations' campaigns stay unseen.
 */
export async function checkCampaignLink(q: Q, actor: Actor, campaignId: number | null | undefined): Promise<void> {
  if (!campaignId) return;
  const c = await repo.findCampaign(q, campaignId);
  if (!c || !canManage(actor, c)) throw invalid('CAMPAIGN_NOT_FOUND', 'Unknown campaign', { campaignId: 'no such campaign' });
}

// ---- campaigns ----

export async function createCampaign(db: Db, actor: Actor, input: CampaignCreate): Promise<Campaign> {
  authorize(actor, MANAGERS, actor.orgId);
  checkCampaignDates(input.startDate, input.endDate);
  let orgIds: number[];
  if (input.groupId) {
    if (!(await repo.groupExists(db, input.groupId))) throw invalid('GROUP_NOT_FOUND', 'Unknown recipient group', { groupId: 'no such group' });
    orgIds = await repo.groupMemberIds(db, input.groupId);
  } else {
    orgIds = [...new Set(input.orgIds ?? [])];
    const known = new Set(await repo.existingOrgIds(db, orgIds));
    const unknown = orgIds.filter((o) => !known.has(o));
    if (unknown.length) throw invalid('ORG_NOT_FOUND', `Unknown organisation(s): ${unknown.slice(0, 20).join(', ')}`, { orgIds: `unknown: ${unknown.slice(0, 20).join(', ')}` });
  }
  if (orgIds.length === 0) throw invalid('CAMPAIGN_NO_ORGS', 'The campaign has no organisations to report', { orgIds: 'no organisations' });
  const id = await db.transaction((tx) =>
    repo.insertCampaign(
      tx,
      {
        owner_org_id: actor.orgId,
        name: input.name,
        description: input.description || null,
        metric_label: input.metricLabel,
        target_percent: input.targetPercent,
        start_date: input.startDate,
        end_date: input.endDate,
        deadline_weekday: input.deadline.weekday,
        deadline_time: input.deadline.time,
        reminder_hours_before: input.reminderHoursBefore ?? 24,
        counts_residents: input.countsResidents ?? false,
        group_id: input.groupId ?? null,
        created_by: actor.id,
        created_at: nowIso(),
      },
      orgIds,
    ),
  );
  return getCampaign(db, actor, id);
}

export async function getCampaign(db: Q, actor: Actor, id: number): Promise<Campaign> {
  const c = await loadVisibleCampaign(db, actor, id);
  const orgIds = (await repo.expectedOrgs(db, c.id)).map((o) => o.id);
  // A reporter learns only that its own organisation is expected, not who else is.
  return toCampaign(c, canManage(actor, c) ? orgIds : [actor.orgId]);
}

export interface CampaignListItem extends Omit<Campaign, 'orgIds'> {
  expected: number;
}

export async function listCampaigns(db: Q, actor: Actor): Promise<CampaignListItem[]> {
  const rows = actor.roles.includes('admin')
    ? await repo.listCampaigns(db, {})
    : can(actor, MANAGERS, actor.orgId)
      ? await repo.listCampaigns(db, { ownerOrgId: actor.orgId })
      : can(actor, ['reporter'], actor.orgId)
        ? await repo.listCampaigns(db, { expectedOrgId: actor.orgId })
        : [];
  const counts = await repo.countExpected(db, rows.map((r) => r.id));
  return rows.map((r) => {
    const { orgIds: _omit, ...rest } = toCampaign(r, []);
    return { ...rest, expected: counts.get(r.id) ?? 0 };
  });
}

// ---- submissions ----

export interface SubmissionResult {
  created: boolean;
  revision: number;
  onTime: boolean;
  orgId: number;
  week: string;
  headcount: number;
  installed: number;
  warnings: { code: string; message: string; previousWeek?: string; previousInstalled?: number }[];
}

/** Which organisation the actor reports for, and whether it may; returns it with its default figures (`expected`: undefined when it is not expected). */
function targetOrg(actor: Actor, c: repo.CampaignRow, requested: number | undefined, expected: Awaited<ReturnType<typeof repo.expectedOrg>>) {
  const mayReportForOthers = can(actor, SUBMIT_FOR_OTHERS, c.owner_org_id);
  const orgId = requested ?? actor.orgId;
  if (requested !== undefined && requested !== actor.orgId && !mayReportForOthers) {
    throw forbidden('A reporter reports for its own organisation only', 'REPORT_OTHER_ORG');
  }
  if (!mayReportForOthers) authorize(actor, ['reporter'], orgId);
  const org = expected;
  if (!org) {
    if (mayReportForOthers) throw invalid('ORG_NOT_EXPECTED', 'This organisation is not expected to report in this campaign', { orgId: 'not expected in this campaign' });
    throw forbidden('Your organisation is not expected to report in this campaign', 'ORG_NOT_EXPECTED');
  }
  return { orgId, org };
}

type Warning = SubmissionResult['warnings'][number];

/**
 * Records one organisation's figures for one week. Idempotent: the same figures again change nothing;
 * different figures become the next revision. The submission row and its revision row are written in one
 * transaction that first locks the organisation's row of the campaign (`campaign_orgs`, which exists before any
 * report): concurrent writers of one organisation queue there, each reads the figures the previous one committed,
 * and every distinct change becomes exactly one revision — no lost race, no retry (SQLite's single connection
 * serialises the transactions already). UNIQUE(campaign, org, week) and UNIQUE(…, revision) stay as the guard.
 * A missing headcount is taken from this week's report, else the previous one, else the organisation
 * (its population aged 18+ when the campaign counts residents).
 */
export async function submitReport(db: Db, actor: Actor, campaignId: number, week: string, body: SubmissionBody, now: Date): Promise<SubmissionResult> {
  // The campaign and the organisation's defaults in one query (this path runs for every report).
  const found = await repo.campaignWithExpectedOrg(db, campaignId, body.orgId ?? actor.orgId);
  if (!found) throw notFound('Campaign', 'CAMPAIGN_NOT_FOUND');
  const c = found.campaign;
  const { orgId, org } = targetOrg(actor, c, body.orgId, found.org);
  checkWeek(c, week);
  if (week > isoWeekOf(now)) throw invalid('WEEK_IN_FUTURE', `Week ${week} has not started yet`, { week: 'has not started yet' });

  const deadline = deadlineOf(c, week);
  const at = now.toISOString();
  const onTimeNow = deadline ? now.getTime() <= deadline.getTime() : true;
  const orgDefault = (c.counts_residents ? org.population18 : org.headcount) ?? undefined;

  return db.transaction(async (tx) => {
    await repo.lockExpectedOrg(tx, c.id, orgId);
    const { current, previous } = await repo.currentAndPrevious(tx, c.id, orgId, week);
    const headcount = body.headcount ?? current?.headcount ?? previous?.headcount ?? orgDefault;
    if (headcount == null) throw invalid('HEADCOUNT_REQUIRED', 'The headcount is not known for this organisation; give it', { headcount: 'required' });
    if (body.installed > headcount) throw invalid('INSTALLED_OVER_HEADCOUNT', 'Installed cannot be greater than the headcount', { installed: 'cannot be greater than the headcount' });
    const values = { headcount, installed: body.installed, note: body.note || null };
    const warnings: Warning[] = [];
    if (previous && previous.installed > values.installed) {
      warnings.push({ code: 'INSTALLED_DECREASED', message: `Installed went down from ${previous.installed} (${previous.week}) to ${values.installed}`, previousWeek: previous.week, previousInstalled: previous.installed });
    }
    const base = { orgId, week, headcount, installed: values.installed, warnings };
    if (!current) {
      await repo.insertSubmission(tx, { campaign_id: c.id, org_id: orgId, week, ...values, revision: 1, submitted_at: at, on_time: onTimeNow, updated_at: at, updated_by: actor.id });
      await repo.insertRevision(tx, { campaign_id: c.id, org_id: orgId, week, revision: 1, ...values, on_time: onTimeNow, submitted_by: actor.id, submitted_at: at });
      return { ...base, created: true, revision: 1, onTime: onTimeNow };
    }
    const onTime = Boolean(current.on_time);
    if (current.headcount === values.headcount && current.installed === values.installed && (current.note ?? null) === values.note) {
      return { ...base, created: false, revision: current.revision, onTime };
    }
    const next = current.revision + 1;
    // Under the lock nobody else can have moved the revision; the condition stays as a guard.
    if ((await repo.bumpSubmission(tx, current.id, current.revision, { ...values, updated_at: at, updated_by: actor.id })) === 0) throw new Error(`report ${c.id}/${orgId}/${week} changed under its lock`);
    await repo.insertRevision(tx, { campaign_id: c.id, org_id: orgId, week, revision: next, ...values, on_time: onTimeNow, submitted_by: actor.id, submitted_at: at });
    return { ...base, created: false, revision: next, onTime };
  });
}

/**
 * The reporter's own form (/my-reports): only a reporter, for its own organisation. Authorised before anything
 * is written (the page then lists the reporter's campaigns, which other roles may not see; a secretary enters
 * figures through the API with `orgId`).
 */
export async function submitOwnReport(db: Db, actor: Actor, campaignId: number, week: string, body: Omit<SubmissionBody, 'orgId'>, now: Date): Promise<SubmissionResult> {
  authorize(actor, ['reporter'], actor.orgId);
  return submitReport(db, actor, campaignId, week, { ...body, orgId: undefined }, now);
}

export interface ReportView {
  orgId: number;
  week: string;
  headcount: number;
  installed: number;
  note: string | null;
  revision: number;
  submittedAt: string;
  onTime: boolean;
  revisions: Revision[];
}

/** One organisation's report for one week with its history: the reporter's own, or any for the managers. */
export async function getReport(db: Q, actor: Actor, campaignId: number, week: string, orgId: number): Promise<ReportView | null> {
  const c = await loadVisibleCampaign(db, actor, campaignId);
  if (!canManage(actor, c)) authorize(actor, ['reporter'], orgId);
  checkWeek(c, week);
  const row = await repo.findSubmission(db, c.id, orgId, week);
  if (!row) return null;
  const revisions = (await repo.listRevisions(db, c.id, orgId, week)).map(toRevision);
  return { orgId, week, headcount: row.headcount, installed: row.installed, note: row.note, revision: row.revision, submittedAt: row.submitted_at, onTime: Boolean(row.on_time), revisions };
}

/** What the reporter's form shows: each campaign its organisation reports in, this week's deadline and figures. */
export async function myReports(db: Q, actor: Actor, now: Date) {
  authorize(actor, ['reporter'], actor.orgId);
  const org = await repo.findOrg(db, actor.orgId);
  const week = isoWeekOf(now);
  const campaigns = (await repo.listCampaigns(db, { expectedOrgId: actor.orgId })).filter((c) => weekInCampaign(c, week));
  return Promise.all(
    campaigns.map(async (c) => {
      const current = await repo.findSubmission(db, c.id, actor.orgId, week);
      const previous = await repo.previousSubmission(db, c.id, actor.orgId, week);
      const deadline = deadlineOf(c, week);
      return {
        campaign: toCampaign(c, [actor.orgId]),
        week,
        deadline: deadline?.toISOString() ?? null,
        overdue: deadline ? now > deadline : false,
        headcount: current?.headcount ?? previous?.headcount ?? (c.counts_residents ? org?.population18 : org?.headcount) ?? null,
        installed: current?.installed ?? null,
        previousInstalled: previous?.installed ?? null,
        note: current?.note ?? '',
        submitted: current ? { revision: current.revision, submittedAt: current.submitted_at, updatedAt: current.updated_at, onTime: Boolean(current.on_time) } : null,
      };
    }),
  );
}
