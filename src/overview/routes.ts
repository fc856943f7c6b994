import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { ctxOf } from '../web/request';
import { t } from '../shared/i18n';
import { CampaignUpdate, closeCampaign, parseOptionalWeek, updateCampaign } from '../campaigns';
import { field, fieldList, formBody, parseForm, renderFormError, type FormBody } from '../web/forms';
import { listOrgs } from '../orgs';
import { campaignOverview } from './service';

/** JSON API, mounted at /api/v1. */
export function apiRouter(_deps: Deps): Router {
  const r = Router();
  r.get('/campaigns/:id/overview', async (req, res) => {
    res.json(await campaignOverview(ctxOf(req), parse(id(), req.params.id), parseOptionalWeek(req.query.week)));
  });
  return r;
}

/** The edit form's fields as the API's PATCH body: empty inputs are "not changed". */
function formToUpdate(body: FormBody): unknown {
  const weekday = field(body, 'deadlineWeekday');
  const time = field(body, 'deadlineTime');
  const add = fieldList(body, 'addOrgIds');
  const remove = fieldList(body, 'removeOrgIds');
  return {
    name: field(body, 'name'),
    endDate: field(body, 'endDate'),
    targetPercent: field(body, 'targetPercent'),
    deadline: weekday === undefined && time === undefined ? undefined : { weekday, time },
    addOrgIds: add.length ? add : undefined,
    removeOrgIds: remove.length ? remove : undefined,
    fromWeek: field(body, 'fromWeek'),
  };
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** The campaign page, mounted at /: the overview and the edit / close forms. */
export function pageRouter(_deps: Deps): Router {
  const r = Router();

  /** The page; after a failed edit, `sent` is the form as submitted, shown again beside its messages. */
  async function renderCampaign(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200, sent?: FormBody) {
    const ctx = ctxOf(req);
    const overview = await campaignOverview(ctx, parse(id(), req.params.id), parseOptionalWeek(req.query.week));
    const c = overview.campaign;
    const expected = new Set(c.orgIds);
    const orgs = await listOrgs(ctx, {});
    res.status(status).render('overview/show', {
      title: c.name,
      ...overview,
      back: `/campaigns/${c.id}`,
      notice: typeof req.query.reminded === 'string' ? t(req.locale, 'campaigns.reminded') : req.query.saved ? t(req.locale, 'campaigns.saved') : undefined,
      edit: {
        form: sent ?? { name: c.name, endDate: c.endDate, targetPercent: c.targetPercent, deadlineWeekday: String(c.deadline?.weekday ?? 5), deadlineTime: c.deadline?.time ?? '17:00', fromWeek: overview.nextActions.missingReports.week },
        weekdays: WEEKDAYS,
        addable: orgs.filter((o) => !expected.has(o.id)),
        removable: orgs.filter((o) => expected.has(o.id)),
      },
      ...extra,
    });
  }

  r.get('/campaigns/:id', (req, res) => renderCampaign(req, res));

  r.post('/campaigns/:id/edit', async (req, res) => {
    const body = formBody(req);
    try {
      const c = await updateCampaign(ctxOf(req), parse(id(), req.params.id), parseForm(CampaignUpdate, body, formToUpdate));
      res.redirect(303, `/campaigns/${c.id}?saved=1`);
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderCampaign(req, res, { ...view, fields: deadlineFields(view.fields) }, status, body));
    }
  });

  r.post('/campaigns/:id/close', async (req, res) => {
    try {
      const c = await closeCampaign(ctxOf(req), parse(id(), req.params.id));
      res.redirect(303, `/campaigns/${c.id}?saved=1`);
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderCampaign(req, res, view, status));
    }
  });
  return r;
}

/** The API names the deadline's parts `deadline.weekday` / `deadline.time`; the form's inputs are deadlineWeekday / deadlineTime. */
function deadlineFields(fields: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!fields) return undefined;
  const out: Record<string, string> = { ...fields };
  if ('deadline.weekday' in out) out.deadlineWeekday = out['deadline.weekday'];
  if ('deadline.time' in out) out.deadlineTime = out['deadline.time'];
  return out;
}
