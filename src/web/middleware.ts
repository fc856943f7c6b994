import type { NextFunction, Request, Response } from 'express';
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Deps } from '../deps';
import * as auth from '../auth';
import { pickLocale } from '../shared/i18n';
import { AppError, invalid } from '../shared/errors';
import { checkInput, holdsLegacyText, inputWarnings, withInputWarnings } from '../shared/validate';
import { cookieOf, isApiRequest, tokensEqual } from './request';
import { isUploadPath } from './upload';
import { exposeActor } from './nav';
import { queueAudit } from '../audit';

/** A caller's X-Request-Id is kept only when it is this short and plain (it goes into logs and the audit log). */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Request id (X-Request-Id, echoed when it matches SAFE_REQUEST_ID, otherwise generated) and one log line per finished request: id, method, path (feed
 * and acknowledgement secrets masked), status, time, user. Headers are never logged (cookies, bearer tokens).
 * Does what pino-http did for us, without building a child logger and serialising the request for every
 * request even when the level is off (a fifth of the cost of a small API request).
 */
export function requestLog(log: Logger, opts: { ignore?: (req: Request) => boolean } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers['x-request-id'];
    const id = typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : crypto.randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (opts.ignore?.(req) || !log.isLevelEnabled('info')) return next();
    const start = Date.now();
    const done = (err?: Error) => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      res.removeListener('error', done);
      const failed = err || res.statusCode >= 500 || !res.writableEnded;
      const line = {
        req: { id, method: req.method, url: req.originalUrl.replace(/\/(ack|feed)\/[^/?]+/, '/$1/***') },
        res: { statusCode: res.statusCode },
        responseTime: Date.now() - start,
        userId: req.actor?.id,
        ...(err ? { err } : {}),
      };
      if (failed) log.error(line, err ? 'request errored' : res.writableEnded ? 'request completed' : 'request aborted');
      else log.info(line, 'request completed');
    };
    res.on('finish', done);
    res.on('close', done);
    res.on('error', done);
    next();
  };
}

export const SESSION_COOKIE = 'vd_sid';
export const PRE_CSRF_COOKIE = 'vd_csrf';
export const LANG_COOKIE = 'vd_lang';

/** ?lang=en switches and remembers the language; otherwise the user's setting, then the cookie, then Vietnamese. */
export function locale() {
  return (req: Request, res: Response, next: NextFunction) => {
    const q = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    if (q === 'vi' || q === 'en') res.cookie(LANG_COOKIE, q, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000 });
    req.locale = pickLocale(q, cookieOf(req, LANG_COOKIE));
    next();
  };
}

/** Bearer token for the API, session cookie for pages. Sets req.actor when either is valid, and then Cache-Control: no-store. */
export function authenticate(deps: Deps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const session = cookieOf(req, SESSION_COOKIE);
    if (header?.startsWith('Bearer ')) {
      const found = await auth.authenticate(deps, header.slice(7).trim(), 'api');
      if (found) {
        req.actor = found.actor;
        req.authKind = 'api';
      }
    } else if (session) {
      const found = await auth.authenticate(deps, session, 'session');
      if (found) {
        req.actor = found.actor;
        req.authKind = 'session';
        req.csrfToken = found.csrfToken ?? undefined;
        req.mustChangePassword = found.mustChangePassword;
        if (typeof req.query.lang !== 'string' && !cookieOf(req, LANG_COOKIE)) req.locale = found.actor.locale;
      }
    }
    // What a signed-in person sees is theirs: no browser or proxy keeps a copy (the back button after sign-out,
    // a shared computer). Answers that are safe to keep — /static (mounted before this), the public
    // content-addressed audio — set their own Cache-Control after this.
    if (req.authKind) res.setHeader('Cache-Control', 'no-store');
    exposeActor(req, res);
    res.locals.locale = req.locale;
    next();
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a page session that must choose its password may still open: that page, signing out, the language switch. */
const OPEN_WHILE_PASSWORD_CHANGE = new Set(['/me/password', '/logout', '/me/locale']);

/**
 * An imported user signed in with a password someone else chose: every page sends them to /me/password until
 * they choose their own (the API is left alone: a bearer token is the user's own choice of client).
 */
export function passwordChangeGate() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.authKind !== 'session' || !req.mustChangePassword || isApiRequest(req) || OPEN_WHILE_PASSWORD_CHANGE.has(req.path)) return next();
    res.redirect(303, '/me/password');
  };
}

/**
 * CSRF for cookie-authenticated writes: the form's `_csrf` field (or X-CSRF-Token header) must equal the
 * session's token. Before sign-in, a random cookie is mirrored into the login form (double submit).
 * Bearer-token calls carry no ambient credentials and need no token.
 *
 * A multipart body is read only by an upload route, so a multipart request without the header is let through to
 * an upload route alone (anything else: 403), with its actor withheld until that route has checked the form's
 * `_csrf` field, which the form places before the file (src/web/upload.ts). The token never travels in the URL.
 */
export function csrf() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.authKind === 'api') return next(); // no form to protect, no cookie to mint
    let pre = cookieOf(req, PRE_CSRF_COOKIE);
    if (!pre) {
      pre = crypto.randomBytes(18).toString('base64url');
      res.cookie(PRE_CSRF_COOKIE, pre, { httpOnly: true, sameSite: 'lax' });
    }
    const expected = req.authKind === 'session' ? req.csrfToken : pre;
    res.locals.csrfToken = expected;
    if (SAFE.has(req.method)) return next();
    if (isApiRequest(req) && !cookieOf(req, SESSION_COOKIE)) return next(); // no ambient credential to abuse
    const header = req.headers['x-csrf-token'];
    if (header === undefined && req.is('multipart/form-data')) {
      if (!isUploadPath(req.path)) return next(csrfFailed());
      req.csrfPending = true;
      req.pendingActor = req.actor;
      req.actor = undefined;
      exposeActor(req, res);
      return next();
    }
    const body: unknown = req.body;
    const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
    const sent = fields?._csrf || header;
    if (!tokensEqual(sent, expected)) return next(csrfFailed());
    if (fields) delete fields._csrf;
    next();
  };
}

const csrfFailed = () => new AppError('forbidden', 'CSRF_FAILED', 'The form has expired; reload the page and try again');

/**
 * Input no route should ever see, refused with a 400 before any route runs: JSON nested deeper than MAX_DEPTH
 * (recursive code would overflow the stack: a 500, even at sign-in) and NUL characters in the body, the query or
 * the path (PostgreSQL refuses them in text: another 500). Multipart fields are checked by their schemas.
 */
export function inputGuard() {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (/%00/.test(req.path)) return next(invalid('NUL_CHARACTER', 'The request contains a NUL character'));
    checkInput(req.query);
    checkInput(req.body);
    next();
  };
}

/**
 * Each request collects its input warnings (text converted from TCVN3 / VNI by the schemas); a successful JSON
 * answer that is an object carries them as `warnings`. Pages read them with `inputWarnings()`.
 */
export function inputWarningsOnAnswers() {
  return (req: Request, res: Response, next: NextFunction) => {
    // A body not parsed yet (a file upload, an edXML package) may hold text the schemas convert; a parsed JSON or
    // form body and the query are looked through here. Nothing convertible: the request needs no list.
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
    const unparsed = hasBody && !req.is(['json', 'urlencoded']);
    if (!unparsed && !holdsLegacyText(req.body) && !holdsLegacyText(req.query)) return next();
    const done = withInputWarnings(() => {
      const warnings = inputWarnings();
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        if (!warnings.length || res.statusCode >= 400 || !body || typeof body !== 'object' || Array.isArray(body)) return json(body);
        return json({ ...(body as Record<string, unknown>), warnings });
      };
      next();
    });
    res.once('close', done);
  };
}

/**
 * Every successful state-changing request is written to the audit log: who, what, which record, when.
 * Routes may name the record precisely through res.locals.audit; otherwise it is read from the path.
 */
export function audit(deps: Deps) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE.has(req.method)) return next();
    res.on('finish', () => {
      if (res.statusCode >= 400) return;
      const segments = req.originalUrl.split('?')[0].replace(/^\/api\/v1\//, '/').split('/').filter(Boolean);
      const explicit = res.locals.audit as { entity?: string; entityId?: string | number; detail?: unknown; orgId?: number } | undefined;
      queueAudit(deps, {
        userId: req.actor?.id ?? null,
        orgId: explicit?.orgId ?? req.actor?.orgId ?? null,
        action: `${req.method} ${segments.map((s) => (/^\d+$/.test(s) ? ':id' : s)).join('/')}`,
        entity: explicit?.entity ?? segments[0] ?? 'root',
        entityId: String(explicit?.entityId ?? segments.find((s) => /^\d+$/.test(s)) ?? res.locals.createdId ?? '') || null,
        detail: explicit?.detail ?? null,
        requestId: String(req.id ?? ''),
        ip: req.ip ?? null,
      });
    });
    next();
  };
}
