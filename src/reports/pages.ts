import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { actorOf, ctxOf, formValues } from '../web/request';
import { AppError } from '../shared/errors';
import { errorMessage, formError, STATUS } from '../web/errors';
import { t } from '../shared/i18n';
import { requireRole } from '../auth';
import { listOrgs, listGroups } from '../orgs';
import * as reports from './service';
import { dashboard, trend } from './dashboard';
import { listReminders, remindMissingNow } from './reminders';
import { CampaignCreate, SubmissionBody, Week, WeekQuery } from './schemas';
import { trendSvg } from './chart';
import { deadlineOf } from './weeks';
import { safeRedirectPath } from '../web/redirect';

/** A form sends strings; empty ones mean "not given". */
function formToCampaign(body: Record<string, unknown>): Record<string, unknown> {
  const pick = (k: string) => (typeof body[k] === 'string' && body[k] !== '' ? body[k] : undefined);
  const orgIds = formValues(body.orgIds);
  return {
    name: pick('name') ?? '',
    metricLabel: pick('metricLabel') ?? '',
    description: pick('description'),
    targetPercent: pick('targetPercent'),
    startDate: pick('startDate') ?? '',
    endDate: pick('endDate') ?? '',
    deadline: { weekday: pick('deadlineWeekday') ?? '', time: pick('deadlineTime') ?? '' },
    orgIds: orgIds.length && !pick('groupId') ? orgIds : undefined,
    groupId: pick('groupId'),
    reminderHoursBefore: pick('reminderHoursBefore'),
    countsResidents: body.countsResidents === 'on' || body.countsResidents === 'true' ? true : undefined,
  };
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

export function pageRouter(deps: Deps): Router {
  const r = Router();

  async function renderCampaigns(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(req);
    requireRole(actor, reports.MANAGERS);
    res.status(status).render('campaigns/index', {
      title: t(req.locale, 'reports.campaigns'),
      campaigns: await reports.listCampaigns(deps.db, actor),
      orgs: await listOrgs(ctxOf(req), {}),
      groups: await listGroups(ctxOf(req)),
      weekdays: WEEKDAYS,
      form: { targetPercent: 100, deadlineWeekday: '5', deadlineTime: '17:00', reminderHoursBefore: 24 },
      ...extra,
    });
  }

  r.get('/campaigns', (req, res) => renderCampaigns(req, res));

  r.post('/campaigns', async (req, res) => {
    try {
      const c = await reports.createCampaign(deps.db, actorOf(req), parse(CampaignCreate, formToCampaign(req.body)));
      res.locals.createdId = c.id;
      res.redirect(303, `/campaigns/${c.id}/reports`);
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderCampaigns(req, res, { error: errorMessage(e, req.locale), fields: e.fields, form: req.body }, STATUS[e.kind]);
    }
  });

  async function renderDashboard(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const actor = actorOf(req);
    const campaignId = parse(id(), req.params.id);
    const q = parse(WeekQuery, req.query);
    const now = deps.clock();
    const campaign = await reports.getCampaign(deps.db, actor, campaignId);
    const d = await dashboard(deps.db, actor, campaignId, q.week, now);
    const tr = await trend(deps.db, actor, campaignId, d.week, now);
    const row = await reports.loadCampaign(deps.db, campaignId);
    const deadline = deadlineOf(row, d.week);
    res.render('reports/dashboard', {
      title: campaign.name,
      campaign,
      d,
      ranked: d.byOrg.map((o, i) => ({ ...o, rank: o.percent == null ? null : i + 1, bar: Math.min(100, o.percent ?? 0) })),
      totalBar: Math.min(100, d.totals.percent ?? 0),
      completeness: d.expected ? Math.round((d.received * 10000) / d.expected) / 100 : 0,
      deadline: deadline?.toISOString() ?? null,
      weeks: tr.weeks.map((w) => w.week).reverse(),
      trendRows: tr.weeks,
      chart: trendSvg(tr.weeks, tr.targetPercent, {
        title: t(req.locale, 'reports.trend'),
        percent: t(req.locale, 'reports.totalPercent'),
        completeness: t(req.locale, 'reports.completeness'),
        target: t(req.locale, 'reports.target'),
      }),
      reminders: await listReminders(deps.db, actor, campaignId),
      notice: typeof req.query.reminded === 'string' ? t(req.locale, 'reports.remindedNotice', { n: req.query.reminded }) : undefined,
      ...extra,
    });
  }

  r.get('/campaigns/:id/reports', (req, res) => renderDashboard(req, res));

  r.post('/campaigns/:id/remind', async (req, res) => {
    const actor = actorOf(req);
    const campaignId = parse(id(), req.params.id);
    const week = typeof req.body.week === 'string' && req.body.week ? parse(Week, req.body.week) : undefined;
    const out = await remindMissingNow(deps, actor, campaignId, week, deps.clock());
    const back = safeRedirectPath(req.body.back, `/campaigns/${campaignId}/reports`);
    res.redirect(303, `${back}?week=${out.week}&reminded=${out.reminded}`);
  });

  async function renderMine(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(req);
    const items = await reports.myReports(deps.db, actor, deps.clock());
    res.status(status).render('reports/mine', { title: t(req.locale, 'nav.myReports'), items, ...extra });
  }

  r.get('/my-reports', (req, res) => renderMine(req, res, req.query.saved ? { notice: t(req.locale, 'reports.saved') } : {}));

  r.post('/my-reports/:campaignId', async (req, res) => {
    const actor = actorOf(req);
    const campaignId = parse(id(), req.params.campaignId);
    try {
      const week = parse(Week, req.body.week);
      const body = parse(SubmissionBody, { installed: req.body.installed ?? '', headcount: req.body.headcount || undefined, note: req.body.note || undefined });
      const result = await reports.submitReport(deps.db, actor, campaignId, week, body, deps.clock());
      res.locals.audit = { entity: 'report', entityId: `${campaignId}/${result.orgId}/${week}` };
      if (result.warnings.length) {
        await renderMine(req, res, { notice: t(req.locale, 'reports.saved'), warning: t(req.locale, 'reports.warnDecreased', { previous: result.warnings[0].previousInstalled, week: result.warnings[0].previousWeek }) });
        return;
      }
      res.redirect(303, '/my-reports?saved=1');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await renderMine(req, res, { error: errorMessage(err, req.locale), fields: err.fields, failedCampaignId: campaignId, form: req.body }, err.kind === 'forbidden' ? 403 : 400);
    }
  });

  return r;
}
