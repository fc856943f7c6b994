import { Router } from 'express';
import type { Deps } from '../deps';
import { t } from '../shared/i18n';
import { ctxOf } from '../web/request';
import { homeFor } from './service';

/** The home page `/`: the panels of what waits for the signed-in person; the sign-in page for anyone else. Mounted at /. */
export function pageRouter(_deps: Deps): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    if (!req.actor) return res.redirect('/login');
    const home = await homeFor(ctxOf(req), req.locale);
    res.render('home', { title: t(req.locale, 'nav.home'), ...home });
  });
  return r;
}
