import { Router } from 'express';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { actorOf } from '../web/request';
import { ExportQuery, RemindBody, SummaryQuery, WeekQuery } from './schemas';
import { exportLines, summaryDocx, toCsv, toXlsx } from './exports';
import { listReminders, remindMissingNow } from './reminders';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Exports and reminders of a campaign (JSON API part, mounted under /api/v1 by routes.ts). */
export function exportRoutes(deps: Deps): Router {
  const r = Router();

  r.get('/campaigns/:id/export', async (req, res) => {
    const { format } = parse(ExportQuery, req.query);
    const campaignId = parse(id(), req.params.id);
    const data = await exportLines(deps.db, actorOf(req), campaignId, deps.clock());
    const name = `bao-cao-chien-dich-${campaignId}`;
    if (format === 'xlsx') {
      res.type(XLSX_TYPE).attachment(`${name}.xlsx`).send(await toXlsx(data));
      return;
    }
    res.type('text/csv; charset=utf-8').attachment(`${name}.csv`).send(toCsv(data.lines));
  });

  r.get('/campaigns/:id/summary.docx', async (req, res) => {
    const q = parse(SummaryQuery, req.query);
    const campaignId = parse(id(), req.params.id);
    const { buffer, week } = await summaryDocx(deps.db, actorOf(req), campaignId, q.week, deps.clock(), q);
    res.type(DOCX_TYPE).attachment(`bao-cao-${campaignId}-${week}.docx`).send(buffer);
  });

  r.get('/campaigns/:id/reminders', async (req, res) => {
    const q = parse(WeekQuery, req.query);
    res.json({ items: await listReminders(deps.db, actorOf(req), parse(id(), req.params.id), q.week) });
  });

  r.post('/campaigns/:id/reminders', async (req, res) => {
    const body = parse(RemindBody, req.body ?? {});
    res.json(await remindMissingNow(deps, actorOf(req), parse(id(), req.params.id), body.week, deps.clock()));
  });

  return r;
}
