export { queueAudit } from './service';
export { apiRouter, pageRouter } from './routes';
export { auditIdle } from './service';
