import { Router, type Request, type Response } from 'express';
import { listCampaigns } from '../reports';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { actorOf, ctxOf, formValues } from '../web/request';
import { notFound } from '../shared/errors';
import { errorMessage, formError, STATUS } from '../web/errors';
import { t } from '../shared/i18n';
import { addDays, localDate, localTime } from '../shared/time';
import { requireRole } from '../auth';
import { listGroups, listOrgs } from '../orgs';
import * as audio from './audio';
import * as schedule from './schedule';
import { remindMissed } from './missed';
import * as broadcaster from './broadcaster';
import { BroadcastCreate, CalendarQuery, ScheduleQuery } from './schemas';
import { audioUpload, receiveAudio, sendMaster } from './http';
import { postUpload } from '../web/upload';
import { safeRedirectPath } from '../web/redirect';

/** Form fields arrive as strings (and one value where the API takes a list). */
function scheduleFormToInput(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    audioId: body.audioId,
    title: body.title,
    startDate: body.startDate,
    endDate: body.endDate,
    times: String(body.times ?? '')
      .split(/[\s,;]+/)
      .filter(Boolean),
  };
  if (body.campaignId) out.campaignId = body.campaignId;
  const days = formValues(body.daysOfWeek);
  if (days.length) out.daysOfWeek = days;
  if (body.target === 'group') out.groupId = body.groupId || undefined;
  else if (body.target === 'under') out.underOrgId = body.underOrgId || undefined;
  else out.communeIds = formValues(body.communeIds);
  return out;
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** Server-rendered pages, mounted at /. */
export function pageRouter(deps: Deps): Router {
  const r = Router();

  // ---- public, content-addressed masters (the audioUrl of every feed) ----
  r.get('/audio/:file', async (req, res) => {
    const m = /^([0-9a-f]{64})\.mp3$/.exec(String(req.params.file));
    if (!m) throw notFound('Audio', 'AUDIO_NOT_FOUND');
    await sendMaster(deps, req, res, m[1]);
  });

  // ---- receivers: the same feed behind a revocable per-commune token ----
  r.get('/feed/:token/schedule.json', async (req, res) => {
    const token = await broadcaster.feedTokenOf(deps, req.params.token);
    const date = parse(ScheduleQuery, req.query).date ?? localDate(deps.clock());
    res.json({ date, orgId: token.org_id, items: await broadcaster.itemsForCommune(deps, token.org_id, date) });
  });
  r.get('/feed/:token/playlist.m3u', async (req, res) => {
    const token = await broadcaster.feedTokenOf(deps, req.params.token);
    const date = parse(ScheduleQuery, req.query).date ?? localDate(deps.clock());
    res.type('audio/x-mpegurl; charset=utf-8').send(broadcaster.toM3u(await broadcaster.itemsForCommune(deps, token.org_id, date)));
  });
  r.get('/feed/:token/schedule.ics', async (req, res) => {
    const token = await broadcaster.feedTokenOf(deps, req.params.token);
    const items = await broadcaster.calendarItems(deps, token.org_id);
    res.type('text/calendar; charset=utf-8').send(broadcaster.toIcs(items, await broadcaster.communeName(deps, token.org_id), new URL(deps.config.publicUrl).host, deps.clock()));
  });

  // ---- broadcaster's phone page ----
  async function renderBroadcaster(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(req);
    requireRole(actor, ['broadcaster']);
    const today = localDate(deps.clock());
    const { items } = await broadcaster.scheduleFor(deps, actor, { date: today }, 8);
    const days = new Map<string, unknown[]>();
    for (const i of items) {
      const d = localDate(new Date(i.scheduledAt));
      days.set(d, [...(days.get(d) ?? []), { ...i, time: localTime(new Date(i.scheduledAt)), canConfirm: i.status === 'pending' && d <= today }]);
    }
    res.status(status).render('broadcaster/index', {
      title: t(req.locale, 'nav.mySchedule'),
      commune: await broadcaster.communeName(deps, actor.orgId),
      days: [...days.entries()].map(([date, list]) => ({ date, isToday: date === today, items: list })),
      today,
      ...extra,
    });
  }

  r.get('/broadcaster', (req, res) => renderBroadcaster(req, res));

  r.post('/broadcaster/occurrences/:id/confirm', async (req, res) => {
    try {
      await broadcaster.confirmOccurrence(deps, { actor: actorOf(req) }, parse(id(), req.params.id));
      res.redirect(303, '/broadcaster?confirmed=1');
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderBroadcaster(req, res, { error: errorMessage(e, req.locale) }, STATUS[e.kind]);
    }
  });

  // ---- department pages ----
  async function renderIndex(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(req);
    requireRole(actor, audio.VIEWERS);
    const audios = await audio.listAudio(deps, actor);
    const broadcasts = await schedule.listBroadcasts(deps, actor);
    res.status(status).render('broadcasts/index', {
      title: t(req.locale, 'nav.broadcasts'),
      audios,
      readyAudios: audios.filter((a) => a.status === 'ready'),
      broadcasts: broadcasts.map((b) => ({ ...b, communes: b.communeIds.length, audio: audios.find((a) => a.id === b.audioId)?.title })),
      communes: await listOrgs(ctxOf(req), { kind: 'commune' }),
      groups: await listGroups(ctxOf(req)),
      parents: (await listOrgs(ctxOf(req), {})).filter((o) => o.kind !== 'commune'),
      weekdays: WEEKDAYS,
      campaigns: await listCampaigns(deps.db, actor),
      form: { startDate: addDays(localDate(deps.clock()), 1), endDate: addDays(localDate(deps.clock()), 7), times: '06:00, 17:00', daysOfWeek: WEEKDAYS, target: 'communes', campaignId: typeof req.query.campaignId === 'string' ? req.query.campaignId : '' },
      maxMb: deps.config.AUDIO_MAX_MB,
      ...extra,
    });
  }

  r.get('/broadcasts', (req, res) => renderIndex(req, res));

  postUpload(r, '/broadcasts/audio', deps.config.MEDIA_DIR, audioUpload(deps), async (req, res) => {
    try {
      const a = await receiveAudio(deps, req);
      res.redirect(303, `/broadcasts/audio/${a.id}`);
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderIndex(req, res, { error: errorMessage(e, req.locale), fields: e.fields }, STATUS[e.kind]);
    }
  });

  r.get('/broadcasts/audio/:id', async (req, res) => {
    const a = await audio.getAudio(deps, actorOf(req), parse(id(), req.params.id));
    res.render('broadcasts/audio', { title: a.title, audio: a, processing: a.status === 'processing' });
  });

  r.post('/broadcasts', async (req, res) => {
    const input = scheduleFormToInput(req.body ?? {});
    try {
      const { broadcast } = await schedule.createBroadcast(deps, actorOf(req), parse(BroadcastCreate, input));
      res.redirect(303, `/broadcasts/${broadcast.id}`);
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      const form = { ...req.body, daysOfWeek: formValues(req.body?.daysOfWeek).map(Number) };
      await renderIndex(req, res, { error: errorMessage(e, req.locale), fields: e.fields, form }, STATUS[e.kind]);
    }
  });

  async function renderDetail(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const actor = actorOf(req);
    const bid = parse(id(), req.params.id);
    const b = await schedule.getBroadcast(deps, actor, bid);
    const status = await schedule.broadcastStatus(deps, actor, bid);
    const calendar = await schedule.weekCalendar(deps, actor, bid, parse(CalendarQuery, req.query).week);
    const a = await audio.getAudio(deps, actor, b.audioId);
    const totals = status.byCommune.reduce((s, c) => ({ scheduled: s.scheduled + c.scheduled, played: s.played + c.played, missed: s.missed + c.missed, pending: s.pending + c.pending }), { scheduled: 0, played: 0, missed: 0, pending: 0 });
    res.render('broadcasts/show', { title: b.title, broadcast: b, audio: a, byCommune: status.byCommune, totals, calendar, ...extra });
  }

  r.get('/broadcasts/:id', (req, res) => renderDetail(req, res));

  r.post('/broadcasts/:id/remind-missed', async (req, res) => {
    const result = await remindMissed(deps, actorOf(req), parse(id(), req.params.id));
    const back = safeRedirectPath(req.body?.back, '') || null;
    if (back) return res.redirect(303, `${back}?reminded=broadcast`);
    await renderDetail(req, res, { notice: t(req.locale, 'broadcasts.reminded', { communes: result.communes }) });
  });

  r.post('/broadcasts/:id/feed-tokens', async (req, res) => {
    // The page answers with the broadcast's detail: whoever may not see it is refused before a token is made.
    const actor = actorOf(req);
    await schedule.getBroadcast(deps, actor, parse(id(), req.params.id));
    const created = await broadcaster.createFeedToken(deps, actor, { orgId: parse(id(), req.body?.orgId), label: req.body?.label || undefined });
    res.locals.createdId = created.id;
    await renderDetail(req, res, { newToken: created, notice: t(req.locale, 'broadcasts.feed.created') });
  });

  return r;
}
