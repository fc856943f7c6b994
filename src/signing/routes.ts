import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { AppError, invalid } from '../shared/errors';
import { t } from '../shared/i18n';
import { ADMIN_ROLES, STAFF_ROLES, hasRole, type Role } from '../auth';
import { ctxOf } from '../web/request';
import { postUpload, uploadedFile, type UploadHandler } from '../web/upload';
import { field, formBody, renderFormError } from '../web/forms';
import * as signing from './service';
import type { Owner } from './service';

/**
 * Who may upload: an organisation's certificate and seal, its administrators; a signer's own certificate and
 * signature image, department staff (the service then allows only the person themselves or an administrator).
 */
const ORG_UPLOADERS: readonly Role[] = ADMIN_ROLES;
const SIGNER_UPLOADERS: readonly Role[] = STAFF_ROLES;

/** A certificate upload: the PKCS#12 file and its password (both missing: both marked at once). */
function certificateUpload(req: Request): { file: Express.Multer.File; password: string } {
  const password = field(formBody(req), 'password');
  if (!req.file && !req.uploadError && !password) {
    throw invalid('FILE_REQUIRED', 'Attach the PKCS#12 file in the "file" field and give its password in "password"', { file: 'required', password: 'required' });
  }
  const file = uploadedFile(req);
  if (!password) throw invalid('PASSWORD_REQUIRED', 'Give the PKCS#12 password in the "password" field', { password: 'required' });
  return { file, password };
}

/** Field messages the upload forms show beside the file input, for refusals that name no field. */
const FILE_MESSAGES: Record<string, string> = { TOO_LARGE: 'too large', PDF_UNREADABLE: 'not a PDF' };

/** An upload's refusal that names no field concerns the file input: marks it there. */
function onFileInput(err: unknown): unknown {
  if (!(err instanceof AppError) || err.fields || !FILE_MESSAGES[err.code]) return err;
  return new AppError(err.kind, err.code, err.message, { file: FILE_MESSAGES[err.code] }, err.params);
}

/** JSON API, mounted at /api/v1. */
export function apiRouter(deps: Deps): Router {
  const r = Router();
  const maxBytes = deps.config.UPLOAD_MAX_MB * 1024 * 1024;
  const upload = (path: string, roles: readonly Role[] | 'anyone', handler: UploadHandler) => postUpload(r, path, deps.config.MEDIA_DIR, { roles, maxBytes }, handler);
  const owner = (type: Owner['type'], req: Request): Owner => ({ type, id: parse(id(), req.params.id) });

  for (const [type, path, roles] of [
    ['org', '/orgs/:id', ORG_UPLOADERS],
    ['user', '/users/:id', SIGNER_UPLOADERS],
  ] as const) {
    upload(`${path}/certificate`, roles, async (req, res) => {
      const { file, password } = certificateUpload(req);
      const cert = await signing.uploadCertificate(ctxOf(req), owner(type, req), file, password);
      res.locals.audit = { entity: type === 'org' ? 'orgs' : 'users', entityId: req.params.id, detail: { certificate: cert.serial, subject: cert.subject } };
      res.status(201).json(cert);
    });
    r.get(`${path}/certificate`, async (req, res) => {
      res.json(await signing.getCertificate(ctxOf(req), owner(type, req)));
    });
  }
  upload('/orgs/:id/seal', ORG_UPLOADERS, async (req, res) => {
    const img = await signing.uploadImage(ctxOf(req), owner('org', req), 'seal', uploadedFile(req));
    res.status(201).json(img);
  });
  upload('/users/:id/signature-image', SIGNER_UPLOADERS, async (req, res) => {
    const img = await signing.uploadImage(ctxOf(req), owner('user', req), 'signature', uploadedFile(req));
    res.status(201).json(img);
  });

  /** Public: anyone may check a PDF's signatures. */
  upload('/verify', 'anyone', async (req, res) => {
    res.json(await signing.verifyUpload(deps, uploadedFile(req)));
  });
  return r;
}

/** The upload forms of the /signing page: path, who may send it, the view key of its field messages, what it does. */
const SETTINGS_FORMS: { name: string; key: string; roles: readonly Role[]; run: (req: Request) => Promise<unknown> }[] = [
  {
    name: 'user-certificate',
    key: 'userCertificate',
    roles: SIGNER_UPLOADERS,
    run: (req) => {
      const ctx = ctxOf(req);
      const { file, password } = certificateUpload(req);
      return signing.uploadCertificate(ctx, { type: 'user', id: ctx.actor.id }, file, password);
    },
  },
  {
    name: 'signature-image',
    key: 'signatureImage',
    roles: SIGNER_UPLOADERS,
    run: (req) => {
      const ctx = ctxOf(req);
      return signing.uploadImage(ctx, { type: 'user', id: ctx.actor.id }, 'signature', uploadedFile(req));
    },
  },
  {
    name: 'org-certificate',
    key: 'orgCertificate',
    roles: ORG_UPLOADERS,
    run: (req) => {
      const ctx = ctxOf(req);
      const { file, password } = certificateUpload(req);
      return signing.uploadCertificate(ctx, { type: 'org', id: ctx.actor.orgId }, file, password);
    },
  },
  {
    name: 'seal',
    key: 'seal',
    roles: ORG_UPLOADERS,
    run: (req) => {
      const ctx = ctxOf(req);
      return signing.uploadImage(ctx, { type: 'org', id: ctx.actor.orgId }, 'seal', uploadedFile(req));
    },
  },
];

/** Pages, mounted at /: the /signing settings page and the public verification page. */
export function pageRouter(deps: Deps): Router {
  const r = Router();
  const maxBytes = deps.config.UPLOAD_MAX_MB * 1024 * 1024;

  /** The signed-in person's certificate and signature image; for admins also their organisation's and its seal. */
  const settings = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const ctx = ctxOf(req);
    const { actor } = ctx;
    const safe = <T>(p: Promise<T>) => p.catch(() => null);
    const canManageOrg = hasRole(actor, ORG_UPLOADERS);
    res.status(status).render('signing/settings', {
      title: t(req.locale, 'signing.settings.title'),
      own: await safe(signing.getCertificate(ctx, { type: 'user', id: actor.id })),
      ownImage: await signing.imageOf(ctx, { type: 'user', id: actor.id }, 'signature').then((i) => !!i),
      canManageOrg,
      org: canManageOrg ? await safe(signing.getCertificate(ctx, { type: 'org', id: actor.orgId })) : null,
      orgSeal: canManageOrg ? await signing.imageOf(ctx, { type: 'org', id: actor.orgId }, 'seal').then((i) => !!i) : false,
      ...extra,
    });
  };
  r.get('/signing', async (req, res) => {
    await settings(req, res, { notice: typeof req.query.done === 'string' ? t(req.locale, 'signing.settings.saved') : undefined });
  });
  for (const form of SETTINGS_FORMS) {
    postUpload(r, `/signing/${form.name}`, deps.config.MEDIA_DIR, { roles: form.roles, maxBytes }, async (req, res) => {
      try {
        await form.run(req);
        res.locals.audit = { entity: 'signing', detail: { step: form.name } };
        res.redirect(303, '/signing?done=1');
      } catch (err) {
        await renderFormError(onFileInput(err), req, res, (view, status) => settings(req, res, { error: view.error, forms: { [form.key]: view.fields ?? {} } }, status));
      }
    });
  }

  const verifyPage = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) =>
    res.status(status).render('signing/verify', { layout: req.actor ? 'main' : 'bare', title: t(req.locale, 'signing.verify.title'), ...extra });
  r.get('/verify', (req, res) => {
    verifyPage(req, res);
  });
  postUpload(r, '/verify', deps.config.MEDIA_DIR, { roles: 'anyone', maxBytes }, async (req, res) => {
    try {
      const file = uploadedFile(req);
      const report = await signing.verifyUpload(deps, file);
      verifyPage(req, res, { report, fileName: file.originalname.normalize('NFC'), checked: true });
    } catch (err) {
      await renderFormError(onFileInput(err), req, res, (view, status) => verifyPage(req, res, view, status));
    }
  });
  return r;
}
