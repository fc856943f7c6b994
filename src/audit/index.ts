// The audit log's public entry point: other features and the web layer import audit only from here.

// Recording (web/middleware.ts, after every successful write) and waiting for the queue at shutdown (server.ts).
export { auditIdle, queueAudit } from './service';
export type { AuditEntry } from './service';

// HTTP.
export { apiRouter, pageRouter } from './routes';
