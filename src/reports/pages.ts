import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { AppError, invalid } from '../shared/errors';
import { t } from '../shared/i18n';
import { formatWeek } from '../shared/time';
import { ctxOf } from '../web/request';
import { safeRedirectPath } from '../web/redirect';
import { field, formBody, parseForm, renderFormError, type FormBody } from '../web/forms';
import { deadlineOf, getCampaign, parseOptionalWeek, parseWeek } from '../campaigns';
import { myReports, submitOwnReport } from './service';
import { dashboard, trend } from './dashboard';
import { listReminders, remindMissingNow } from './reminders';
import { DashboardQuery, RemindBody, SubmissionBody } from './schemas';
import { trendSvg } from './chart';

/** The weekly report form as the API's body (no `orgId`: the reporter reports for its own organisation). */
function formToSubmission(body: FormBody): unknown {
  return { installed: field(body, 'installed'), headcount: field(body, 'headcount'), note: field(body, 'note') };
}

/**
 * Reads the weekly report form: the week (a hidden field) and the figures. When both are wrong, one 400 names every
 * field; otherwise the error is the one that failed (WEEK_INVALID, VALIDATION_FAILED).
 */
function parseReportForm(body: FormBody): { week: string; values: Omit<SubmissionBody, 'orgId'> } {
  const failures: AppError[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof AppError) || err.kind !== 'invalid') throw err;
      failures.push(err);
      return undefined;
    }
  };
  const week = attempt(() => parseWeek(field(body, 'week')));
  const values = attempt(() => parseForm(SubmissionBody, body, formToSubmission));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw invalid('VALIDATION_FAILED', 'The request is not valid', Object.assign({}, ...failures.map((f) => f.fields ?? {})) as Record<string, string>);
  return { week: week!, values: values! };
}

/**
 * The past week the reporter opened to correct (`?campaign=&week=`), or the one a failed save was for; this week
 * otherwise. A malformed week in the address opens nothing (the form's week field reports it on saving).
 */
function openWeek(req: Request, failed?: { campaignId: number; body: FormBody }): { campaignId: number; week: string } | undefined {
  const wanted = failed ? { campaign: String(failed.campaignId), week: field(failed.body, 'week') } : { campaign: req.query.campaign, week: req.query.week };
  if (typeof wanted.campaign !== 'string' || typeof wanted.week !== 'string' || !/^\d{4}-W\d{2}$/.test(wanted.week)) return undefined;
  const campaignId = Number(wanted.campaign);
  return Number.isSafeInteger(campaignId) && campaignId > 0 ? { campaignId, week: wanted.week } : undefined;
}

/** Server-rendered pages, mounted at /: a campaign's dashboard (`/campaigns/:id/reports`) and the reporter's form (`/my-reports`). */
export function pageRouter(_deps: Deps): Router {
  const r = Router();

  async function renderDashboard(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const ctx = ctxOf(req);
    const campaignId = parse(id(), req.params.id);
    // The table is one page (search, order, drill-down): 10,000 rows would make a page nobody can use.
    const { week: weekAsked, ...query } = parse(DashboardQuery, req.query);
    const week = parseOptionalWeek(weekAsked);
    const campaign = await getCampaign(ctx, campaignId);
    const d = await dashboard(ctx, campaignId, { ...query, week });
    const tr = await trend(ctx, campaignId, d.week);
    const deadline = deadlineOf(campaign, d.week);
    const offset = (d.byOrgPage.page - 1) * d.byOrgPage.pageSize;
    const pages = Math.max(1, Math.ceil(d.byOrgPage.total / d.byOrgPage.pageSize));
    const link = (page: number) => {
      const p = new URLSearchParams({ week: d.week, sort: d.byOrgPage.sort, page: String(page) });
      if (query.q) p.set('q', query.q);
      if (query.under) p.set('under', String(query.under));
      if (query.kind) p.set('kind', query.kind);
      if (req.query.pageSize) p.set('pageSize', String(d.byOrgPage.pageSize));
      return `/campaigns/${campaignId}/reports?${p.toString()}`;
    };
    res.status(status).render('reports/dashboard', {
      title: campaign.name,
      campaign,
      d,
      table: {
        q: query.q ?? '',
        sorts: (['progress', 'lateness', 'name'] as const).map((value) => ({ value, selected: value === d.byOrgPage.sort })),
        under: query.under,
        kinds: ['province', 'department', 'district', 'commune'].map((value) => ({ value, selected: value === query.kind })),
        from: d.byOrgPage.total ? offset + 1 : 0,
        to: offset + d.byOrg.length,
        total: d.byOrgPage.total,
        page: d.byOrgPage.page,
        pages,
        prev: d.byOrgPage.page > 1 ? link(d.byOrgPage.page - 1) : null,
        next: d.byOrgPage.page < pages ? link(d.byOrgPage.page + 1) : null,
      },
      // At most a hundred names of the missing on the page; the count says how many there are.
      missingShown: d.missing.slice(0, 100),
      missingMore: Math.max(0, d.missing.length - 100),
      ranked: d.byOrg.map((o, i) => ({ ...o, rank: o.percent == null || d.byOrgPage.sort !== 'progress' || query.q || query.kind || query.under ? null : offset + i + 1, bar: Math.min(100, o.percent ?? 0) })),
      totalBar: Math.min(100, (campaign.countsResidents ? d.percentOfPopulation18 : d.totals.percent) ?? 0),
      completeness: d.expected ? Math.round((d.received * 10000) / d.expected) / 100 : 0,
      deadline: deadline?.toISOString() ?? null,
      weeks: tr.weeks.map((w) => w.week).reverse(),
      trendRows: tr.weeks,
      chart: trendSvg(tr.weeks, tr.targetPercent, {
        title: t(req.locale, 'reports.trend'),
        percent: t(req.locale, 'reports.totalPercent'),
        completeness: t(req.locale, 'reports.completeness'),
        target: t(req.locale, 'reports.target'),
        week: (w: string) => formatWeek(w, req.locale),
      }),
      // The latest hundred (a province sends thousands over a campaign).
      reminders: await listReminders(ctx, campaignId, undefined, 100),
      notice: typeof req.query.reminded === 'string' ? t(req.locale, 'reports.remindedNotice', { n: req.query.reminded }) : undefined,
      ...extra,
    });
  }

  r.get('/campaigns/:id/reports', (req, res) => renderDashboard(req, res));

  // "Remind the missing now" (from the dashboard and from the campaign page, which sends `back`).
  r.post('/campaigns/:id/remind', async (req, res) => {
    const ctx = ctxOf(req);
    const campaignId = parse(id(), req.params.id);
    const body = formBody(req);
    try {
      const { week } = parseForm(RemindBody, body, (b) => ({ week: field(b, 'week') }));
      const out = await remindMissingNow(ctx, campaignId, parseOptionalWeek(week));
      const back = safeRedirectPath(field(body, 'back'), `/campaigns/${campaignId}/reports`);
      res.redirect(303, `${back}?week=${out.week}&reminded=${out.reminded}`);
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderDashboard(req, res, view, status));
    }
  });

  /** The reporter's form; after a failed save the failed campaign's inputs show what was sent, beside its messages. */
  async function renderMine(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200, failed?: { campaignId: number; body: FormBody }) {
    const open = openWeek(req, failed);
    const ctx = ctxOf(req);
    // After a failed save whose week itself was refused (outside the campaign, not started), the form shows this week.
    let listed: Awaited<ReturnType<typeof myReports>>;
    try {
      listed = await myReports(ctx, open);
    } catch (err) {
      if (!(failed && err instanceof AppError && err.kind === 'invalid')) throw err;
      listed = await myReports(ctx);
    }
    const items = listed.map((item) =>
      failed && item.campaign.id === failed.campaignId
        ? { ...item, headcount: field(failed.body, 'headcount') ?? '', installed: field(failed.body, 'installed') ?? '', note: field(failed.body, 'note') ?? '' }
        : item,
    );
    res.status(status).render('reports/mine', { title: t(req.locale, 'nav.myReports'), items, failedCampaignId: failed?.campaignId, ...extra });
  }

  r.get('/my-reports', (req, res) => renderMine(req, res, req.query.saved ? { notice: t(req.locale, req.query.late ? 'reports.savedLate' : 'reports.saved') } : {}));

  r.post('/my-reports/:campaignId', async (req, res) => {
    const ctx = ctxOf(req);
    const campaignId = parse(id(), req.params.campaignId);
    const body = formBody(req);
    try {
      const { week, values } = parseReportForm(body);
      // Only a reporter, for its own organisation: authorised before anything is written.
      const result = await submitOwnReport(ctx, campaignId, week, values);
      res.locals.audit = { entity: 'report', entityId: `${campaignId}/${result.orgId}/${week}` };
      if (result.warnings.length) {
        await renderMine(req, res, { notice: t(req.locale, 'reports.saved'), warning: t(req.locale, 'reports.warnDecreased', { previous: result.warnings[0].previousInstalled, week: formatWeek(result.warnings[0].previousWeek ?? '', req.locale) }) });
        return;
      }
      res.redirect(303, result.lateRevision ? '/my-reports?saved=1&late=1' : '/my-reports?saved=1');
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderMine(req, res, view, status, { campaignId, body }));
    }
  });

  return r;
}
