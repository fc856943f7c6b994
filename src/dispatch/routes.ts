import { Router, type Request, type Response } from 'express';
import fs from 'node:fs';
import type { Ctx, Deps } from '../deps';
import { parse } from '../shared/validate';
import { givenFields, pagerView } from '../shared/paging';
import { ctxOf } from '../web/request';
import { field, formBody, renderFormError, requireConfirmation } from '../web/forms';
import { t } from '../shared/i18n';
import { mediaPath } from '../shared/media';
import { notFound } from '../shared/errors';
import * as dispatch from './service';
import { AckToken, DispatchBody, OutboxQuery, id } from './schemas';
import { toOutboxItem } from './model';
import { emlRelPath } from './transport';
import { OUTBOX_STATES } from './states';
import { safeRedirectPath } from '../web/redirect';

const letterIdOf = (req: Request) => parse(id(), req.params.id);

/** Sending an issued letter, and its two follow-ups: the same request shape, answer and audit entry. */
const SENDS: Record<string, (ctx: Ctx, letterId: number) => Promise<dispatch.DispatchResult>> = {
  dispatch: (ctx, letterId) => dispatch.dispatchLetter(ctx, letterId),
  'dispatch/resend-failed': (ctx, letterId) => dispatch.resendTo(ctx, letterId, 'failed'),
  'dispatch/remind-unacknowledged': (ctx, letterId) => dispatch.resendTo(ctx, letterId, 'unacknowledged'),
};

/** JSON API, mounted at /api/v1. */
export function apiRouter(_deps: Deps): Router {
  const r = Router();

  for (const [path, send] of Object.entries(SENDS)) {
    r.post(`/letters/:id/${path}`, async (req, res) => {
      const ctx = ctxOf(req);
      const letterId = letterIdOf(req);
      parse(DispatchBody, req.body ?? {});
      const result = await send(ctx, letterId);
      res.locals.audit = { entity: 'letters', entityId: letterId, detail: result };
      res.status(202).json(result);
    });
  }

  r.get('/letters/:id/deliveries', async (req, res) => {
    const { items, summary } = await dispatch.listDeliveries(ctxOf(req), letterIdOf(req));
    res.json({ items, summary });
  });

  r.get('/outbox', async (req, res) => {
    const q = parse(OutboxQuery, req.query);
    const { page, counts } = await dispatch.listOutbox(ctxOf(req), { ...q, beforeId: q.before });
    res.json({ ...page, items: page.items.map(toOutboxItem), counts });
  });

  return r;
}

/** Server-rendered pages, mounted at /. */
export function pageRouter(deps: Deps): Router {
  const r = Router();

  /** The deliveries page; a refused dispatch action shows on it with its status (409 for a letter not issued). */
  async function renderDeliveries(req: Request, res: Response, letterId: number, view: { error?: string } = {}, status = 200) {
    const ctx = ctxOf(req);
    const deliveries = await dispatch.listDeliveries(ctx, letterId);
    // Refreshes itself while messages are on their way; no JavaScript needed.
    if (deliveries.summary.pending > 0 && !view.error) res.set('Refresh', '5');
    const done = typeof req.query.done === 'string' ? req.query.done : undefined;
    res.status(status).render('dispatch/deliveries', {
      title: t(req.locale, 'dispatch.deliveriesOf', { numberSymbol: deliveries.letter.numberSymbol }),
      ...deliveries,
      canDispatch: deliveries.letter.status === 'issued' && dispatch.canDispatch(ctx, deliveries.letter.issuingOrgId),
      notice: done && !view.error ? t(req.locale, `dispatch.notices.${done === 'resent' || done === 'reminded' ? done : 'dispatched'}`) : undefined,
      ...view,
    });
  }

  r.get('/letters/:id/deliveries', async (req, res) => {
    await renderDeliveries(req, res, letterIdOf(req));
  });

  /** The three buttons of the deliveries page (and the campaign page's reminder, which names where to go back to). */
  const action = (path: string, send: (ctx: Ctx, letterId: number) => Promise<unknown>, done: string, opts: { backTakes?: string; confirm?: boolean } = {}) =>
    r.post(`/letters/:id/${path}`, async (req, res) => {
      const letterId = letterIdOf(req);
      const { backTakes } = opts;
      const back = backTakes ? safeRedirectPath(field(formBody(req), 'back'), '') : '';
      try {
        if (opts.confirm) requireConfirmation(formBody(req));
        await send(ctxOf(req), letterId);
      } catch (err) {
        return renderFormError(err, req, res, (view, status) => renderDeliveries(req, res, letterId, view, status));
      }
      res.redirect(303, back ? `${back}?${backTakes}` : `/letters/${letterId}/deliveries?done=${done}`);
    });
  action('dispatch', SENDS.dispatch, 'dispatched', { confirm: true });
  action('deliveries/resend', SENDS['dispatch/resend-failed'], 'resent');
  action('deliveries/remind', SENDS['dispatch/remind-unacknowledged'], 'reminded', { backTakes: 'reminded=letter' });

  // Public: the link in each e-mail. No sign-in; the unguessable token is the credential. Opening it (GET) shows the
  // letter and a button and records nothing — mail scanners follow links; pressing the button (POST) records.
  const renderAck = (req: Request, res: Response, outcome: dispatch.AckOutcome, token: string) => {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    const title = outcome.recorded ? 'dispatch.ack.recordedTitle' : outcome.acknowledgedAt ? 'dispatch.ack.alreadyTitle' : 'dispatch.ack.confirmTitle';
    res.render('dispatch/ack', { layout: 'bare', title: t(req.locale, title), token, pending: !outcome.acknowledgedAt, ...outcome });
  };
  r.get('/ack/:token', async (req, res) => {
    const token = parse(AckToken, req.params.token);
    renderAck(req, res, await dispatch.ackLinkInfo(deps, token), token);
  });
  r.post('/ack/:token', async (req, res) => {
    const token = parse(AckToken, req.params.token);
    renderAck(req, res, await dispatch.acknowledge(deps, token), token);
  });

  r.get('/outbox', async (req, res) => {
    const q = parse(OutboxQuery, givenFields(req.query));
    const { rows, page, counts } = await dispatch.listOutbox(ctxOf(req), { ...q, beforeId: q.before });
    const items = rows.map((row) => ({ ...toOutboxItem(row), hasEml: fs.existsSync(mediaPath(deps.config.MEDIA_DIR, emlRelPath(row.message_id))) }));
    res.render('dispatch/outbox', {
      title: t(req.locale, 'nav.outbox'),
      items,
      counts,
      states: OUTBOX_STATES,
      status: q.status,
      fileOutbox: !deps.config.SMTP_URL,
      pager: pagerView('/outbox', q, page),
    });
  });

  r.get('/outbox/:id', async (req, res) => {
    const row = await dispatch.getOutboxMessage(ctxOf(req), parse(id(), req.params.id));
    res.render('dispatch/message', {
      title: row.subject,
      message: toOutboxItem(row),
      text: row.text,
      hasEml: fs.existsSync(mediaPath(deps.config.MEDIA_DIR, emlRelPath(row.message_id))),
    });
  });

  r.get('/outbox/:id/message.eml', async (req: Request, res: Response) => {
    const row = await dispatch.getOutboxMessage(ctxOf(req), parse(id(), req.params.id));
    const file = mediaPath(deps.config.MEDIA_DIR, emlRelPath(row.message_id));
    if (!fs.existsSync(file)) throw notFound('Message file', 'EML_NOT_FOUND');
    res.set('Content-Type', 'message/rfc822');
    res.set('Content-Disposition', `${req.query.download ? 'attachment' : 'inline'}; filename="message-${row.id}.eml"`);
    res.set('X-Content-Type-Options', 'nosniff');
    fs.createReadStream(file).pipe(res);
  });

  return r;
}
