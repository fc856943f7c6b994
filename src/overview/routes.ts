import { Router } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { ctxOf } from '../web/request';
import { t } from '../shared/i18n';
import { parseOptionalWeek } from '../campaigns';
import { campaignOverview } from './service';

/** JSON API, mounted at /api/v1. */
export function apiRouter(_deps: Deps): Router {
  const r = Router();
  r.get('/campaigns/:id/overview', async (req, res) => {
    res.json(await campaignOverview(ctxOf(req), parse(id(), req.params.id), parseOptionalWeek(req.query.week)));
  });
  return r;
}

/** The campaign page, mounted at /. */
export function pageRouter(_deps: Deps): Router {
  const r = Router();
  r.get('/campaigns/:id', async (req, res) => {
    const overview = await campaignOverview(ctxOf(req), parse(id(), req.params.id), parseOptionalWeek(req.query.week));
    res.render('overview/show', {
      title: overview.campaign.name,
      ...overview,
      back: `/campaigns/${overview.campaign.id}`,
      notice: typeof req.query.reminded === 'string' ? t(req.locale, 'campaigns.reminded') : undefined,
    });
  });
  return r;
}
