import express, { type Express } from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import path from 'node:path';
import type { Deps } from './deps';
import { ROOT } from './shared/paths';
import { setupViews } from './web/views';
import { audit, authenticate, csrf, inputGuard, inputWarningsOnAnswers, locale, passwordChangeGate, requestLog } from './web/middleware';
import { apiNotFound, errorHandler } from './web/errors';
import * as auth from './auth';
import * as orgs from './orgs';
import * as auditLog from './audit';
import * as letters from './letters';
import * as dispatch from './dispatch';
import * as broadcasts from './broadcasts';
import * as reports from './reports';
import * as campaigns from './campaigns';
import * as overview from './overview';
import * as home from './home';
import * as signing from './signing';
import * as inbox from './inbox';
import * as notifications from './notifications';
import { t } from './shared/i18n';

/** Each capability contributes a JSON API router (under /api/v1) and a page router (under /). */
const FEATURES = [auth, orgs, auditLog, letters, dispatch, broadcasts, campaigns, reports, overview, signing, inbox, notifications];

export function createApp(deps: Deps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  setupViews(app);

  app.use((req, _res, next) => {
    req.deps = deps;
    next();
  });
  app.use(requestLog(deps.log, { ignore: (req) => req.url === '/healthz' }));
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'], 'media-src': ["'self'"], 'upgrade-insecure-requests': null } },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/static', express.static(path.join(ROOT, 'public'), { maxAge: '1h' }));
  // Public content-addressed audio: no session, body or audit (like /static), so downloads run at file speed.
  app.use(broadcasts.publicAudioRouter(deps));

  // Bodies: JSON and flat forms up to 1 MB (nesting and NUL refused by inputGuard); files only through the upload
  // routes (src/web/upload.ts), which authenticate before reading a byte.
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(cookieParser());
  app.use(locale());
  app.use(inputGuard());
  app.use(authenticate(deps));
  app.use(csrf());
  app.use(passwordChangeGate());
  app.use(audit(deps));
  app.use(inputWarningsOnAnswers());
  app.use(notifications.unreadBadge());
  app.use((req, res, next) => {
    res.locals.path = req.path;
    res.locals.query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    next();
  });

  const api = express.Router();
  for (const f of FEATURES) api.use(f.apiRouter(deps));
  api.use(apiNotFound);
  app.use('/api/v1', api);

  app.use(home.pageRouter(deps));
  for (const f of FEATURES) app.use(f.pageRouter(deps));

  app.use((req, res) => {
    res.status(404).render('error', { title: t(req.locale, 'common.notFound'), status: 404, message: t(req.locale, 'common.notFound') });
  });
  app.use(errorHandler(deps.log));
  return app;
}
