import { Router, type Request, type Response } from 'express';
import fs from 'node:fs';
import type { Deps } from '../deps';
import { parse } from '../shared/validate';
import { t } from '../shared/i18n';
import { ctxOf } from '../web/request';
import { field, formBody, parseForm, renderFormError, type FormBody } from '../web/forms';
import { postUpload, uploadedFile } from '../web/upload';
import { formatVnDate } from '../shared/time';
import * as inbox from './service';
import { exportEdxml } from './export';
import { AssignBody, DoneBody, FileIndex, id, InboxQuery, ReceiveBody, RegisterQuery } from './schemas';
import { INBOX_STATES } from './repo';

const idOf = (req: Request) => parse(id(), req.params.id);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Upload files are read in memory (the limit is EDXML_MAX_BYTES) and the temp file removed at once. */
async function readAndDrop(file: Express.Multer.File): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file.path);
  } finally {
    await fs.promises.unlink(file.path).catch(() => undefined);
  }
}

const edxmlUpload = { roles: inbox.KEEPERS, maxBytes: inbox.EDXML_MAX_BYTES };

/** Sends one file of an incoming letter (the PDF opens in the browser, the others download). */
async function sendFile(req: Request, res: Response): Promise<void> {
  const f = await inbox.inboxFile(ctxOf(req), idOf(req), parse(FileIndex, req.params.index));
  res.set('X-Content-Type-Options', 'nosniff');
  res.type(f.contentType);
  const disposition = f.contentType === 'application/pdf' ? 'inline' : 'attachment';
  res.set('Content-Disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(f.name)}`);
  await new Promise<void>((resolve, reject) => res.sendFile(f.file, (err) => (err ? reject(err) : resolve())));
}

/** JSON API, mounted at /api/v1. */
export function apiRouter(deps: Deps): Router {
  const r = Router();

  r.get('/inbox', async (req, res) => {
    res.json(await inbox.listInbox(ctxOf(req), parse(InboxQuery, req.query)));
  });

  postUpload(r, '/inbox/import', deps.config.MEDIA_DIR, edxmlUpload, async (req, res) => {
    const items = await inbox.importEdxml(ctxOf(req), await readAndDrop(uploadedFile(req)));
    res.locals.audit = { entity: 'inbox_items', entityId: items[0]?.id, detail: { symbol: items[0]?.symbol, imported: items.length } };
    res.status(201).json({ items });
  });

  r.get('/inbox/:id', async (req, res) => {
    res.json((await inbox.getInboxItem(ctxOf(req), idOf(req))).item);
  });

  r.get('/inbox/:id/files/:index', sendFile);

  r.post('/inbox/:id/receive', async (req, res) => {
    parse(ReceiveBody, req.body ?? {});
    const result = await inbox.receiveItem(ctxOf(req), idOf(req));
    res.locals.audit = { entity: 'inbox_items', entityId: idOf(req), detail: result };
    res.json(result);
  });

  r.post('/inbox/:id/assign', async (req, res) => {
    const item = await inbox.assignItem(ctxOf(req), idOf(req), parse(AssignBody, req.body));
    res.locals.audit = { entity: 'inbox_items', entityId: item.id, detail: { assignee: item.assignee?.id, dueDate: item.dueDate } };
    res.json(item);
  });

  r.post('/inbox/:id/done', async (req, res) => {
    const item = await inbox.completeItem(ctxOf(req), idOf(req), parse(DoneBody, req.body ?? {}));
    res.locals.audit = { entity: 'inbox_items', entityId: item.id, detail: { done: true } };
    res.json(item);
  });

  r.get('/incoming-register', async (req, res) => {
    const q = parse(RegisterQuery, req.query);
    const register = await inbox.getIncomingRegister(ctxOf(req), q);
    if (q.format === 'xlsx') {
      res.type(XLSX).attachment(`so-van-ban-den-${register.year}.xlsx`).send(await inbox.incomingRegisterXlsx(register));
      return;
    }
    res.json({ orgId: register.orgId, year: register.year, items: register.items });
  });

  r.get('/letters/:id/edxml', async (req, res) => {
    const { filename, xml } = await exportEdxml(ctxOf(req), idOf(req));
    res.type('application/xml').attachment(filename).send(xml);
  });

  return r;
}

/** Form strings → the API bodies. */
const toAssign = (b: FormBody) => ({ userId: field(b, 'userId'), dueDate: field(b, 'dueDate') || undefined, note: field(b, 'note') || undefined });
const toDone = (b: FormBody) => ({ note: field(b, 'note') || undefined });

/** Server-rendered pages, mounted at /. */
export function pageRouter(deps: Deps): Router {
  const r = Router();

  async function renderList(req: Request, res: Response, view: Record<string, unknown> = {}, status = 200) {
    const ctx = ctxOf(req);
    const query = parse(InboxQuery, req.query);
    const page = await inbox.listInbox(ctx, query);
    res.status(status).render('inbox/index', {
      title: t(req.locale, 'inbox.title'),
      ...page,
      query,
      states: INBOX_STATES,
      canImport: inbox.isKeeper(ctx),
      next: page.page * page.pageSize < page.total ? page.page + 1 : null,
      prev: page.page > 1 ? page.page - 1 : null,
      ...view,
    });
  }

  r.get('/inbox', async (req, res) => {
    await renderList(req, res);
  });

  postUpload(r, '/inbox/import', deps.config.MEDIA_DIR, edxmlUpload, async (req, res) => {
    try {
      const items = await inbox.importEdxml(ctxOf(req), await readAndDrop(uploadedFile(req)));
      res.redirect(303, `/inbox/${items[0].id}?done=imported`);
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderList(req, res, { importError: view.error }, status));
    }
  });

  async function renderItem(req: Request, res: Response, view: Record<string, unknown> = {}, status = 200) {
    const detail = await inbox.getInboxItem(ctxOf(req), idOf(req));
    const done = typeof req.query.done === 'string' && ['received', 'assigned', 'closed', 'imported'].includes(req.query.done) ? req.query.done : undefined;
    res.status(status).render('inbox/show', {
      title: `${detail.item.symbol} — ${detail.item.subject}`,
      ...detail,
      letterDate: detail.item.issuedAt ? formatVnDate(detail.item.issuedAt) : '',
      notice: done && !view.error ? t(req.locale, `inbox.notices.${done}`) : undefined,
      ...view,
    });
  }

  r.get('/inbox/:id', async (req, res) => {
    await renderItem(req, res);
  });

  r.get('/inbox/:id/files/:index', sendFile);

  /** The three buttons of the detail page; a refusal (409, 400) shows on it with its status. */
  const action = (path: string, run: (req: Request, body: FormBody) => Promise<unknown>, done: string) =>
    r.post(`/inbox/:id/${path}`, async (req, res) => {
      try {
        await run(req, formBody(req));
      } catch (err) {
        return renderFormError(err, req, res, (view, status) => renderItem(req, res, view, status));
      }
      res.redirect(303, `/inbox/${idOf(req)}?done=${done}`);
    });
  action('receive', (req) => inbox.receiveItem(ctxOf(req), idOf(req)), 'received');
  action('assign', (req, body) => inbox.assignItem(ctxOf(req), idOf(req), parseForm(AssignBody, body, toAssign)), 'assigned');
  action('done', (req, body) => inbox.completeItem(ctxOf(req), idOf(req), parseForm(DoneBody, body, toDone)), 'closed');

  r.get('/incoming-register', async (req, res) => {
    const q = parse(RegisterQuery, req.query);
    const register = await inbox.getIncomingRegister(ctxOf(req), q);
    res.render('inbox/register', {
      title: t(req.locale, 'inbox.register.title'),
      register,
      xlsxUrl: `/api/v1/incoming-register?orgId=${register.orgId}&year=${register.year}&format=xlsx`,
    });
  });

  return r;
}
