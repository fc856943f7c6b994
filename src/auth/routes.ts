import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps';
import { parse } from '../shared/validate';
import { actorOf, clientIp, formValues } from '../web/request';
import { SESSION_COOKIE } from '../web/middleware';
import * as auth from './service';
import { LoginBody, UserCreate, UserPatch } from './schemas';
import { managedOrgs } from '../orgs';
import { safeRedirectPath } from '../web/redirect';
import { AppError, notFound } from '../shared/errors';
import { errorMessage, formError } from '../web/errors';
import { id } from '../shared/validate';
import { t } from '../shared/i18n';

export function apiRouter(deps: Deps): Router {
  const r = Router();
  const settings = auth.authSettings(deps.config);

  r.post('/auth/login', async (req, res) => {
    const body = parse(LoginBody, req.body);
    const result = await auth.login(deps.db, settings, { ...body, ip: clientIp(req), kind: 'api' }, deps.clock());
    res.json({ token: result.token, user: result.actor });
  });

  r.post('/auth/logout', async (req, res) => {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) await auth.logout(deps.db, header.slice(7).trim());
    res.status(204).end();
  });

  r.get('/auth/me', (req, res) => {
    res.json({ user: actorOf(req) });
  });

  r.get('/users', async (req, res) => {
    const orgId = req.query.orgId ? parse(id(), req.query.orgId) : undefined;
    res.json({ items: await auth.listUsers(deps.db, actorOf(req), { orgId }) });
  });

  r.post('/users', async (req, res) => {
    const user = await auth.createUser(deps.db, actorOf(req), parse(UserCreate, req.body));
    res.locals.createdId = user.id;
    res.status(201).json(user);
  });

  r.patch('/users/:id', async (req, res) => {
    res.json(await auth.updateUser(deps.db, actorOf(req), parse(id(), req.params.id), parse(UserPatch, req.body)));
  });

  return r;
}

export function pageRouter(deps: Deps): Router {
  const r = Router();
  const settings = auth.authSettings(deps.config);
  const secure = deps.config.publicUrl.startsWith('https://');

  r.get('/login', (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (req.actor) return res.redirect('/');
    res.render('auth/login', { title: t(req.locale, 'auth.signIn'), next: safeRedirectPath(req.query.next, '/'), layout: 'bare' });
  });

  r.post('/login', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const next = safeRedirectPath(req.body?.next, '/');
    try {
      const body = parse(LoginBody, req.body);
      const result = await auth.login(deps.db, settings, { email: body.email, password: body.password, ip: clientIp(req), kind: 'session' }, deps.clock());
      res.cookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: deps.config.SESSION_TTL_HOURS * 3600_000,
      });
      res.redirect(303, next);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.retryAfterSeconds) res.set('Retry-After', String(err.retryAfterSeconds));
      res.status(err.kind === 'too_many' ? 429 : err.kind === 'invalid' ? 400 : 401).render('auth/login', {
        title: t(req.locale, 'auth.signIn'),
        layout: 'bare',
        error: errorMessage(err, req.locale),
        email: req.body?.email,
        next,
      });
    }
  });

  r.post('/logout', async (req, res) => {
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) await auth.logout(deps.db, token);
    res.clearCookie(SESSION_COOKIE);
    res.redirect(303, '/login');
  });

  r.post('/me/locale', async (req, res) => {
    const locale = req.body?.locale === 'en' ? 'en' : 'vi';
    await auth.setOwnLocale(deps.db, actorOf(req), locale);
    res.cookie('vd_lang', locale, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000 });
    res.redirect(303, safeRedirectPath(req.body?.back, '/'));
  });

  /** The users page: the admin's users, and the organisations and roles they may give (their tree only). */
  async function renderUsers(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(req);
    const users = await auth.listUsers(deps.db, actor, {});
    const orgs = await managedOrgs(deps.db, actor);
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    res.status(status).render('auth/users', {
      title: t(req.locale, 'nav.users'),
      users: users.map((u) => ({ ...u, orgName: orgName.get(u.orgId) })),
      orgs,
      roles: auth.grantableRoles(actor),
      ...extra,
    });
  }

  r.get('/users', (req, res) => renderUsers(req, res));

  async function renderUserEdit(req: Request, res: Response, userId: number, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(req);
    const user = (await auth.listUsers(deps.db, actor, {})).find((u) => u.id === userId);
    if (!user) throw notFound('User', 'USER_NOT_FOUND');
    res.status(status).render('auth/user-edit', { title: user.name, user, orgs: await managedOrgs(deps.db, actor), roles: auth.grantableRoles(actor), ...extra });
  }

  r.get('/users/:id/edit', (req, res) => renderUserEdit(req, res, parse(id(), req.params.id)));

  r.post('/users/:id', async (req, res) => {
    const userId = parse(id(), req.params.id);
    const roles = formValues(req.body.roles);
    const patch: Record<string, unknown> = { name: req.body.name, orgId: req.body.orgId, roles, active: req.body.active === '1' };
    if (req.body.password) patch.password = req.body.password;
    try {
      await auth.updateUser(deps.db, actorOf(req), userId, parse(UserPatch, patch));
      res.redirect(303, '/users');
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderUserEdit(req, res, userId, { error: errorMessage(e, req.locale), fields: e.fields }, e.kind === 'conflict' ? 409 : 400);
    }
  });

  r.post('/users', async (req, res) => {
    const actor = actorOf(req);
    const roles = formValues(req.body.roles);
    try {
      await auth.createUser(deps.db, actor, parse(UserCreate, { ...req.body, roles }));
      res.redirect(303, '/users');
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderUsers(req, res, { error: errorMessage(e, req.locale), fields: e.fields, form: { ...req.body, roles } }, e.kind === 'conflict' ? 409 : 400);
    }
  });

  return r;
}
