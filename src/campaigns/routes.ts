import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { t } from '../shared/i18n';
import { ctxOf } from '../web/request';
import { givenFields, listQuery, pageInMemory, pagerView } from '../shared/paging';
import { checked, field, fieldList, formBody, parseForm, renderFormError, type FormBody } from '../web/forms';
import { STAFF_ROLES, requireRole } from '../auth';
import { listGroups, pickerOrgs } from '../orgs';
import { closeCampaign, createCampaign, getCampaign, listCampaigns, updateCampaign } from './service';
import { CampaignCreate, CampaignUpdate } from './schemas';

/** JSON API, mounted at /api/v1. */
export function apiRouter(_deps: Deps): Router {
  const r = Router();

  r.get('/campaigns', async (req, res) => {
    res.json(pageInMemory(await listCampaigns(ctxOf(req)), parse(listQuery, req.query), (c) => c.name));
  });

  r.post('/campaigns', async (req, res) => {
    const campaign = await createCampaign(ctxOf(req), parse(CampaignCreate, req.body));
    res.locals.createdId = campaign.id;
    res.status(201).json(campaign);
  });

  r.get('/campaigns/:id', async (req, res) => {
    res.json(await getCampaign(ctxOf(req), parse(id(), req.params.id)));
  });

  r.patch('/campaigns/:id', async (req, res) => {
    res.json(await updateCampaign(ctxOf(req), parse(id(), req.params.id), parse(CampaignUpdate, req.body)));
  });

  r.post('/campaigns/:id/close', async (req, res) => {
    res.json(await closeCampaign(ctxOf(req), parse(id(), req.params.id)));
  });

  return r;
}

/** The campaign form's fields as the API's body: empty inputs are "not given"; a group wins over single organisations. */
function formToCampaign(body: FormBody): unknown {
  const weekday = field(body, 'deadlineWeekday');
  const time = field(body, 'deadlineTime');
  const orgIds = fieldList(body, 'orgIds');
  const groupId = field(body, 'groupId');
  return {
    name: field(body, 'name'),
    metricLabel: field(body, 'metricLabel'),
    description: field(body, 'description'),
    targetPercent: field(body, 'targetPercent'),
    startDate: field(body, 'startDate'),
    endDate: field(body, 'endDate'),
    deadline: weekday === undefined && time === undefined ? undefined : { weekday, time },
    orgIds: orgIds.length && !groupId ? orgIds : undefined,
    groupId,
    reminderHoursBefore: field(body, 'reminderHoursBefore'),
    countsResidents: checked(body, 'countsResidents') ? true : undefined,
  };
}

/** The API names the deadline's parts `deadline.weekday` / `deadline.time`; the form calls its inputs otherwise. */
function formFields(fields: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!fields) return undefined;
  const out: Record<string, string> = { ...fields };
  const rename: Record<string, string> = { 'deadline.weekday': 'deadlineWeekday', 'deadline.time': 'deadlineTime', deadline: 'deadlineWeekday' };
  for (const [from, to] of Object.entries(rename)) {
    if (from in out) {
      out[to] ??= out[from];
      if (from === 'deadline') out.deadlineTime ??= out[from];
      delete out[from];
    }
  }
  return out;
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** The campaigns page (list and create form), mounted at /. */
export function pageRouter(_deps: Deps): Router {
  const r = Router();

  /** The list and the form; `sent` is the form as submitted, shown again (with its choices) beside its messages. */
  async function renderCampaigns(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200, sent?: FormBody) {
    const ctx = ctxOf(req);
    requireRole(ctx.actor, STAFF_ROLES);
    const query = parse(listQuery, givenFields(req.query));
    const found = pageInMemory(await listCampaigns(ctx), query, (c) => c.name);
    const chosenOrgs = new Set(sent ? fieldList(sent, 'orgIds') : []);
    const chosenGroup = sent ? field(sent, 'groupId') : undefined;
    res.status(status).render('campaigns/index', {
      title: t(req.locale, 'reports.campaigns'),
      campaigns: found.items,
      pager: pagerView('/campaigns', query, found),
      orgs: (await pickerOrgs(ctx)).map((o) => ({ ...o, selected: chosenOrgs.has(String(o.id)) })),
      groups: (await listGroups(ctx)).map((g) => ({ ...g, selected: chosenGroup === String(g.id) })),
      weekdays: WEEKDAYS,
      form: sent ?? { targetPercent: 100, deadlineWeekday: '5', deadlineTime: '17:00', reminderHoursBefore: 24 },
      ...extra,
    });
  }

  r.get('/campaigns', (req, res) => renderCampaigns(req, res));

  r.post('/campaigns', async (req, res) => {
    const body = formBody(req);
    try {
      const c = await createCampaign(ctxOf(req), parseForm(CampaignCreate, body, formToCampaign));
      res.locals.createdId = c.id;
      res.redirect(303, `/campaigns/${c.id}/reports`);
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderCampaigns(req, res, { ...view, fields: formFields(view.fields) }, status, body));
    }
  });

  return r;
}
