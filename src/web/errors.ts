import type { NextFunction, Request, Response } from 'express';
import { AppError, type ErrorKind } from '../shared/errors';
import { isApiRequest } from './request';
import { hasKey, t } from '../shared/i18n';
import { translateFields } from './field-messages';

/** The one place where an error kind becomes an HTTP status. */
export const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_type: 415,
  too_many: 429,
};

/** Turns body-parser, multer and other library errors into our own kinds. */
export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; code?: string; status?: number; message?: string; field?: string };
  if (e?.type === 'entity.parse.failed') return new AppError('invalid', 'MALFORMED_JSON', 'The request body is not valid JSON');
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FILE_SIZE') return new AppError('too_large', 'TOO_LARGE', 'The upload is larger than allowed');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return new AppError('unsupported_type', 'UNSUPPORTED_ENCODING', 'Unsupported body encoding');
  if (e?.code === 'LIMIT_UNEXPECTED_FILE') return new AppError('invalid', 'UNEXPECTED_FILE', `Unexpected file field "${e.field}"`, { [e.field ?? 'file']: 'unexpected file field' });
  if (typeof e?.code === 'string' && e.code.startsWith('LIMIT_')) return new AppError('invalid', e.code, e.message ?? 'Upload rejected');
  return null;
}

export function errorMessage(err: AppError, locale: 'vi' | 'en'): string {
  const key = `errors.${err.code}`;
  return hasKey(locale, key) ? t(locale, key, err.params) : err.message;
}

export function errorHandler(log: { error: (obj: unknown, msg: string) => void }) {
  // Express recognises error handlers by their four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appErr = toAppError(err);
    if (!appErr) log.error({ err, url: req.originalUrl }, 'unhandled error');
    const status = appErr ? STATUS[appErr.kind] : 500;
    const code = appErr?.code ?? 'INTERNAL';
    const message = appErr ? errorMessage(appErr, req.locale ?? 'vi') : t(req.locale ?? 'vi', 'errors.INTERNAL');
    if (res.headersSent) return;
    if (appErr?.retryAfterSeconds) res.set('Retry-After', String(appErr.retryAfterSeconds));
    if (isApiRequest(req) || !req.accepts('html')) {
      res.status(status).json({ error: { code, message, ...(appErr?.fields ? { fields: appErr.fields } : {}) } });
      return;
    }
    if (status === 401) {
      res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    const fields = appErr?.fields ? translateFields(appErr.fields, req.locale ?? 'vi') : undefined;
    res.status(status).render('error', { title: t(req.locale ?? 'vi', 'common.error'), status, message, fields });
  };
}

export function apiNotFound(req: Request, res: Response) {
  res.status(404).json({ error: { code: 'ROUTE_NOT_FOUND', message: `No route ${req.method} ${req.path}` } });
}

const FORM_KINDS: ReadonlySet<ErrorKind> = new Set(['invalid', 'conflict', 'unsupported_type', 'too_large']);

/**
 * The error as a form page shows it beside its fields (400, 409, 413, 415 — also when an upload library raised
 * it); null for anything else (403, 404, 500…), which the page rethrows to the error handler.
 */
export function formError(err: unknown): AppError | null {
  const e = toAppError(err);
  return e && FORM_KINDS.has(e.kind) ? e : null;
}
