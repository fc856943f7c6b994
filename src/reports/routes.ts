import { Router } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { ctxOf } from '../web/request';
import { parseOptionalWeek, parseWeek } from '../campaigns';
import { getReport, submitReport } from './service';
import { dashboard, trend } from './dashboard';
import { DashboardQuery, SubmissionBody } from './schemas';
import { pageRouter as pages } from './pages';
import { exportRoutes } from './export-routes';

/** JSON API, mounted at /api/v1: a campaign's reports, dashboard and trend (the campaign itself: src/campaigns). */
export function apiRouter(deps: Deps): Router {
  const r = Router();

  r.put('/campaigns/:id/reports/:week', async (req, res) => {
    const ctx = ctxOf(req);
    const campaignId = parse(id(), req.params.id);
    const week = parseWeek(req.params.week);
    const result = await submitReport(ctx, campaignId, week, parse(SubmissionBody, req.body));
    res.locals.audit = { entity: 'report', entityId: `${campaignId}/${result.orgId}/${week}`, detail: { revision: result.revision, installed: result.installed, headcount: result.headcount } };
    res.status(result.created ? 201 : 200).json({ revision: result.revision, onTime: result.onTime, orgId: result.orgId, week, headcount: result.headcount, installed: result.installed, lateRevision: result.lateRevision, warnings: result.warnings });
  });

  r.get('/campaigns/:id/reports/:week', async (req, res) => {
    const ctx = ctxOf(req);
    const orgId = req.query.orgId ? parse(id(), req.query.orgId) : ctx.actor.orgId;
    const report = await getReport(ctx, parse(id(), req.params.id), parseWeek(req.params.week), orgId);
    if (!report) {
      res.status(404).json({ error: { code: 'REPORT_NOT_FOUND', message: 'No report for this week yet' } });
      return;
    }
    res.json(report);
  });

  r.get('/campaigns/:id/dashboard', async (req, res) => {
    const { week, ...query } = parse(DashboardQuery, req.query);
    res.json(await dashboard(ctxOf(req), parse(id(), req.params.id), { ...query, week: parseOptionalWeek(week) }));
  });

  r.get('/campaigns/:id/trend', async (req, res) => {
    res.json(await trend(ctxOf(req), parse(id(), req.params.id), parseOptionalWeek(req.query.week)));
  });

  r.use(exportRoutes(deps));
  return r;
}

/** Server-rendered pages, mounted at /. */
export function pageRouter(deps: Deps): Router {
  return pages(deps);
}
