export { authorize, can, isSuperadmin, requireRole } from './policy';
export type { AdminScope } from './policy';
export type { Actor, Role } from './roles';
export { authenticate, bootstrapAdmin, createUser } from './service';
export { ADMIN_ROLES, PREPARER_ROLES, STAFF_ROLES, hasRole } from './policy';
export { activeEmailsByRole, findActorById } from './service';
export { apiRouter, pageRouter } from './routes';
