import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { actorOf } from '../web/request';
import { singleFile, uploadedFile } from '../web/upload';
import { errorMessage, formError, STATUS } from '../web/errors';
import { t } from '../web/i18n';
import { invalid } from '../shared/errors';
import * as signing from './service';
import type { Owner } from './service';

const ctxOf = (deps: Deps, req: Request): signing.Ctx => ({ db: deps.db, clock: deps.clock, config: deps.config, log: deps.log, actor: req.actor });

function passwordOf(req: Request): string {
  const p: unknown = (req.body as Record<string, unknown> | undefined)?.password;
  if (typeof p !== 'string' || p === '') throw invalid('PASSWORD_REQUIRED', 'Give the PKCS#12 password in the "password" field', { password: 'required' });
  return p;
}

/** JSON API, mounted at /api/v1. */
export function apiRouter(deps: Deps): Router {
  const r = Router();
  const upload = singleFile(deps.config.MEDIA_DIR, 'file', deps.config.UPLOAD_MAX_MB * 1024 * 1024);
  const owner = (type: Owner['type'], req: Request): Owner => ({ type, id: parse(id(), req.params.id) });

  for (const [type, path] of [['org', '/orgs/:id'], ['user', '/users/:id']] as const) {
    r.post(`${path}/certificate`, upload, async (req, res) => {
      actorOf(req);
      const file = uploadedFile(req);
      let password: string;
      try {
        password = passwordOf(req);
      } catch (err) {
        await import('node:fs').then((fs) => fs.promises.unlink(file.path).catch(() => undefined));
        throw err;
      }
      const cert = await signing.uploadCertificate(ctxOf(deps, req), owner(type, req), file, password);
      res.locals.audit = { entity: type === 'org' ? 'orgs' : 'users', entityId: req.params.id, detail: { certificate: cert.serial, subject: cert.subject } };
      res.status(201).json(cert);
    });
    r.get(`${path}/certificate`, async (req, res) => {
      actorOf(req);
      res.json(await signing.getCertificate(ctxOf(deps, req), owner(type, req)));
    });
  }
  r.post('/orgs/:id/seal', upload, async (req, res) => {
    actorOf(req);
    const img = await signing.uploadImage(ctxOf(deps, req), owner('org', req), 'seal', uploadedFile(req));
    res.status(201).json(img);
  });
  r.post('/users/:id/signature-image', upload, async (req, res) => {
    actorOf(req);
    const img = await signing.uploadImage(ctxOf(deps, req), owner('user', req), 'signature', uploadedFile(req));
    res.status(201).json(img);
  });

  /** Public: anyone may check a PDF's signatures. */
  r.post('/verify', upload, async (req, res) => {
    res.json(await signing.verifyUpload(ctxOf(deps, req), uploadedFile(req)));
  });
  return r;
}

/** Pages, mounted at /: the public verification page. */
export function pageRouter(deps: Deps): Router {
  const r = Router();
  const upload = singleFile(deps.config.MEDIA_DIR, 'file', deps.config.UPLOAD_MAX_MB * 1024 * 1024);
  const render = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) =>
    res.status(status).render('signing/verify', { layout: req.actor ? 'main' : 'bare', title: t(req.locale, 'signing.verify.title'), ...extra });

  /** The signed-in person's certificate and signature image; for admins also their organisation's and its seal. */
  const settings = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = actorOf(req);
    const ctx = ctxOf(deps, req);
    const safe = <T>(p: Promise<T>) => p.catch(() => null);
    const isAdmin = actor.roles.includes('admin');
    res.status(status).render('signing/settings', {
      title: t(req.locale, 'signing.settings.title'),
      own: await safe(signing.getCertificate(ctx, { type: 'user', id: actor.id })),
      ownImage: await signing.imageOf(ctx, { type: 'user', id: actor.id }, 'signature').then((i) => !!i),
      isAdmin,
      org: isAdmin ? await safe(signing.getCertificate(ctx, { type: 'org', id: actor.orgId })) : null,
      orgSeal: isAdmin ? await signing.imageOf(ctx, { type: 'org', id: actor.orgId }, 'seal').then((i) => !!i) : false,
      ...extra,
    });
  };
  r.get('/signing', async (req, res) => {
    await settings(req, res, { notice: typeof req.query.done === 'string' ? t(req.locale, 'signing.settings.saved') : undefined });
  });
  const actions: Record<string, (req: Request) => Promise<unknown>> = {
    'user-certificate': (req) => signing.uploadCertificate(ctxOf(deps, req), { type: 'user', id: actorOf(req).id }, uploadedFile(req), passwordOf(req)),
    'signature-image': (req) => signing.uploadImage(ctxOf(deps, req), { type: 'user', id: actorOf(req).id }, 'signature', uploadedFile(req)),
    'org-certificate': (req) => signing.uploadCertificate(ctxOf(deps, req), { type: 'org', id: actorOf(req).orgId }, uploadedFile(req), passwordOf(req)),
    seal: (req) => signing.uploadImage(ctxOf(deps, req), { type: 'org', id: actorOf(req).orgId }, 'seal', uploadedFile(req)),
  };
  for (const [name, action] of Object.entries(actions)) {
    r.post(`/signing/${name}`, (req, res, next) => {
      upload(req, res, async (uploadErr: unknown) => {
        try {
          actorOf(req);
          if (uploadErr) throw uploadErr;
          await action(req);
          res.locals.audit = { entity: 'signing', detail: { step: name } };
          res.redirect(303, '/signing?done=1');
        } catch (err) {
          if (req.file) await import('node:fs').then((fs) => fs.promises.unlink(req.file!.path).catch(() => undefined));
          const e = formError(err);
          if (!e) return next(err);
          await settings(req, res, { error: errorMessage(e, req.locale) }, STATUS[e.kind]).catch(next);
        }
      });
    });
  }

  r.get('/verify', (req, res) => {
    render(req, res);
  });
  r.post('/verify', (req, res, next) => {
    upload(req, res, async (uploadErr: unknown) => {
      try {
        if (uploadErr) throw uploadErr;
        const file = uploadedFile(req);
        const report = await signing.verifyUpload(ctxOf(deps, req), file);
        render(req, res, { report, fileName: file.originalname.normalize('NFC'), checked: true });
      } catch (err) {
        const e = formError(err);
        if (!e) return next(err);
        render(req, res, { error: errorMessage(e, req.locale) }, STATUS[e.kind]);
      }
    });
  });
  return r;
}
