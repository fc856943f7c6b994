import type { Server } from 'node:http';
import { loadConfig } from './config';
import { createDb, migrate } from './db';
import { createLogger } from './logger';
import { createApp } from './app';
import { bootstrapAdmin } from './auth';
import { startScheduler } from './jobs';
import { allJobs } from './all-jobs';
import { startup as featureStartup } from './startup';
import type { Deps } from './deps';
import { outboxIdle } from './dispatch';
import { auditIdle } from './audit';

/** Entry point: config → database (+ migrations) → app → scheduler → listen. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const db = createDb({ url: config.DATABASE_URL });
  await migrate(db);
  const deps: Deps = { db, config, log, clock: () => new Date() };

  const admin = await bootstrapAdmin(deps);
  if (admin) {
    // Printed once, on the first start of an empty database, for the operator to sign in with.
    console.log(`\nAdministrator: ${admin.email}` + (admin.password ? `\nPassword (shown once): ${admin.password}\n` : ' (password from VANDONG_ADMIN_PASSWORD)\n'));
  }
  await featureStartup(deps);

  const app = createApp(deps);
  const scheduler = config.JOBS_ENABLED ? startScheduler(deps, allJobs) : null;
  const server: Server = app.listen(config.PORT, () => {
    const url = config.PUBLIC_URL || `http://localhost:${config.PORT}`;
    log.info({ url, database: config.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@') }, 'listening');
    console.log(`Vận Động is running at ${url}`);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    await scheduler?.stop();
    await outboxIdle(deps);
    await auditIdle(deps);
    await db.destroy();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
