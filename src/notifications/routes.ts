import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { listQuery } from '../shared/paging';
import { t } from '../shared/i18n';
import { ctxOf, isApiRequest } from '../web/request';
import { safeRedirectPath } from '../web/redirect';
import { listNotifications, markAllRead, markRead, unreadCount } from './service';

/** The reader's language: ?lang= when given, otherwise their own setting (a bearer call has no cookie). */
const readerLocale = (req: Request) => (typeof req.query.lang === 'string' ? req.locale : (req.actor?.locale ?? req.locale));

export function apiRouter(_deps: Deps): Router {
  const r = Router();

  r.get('/notifications', async (req, res) => {
    const ctx = ctxOf(req);
    const query = parse(listQuery, req.query);
    res.json(await listNotifications(ctx, readerLocale(req), query));
  });

  r.post('/notifications/read-all', async (req, res) => {
    await markAllRead(ctxOf(req));
    res.status(204).end();
  });

  r.post('/notifications/:id/read', async (req, res) => {
    await markRead(ctxOf(req), parse(id(), req.params.id));
    res.status(204).end();
  });

  return r;
}

export function pageRouter(_deps: Deps): Router {
  const r = Router();

  r.get('/notifications', async (req, res) => {
    const ctx = ctxOf(req);
    const query = parse(listQuery, req.query);
    const list = await listNotifications(ctx, req.locale, query);
    const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
    res.render('notifications/index', {
      title: t(req.locale, 'notifications.title'),
      ...list,
      previous: list.page > 1 ? list.page - 1 : null,
      next: list.page < pages ? list.page + 1 : null,
      pages,
    });
  });

  /** Opening a notice marks it read and goes where it points. */
  r.post('/notifications/:id/read', async (req, res) => {
    const { link } = await markRead(ctxOf(req), parse(id(), req.params.id));
    res.redirect(303, safeRedirectPath(link, '/notifications'));
  });

  r.post('/notifications/read-all', async (req, res) => {
    await markAllRead(ctxOf(req));
    res.redirect(303, '/notifications');
  });

  return r;
}

/** The bell in the top bar: the signed-in person's unread count on every page (one indexed count, pages only). */
export function unreadBadge() {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.actor || req.method !== 'GET' || isApiRequest(req)) return next();
    try {
      res.locals.unreadNotifications = await unreadCount(ctxOf(req));
      next();
    } catch (err) {
      next(err);
    }
  };
}
