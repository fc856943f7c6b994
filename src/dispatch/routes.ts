import { Router, type Request, type Response } from 'express';
import fs from 'node:fs';
import type { Deps } from '../deps';
import { parse } from '../shared/validate';
import { actorOf } from '../web/request';
import { t } from '../shared/i18n';
import { mediaPath } from '../shared/media';
import { notFound } from '../shared/errors';
import * as dispatch from './service';
import { loadDispatchPackage } from './letters-port';
import type { DispatchPackage } from './contract';
import type { Actor } from '../auth';
import { AckToken, DispatchBody, OutboxQuery, id } from './schemas';
import { toOutboxItem } from './model';
import { emlRelPath } from './transport';
import { OUTBOX_STATES } from './states';
import { safeRedirectPath } from '../web/redirect';

const letterIdOf = (req: Request) => parse(id(), req.params.id);

/** JSON API, mounted at /api/v1. */
export function apiRouter(deps: Deps): Router {
  const r = Router();

  // Sending an issued letter, and its two follow-ups: the same request shape, answer and audit entry.
  const sends: Record<string, (actor: Actor, pkg: DispatchPackage) => Promise<dispatch.DispatchResult>> = {
    dispatch: (actor, pkg) => dispatch.dispatchLetter(deps, actor, pkg),
    'dispatch/resend-failed': (actor, pkg) => dispatch.resendTo(deps, actor, pkg, 'failed'),
    'dispatch/remind-unacknowledged': (actor, pkg) => dispatch.resendTo(deps, actor, pkg, 'unacknowledged'),
  };
  for (const [path, send] of Object.entries(sends)) {
    r.post(`/letters/:id/${path}`, async (req, res) => {
      const actor = actorOf(req);
      const letterId = letterIdOf(req);
      parse(DispatchBody, req.body ?? {});
      const result = await send(actor, await loadDispatchPackage(deps, letterId));
      res.locals.audit = { entity: 'letters', entityId: letterId, detail: result };
      res.status(202).json(result);
    });
  }

  r.get('/letters/:id/deliveries', async (req, res) => {
    const letterId = letterIdOf(req);
    const { items, summary } = await dispatch.listDeliveries(deps, actorOf(req), letterId, () => loadDispatchPackage(deps, letterId));
    res.json({ items, summary });
  });

  r.get('/outbox', async (req, res) => {
    const q = parse(OutboxQuery, req.query);
    const { rows, counts } = await dispatch.listOutbox(deps, actorOf(req), { status: q.status, beforeId: q.before });
    res.json({ items: rows.map(toOutboxItem), counts });
  });

  return r;
}

/** Server-rendered pages, mounted at /. */
export function pageRouter(deps: Deps): Router {
  const r = Router();

  r.get('/letters/:id/deliveries', async (req, res) => {
    const letterId = letterIdOf(req);
    const actor = actorOf(req);
    const view = await dispatch.listDeliveries(deps, actor, letterId, () => loadDispatchPackage(deps, letterId));
    // Refreshes itself while messages are on their way; no JavaScript needed.
    if (view.summary.pending > 0) res.set('Refresh', '5');
    res.render('dispatch/deliveries', {
      title: t(req.locale, 'dispatch.deliveriesOf', { numberSymbol: view.letter.numberSymbol }),
      ...view,
      canDispatch: view.letter.status === 'issued' && dispatch.canDispatch(actor, view.letter.issuingOrgId),
      notice: typeof req.query.done === 'string' ? t(req.locale, `dispatch.notices.${req.query.done === 'resent' || req.query.done === 'reminded' ? req.query.done : 'dispatched'}`) : undefined,
    });
  });

  r.post('/letters/:id/dispatch', async (req, res) => {
    const letterId = letterIdOf(req);
    await dispatch.dispatchLetter(deps, actorOf(req), await loadDispatchPackage(deps, letterId));
    res.redirect(303, `/letters/${letterId}/deliveries?done=dispatched`);
  });

  r.post('/letters/:id/deliveries/resend', async (req, res) => {
    const letterId = letterIdOf(req);
    await dispatch.resendTo(deps, actorOf(req), await loadDispatchPackage(deps, letterId), 'failed');
    res.redirect(303, `/letters/${letterId}/deliveries?done=resent`);
  });

  r.post('/letters/:id/deliveries/remind', async (req, res) => {
    const letterId = letterIdOf(req);
    await dispatch.resendTo(deps, actorOf(req), await loadDispatchPackage(deps, letterId), 'unacknowledged');
    const back = safeRedirectPath(req.body?.back, '');
    res.redirect(303, back ? `${back}?reminded=letter` : `/letters/${letterId}/deliveries?done=reminded`);
  });

  // Public: the one-click link in each e-mail. No sign-in; the unguessable token is the credential.
  r.get('/ack/:token', async (req, res) => {
    const outcome = await dispatch.acknowledge(deps, parse(AckToken, req.params.token));
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    res.render('dispatch/ack', { layout: 'bare', title: t(req.locale, outcome.recorded ? 'dispatch.ack.recordedTitle' : 'dispatch.ack.alreadyTitle'), ...outcome });
  });

  r.get('/outbox', async (req, res) => {
    const q = parse(OutboxQuery, req.query);
    const { rows, counts } = await dispatch.listOutbox(deps, actorOf(req), { status: q.status, beforeId: q.before });
    const items = rows.map((row) => ({ ...toOutboxItem(row), hasEml: fs.existsSync(mediaPath(deps.config.MEDIA_DIR, emlRelPath(row.message_id))) }));
    res.render('dispatch/outbox', {
      title: t(req.locale, 'nav.outbox'),
      items,
      counts,
      states: OUTBOX_STATES,
      status: q.status,
      fileOutbox: !deps.config.SMTP_URL,
      older: rows.length === 100 ? rows[rows.length - 1].id : null,
    });
  });

  r.get('/outbox/:id', async (req, res) => {
    const row = await dispatch.getOutboxMessage(deps, actorOf(req), parse(id(), req.params.id));
    res.render('dispatch/message', {
      title: row.subject,
      message: toOutboxItem(row),
      text: row.text,
      hasEml: fs.existsSync(mediaPath(deps.config.MEDIA_DIR, emlRelPath(row.message_id))),
    });
  });

  r.get('/outbox/:id/message.eml', async (req: Request, res: Response) => {
    const row = await dispatch.getOutboxMessage(deps, actorOf(req), parse(id(), req.params.id));
    const file = mediaPath(deps.config.MEDIA_DIR, emlRelPath(row.message_id));
    if (!fs.existsSync(file)) throw notFound('Message file', 'EML_NOT_FOUND');
    res.set('Content-Type', 'message/rfc822');
    res.set('Content-Disposition', `${req.query.download ? 'attachment' : 'inline'}; filename="message-${row.id}.eml"`);
    res.set('X-Content-Type-Options', 'nosniff');
    fs.createReadStream(file).pipe(res);
  });

  return r;
}
