import { Router } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { ctxOf } from '../web/request';
import { parseOptionalWeek } from '../campaigns';
import { ExportQuery, RemindBody, SummaryQuery } from './schemas';
import { ExportAborted, exportPlan, summaryDocx, writeCsv, writeXlsx } from './exports';
import { listReminders, remindMissingNow } from './reminders';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Exports and reminders of a campaign (JSON API part, mounted under /api/v1 by routes.ts). */
export function exportRoutes(deps: Deps): Router {
  const r = Router();

  /** Streamed: rows go to the response as they are read (chunked), never a whole file in memory. */
  r.get('/campaigns/:id/export', async (req, res) => {
    const { format } = parse(ExportQuery, req.query);
    const campaignId = parse(id(), req.params.id);
    const plan = await exportPlan(ctxOf(req), campaignId, parseOptionalWeek(req.query.week));
    const name = `bao-cao-chien-dich-${campaignId}`;
    if (format === 'xlsx') res.type(XLSX_TYPE).attachment(`${name}.xlsx`);
    else res.type('text/csv; charset=utf-8').attachment(`${name}.csv`);
    try {
      await (format === 'xlsx' ? writeXlsx : writeCsv)(deps.db, plan, res);
    } catch (err) {
      if (!res.headersSent && !(err instanceof ExportAborted)) {
        res.removeHeader('Content-Disposition');
        throw err;
      }
      // Half a file is worse than none: cut the connection so the client sees the download fail.
      if (!(err instanceof ExportAborted)) deps.log.error({ err, url: req.originalUrl }, 'export failed while streaming');
      res.destroy();
    }
  });

  r.get('/campaigns/:id/summary.docx', async (req, res) => {
    const q = parse(SummaryQuery, req.query);
    const campaignId = parse(id(), req.params.id);
    const { buffer, week } = await summaryDocx(ctxOf(req), campaignId, parseOptionalWeek(req.query.week), q);
    res.type(DOCX_TYPE).attachment(`bao-cao-${campaignId}-${week}.docx`).send(buffer);
  });

  r.get('/campaigns/:id/reminders', async (req, res) => {
    res.json({ items: await listReminders(ctxOf(req), parse(id(), req.params.id), parseOptionalWeek(req.query.week)) });
  });

  r.post('/campaigns/:id/reminders', async (req, res) => {
    const body = parse(RemindBody, req.body ?? {});
    res.json(await remindMissingNow(ctxOf(req), parse(id(), req.params.id), parseOptionalWeek(body.week)));
  });

  return r;
}
