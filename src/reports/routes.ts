import { Router } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { actorOf } from '../web/request';
import * as reports from './service';
import { dashboard, trend } from './dashboard';
import { CampaignCreate, SubmissionBody } from './schemas';
import { parseOptionalWeek, parseWeek } from './weeks';
import { pageRouter as pages } from './pages';
import { exportRoutes } from './export-routes';

/** JSON API, mounted at /api/v1. */
export function apiRouter(deps: Deps): Router {
  const r = Router();

  r.get('/campaigns', async (req, res) => {
    res.json({ items: await reports.listCampaigns(deps.db, actorOf(req)) });
  });

  r.post('/campaigns', async (req, res) => {
    const campaign = await reports.createCampaign(deps.db, actorOf(req), parse(CampaignCreate, req.body));
    res.locals.createdId = campaign.id;
    res.status(201).json(campaign);
  });

  r.get('/campaigns/:id', async (req, res) => {
    res.json(await reports.getCampaign(deps.db, actorOf(req), parse(id(), req.params.id)));
  });

  r.put('/campaigns/:id/reports/:week', async (req, res) => {
    const actor = actorOf(req);
    const campaignId = parse(id(), req.params.id);
    const week = parseWeek(req.params.week);
    const result = await reports.submitReport(deps.db, actor, campaignId, week, parse(SubmissionBody, req.body), deps.clock());
    res.locals.audit = { entity: 'report', entityId: `${campaignId}/${result.orgId}/${week}`, detail: { revision: result.revision, installed: result.installed, headcount: result.headcount } };
    res.status(result.created ? 201 : 200).json({ revision: result.revision, onTime: result.onTime, orgId: result.orgId, week, headcount: result.headcount, installed: result.installed, warnings: result.warnings });
  });

  r.get('/campaigns/:id/reports/:week', async (req, res) => {
    const actor = actorOf(req);
    const orgId = req.query.orgId ? parse(id(), req.query.orgId) : actor.orgId;
    const report = await reports.getReport(deps.db, actor, parse(id(), req.params.id), parseWeek(req.params.week), orgId);
    if (!report) {
      res.status(404).json({ error: { code: 'REPORT_NOT_FOUND', message: 'No report for this week yet' } });
      return;
    }
    res.json(report);
  });

  r.get('/campaigns/:id/dashboard', async (req, res) => {
    res.json(await dashboard(deps.db, actorOf(req), parse(id(), req.params.id), parseOptionalWeek(req.query.week), deps.clock()));
  });

  r.get('/campaigns/:id/trend', async (req, res) => {
    res.json(await trend(deps.db, actorOf(req), parse(id(), req.params.id), parseOptionalWeek(req.query.week), deps.clock()));
  });

  r.use(exportRoutes(deps));
  return r;
}

/** Server-rendered pages, mounted at /. */
export function pageRouter(deps: Deps): Router {
  return pages(deps);
}
