import { Router } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { ctxOf } from '../web/request';
import { listQuery, pageInMemory } from '../shared/paging';
import { postUpload } from '../web/upload';
import { notFound } from '../shared/errors';
import * as audio from './audio';
import * as schedule from './schedule';
import { remindMissed } from './missed';
import * as broadcaster from './broadcaster';
import { ActivityQuery, BroadcastCreate, ClashOrder, BroadcastPatch, CalendarQuery, ConfirmBody, EmergencyCreate, FeedTokenCreate, FeedTokenListQuery, CancelBody, HeartbeatBody, MissedNoteBody, PlanPreview, ReceiversQuery, ScheduleQuery } from './schemas';
import { pendingAlerts } from './emergency';
import { listClashes, orderClash } from './clashes';
import { listReceivers, recordHeartbeat } from './receivers';
import { activityReport } from './activity';
import { cancelBroadcast, cancellationsFor } from './cancel';
import { activityDocx, activityXlsx } from './activity-export';
import { audioUpload, receiveAudio, sendMaster } from './http';
export { pageRouter } from './pages';

/** JSON API, mounted at /api/v1. */
export function apiRouter(deps: Deps): Router {
  const r = Router();

  // ---- audio ----
  postUpload(r, '/audio', deps.config.MEDIA_DIR, audioUpload(deps), async (req, res) => {
    const a = await receiveAudio(req);
    res.locals.createdId = a.id;
    res.status(201).json({ id: a.id, status: a.status });
  });

  r.get('/audio', async (req, res) => {
    res.json(pageInMemory(await audio.listAudio(ctxOf(req)), parse(listQuery, req.query), (a) => a.title));
  });

  r.get('/audio/:id', async (req, res) => {
    const a = await audio.getAudio(ctxOf(req), parse(id(), req.params.id));
    const { id: aid, title, status, durationSec, sha256, format, sampleRate, channels, loudnessLufs, error, ...more } = a;
    res.json({ id: aid, title, status, durationSec, sha256, format, sampleRate, channels, loudnessLufs, ...(error ? { error } : {}), ...more });
  });

  r.get('/audio/:id/file', async (req, res) => {
    const row = await audio.readableAudioRow(ctxOf(req), parse(id(), req.params.id));
    if (row.status !== 'ready' || !row.master_sha256) throw notFound('Audio', 'AUDIO_NOT_READY');
    await sendMaster(deps, req, res, row.master_sha256, `audio-${row.id}.mp3`);
  });

  // ---- schedules ----
  r.post('/broadcasts', async (req, res) => {
    // An emergency has no dates or times (it plays now); the other classes are scheduled.
    const emergency = (req.body as Record<string, unknown> | undefined)?.class === 'emergency';
    const { broadcast, occurrences } = emergency
      ? await schedule.createEmergency(ctxOf(req), parse(EmergencyCreate, req.body))
      : await schedule.createBroadcast(ctxOf(req), parse(BroadcastCreate, req.body));
    res.locals.createdId = broadcast.id;
    res.status(201).json({ id: broadcast.id, occurrences, broadcast });
  });

  r.post('/broadcasts/preview', async (req, res) => {
    const p = parse(PlanPreview, req.body);
    res.json(schedule.previewPlan(ctxOf(req), { ...p, daysOfWeek: p.daysOfWeek ?? [1, 2, 3, 4, 5, 6, 7] }));
  });

  r.get('/broadcasts', async (req, res) => {
    res.json(pageInMemory(await schedule.listBroadcasts(ctxOf(req)), parse(listQuery, req.query), (b) => b.title));
  });

  r.get('/broadcasts/activity', async (req, res) => {
    const q = parse(ActivityQuery, req.query);
    const report = await activityReport(ctxOf(req), q);
    if (q.format === 'xlsx') {
      res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.attachment(`hoat-dong-truyen-thanh-${q.from}-${q.to}.xlsx`);
      return res.send(await activityXlsx(report));
    }
    if (q.format === 'docx') {
      res.type('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      res.attachment(`bao-cao-truyen-thanh-${q.from}-${q.to}.docx`);
      return res.send(await activityDocx(ctxOf(req), report));
    }
    res.json(report);
  });

  r.get('/receivers', async (req, res) => {
    res.json(await listReceivers(ctxOf(req), parse(ReceiversQuery, req.query).orgId));
  });

  r.get('/broadcasts/:id', async (req, res) => {
    res.json(await schedule.getBroadcast(ctxOf(req), parse(id(), req.params.id)));
  });

  r.patch('/broadcasts/:id', async (req, res) => {
    const { broadcast, occurrences } = await schedule.patchBroadcast(ctxOf(req), parse(id(), req.params.id), parse(BroadcastPatch, req.body));
    res.json({ id: broadcast.id, occurrences, broadcast });
  });

  r.post('/broadcasts/:id/cancel', async (req, res) => {
    const result = await cancelBroadcast(ctxOf(req), parse(id(), req.params.id), parse(CancelBody, req.body).reason);
    res.locals.audit = { entity: 'broadcasts', entityId: result.id, detail: { reason: result.reason, cancelled: result.cancelled, communes: result.communes } };
    res.json(result);
  });

  r.get('/broadcasts/:id/status', async (req, res) => {
    res.json(await schedule.broadcastStatus(ctxOf(req), parse(id(), req.params.id)));
  });

  r.get('/broadcasts/:id/reorders', async (req, res) => {
    res.json(await schedule.reorderedBy(ctxOf(req), parse(id(), req.params.id)));
  });

  r.post('/broadcasts/:id/remind-missed', async (req, res) => {
    res.json(await remindMissed(ctxOf(req), parse(id(), req.params.id)));
  });

  r.get('/broadcasts/:id/calendar', async (req, res) => {
    res.json(await schedule.weekCalendar(ctxOf(req), parse(id(), req.params.id), parse(CalendarQuery, req.query).week));
  });

  // ---- broadcaster (own commune) ----
  r.get('/broadcaster/schedule', async (req, res) => {
    const s = await broadcaster.scheduleFor(ctxOf(req), parse(ScheduleQuery, req.query));
    res.json({ date: s.date, orgId: s.orgId, items: s.items, cancellations: await cancellationsFor(deps, s.orgId) });
  });

  r.get('/broadcaster/playlist.m3u', async (req, res) => {
    const s = await broadcaster.scheduleFor(ctxOf(req), parse(ScheduleQuery, req.query));
    res.type('audio/x-mpegurl; charset=utf-8').send(broadcaster.toM3u(s.items));
  });

  r.get('/broadcaster/schedule.ics', async (req, res) => {
    const { orgId } = await broadcaster.scheduleFor(ctxOf(req), parse(ScheduleQuery, req.query));
    const items = await broadcaster.calendarItems(deps, orgId);
    res.type('text/calendar; charset=utf-8').send(broadcaster.toIcs(items, await broadcaster.communeName(deps, orgId), new URL(deps.config.publicUrl).host, deps.clock()));
  });

  r.post('/broadcaster/occurrences/:id/confirm', async (req, res) => {
    const body = parse(ConfirmBody, req.body ?? {});
    const result = await broadcaster.confirmOccurrence(ctxOf(req), parse(id(), req.params.id), body.playedAt);
    res.json(result);
  });

  // Take back an accidental confirmation (within a few minutes), and explain a missed slot.
  r.post('/broadcaster/occurrences/:id/undo', async (req, res) => {
    res.json(await broadcaster.undoConfirmation(ctxOf(req), parse(id(), req.params.id)));
  });

  r.post('/broadcaster/occurrences/:id/note', async (req, res) => {
    const body = parse(MissedNoteBody, req.body ?? {});
    res.json(await broadcaster.noteMissed(ctxOf(req), parse(id(), req.params.id), body.note));
  });

  r.get('/broadcaster/clashes', async (req, res) => {
    res.json(await listClashes(ctxOf(req), parse(ScheduleQuery, req.query)));
  });

  r.post('/broadcaster/clashes/order', async (req, res) => {
    res.json(await orderClash(ctxOf(req), parse(ClashOrder, req.body).occurrenceIds));
  });

  r.get('/broadcaster/alerts', async (req, res) => {
    res.json(await pendingAlerts(ctxOf(req)));
  });

  // ---- receiver feed tokens ----
  r.post('/feed-tokens', async (req, res) => {
    const created = await broadcaster.createFeedToken(ctxOf(req), parse(FeedTokenCreate, req.body));
    res.locals.createdId = created.id;
    res.status(201).json(created);
  });

  r.get('/feed-tokens', async (req, res) => {
    const ctx = ctxOf(req);
    const q = parse(FeedTokenListQuery, req.query);
    res.json({ items: await broadcaster.listFeedTokens(ctx, q.orgId ?? ctx.actor.orgId) });
  });

  r.post('/feed-tokens/:id/revoke', async (req, res) => {
    res.json(await broadcaster.revokeFeedToken(ctxOf(req), parse(id(), req.params.id)));
  });

  r.delete('/feed-tokens/:id', async (req, res) => {
    res.json(await broadcaster.revokeFeedToken(ctxOf(req), parse(id(), req.params.id)));
  });

  /**
   * A receiver confirms with its feed token in the X-Feed-Token header or the body (no login, no cookie, so no
   * CSRF concern); not in the path, so the secret stays out of the audit log.
   */
  r.post('/feed/occurrences/:id/confirm', async (req, res) => {
    const { token: bodyToken, ...rest } = (req.body ?? {}) as Record<string, unknown>;
    const header = req.headers['x-feed-token'];
    const token = await broadcaster.feedTokenOf(deps, typeof header === 'string' ? header : typeof bodyToken === 'string' ? bodyToken : '');
    const body = parse(ConfirmBody, rest);
    res.locals.audit = { entity: 'occurrences', entityId: req.params.id, orgId: token.org_id, detail: { via: 'feed', tokenId: token.id } };
    res.json(await broadcaster.confirmByFeedToken(deps, token, parse(id(), req.params.id), body.playedAt));
  });

  /** A receiver's heartbeat: its token in X-Feed-Token (a revoked or unknown one is 404 and changes nothing). */
  r.post('/feed/heartbeat', async (req, res) => {
    const { token: bodyToken, ...rest } = (req.body ?? {}) as Record<string, unknown>;
    const header = req.headers['x-feed-token'];
    const token = await broadcaster.feedTokenOf(deps, typeof header === 'string' ? header : typeof bodyToken === 'string' ? bodyToken : '');
    await recordHeartbeat(deps, token, parse(HeartbeatBody, rest));
    res.status(204).end();
  });

  return r;
}
