import { Router } from 'express';
import type { Ctx, Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { convertLegacy } from '../shared/legacy-text';
import { ctxOf } from '../web/request';
import { postUpload, uploadedFile } from '../web/upload';
import { authorize, STAFF_ROLES } from '../auth';
import * as letters from './service';
import * as templates from './template-service';
import { issueLetter, getRegister, registerXlsx, setRegisterStart } from './register';
import { addAttachment, deleteAttachment, deleteLetter } from './attachments';
import { letterHistory } from './history';
import { letterDocument } from './build';
import { renderLetterDocx } from './docx';
import { previewPage } from './preview';
import { docxFilename } from './dispatch-package';
import { letterPdf } from './pdf/letter-pdf';
import { LetterCreate, LetterListQuery, LetterPatch, RegisterQuery, RegisterStartBody, RejectBody, TextConvertBody, TemplateCreate, TemplatePatch } from './schemas';
import { pageRouter as pages } from './pages';

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** JSON API, mounted at /api/v1. */
export function apiRouter(deps: Deps): Router {
  const r = Router();
  const attachmentUpload = { roles: letters.DRAFTERS, maxBytes: deps.config.UPLOAD_MAX_MB * 1024 * 1024 };

  r.get('/letter-templates', async (req, res) => {
    res.json({ items: await templates.listTemplates(ctxOf(req)) });
  });
  r.post('/letter-templates', async (req, res) => {
    const tpl = await templates.createTemplate(ctxOf(req), parse(TemplateCreate, req.body));
    res.locals.createdId = tpl.id;
    res.status(201).json(tpl);
  });
  r.get('/letter-templates/:id', async (req, res) => {
    res.json(await templates.getTemplate(ctxOf(req), parse(id(), req.params.id)));
  });
  r.patch('/letter-templates/:id', async (req, res) => {
    res.json(await templates.updateTemplate(ctxOf(req), parse(id(), req.params.id), parse(TemplatePatch, req.body)));
  });

  r.delete('/letter-templates/:id', async (req, res) => {
    await templates.deleteTemplate(ctxOf(req), parse(id(), req.params.id));
    res.status(204).end();
  });

  r.get('/letters', async (req, res) => {
    res.json(await letters.searchLetters(ctxOf(req), parse(LetterListQuery, req.query)));
  });
  r.post('/letters', async (req, res) => {
    const letter = await letters.createLetter(ctxOf(req), parse(LetterCreate, req.body));
    res.locals.createdId = letter.id;
    res.status(201).json(letter);
  });
  r.get('/letters/:id', async (req, res) => {
    res.json(await letters.getLetter(ctxOf(req), parse(id(), req.params.id)));
  });
  r.delete('/letters/:id', async (req, res) => {
    const letterId = parse(id(), req.params.id);
    await deleteLetter(ctxOf(req), letterId);
    res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: 'delete' } };
    res.status(204).end();
  });
  r.get('/letters/:id/history', async (req, res) => {
    res.json(await letterHistory(ctxOf(req), parse(id(), req.params.id)));
  });
  r.delete('/letters/:id/attachments/:attachmentId', async (req, res) => {
    const letterId = parse(id(), req.params.id);
    const attachmentId = parse(id(), req.params.attachmentId);
    await deleteAttachment(ctxOf(req), letterId, attachmentId);
    res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: 'delete attachment', attachment: attachmentId } };
    res.status(204).end();
  });
  r.patch('/letters/:id', async (req, res) => {
    res.json(await letters.patchLetter(ctxOf(req), parse(id(), req.params.id), parse(LetterPatch, req.body)));
  });
  postUpload(r, '/letters/:id/attachments', deps.config.MEDIA_DIR, attachmentUpload, async (req, res) => {
    const letterId = parse(id(), req.params.id);
    const att = await addAttachment(ctxOf(req), letterId, uploadedFile(req));
    res.locals.createdId = att.id;
    res.locals.audit = { entity: 'letters', entityId: letterId, detail: { attachment: att.id, name: att.name } };
    res.status(201).json(att);
  });

  r.get('/letters/:id/docx', async (req, res) => {
    const ctx = ctxOf(req);
    const letterId = parse(id(), req.params.id);
    await letters.getLetter(ctx, letterId); // authorises
    const { doc, row } = await letterDocument(ctx.db, letterId);
    res.type(DOCX_MIME).attachment(docxFilename(row)).send(await renderLetterDocx(doc));
  });
  r.get('/letters/:id/pdf', async (req, res) => {
    const ctx = ctxOf(req);
    const letterId = parse(id(), req.params.id);
    const pdf = await letterPdf(ctx, letterId);
    res.type('application/pdf').attachment(pdf.filename).send(pdf.content);
  });
  r.get('/letters/:id/preview', async (req, res) => {
    const ctx = ctxOf(req);
    const letterId = parse(id(), req.params.id);
    await letters.getLetter(ctx, letterId);
    const { doc } = await letterDocument(ctx.db, letterId);
    res.type('html').send(previewPage(doc));
  });

  const step = (name: string, fn: (ctx: Ctx, letterId: number, body: unknown) => Promise<unknown>) =>
    r.post(`/letters/:id/${name}`, async (req, res) => {
      const ctx = ctxOf(req);
      const letterId = parse(id(), req.params.id);
      const result = await fn(ctx, letterId, req.body);
      res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: name } };
      res.json(result);
    });
  step('submit', (ctx, letterId) => letters.submitLetter(ctx, letterId));
  step('approve', (ctx, letterId) => letters.approveLetter(ctx, letterId));
  step('reject', (ctx, letterId, body) => letters.rejectLetter(ctx, letterId, parse(RejectBody, body).reason));
  step('issue', (ctx, letterId) => issueLetter(ctx, letterId));

  // Any signed-in person may convert text (TCVN3 / VNI → Unicode NFC); it reads and stores nothing.
  r.post('/text/convert', (req, res) => {
    ctxOf(req);
    res.json(convertLegacy(parse(TextConvertBody, req.body).text));
  });

  r.get('/register', async (req, res) => {
    const ctx = ctxOf(req);
    const q = parse(RegisterQuery, req.query);
    const register = await getRegister(ctx, q);
    if (q.format === 'xlsx') {
      res
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .attachment(`so-van-ban-di-${register.year}.xlsx`)
        .send(await registerXlsx(register));
      return;
    }
    authorize(ctx.actor, STAFF_ROLES, register.orgId);
    res.json({ orgId: register.orgId, year: register.year, nextNumber: register.nextNumber, items: register.items });
  });
  r.put('/register/start', async (req, res) => {
    const start = await setRegisterStart(ctxOf(req), parse(RegisterStartBody, req.body));
    res.locals.audit = { entity: 'register', entityId: start.orgId, orgId: start.orgId, detail: { year: start.year, nextNumber: start.nextNumber } };
    res.json(start);
  });

  return r;
}

/** Server-rendered pages, mounted at /. */
export function pageRouter(deps: Deps): Router {
  return pages(deps);
}
