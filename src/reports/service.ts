import type { Ctx } from '../deps';
import type { Role } from '../auth';
import { authorize, can } from '../auth';
import { campaignsExpecting, campaignWeeks, campaignWithExpectedOrg, checkWeek, deadlineOf, isExpectedInWeek, loadVisibleCampaign, lockExpectedOrg, managesCampaign, REPORTER_ROLES, weekInCampaign, type CampaignInfo, type Membership } from '../campaigns';
import { findOrgById } from '../orgs';
import { conflict, forbidden, invalid, notFound } from '../shared/errors';
import { isoWeekOf } from '../shared/time';
import * as repo from './repo';
import { toRevision, type Revision } from './model';
import type { SubmissionBody } from './schemas';
import { applySubmission } from './rollups';

/** Who may enter figures for any expected organisation of a campaign its organisation runs (a reporting-specific set). */
export const SUBMIT_FOR_OTHERS = ['admin', 'secretary'] as const satisfies readonly Role[];

// ---- submissions ----

export interface SubmissionResult {
  created: boolean;
  revision: number;
  onTime: boolean;
  orgId: number;
  week: string;
  headcount: number;
  installed: number;
  /** This write changed the figures after the week's deadline (a late correction; the report keeps its first status). */
  lateRevision: boolean;
  warnings: { code: string; message: string; previousWeek?: string; previousInstalled?: number }[];
}

/** Which organisation the actor reports for, and whether it may; returns it with its default figures (`expected`: undefined when it is not expected). */
function targetOrg<O extends Membership>(actor: Ctx['actor'], c: CampaignInfo, week: string, requested: number | undefined, found: O | undefined) {
  const mayReportForOthers = can(actor, SUBMIT_FOR_OTHERS, c.ownerOrgId);
  const orgId = requested ?? actor.orgId;
  if (requested !== undefined && requested !== actor.orgId && !mayReportForOthers) {
    throw forbidden('A reporter reports for its own organisation only', 'REPORT_OTHER_ORG');
  }
  if (!mayReportForOthers) authorize(actor, REPORTER_ROLES, orgId);
  // Expected in this week (an edit may have added it later or removed it from a week on).
  const org = found && isExpectedInWeek(found, week) ? found : undefined;
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
export async function submitReport(ctx: Ctx, campaignId: number, week: string, body: SubmissionBody): Promise<SubmissionResult> {
  const { db, actor } = ctx;
  const now = ctx.clock();
  // The campaign and the organisation's defaults in one query (this path runs for every report).
  const found = await campaignWithExpectedOrg(db, campaignId, body.orgId ?? actor.orgId);
  if (!found) throw notFound('Campaign', 'CAMPAIGN_NOT_FOUND');
  const c = found.campaign;
  const { orgId, org } = targetOrg(actor, c, week, body.orgId, found.org);
  if (c.closedAt) throw conflict('CAMPAIGN_CLOSED', 'The campaign is closed: it takes no more reports');
  checkWeek(c, week);
  if (week > isoWeekOf(now)) throw invalid('WEEK_IN_FUTURE', `Week ${week} has not started yet`, { week: 'has not started yet' });

  const deadline = deadlineOf(c, week);
  const at = now.toISOString();
  const onTimeNow = deadline ? now.getTime() <= deadline.getTime() : true;
  const orgDefault = (c.countsResidents ? org.population18 : org.headcount) ?? undefined;

  return db.transaction(async (tx) => {
    await lockExpectedOrg(tx, c.id, orgId);
    const { current, previous } = await repo.currentAndPrevious(tx, c.id, orgId, week);
    const headcount = body.headcount ?? current?.headcount ?? previous?.headcount ?? orgDefault;
    if (headcount == null) throw invalid('HEADCOUNT_REQUIRED', 'The headcount is not known for this organisation; give it', { headcount: 'required' });
    if (body.installed > headcount) throw invalid('INSTALLED_OVER_HEADCOUNT', 'Installed cannot be greater than the headcount', { installed: 'cannot be greater than the headcount' });
    const values = { headcount, installed: body.installed, note: body.note || null };
    const warnings: Warning[] = [];
    if (previous && previous.installed > values.installed) {
      warnings.push({ code: 'INSTALLED_DECREASED', message: `Installed went down from ${previous.installed} (${previous.week}) to ${values.installed}`, previousWeek: previous.week, previousInstalled: previous.installed });
    }
    const base = { orgId, week, headcount, installed: values.installed, lateRevision: false, warnings };
    const rollup = { orgId, parentId: org.parentId, membership: org, week, onTime: onTimeNow, after: { headcount, installed: values.installed } };
    if (!current) {
      await repo.insertSubmission(tx, { campaign_id: c.id, org_id: orgId, week, ...values, revision: 1, submitted_at: at, on_time: onTimeNow, updated_at: at, updated_by: actor.id });
      await repo.insertRevision(tx, { campaign_id: c.id, org_id: orgId, week, revision: 1, ...values, on_time: onTimeNow, submitted_by: actor.id, submitted_at: at });
      // Until now the organisation carried its previous report's figures into this week.
      await applySubmission(tx, c, { ...rollup, created: true, before: previous ? { headcount: previous.headcount, installed: previous.installed } : null });
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
    await applySubmission(tx, c, { ...rollup, created: false, before: { headcount: current.headcount, installed: current.installed } });
    return { ...base, lateRevision: !onTimeNow, created: false, revision: next, onTime };
  });
}

/**
 * The reporter's own form (/my-reports): only a reporter, for its own organisation. Authorised before anything
 * is written (the page then lists the reporter's campaigns, which other roles may not see; a secretary enters
 * figures through the API with `orgId`).
 */
export async function submitOwnReport(ctx: Ctx, campaignId: number, week: string, body: Omit<SubmissionBody, 'orgId'>): Promise<SubmissionResult> {
  authorize(ctx.actor, REPORTER_ROLES, ctx.actor.orgId);
  return submitReport(ctx, campaignId, week, { ...body, orgId: undefined });
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
export async function getReport(ctx: Ctx, campaignId: number, week: string, orgId: number): Promise<ReportView | null> {
  const { db, actor } = ctx;
  const c = await loadVisibleCampaign(ctx, campaignId);
  if (!managesCampaign(actor, c)) authorize(actor, REPORTER_ROLES, orgId);
  checkWeek(c, week);
  const row = await repo.findSubmission(db, c.id, orgId, week);
  if (!row) return null;
  const revisions = (await repo.listRevisions(db, c.id, orgId, week)).map(toRevision);
  return { orgId, week, headcount: row.headcount, installed: row.installed, note: row.note, revision: row.revision, submittedAt: row.submitted_at, onTime: Boolean(row.on_time), revisions };
}

/** One past week of the reporter's list: its figures and status (missing, on time, late; corrected after the deadline). */
export interface PastWeek {
  week: string;
  deadline: string | null;
  status: 'missing' | 'onTime' | 'late';
  headcount: number | null;
  installed: number | null;
  revision: number | null;
  /** The latest revision came in after the deadline (a late correction of a report first sent on time, or a late report corrected). */
  correctedLate: boolean;
}

/**
 * What the reporter's form shows: each campaign its organisation reports in, this week's deadline and figures, and
 * the campaign's past weeks with their figures and status. `open` (a campaign and a past week) puts that week in
 * the form instead, to correct it (the correction is a revision recorded as late when the deadline has passed).
 */
export async function myReports(ctx: Ctx, open?: { campaignId: number; week: string }) {
  const { db, actor } = ctx;
  const now = ctx.clock();
  authorize(actor, REPORTER_ROLES, actor.orgId);
  const org = await findOrgById(db, actor.orgId);
  const thisWeek = isoWeekOf(now);
  const campaigns = (await campaignsExpecting(db, actor.orgId)).filter((c) => weekInCampaign(c, thisWeek));
  if (open) {
    const c = campaigns.find((x) => x.id === open.campaignId);
    if (!c) throw notFound('Campaign', 'CAMPAIGN_NOT_FOUND');
    checkWeek(c, open.week);
    if (open.week > thisWeek) throw invalid('WEEK_IN_FUTURE', `Week ${open.week} has not started yet`, { week: 'has not started yet' });
  }
  return Promise.all(
    campaigns.map(async (c) => {
      const week = open && open.campaignId === c.id ? open.week : thisWeek;
      const reports = await repo.submissionsOfOrg(db, c.id, actor.orgId, thisWeek);
      const byWeek = new Map(reports.map((r) => [r.week, r]));
      const current = byWeek.get(week);
      const previous = reports.find((r) => r.week < week);
      const deadline = deadlineOf(c, week);
      const pastWeeks: PastWeek[] = campaignWeeks(c, thisWeek)
        .filter((w) => w < thisWeek)
        .reverse()
        .map((w) => {
          const r = byWeek.get(w);
          const d = deadlineOf(c, w);
          return {
            week: w,
            deadline: d?.toISOString() ?? null,
            status: !r ? 'missing' : r.on_time ? 'onTime' : 'late',
            headcount: r?.headcount ?? null,
            installed: r?.installed ?? null,
            revision: r?.revision ?? null,
            correctedLate: r != null && r.revision > 1 && r.last_on_time != null && !r.last_on_time,
          };
        });
      return {
        campaign: { ...c, orgIds: [actor.orgId] },
        week,
        /** The form holds a past week (a correction), not this one. */
        correcting: week !== thisWeek,
        thisWeek,
        deadline: deadline?.toISOString() ?? null,
        overdue: deadline ? now > deadline : false,
        headcount: current?.headcount ?? previous?.headcount ?? (c.countsResidents ? org?.population18 : org?.headcount) ?? null,
        installed: current?.installed ?? null,
        previousInstalled: previous?.installed ?? null,
        note: current?.note ?? '',
        submitted: current ? { revision: current.revision, submittedAt: current.submitted_at, updatedAt: current.updated_at, onTime: Boolean(current.on_time) } : null,
        pastWeeks,
      };
    }),
  );
}
