import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { givenFields, listQuery, pagerView } from '../shared/paging';
import { AppError } from '../shared/errors';
import { t } from '../shared/i18n';
import { actorOf, clientIp, cookieOf, ctxOf } from '../web/request';
import { LANG_COOKIE, SESSION_COOKIE } from '../web/middleware';
import { safeRedirectPath } from '../web/redirect';
import { errorMessage, STATUS } from '../web/errors';
import { checked, field, fieldList, formBody, parseForm, renderFormError, type FormBody } from '../web/forms';
import { managedOrgs } from '../orgs';
import * as auth from './service';
import * as accounts from './accounts';
import fs from 'node:fs';
import { postUpload, uploadedFile } from '../web/upload';
import { importUsers, userImportSample, USER_IMPORTERS, type UserImportResult } from './import-users';
import type { Locale } from '../shared/i18n';
import { sha256Hex } from './password';
import { authorize } from './policy';
import { LocaleSwitch, LoginBody, OwnPasswordForm, PasswordLinkToken, PasswordResetRequest, PasswordResetSet, PasswordSetForm, UserCreate, UserEditForm, UserPatch } from './schemas';

/** The users list: search by name or e-mail, pages, and an organisation. */
const UserListQuery = listQuery.extend({ orgId: id().optional() });

export function apiRouter(deps: Deps): Router {
  const r = Router();

  r.post('/auth/login', async (req, res) => {
    const body = parse(LoginBody, req.body);
    const result = await auth.login(deps, { ...body, ip: clientIp(req), kind: 'api' });
    res.json({ token: result.token, user: result.actor });
  });

  // "Quên mật khẩu?": 202 whatever the address (no account enumeration); throttled like sign-in (429).
  r.post('/auth/password-reset', async (req, res) => {
    const { email } = parse(PasswordResetRequest, req.body);
    await accounts.requestPasswordReset(deps, { email, ip: clientIp(req) });
    res.status(202).json({ status: 'accepted' });
  });

  r.post('/auth/password-reset/:token', async (req, res) => {
    const token = parse(PasswordLinkToken, req.params.token);
    const { password } = parse(PasswordResetSet, req.body);
    await accounts.resetPassword(deps, token, password);
    res.locals.audit = { entity: 'auth', detail: { step: 'password-reset' } };
    res.status(204).end();
  });

  r.post('/auth/logout', async (req, res) => {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) await auth.logout(deps, header.slice(7).trim());
    res.status(204).end();
  });

  r.get('/auth/me', (req, res) => {
    res.json({ user: actorOf(req) });
  });

  r.get('/users', async (req, res) => {
    const ctx = ctxOf(req);
    res.json(await auth.searchUsers(ctx, parse(UserListQuery, req.query)));
  });

  r.post('/users', async (req, res) => {
    const user = await auth.createUser(ctxOf(req), parse(UserCreate, req.body));
    res.locals.createdId = user.id;
    res.status(201).json(user);
  });

  // Bulk import (XLSX/CSV): all or nothing; 201 with the count, or 400 with every refused row and nothing written.
  postUpload(r, '/users/import', deps.config.MEDIA_DIR, { roles: USER_IMPORTERS, maxBytes: deps.config.UPLOAD_MAX_MB * 1024 * 1024 }, async (req, res) => {
    const file = uploadedFile(req);
    const result = await importUsers(ctxOf(req), await readAndDrop(file), file.originalname, importLimits(deps));
    const view = userImportView(result, req.locale);
    res.status(result.errors.length ? 400 : 201).json({ created: view.created, errors: view.errors });
  });

  r.patch('/users/:id', async (req, res) => {
    const ctx = ctxOf(req);
    res.json(await auth.updateUser(ctx, parse(id(), req.params.id), parse(UserPatch, req.body)));
  });

  return r;
}

async function readAndDrop(file: Express.Multer.File): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file.path);
  } finally {
    await fs.promises.unlink(file.path).catch(() => undefined);
  }
}

const importLimits = (deps: Deps) => ({ maxRows: deps.config.IMPORT_MAX_ROWS, maxUncompressedBytes: deps.config.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024 });

/** The users import's outcome in the reader's language: each refused row with its reason. */
const userImportView = (result: UserImportResult, locale: Locale) => ({
  created: result.created,
  tone: result.errors.length ? 'error' : 'ok',
  wrongRows: new Set(result.errors.map((e) => e.row)).size,
  errors: result.errors.map((e) => ({ row: e.row, code: e.code, params: e.params, message: t(locale, `users.importErrors.${e.code}`, e.params) })),
});

/** The sign-in form's fields in the API's shape (an empty field is "not given": the schema says it is required). */
const toLogin = (b: FormBody) => ({ email: field(b, 'email'), password: field(b, 'password') });

/** The add-user form in the API's shape. */
const toUserCreate = (b: FormBody) => ({
  name: field(b, 'name'),
  email: field(b, 'email'),
  password: field(b, 'password'),
  orgId: field(b, 'orgId'),
  roles: fieldList(b, 'roles'),
});

/** The edit form: a cleared name stays "" (required), the password only when one is typed, unticked = inactive. */
const toUserEdit = (b: FormBody) => ({
  name: b.name === undefined ? undefined : (field(b, 'name') ?? ''),
  orgId: field(b, 'orgId'),
  roles: fieldList(b, 'roles'),
  active: checked(b, 'active'),
  password: field(b, 'password'),
});

export function pageRouter(deps: Deps): Router {
  const r = Router();
  const secure = deps.config.publicUrl.startsWith('https://');

  r.get('/login', (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (req.actor) return res.redirect('/');
    res.render('auth/login', { title: t(req.locale, 'auth.signIn'), next: safeRedirectPath(req.query.next, '/'), layout: 'bare', passwordSet: req.query.password === 'set' });
  });

  r.post('/login', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const body = formBody(req);
    const next = safeRedirectPath(field(body, 'next'), '/');
    const render = (view: { error: string; fields?: Record<string, string> }, status: number) =>
      res.status(status).render('auth/login', { title: t(req.locale, 'auth.signIn'), layout: 'bare', email: field(body, 'email'), next, ...view });
    try {
      const input = parseForm(LoginBody, body, toLogin);
      const result = await auth.login(deps, { email: input.email, password: input.password, ip: clientIp(req), kind: 'session' });
      res.cookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: deps.config.SESSION_TTL_HOURS * 3600_000,
      });
      res.redirect(303, result.mustChangePassword ? '/me/password' : next);
    } catch (err) {
      // A refused sign-in (401) or the throttle (429) is shown on the form itself, not as the error page.
      if (err instanceof AppError && (err.kind === 'unauthenticated' || err.kind === 'too_many')) {
        if (err.retryAfterSeconds) res.set('Retry-After', String(err.retryAfterSeconds));
        return render({ error: errorMessage(err, req.locale) }, STATUS[err.kind]);
      }
      await renderFormError(err, req, res, render);
    }
  });

  r.post('/logout', async (req, res) => {
    const token = cookieOf(req, SESSION_COOKIE);
    if (token) await auth.logout(deps, token);
    res.clearCookie(SESSION_COOKIE);
    res.redirect(303, '/login');
  });

  // ---- "Quên mật khẩu?", the link of the e-mail, and a person's own password ----

  const bare = (req: Request, view: string, data: Record<string, unknown>) => ({ layout: 'bare', title: t(req.locale, `accounts.${view}.title`), ...data });

  r.get('/password-reset', (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.render('auth/password-forgot', bare(req, 'forgot', {}));
  });

  r.post('/password-reset', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const body = formBody(req);
    const render = (view: Record<string, unknown>, status: number) => res.status(status).render('auth/password-forgot', bare(req, 'forgot', { email: field(body, 'email'), ...view }));
    try {
      const { email } = parseForm(PasswordResetRequest, body, (b) => ({ email: field(b, 'email') }));
      await accounts.requestPasswordReset(deps, { email, ip: clientIp(req) });
      res.status(202).render('auth/password-forgot', bare(req, 'forgot', { sent: true, email }));
    } catch (err) {
      if (err instanceof AppError && err.kind === 'too_many') {
        if (err.retryAfterSeconds) res.set('Retry-After', String(err.retryAfterSeconds));
        return render({ error: errorMessage(err, req.locale) }, STATUS[err.kind]);
      }
      await renderFormError(err, req, res, render);
    }
  });

  /** The link of the e-mail: the new password form, or (used, expired, unknown) the reason and a way to a new link. */
  r.get('/password-reset/:token', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const token = PasswordLinkToken.safeParse(req.params.token);
    try {
      if (!token.success) throw new AppError('invalid', 'PASSWORD_LINK_INVALID', 'invalid link');
      const link = await accounts.passwordLinkFor(deps, token.data);
      res.render('auth/password-set', bare(req, link.purpose === 'invite' ? 'invite' : 'reset', { ...link, token: token.data }));
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'PASSWORD_LINK_INVALID') throw err;
      res.status(400).render('auth/password-set', bare(req, 'reset', { invalidLink: errorMessage(err, req.locale) }));
    }
  });

  r.post('/password-reset/:token', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const body = formBody(req);
    const token = PasswordLinkToken.safeParse(req.params.token);
    try {
      if (!token.success) throw new AppError('invalid', 'PASSWORD_LINK_INVALID', 'invalid link');
      const { password } = parseForm(PasswordSetForm, body, (b) => ({ password: field(b, 'password') ?? '', confirm: field(b, 'confirm') ?? '' }));
      await accounts.resetPassword(deps, token.data, password);
      res.redirect(303, '/login?password=set');
    } catch (err) {
      if (err instanceof AppError && err.code === 'PASSWORD_LINK_INVALID') return res.status(400).render('auth/password-set', bare(req, 'reset', { invalidLink: errorMessage(err, req.locale) }));
      await renderFormError(err, req, res, (view, status) => res.status(status).render('auth/password-set', bare(req, 'reset', { token: token.data, ...view })));
    }
  });

  r.get('/me/password', (req, res) => {
    ctxOf(req);
    res.render('auth/password-change', { title: t(req.locale, 'accounts.change.title'), forced: req.mustChangePassword });
  });

  r.post('/me/password', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    try {
      const input = parseForm(OwnPasswordForm, body, (b) => ({ current: field(b, 'current') ?? '', password: field(b, 'password') ?? '', confirm: field(b, 'confirm') ?? '' }));
      const session = cookieOf(req, SESSION_COOKIE);
      await accounts.changeOwnPassword(ctx, input, session ? sha256Hex(session) : null);
      res.redirect(303, '/');
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => res.status(status).render('auth/password-change', { title: t(req.locale, 'accounts.change.title'), forced: req.mustChangePassword, ...view }));
    }
  });

  r.post('/me/locale', async (req, res) => {
    const ctx = ctxOf(req);
    try {
      const { locale, back } = parseForm(LocaleSwitch, formBody(req));
      await auth.setOwnLocale(ctx, locale);
      res.cookie(LANG_COOKIE, locale, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000 });
      res.redirect(303, safeRedirectPath(back, '/'));
    } catch (err) {
      // The switch lives in the top bar of every page: its error is shown on the error page, with its field.
      await renderFormError(err, req, res, (view, status) => res.status(status).render('error', { title: t(req.locale, 'common.error'), status, message: view.error, fields: view.fields }));
    }
  });

  /** The users page: the admin's users, and the organisations and roles they may give (their tree only). */
  async function renderUsers(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const ctx = ctxOf(req);
    const query = parse(UserListQuery, givenFields(req.query));
    const users = await auth.searchUsers(ctx, query);
    const orgs = await managedOrgs(ctx);
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    res.status(status).render('auth/users', {
      title: t(req.locale, 'nav.users'),
      users: users.items.map((u) => ({ ...u, orgName: orgName.get(u.orgId) })),
      pager: pagerView('/users', query, users),
      orgs,
      roles: auth.grantableRoles(ctx.actor),
      ...extra,
    });
  }

  r.get('/users', (req, res) => renderUsers(req, res));

  r.get('/users/import/sample.xlsx', async (req, res) => {
    const { actor } = ctxOf(req);
    authorize(actor, USER_IMPORTERS, actor.orgId);
    res.attachment('mau-nhap-nguoi-dung.xlsx');
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.send(await userImportSample());
  });

  postUpload(r, '/users/import', deps.config.MEDIA_DIR, { roles: USER_IMPORTERS, maxBytes: deps.config.UPLOAD_MAX_MB * 1024 * 1024 }, async (req, res) => {
    try {
      const file = uploadedFile(req);
      const result = await importUsers(ctxOf(req), await readAndDrop(file), file.originalname, importLimits(deps));
      await renderUsers(req, res, { userImport: userImportView(result, req.locale) }, result.errors.length ? 400 : 200);
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderUsers(req, res, { importError: view.error, importFields: view.fields }, status));
    }
  });

  /** The edit form of a user the admin manages; after an error it shows what was typed, beside the messages. */
  async function renderUserEdit(req: Request, res: Response, userId: number, extra: Record<string, unknown> = {}, status = 200, typed: FormBody | null = null) {
    const ctx = ctxOf(req);
    const stored = await auth.getUser(ctx, userId);
    const user = typed
      ? { ...stored, name: typed.name === undefined ? stored.name : (field(typed, 'name') ?? ''), orgId: Number(field(typed, 'orgId') ?? stored.orgId), roles: fieldList(typed, 'roles'), active: checked(typed, 'active') }
      : stored;
    res.status(status).render('auth/user-edit', { title: stored.name, user, orgs: await managedOrgs(ctx), roles: auth.grantableRoles(ctx.actor), ...extra });
  }

  r.get('/users/:id/edit', (req, res) => renderUserEdit(req, res, parse(id(), req.params.id)));

  r.post('/users/:id', async (req, res) => {
    const ctx = ctxOf(req);
    const userId = parse(id(), req.params.id);
    const body = formBody(req);
    try {
      await auth.updateUser(ctx, userId, parseForm(UserEditForm, body, toUserEdit));
      res.redirect(303, '/users');
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderUserEdit(req, res, userId, view, status, body));
    }
  });

  r.post('/users', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    try {
      await auth.createUser(ctx, parseForm(UserCreate, body, toUserCreate));
      res.redirect(303, '/users');
    } catch (err) {
      const form = { name: field(body, 'name'), email: field(body, 'email'), orgId: field(body, 'orgId'), roles: fieldList(body, 'roles') };
      await renderFormError(err, req, res, (view, status) => renderUsers(req, res, { ...view, form }, status));
    }
  });

  return r;
}
