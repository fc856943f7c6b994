import { z } from 'zod';
import { Router, type Request, type Response } from 'express';
import { listCampaigns } from '../campaigns';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { givenFields, listQuery, pageInMemory, pagerView } from '../shared/paging';
import { ctxOf } from '../web/request';
import { field, fieldList, formBody, parseForm, renderFormError, type FormBody } from '../web/forms';
import { t } from '../shared/i18n';
import { addDays, formatVnDateTime, localDate, localTime } from '../shared/time';
import { PREPARER_ROLES, STAFF_ROLES, can, hasRole, requireRole } from '../auth';
import { listGroups, pickerOrgs } from '../orgs';
import * as audio from './audio';
import * as schedule from './schedule';
import { remindMissed } from './missed';
import * as broadcaster from './broadcaster';
import { pendingAlerts } from './emergency';
import { listReceivers } from './receivers';
import { listClashes, orderClash } from './clashes';
import { activityReport } from './activity';
import { cancelBroadcast, cancellationsFor } from './cancel';
import { ActivityQuery, BroadcastCreate, CancelBody, CalendarQuery, ClashOrder, EmergencyCreate, MissedNoteBody, PlanPreview, FeedTokenCreate, ReceiversQuery, ScheduleQuery } from './schemas';
import { audioUpload, receiveAudio } from './http';
import { postUpload } from '../web/upload';
import { safeRedirectPath } from '../web/redirect';

/**
 * The schedule form in the API's shape (BroadcastCreate): times typed in one box, the communes named the way the
 * radio button says. A choice left empty is passed as "" so that the schema says "required" beside it.
 */
function scheduleFormToInput(body: FormBody): Record<string, unknown> {
  const out: Record<string, unknown> = {
    audioId: field(body, 'audioId'),
    title: field(body, 'title'),
    startDate: field(body, 'startDate'),
    endDate: field(body, 'endDate'),
    times: (field(body, 'times') ?? '').split(/[\s,;]+/).filter(Boolean),
  };
  const campaignId = field(body, 'campaignId');
  if (campaignId) out.campaignId = campaignId;
  const klass = field(body, 'class');
  if (klass) out.class = klass;
  Object.assign(out, recurrenceFormToInput(body));
  const days = fieldList(body, 'daysOfWeek');
  if (days.length) out.daysOfWeek = days;
  const target = field(body, 'target');
  if (target === 'group') out.groupId = field(body, 'groupId') ?? '';
  else if (target === 'under') out.underOrgId = field(body, 'underOrgId') ?? '';
  else out.communeIds = fieldList(body, 'communeIds');
  return out;
}

/** Holidays typed in one box; "the n-th weekday of the month" as two selects (both or neither). */
function recurrenceFormToInput(body: FormBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const except = (field(body, 'exceptDates') ?? '').split(/[\s,;]+/).filter(Boolean);
  if (except.length) out.exceptDates = except;
  const week = field(body, 'monthlyWeek');
  const weekday = field(body, 'monthlyWeekday');
  if (week || weekday) out.monthlyOn = [{ week: week ?? '', weekday: weekday ?? '' }];
  return out;
}

/** The plan part of the schedule form, for the preview of its slots. */
function planFormToInput(body: FormBody): Record<string, unknown> {
  const out: Record<string, unknown> = {
    startDate: field(body, 'startDate'),
    endDate: field(body, 'endDate'),
    times: (field(body, 'times') ?? '').split(/[\s,;]+/).filter(Boolean),
    ...recurrenceFormToInput(body),
  };
  const days = fieldList(body, 'daysOfWeek');
  if (days.length) out.daysOfWeek = days;
  return out;
}

/** A recurrence rule's element errors (`monthlyOn.0.week`) are shown beside the rule's selects. */
function recurrenceFields(fields: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!fields) return fields;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k.startsWith('monthlyOn') ? 'monthlyOn' : k.replace(/\.\d+$/, '')] ??= v;
  return out;
}

/** What the schedule form shows again after an error: what was typed and chosen. */
function scheduleFormValues(body: FormBody): Record<string, unknown> {
  const num = (k: string) => (field(body, k) === undefined ? undefined : Number(field(body, k)));
  return {
    audioId: num('audioId'),
    title: field(body, 'title') ?? '',
    startDate: field(body, 'startDate') ?? '',
    endDate: field(body, 'endDate') ?? '',
    times: field(body, 'times') ?? '',
    daysOfWeek: fieldList(body, 'daysOfWeek').map(Number),
    target: field(body, 'target') ?? 'communes',
    communeIds: fieldList(body, 'communeIds').map(Number),
    groupId: num('groupId'),
    underOrgId: num('underOrgId'),
    campaignId: field(body, 'campaignId') ?? '',
    class: field(body, 'class') ?? 'normal',
    exceptDates: field(body, 'exceptDates') ?? '',
    monthlyWeek: field(body, 'monthlyWeek') ?? '',
    monthlyWeekday: field(body, 'monthlyWeekday') ?? '',
  };
}

/** The emergency form in the API's shape (EmergencyCreate). */
function emergencyFormToInput(body: FormBody): Record<string, unknown> {
  const out: Record<string, unknown> = { audioId: field(body, 'audioId'), title: field(body, 'title'), class: 'emergency', communeIds: fieldList(body, 'communeIds') };
  const minutes = field(body, 'confirmWithinMinutes');
  if (minutes) out.confirmWithinMinutes = minutes;
  return out;
}

/** A list's element errors (`times.0`, `daysOfWeek.1`) are shown beside the list's one input. */
function byInput(fields: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!fields) return fields;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k.replace(/\.\d+$/, '')] ??= v;
  return out;
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** Server-rendered pages, mounted at /. */
/** The broadcasts page: one search over broadcasts and audio, each list with its own page. */
const BroadcastsPageQuery = listQuery.extend({ apage: z.coerce.number().int().min(1).max(100_000).default(1), campaignId: z.string().optional() });

export function pageRouter(deps: Deps): Router {
  const r = Router();

  // ---- receivers: the same feed behind a revocable per-commune token ----
  r.get('/feed/:token/schedule.json', async (req, res) => {
    const token = await broadcaster.feedTokenOf(deps, req.params.token);
    const date = parse(ScheduleQuery, req.query).date ?? localDate(deps.clock());
    res.json({ date, orgId: token.org_id, items: await broadcaster.itemsForCommune(deps, token.org_id, date), cancellations: await cancellationsFor(deps, token.org_id) });
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
    const ctx = ctxOf(req);
    requireRole(ctx.actor, audio.BROADCASTER_ROLES);
    const today = localDate(ctx.clock());
    const failed = extra.failedOccurrence;
    // The last PAST_DAYS_SHOWN days (played and missed slots, notes) and the eight days from today.
    const { items } = await broadcaster.scheduleFor(ctx, { date: addDays(today, -broadcaster.PAST_DAYS_SHOWN) }, broadcaster.PAST_DAYS_SHOWN + 8);
    const extras = await broadcaster.slotExtras(ctx, items.map((i) => i.occurrenceId));
    const earliest = ctx.clock().getTime() + broadcaster.CONFIRM_EARLY_MINUTES * 60_000;
    // Emergencies waiting for "Đã phát" stand above the schedule; the page polls for new ones (public/app.js).
    // A priority bulletin overlapping the commune's own slot: the commune chooses which plays first.
    const clashes = (await listClashes(ctx, { date: today })).items.map((c) => ({
      ...c,
      time: localTime(new Date(c.at)),
      key: [...c.order].sort((a, b) => a - b).join('-'),
      failed: extra.failedClash === [...c.order].sort((a, b) => a - b).join(','),
      choices: c.items.map((i) => ({ title: i.title, class: i.class, ids: [i.occurrenceId, ...c.items.filter((o) => o !== i).map((o) => o.occurrenceId)], choiceId: `clash-${c.order.join('-')}-${i.occurrenceId}`, first: c.order[0] === i.occurrenceId })),
    }));
    const alerts = (await pendingAlerts(ctx)).items.map((a) => ({ ...a, deadlineTime: localTime(new Date(a.deadline!)), failed: a.occurrenceId === failed }));
    const days = new Map<string, unknown[]>();
    for (const i of items) {
      const d = localDate(new Date(i.scheduledAt));
      const x = extras.get(i.occurrenceId);
      const item = {
        ...i,
        time: localTime(new Date(i.scheduledAt)),
        // Only from a little before the slot's time (the service refuses earlier with 409 OCCURRENCE_TOO_EARLY).
        canConfirm: i.status === 'pending' && new Date(i.scheduledAt).getTime() <= earliest,
        canUndo: x?.canUndo ?? false,
        canNote: i.status === 'missed',
        note: x?.note ?? null,
        failed: i.occurrenceId === failed,
      };
      days.set(d, [...(days.get(d) ?? []), item]);
    }
    const cancellations = (await cancellationsFor(ctx, ctx.actor.orgId)).map((c) => ({ ...c, at: formatVnDateTime(c.cancelledAt) }));
    res.status(status).render('broadcaster/index', {
      title: t(req.locale, 'nav.mySchedule'),
      cancellations,
      commune: await broadcaster.communeName(ctx, ctx.actor.orgId),
      days: [...days.entries()].map(([date, list]) => ({ date, isToday: date === today, isPast: date < today, items: list })),
      alerts,
      clashes,
      alertIds: alerts.map((a) => a.occurrenceId).join(','),
      today,
      confirmed: req.query.confirmed === '1',
      undone: req.query.undone === '1',
      noted: req.query.noted === '1',
      undoMinutes: broadcaster.UNDO_CONFIRM_MINUTES,
      ...extra,
    });
  }

  r.get('/broadcaster', (req, res) => renderBroadcaster(req, res));

  r.post('/broadcaster/clashes/order', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    const ids = fieldList(body, 'occurrenceIds');
    try {
      await orderClash(ctx, parseForm(ClashOrder, body, () => ({ occurrenceIds: ids })).occurrenceIds);
      res.redirect(303, '/broadcaster');
    } catch (err) {
      const sorted = [...ids].map(Number).sort((a, b) => a - b);
      await renderFormError(err, req, res, (view, status) => renderBroadcaster(req, res, { error: view.fields?.occurrenceIds ?? view.error, failedClash: sorted.join(',') }, status));
    }
  });

  // What the broadcaster's page polls every few seconds (the signed-in session; no receiver token).
  r.get('/broadcaster/alerts.json', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await pendingAlerts(ctxOf(req)));
  });

  r.post('/broadcaster/occurrences/:id/confirm', async (req, res) => {
    const ctx = ctxOf(req);
    const occurrenceId = parse(id(), req.params.id);
    try {
      await broadcaster.confirmOccurrence(ctx, occurrenceId);
      res.redirect(303, '/broadcaster?confirmed=1');
    } catch (err) {
      // The refusal (not due yet, taken off the schedule, too late) shows beside the slot it concerns.
      await renderFormError(err, req, res, (view, status) => renderBroadcaster(req, res, { error: view.error, failedOccurrence: occurrenceId }, status));
    }
  });

  r.post('/broadcaster/occurrences/:id/undo', async (req, res) => {
    const ctx = ctxOf(req);
    const occurrenceId = parse(id(), req.params.id);
    try {
      await broadcaster.undoConfirmation(ctx, occurrenceId);
      res.redirect(303, '/broadcaster?undone=1');
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderBroadcaster(req, res, { error: view.error, failedOccurrence: occurrenceId }, status));
    }
  });

  r.post('/broadcaster/occurrences/:id/note', async (req, res) => {
    const ctx = ctxOf(req);
    const occurrenceId = parse(id(), req.params.id);
    const body = formBody(req);
    try {
      const { note } = parseForm(MissedNoteBody, body, (b) => ({ note: field(b, 'note') }));
      await broadcaster.noteMissed(ctx, occurrenceId, note);
      res.redirect(303, '/broadcaster?noted=1');
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderBroadcaster(req, res, { error: view.fields?.note ?? view.error, failedOccurrence: occurrenceId, failedNote: field(body, 'note') ?? '' }, status));
    }
  });

  // ---- department pages ----
  async function renderIndex(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const ctx = ctxOf(req);
    const { actor } = ctx;
    requireRole(actor, STAFF_ROLES);
    const audios = await audio.listAudio(ctx);
    // One search box for both lists (titles); the broadcasts page by `page`, the audio list by `apage`.
    const query = parse(BroadcastsPageQuery, givenFields(req.query));
    const broadcastsFound = pageInMemory(await schedule.listBroadcasts(ctx), query, (b) => b.title);
    const audiosFound = pageInMemory(audios, { ...query, page: query.apage }, (a) => a.title);
    const broadcasts = broadcastsFound.items;
    const today = localDate(ctx.clock());
    const campaignId = typeof req.query.campaignId === 'string' ? req.query.campaignId : '';
    res.status(status).render('broadcasts/index', {
      title: t(req.locale, 'nav.broadcasts'),
      canPrepare: hasRole(actor, PREPARER_ROLES),
      audios: audiosFound.items,
      pager: pagerView('/broadcasts', query, broadcastsFound),
      audioPager: pagerView('/broadcasts', query, audiosFound, 'apage'),
      readyAudios: audios.filter((a) => a.status === 'ready'),
      broadcasts: broadcasts.map((b) => ({ ...b, communes: b.communeIds.length, audio: audios.find((a) => a.id === b.audioId)?.title })),
      communes: await pickerOrgs(ctx, { kind: 'commune' }),
      groups: await listGroups(ctx),
      parents: (await pickerOrgs(ctx)).filter((o) => o.kind !== 'commune'),
      weekdays: WEEKDAYS,
      campaigns: await listCampaigns(ctx),
      form: { startDate: addDays(today, 1), endDate: addDays(today, 7), times: '06:00, 17:00', daysOfWeek: WEEKDAYS, target: 'communes', communeIds: [], campaignId, class: 'normal' },
      emergencyForm: { title: '', communeIds: [], confirmWithinMinutes: ctx.config.EMERGENCY_CONFIRM_MINUTES },
      monthlyWeeks: [1, 2, 3, 4, 5, -1],
      scheduledClasses: ['normal', 'priority'],
      audioForm: { title: '' },
      maxMb: ctx.config.AUDIO_MAX_MB,
      ...extra,
    });
  }

  r.get('/broadcasts', (req, res) => renderIndex(req, res));

  postUpload(r, '/broadcasts/audio', deps.config.MEDIA_DIR, audioUpload(deps), async (req, res) => {
    try {
      const a = await receiveAudio(req);
      res.redirect(303, `/broadcasts/audio/${a.id}`);
    } catch (err) {
      const audioForm = { title: field(formBody(req), 'title') ?? '' };
      // A refusal without fields (too large, not audio, unreadable body) is about the file.
      await renderFormError(err, req, res, (view, status) => renderIndex(req, res, { error: view.error, audioFields: view.fields ?? { file: view.error }, audioForm }, status));
    }
  });

  r.get('/broadcasts/audio/:id', async (req, res) => {
    const a = await audio.getAudio(ctxOf(req), parse(id(), req.params.id));
    res.render('broadcasts/audio', { title: a.title, audio: a, processing: a.status === 'processing' });
  });

  r.post('/broadcasts', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    try {
      const { broadcast } = await schedule.createBroadcast(ctx, parseForm(BroadcastCreate, body, scheduleFormToInput));
      res.redirect(303, `/broadcasts/${broadcast.id}`);
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderIndex(req, res, { error: view.error, fields: recurrenceFields(view.fields), form: scheduleFormValues(body) }, status));
    }
  });

  // The slots the form's plan makes, shown above the form before saving (nothing is saved).
  r.post('/broadcasts/preview', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    try {
      const p = parseForm(PlanPreview, body, planFormToInput);
      const preview = schedule.previewPlan(ctx, { ...p, daysOfWeek: p.daysOfWeek ?? WEEKDAYS });
      await renderIndex(req, res, { preview, form: scheduleFormValues(body) });
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderIndex(req, res, { error: view.error, fields: recurrenceFields(view.fields), form: scheduleFormValues(body) }, status));
    }
  });

  r.post('/broadcasts/emergency', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    try {
      const { broadcast } = await schedule.createEmergency(ctx, parseForm(EmergencyCreate, body, emergencyFormToInput));
      res.redirect(303, `/broadcasts/${broadcast.id}`);
    } catch (err) {
      const emergencyForm = { audioId: Number(field(body, 'audioId')), title: field(body, 'title') ?? '', communeIds: fieldList(body, 'communeIds').map(Number), confirmWithinMinutes: field(body, 'confirmWithinMinutes') ?? '' };
      await renderFormError(err, req, res, (view, status) => renderIndex(req, res, { error: view.error, emergencyFields: byInput(view.fields) ?? { audioId: view.error }, emergencyForm }, status));
    }
  });

  // Per commune and period: scheduled, played, missed, emergency response; with the XLSX and the báo cáo DOCX.
  r.get('/broadcasts/activity', async (req, res) => {
    const ctx = ctxOf(req);
    const today = localDate(ctx.clock());
    const query = { from: typeof req.query.from === 'string' && req.query.from ? req.query.from : addDays(today, -6), to: typeof req.query.to === 'string' && req.query.to ? req.query.to : today };
    try {
      const q = parseForm(ActivityQuery, query as FormBody);
      const report = await activityReport(ctx, q);
      res.render('broadcasts/activity', { title: t(req.locale, 'broadcasts.activity.title'), report, query });
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => {
        res.status(status).render('broadcasts/activity', { title: t(req.locale, 'broadcasts.activity.title'), query, error: view.error, fields: view.fields });
        return Promise.resolve();
      });
    }
  });

  async function renderDetail(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const ctx = ctxOf(req);
    const bid = parse(id(), req.params.id);
    const b = await schedule.getBroadcast(ctx, bid);
    const reordered = new Map((await schedule.reorderedBy(ctx, bid)).items.map((i) => [i.orgId, i.reordered]));
    const st = await schedule.broadcastStatus(ctx, bid);
    const byCommune = st.byCommune.map((c) => ({ ...c, reordered: reordered.get(c.orgId) ?? 0 }));
    const missedNotes = st.missedNotes.map((n) => ({ ...n, time: localTime(new Date(n.scheduledAt)), day: localDate(new Date(n.scheduledAt)) }));
    const calendar = await schedule.weekCalendar(ctx, bid, parse(CalendarQuery, req.query).week);
    const a = await audio.getAudio(ctx, b.audioId);
    const totals = byCommune.reduce((s, c) => ({ scheduled: s.scheduled + c.scheduled, played: s.played + c.played, missed: s.missed + c.missed, pending: s.pending + c.pending }), { scheduled: 0, played: 0, missed: 0, pending: 0 });
    // A refused token shows beside the commune's button when it names one of the rows, else under the table.
    const tokenError = extra.tokenError as { orgId: number; message: string } | undefined;
    const tokenRow = tokenError && byCommune.some((c) => c.orgId === tokenError.orgId) ? tokenError.orgId : undefined;
    res.status(status).render('broadcasts/show', {
      title: b.title,
      broadcast: b,
      audio: a,
      byCommune,
      missedNotes,
      totals,
      calendar,
      canPrepare: can(ctx.actor, PREPARER_ROLES, [b.ownerOrgId]),
      // Hủy lịch: a live scheduled broadcast with something left to play
      canCancel: can(ctx.actor, PREPARER_ROLES, [b.ownerOrgId]) && !b.cancelledAt && b.class !== 'emergency' && totals.pending > 0,
      cancelledAt: b.cancelledAt && formatVnDateTime(b.cancelledAt),
      ...extra,
      tokenError: tokenError && { rowOrgId: tokenRow, message: tokenError.message },
    });
  }

  // The department's view of the communes' IP receivers: last heartbeat, up/down, what each holds, who is silent.
  r.get('/broadcasts/receivers', async (req, res) => {
    const ctx = ctxOf(req);
    const orgId = parse(ReceiversQuery, req.query).orgId;
    const { items, silent, silentMinutes } = await listReceivers(ctx, orgId);
    res.render('broadcasts/receivers', { title: t(req.locale, 'broadcasts.receivers.title'), items: items.map((i) => ({ ...i, up: i.status === 'up', fileCount: i.files.length })), silent, silentMinutes });
  });

  r.get('/broadcasts/:id', (req, res) => renderDetail(req, res));

  r.post('/broadcasts/:id/cancel', async (req, res) => {
    const body = formBody(req);
    try {
      const { reason } = parseForm(CancelBody, body, (b) => ({ reason: field(b, 'reason') ?? '' }));
      const result = await cancelBroadcast(ctxOf(req), parse(id(), req.params.id), reason);
      res.locals.audit = { entity: 'broadcasts', entityId: result.id, detail: { reason: result.reason, cancelled: result.cancelled, communes: result.communes } };
      await renderDetail(req, res, { notice: t(req.locale, 'broadcasts.cancel.done', { cancelled: result.cancelled, communes: result.communes, messages: result.messages }) });
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderDetail(req, res, { cancelError: view.fields?.reason ?? view.error, cancelReason: field(body, 'reason') ?? '' }, status));
    }
  });

  r.post('/broadcasts/:id/remind-missed', async (req, res) => {
    const result = await remindMissed(ctxOf(req), parse(id(), req.params.id));
    const back = safeRedirectPath(field(formBody(req), 'back'), '') || null;
    if (back) return res.redirect(303, `${back}?reminded=broadcast`);
    await renderDetail(req, res, { notice: t(req.locale, 'broadcasts.reminded', { communes: result.communes }) });
  });

  r.post('/broadcasts/:id/feed-tokens', async (req, res) => {
    // The page answers with the broadcast's detail: whoever may not see it is refused before a token is made.
    const ctx = ctxOf(req);
    await schedule.getBroadcast(ctx, parse(id(), req.params.id));
    const body = formBody(req);
    try {
      const created = await broadcaster.createFeedToken(ctx, parseForm(FeedTokenCreate, body, (b) => ({ orgId: field(b, 'orgId'), label: field(b, 'label') })));
      res.locals.createdId = created.id;
      await renderDetail(req, res, { newToken: created, notice: t(req.locale, 'broadcasts.feed.created') });
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => {
        const message = view.fields?.orgId ?? view.fields?.label ?? view.error;
        return renderDetail(req, res, { error: view.error, tokenError: { orgId: Number(field(body, 'orgId')), message } }, status);
      });
    }
  });

  return r;
}
