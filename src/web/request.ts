import type { Request } from 'express';
import type { Actor } from '../auth/roles';
import { unauthenticated } from '../shared/errors';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express augments its Request this way
  namespace Express {
    interface Request {
      actor?: Actor;
      /** CSRF token of the page session (absent for bearer-token requests). */
      csrfToken?: string;
      locale: 'vi' | 'en';
      /** How the caller authenticated: decides CSRF and error format. */
      authKind?: 'session' | 'api';
      /** X-Request-Id (given or generated), set by requestLog(); the audit log records it. */
      id?: string;
    }
  }
}

/** The signed-in actor, or a 401. Routes call this first. */
export function actorOf(req: Request): Actor {
  if (!req.actor) throw unauthenticated();
  return req.actor;
}

export function isApiRequest(req: Request): boolean {
  return req.originalUrl.startsWith('/api/');
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** A form field that may repeat (checkboxes, multi-selects) arrives as one string or several: always a list, empties dropped. */
export function formValues(value: unknown): string[] {
  return ([] as unknown[]).concat(value ?? []).map(String).filter((v) => v !== '');
}
