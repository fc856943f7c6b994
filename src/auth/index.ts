// Users, sign-in and the authorisation rule: other features import auth only from here.

// Who acts: the signed-in person as services see them, and the roles.
export type { Actor, Role } from './roles';

// The one authorisation rule and the role sets, named once (policy.ts).
export { ADMIN_ROLES, PREPARER_ROLES, STAFF_ROLES, authorize, can, hasRole, isSuperadmin, requireRole } from './policy';
export type { AdminScope } from './policy';

// Request plumbing (web/middleware.ts) and the first start (server.ts).
export { authenticate, bootstrapAdmin } from './service';

// Users for a person with the right to manage them (request context).
export { createUser } from './service';

// Reads with no access rule, for features and system work that already decided: reminder recipients, seeds.
export { activeAddressees, activeEmailsByRole, findActorByEmail, findActorById, installationAdmin, orgsWithActiveUsers } from './service';
export { activeUsersOf, userNames } from './service';

// HTTP.
export { apiRouter, pageRouter } from './routes';
