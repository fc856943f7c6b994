import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Actor } from '../auth';
import { unauthenticated } from '../shared/errors';
import type { Ctx, Deps } from '../deps';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express augments its Request this way
  namespace Express {
    interface Request {
      actor?: Actor;
      /** CSRF token of the page session (absent for bearer-token requests). */
      csrfToken?: string;
      locale: 'vi' | 'en';
      /** A page session of an imported user who has not chosen their own password: pages lead to /me/password. */
      mustChangePassword?: boolean;
      /** How the caller authenticated: decides CSRF and error format. */
      authKind?: 'session' | 'api';
      /** X-Request-Id (given or generated), set by requestLog(); the audit log records it. */
      id?: string;
      /** What the app was given at start (set first thing by createApp), from which ctxOf builds the context. */
      deps?: Deps;
      /** The request context, built once by ctxOf. */
      ctx?: Ctx;
      /**
       * A page session's multipart request whose CSRF token travels in the form: until the upload route has read
       * and checked that field, the actor is held in `pendingActor` and `actor` is unset (see csrf()).
       */
      csrfPending?: boolean;
      pendingActor?: Actor;
      /** What kept an upload from arriving (413, malformed body…); uploadedFile() throws it. */
      uploadError?: import('../shared/errors').AppError;
    }
  }
}

/** The signed-in actor, or a 401. Routes call this first. */
export function actorOf(req: Request): Actor {
  if (!req.actor) throw unauthenticated();
  return req.actor;
}

/** The request context `{db, clock, config, log, actor}`, built once per request; a 401 when nobody is signed in. */
export function ctxOf(req: Request): Ctx {
  if (req.ctx) return req.ctx;
  const actor = actorOf(req);
  if (!req.deps) throw new Error('createApp did not attach its deps to the request');
  req.ctx = { ...req.deps, actor };
  return req.ctx;
}

/** A cookie's value (cookie-parser's `req.cookies` is untyped): a string, or undefined. */
export function cookieOf(req: Request, name: string): string | undefined {
  const cookies: unknown = req.cookies;
  if (!cookies || typeof cookies !== 'object') return undefined;
  const value = (cookies as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export function isApiRequest(req: Request): boolean {
  return req.originalUrl.startsWith('/api/');
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}


/** Constant-time comparison of a token a client sent with the one expected. */
export function tokensEqual(sent: unknown, expected: string | undefined): boolean {
  if (typeof sent !== 'string' || !expected) return false;
  const [a, b] = [Buffer.from(sent), Buffer.from(expected)]; // bytes: a non-ASCII token of the same length is no crash
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
