import { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { t } from '../shared/i18n';
import { ctxOf } from '../web/request';
import { listAudit } from './service';

const AuditQuery = z.object({
  entity: z.string().max(40).optional(),
  entityId: z.string().max(60).optional(),
  beforeId: id().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export function apiRouter(_deps: Deps): Router {
  const r = Router();
  r.get('/audit', async (req, res) => {
    const ctx = ctxOf(req);
    res.json({ items: await listAudit(ctx, parse(AuditQuery, req.query)) });
  });
  return r;
}

export function pageRouter(_deps: Deps): Router {
  const r = Router();
  r.get('/audit', async (req, res) => {
    const ctx = ctxOf(req);
    const q = parse(AuditQuery, req.query);
    const items = await listAudit(ctx, { ...q, limit: 100 });
    res.render('audit/index', { title: t(req.locale, 'nav.audit'), items, q, nextBefore: items.length === 100 ? items[items.length - 1].id : null });
  });
  return r;
}
