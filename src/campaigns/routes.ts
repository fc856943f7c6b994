import { Router } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { actorOf } from '../web/request';
import { t } from '../shared/i18n';
import { parseOptionalWeek } from '../reports';
import { campaignOverview } from './service';

const weekOf = parseOptionalWeek;

/** JSON API, mounted at /api/v1. */
export function apiRouter(deps: Deps): Router {
  const r = Router();
  r.get('/campaigns/:id/overview', async (req, res) => {
    res.json(await campaignOverview(deps, actorOf(req), parse(id(), req.params.id), weekOf(req.query.week)));
  });
  return r;
}

/** The campaign page, mounted at /. */
export function pageRouter(deps: Deps): Router {
  const r = Router();
  r.get('/campaigns/:id', async (req, res) => {
    const overview = await campaignOverview(deps, actorOf(req), parse(id(), req.params.id), weekOf(req.query.week));
    res.render('campaigns/show', {
      title: overview.campaign.name,
      ...overview,
      back: `/campaigns/${overview.campaign.id}`,
      notice: typeof req.query.reminded === 'string' ? t(req.locale, 'campaigns.reminded') : undefined,
    });
  });
  return r;
}
