import { Router } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { actorOf } from '../web/request';
import { postUpload, uploadedFile } from '../web/upload';
import { authorize } from '../auth';
import * as letters from './service';
import * as templates from './template-service';
import { issueLetter, getRegister, registerXlsx } from './register';
import { addAttachment } from './attachments';
import { letterDocument } from './build';
import { renderLetterDocx } from './docx';
import { previewPage } from './preview';
import { docxFilename } from './dispatch-package';
import { LetterCreate, LetterListQuery, LetterPatch, RegisterQuery, RejectBody, TemplateCreate, TemplatePatch } from './schemas';
import { pageRouter as pages } from './pages';

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** JSON API, mounted at /api/v1. */
export function apiRouter(deps: Deps): Router {
  const r = Router();
  const db = deps.db;
  const attachmentUpload = { roles: letters.DRAFTERS, maxBytes: deps.config.UPLOAD_MAX_MB * 1024 * 1024 };

  r.get('/letter-templates', async (req, res) => {
    res.json({ items: await templates.listTemplates(db, actorOf(req)) });
  });
  r.post('/letter-templates', async (req, res) => {
    const tpl = await templates.createTemplate(db, actorOf(req), parse(TemplateCreate, req.body), deps.clock());
    res.locals.createdId = tpl.id;
    res.status(201).json(tpl);
  });
  r.get('/letter-templates/:id', async (req, res) => {
    res.json(await templates.getTemplate(db, actorOf(req), parse(id(), req.params.id)));
  });
  r.patch('/letter-templates/:id', async (req, res) => {
    res.json(await templates.updateTemplate(db, actorOf(req), parse(id(), req.params.id), parse(TemplatePatch, req.body), deps.clock()));
  });

  r.delete('/letter-templates/:id', async (req, res) => {
    await templates.deleteTemplate(db, actorOf(req), parse(id(), req.params.id));
    res.status(204).end();
  });

  r.get('/letters', async (req, res) => {
    res.json({ items: await letters.listLetters(db, actorOf(req), parse(LetterListQuery, req.query)) });
  });
  r.post('/letters', async (req, res) => {
    const letter = await letters.createLetter(db, actorOf(req), parse(LetterCreate, req.body), deps.clock());
    res.locals.createdId = letter.id;
    res.status(201).json(letter);
  });
  r.get('/letters/:id', async (req, res) => {
    res.json(await letters.getLetter(db, actorOf(req), parse(id(), req.params.id)));
  });
  r.patch('/letters/:id', async (req, res) => {
    res.json(await letters.patchLetter(db, actorOf(req), parse(id(), req.params.id), parse(LetterPatch, req.body), deps.clock()));
  });
  postUpload(r, '/letters/:id/attachments', deps.config.MEDIA_DIR, attachmentUpload, async (req, res) => {
    const letterId = parse(id(), req.params.id);
    const att = await addAttachment(db, deps.config.MEDIA_DIR, actorOf(req), letterId, uploadedFile(req), deps.clock());
    res.locals.createdId = att.id;
    res.locals.audit = { entity: 'letters', entityId: letterId, detail: { attachment: att.id, name: att.name } };
    res.status(201).json(att);
  });

  r.get('/letters/:id/docx', async (req, res) => {
    const letterId = parse(id(), req.params.id);
    await letters.getLetter(db, actorOf(req), letterId); // authorises
    const { doc, row } = await letterDocument(db, letterId);
    res.type(DOCX_MIME).attachment(docxFilename(row)).send(await renderLetterDocx(doc));
  });
  r.get('/letters/:id/preview', async (req, res) => {
    const letterId = parse(id(), req.params.id);
    await letters.getLetter(db, actorOf(req), letterId);
    const { doc } = await letterDocument(db, letterId);
    res.type('html').send(previewPage(doc));
  });

  const step = (name: string, fn: (letterId: number, req: Parameters<Parameters<typeof r.post>[1]>[0]) => Promise<unknown>) =>
    r.post(`/letters/:id/${name}`, async (req, res) => {
      const letterId = parse(id(), req.params.id);
      const result = await fn(letterId, req);
      res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: name } };
      res.json(result);
    });
  step('submit', (letterId, req) => letters.submitLetter(db, actorOf(req), letterId, deps.clock()));
  step('approve', (letterId, req) => letters.approveLetter(db, actorOf(req), letterId, deps.clock(), { allowSelfApproval: deps.config.ALLOW_SELF_APPROVAL }));
  step('reject', (letterId, req) => letters.rejectLetter(db, actorOf(req), letterId, parse(RejectBody, req.body).reason, deps.clock()));
  step('issue', (letterId, req) => issueLetter(db, actorOf(req), letterId, deps.clock()));

  r.get('/register', async (req, res) => {
    const actor = actorOf(req);
    const q = parse(RegisterQuery, req.query);
    const register = await getRegister(db, actor, q, deps.clock());
    if (q.format === 'xlsx') {
      res
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .attachment(`so-van-ban-di-${register.year}.xlsx`)
        .send(await registerXlsx(register));
      return;
    }
    authorize(actor, letters.READERS, register.orgId);
    res.json({ orgId: register.orgId, year: register.year, items: register.items });
  });

  return r;
}

/** Server-rendered pages, mounted at /. */
export function pageRouter(deps: Deps): Router {
  return pages(deps);
}
