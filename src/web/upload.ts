import fs from 'node:fs';
import multer from 'multer';
import type { NextFunction, Request, Response, Router } from 'express';
import { tmpDir } from '../shared/media';
import { AppError, invalid, unauthenticated } from '../shared/errors';
import { requireRole } from '../auth';
import type { Role } from '../auth';
import { tokensEqual } from './request';
import { exposeActor } from './nav';

/**
 * The one way a route receives a file. In this order, for every upload route of the API and the pages:
 *
 * 1. who: no signed-in actor → 401 (the pages redirect to sign-in), an actor without one of `roles` → 403 —
 *    before a byte of the body is read, so nobody fills MEDIA_DIR/tmp without the right to upload (a public form,
 *    `roles: 'anyone'`, skips this step);
 * 2. CSRF (page sessions): the token travels in the X-CSRF-Token header, or in the form's `_csrf` field placed
 *    BEFORE the file input — checked when the file part begins, before anything is written (never in the URL,
 *    which ends up in logs);
 * 3. the file streams to MEDIA_DIR/tmp with a size limit (413 above it);
 * 4. the handler runs; whatever happens — stored (moved away), refused, thrown, client gone — the temp file is
 *    removed before the response to an error goes out.
 *
 * Errors of the multipart body itself (too large, unexpected field, malformed) are not thrown at once: the handler
 * receives them from `uploadedFile(req)`, so a page shows them on its form like any other error.
 */
export interface UploadOptions {
  /** Roles that may upload here; the service still authorises the record itself. 'anyone': a public form (no sign-in: /verify). */
  roles: readonly Role[] | 'anyone';
  maxBytes: number;
  field?: string;
}

export type UploadHandler = (req: Request, res: Response) => Promise<unknown>;

/** Paths (relative to a router: /api/v1 is stripped) of the upload routes; csrf() lets a multipart body without
 * the header token through to these only, where the form's field is checked. */
const UPLOAD_PATHS: RegExp[] = [];

const pattern = (routePath: string) => new RegExp(`^${routePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}/?$`);

export function isUploadPath(urlPath: string): boolean {
  const p = urlPath.replace(/^\/api\/v1(?=\/)/, '');
  return UPLOAD_PATHS.some((re) => re.test(p));
}

const csrfFailed = () => new AppError('forbidden', 'CSRF_FAILED', 'The form has expired; reload the page and try again');

/** A session upload whose CSRF token has not been checked yet (see csrf() in middleware.ts). */
function settleCsrf(req: Request): boolean {
  if (!req.csrfPending) return true;
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
  // The token csrf() expects: the session's, or on a public form (no sign-in) the pre-sign-in cookie's.
  const expected = (req.res?.locals as { csrfToken?: string } | undefined)?.csrfToken ?? req.csrfToken;
  if (!tokensEqual(sent, expected)) return false;
  req.csrfPending = false;
  req.actor = req.pendingActor;
  req.pendingActor = undefined;
  if (req.res) req.res.locals.actor = req.actor; // the page rendered after the upload shows the signed-in menu again
  if (req.body) delete (req.body as Record<string, unknown>)._csrf;
  return true;
}

/** Body errors of the library as our own kinds: limits keep their code, anything else the parser threw is a 400. */
function bodyError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { name?: string; code?: string; field?: string; message?: string };
  if (e?.name === 'MulterError') {
    if (e.code === 'LIMIT_FILE_SIZE') return new AppError('too_large', 'TOO_LARGE', 'The upload is larger than allowed');
    if (e.code === 'LIMIT_UNEXPECTED_FILE') return invalid('UNEXPECTED_FILE', `Unexpected file field "${e.field}"`, { [e.field ?? 'file']: 'unexpected file field' });
    return invalid(e.code ?? 'MALFORMED_MULTIPART', e.message ?? 'Upload rejected');
  }
  return invalid('MALFORMED_MULTIPART', 'The multipart body cannot be read');
}

/** System errors (disk full, permissions) stay 500s; parser errors (busboy: no codes) are the client's. */
const isSystemError = (err: unknown) => typeof (err as { code?: unknown })?.code === 'string' && (err as { name?: string }).name !== 'MulterError' && !(err instanceof AppError);

async function removeTemp(req: Request): Promise<void> {
  const file = req.file;
  if (file?.path) await fs.promises.unlink(file.path).catch(() => undefined);
}

export function acceptUpload(mediaDir: string, opts: UploadOptions, handler: UploadHandler) {
  const field = opts.field ?? 'file';
  const parser = multer({
    storage: multer.diskStorage({ destination: tmpDir(mediaDir) }),
    limits: { fileSize: opts.maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
    // The file part begins: the fields before it (the CSRF token) have been read, nothing of the file written yet.
    fileFilter: (req, _file, cb) => (settleCsrf(req) ? cb(null, true) : cb(csrfFailed())),
  }).single(field);

  return async (req: Request, res: Response, next: NextFunction) => {
    let failure: unknown;
    try {
      if (opts.roles !== 'anyone') {
        const actor = req.actor ?? req.pendingActor;
        if (!actor) throw unauthenticated();
        requireRole(actor, opts.roles);
      }
      const parseError = await new Promise<unknown>((resolve) => parser(req, res, resolve));
      if (parseError instanceof AppError && parseError.code === 'CSRF_FAILED') throw parseError;
      if (parseError && isSystemError(parseError)) throw parseError;
      // No file part (or the body broke off before one): the token must have come among the fields read.
      if (req.csrfPending && !settleCsrf(req)) throw csrfFailed();
      exposeActor(req, res); // the page the handler renders shows the person again (withheld until the token was checked)
      if (parseError) req.uploadError = bodyError(parseError);
      await handler(req, res);
    } catch (err) {
      failure = err;
    }
    await removeTemp(req); // gone already when the handler stored it; removed here on every other path
    if (failure) next(failure);
  };
}

/** Registers POST `path` as an upload route of `router` (see acceptUpload). */
export function postUpload(router: Router, path: string, mediaDir: string, opts: UploadOptions, handler: UploadHandler): void {
  const re = pattern(path);
  if (!UPLOAD_PATHS.some((r) => r.source === re.source)) UPLOAD_PATHS.push(re);
  router.post(path, acceptUpload(mediaDir, opts, handler));
}

/** The uploaded file, or the error that kept it from arriving (413, unexpected field, malformed body, missing). */
export function uploadedFile(req: Request, field = 'file'): Express.Multer.File {
  if (req.uploadError) throw req.uploadError;
  if (!req.file) throw invalid('FILE_REQUIRED', `Attach a file in the "${field}" field`, { [field]: 'required' });
  return req.file;
}
