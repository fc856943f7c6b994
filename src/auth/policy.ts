import type { Actor, Role } from './roles';
import { forbidden } from '../shared/errors';

/**
 * The organisations an administrator manages: their own organisation and every unit below it, loaded by the
 * service (orgs/service.ts `adminScope`, from `descendantIds`). The superadmin needs none: they manage all.
 */
export type AdminScope = ReadonlySet<number>;

/** A record's organisation(s); `null` stands for "outside any tree" (a new root organisation). */
export type OrgRef = number | null | undefined;

/**
 * The one authorisation rule of the application: may this actor, acting in one of `roles`,
 * touch a record that belongs to one of `orgIds`?
 *
 * - Where the action lists 'admin': the superadmin passes everywhere. A plain admin passes where the feature
 *   gives their tree (`scope`) and the record's organisation is inside it; features that pass no scope keep
 *   the older rule (admins pass), for actions that are not yet tree-scoped.
 * - Everyone else needs one of the roles AND must belong to one of the record's organisations
 *   (its owner, or the organisation it is about: a reporter's agency, a broadcaster's commune).
 *
 * Features state their rules as calls to this function; none checks roles or org ids by hand.
 */
export function can(actor: Actor, roles: readonly Role[], orgIds: OrgRef | readonly OrgRef[], scope?: AdminScope): boolean {
  const ids: readonly OrgRef[] = Array.isArray(orgIds) ? orgIds : [orgIds as OrgRef];
  if (roles.includes('admin') && actor.roles.includes('admin')) {
    if (actor.roles.includes('superadmin') || !scope) return true;
    if (ids.some((id) => id != null && scope.has(id))) return true;
  }
  if (!actor.roles.some((r) => roles.includes(r))) return false;
  return ids.some((id) => id === actor.orgId);
}

/** Throws 403 unless `can` allows it. The last argument is the admin's tree, or a message for the 403. */
export function authorize(actor: Actor, roles: readonly Role[], orgIds: OrgRef | readonly OrgRef[], messageOrScope?: string | AdminScope): void {
  const scope = typeof messageOrScope === 'string' ? undefined : messageOrScope;
  if (!can(actor, roles, orgIds, scope)) throw forbidden(typeof messageOrScope === 'string' ? messageOrScope : undefined);
}

/** The installation's administrator: grants 'superadmin', creates root organisations, manages every tree. */
export function isSuperadmin(actor: Actor): boolean {
  return actor.roles.includes('admin') && actor.roles.includes('superadmin');
}

/**
 * The role sets of the application, named once. Features pass them to `can`/`authorize`/`hasRole` and hand views
 * booleans computed from them; no feature spells a set of roles out again.
 */
/** Department staff: they read the directory, the department's letters, broadcasts and campaigns. */
export const STAFF_ROLES = ['admin', 'drafter', 'approver', 'secretary'] as const satisfies readonly Role[];
/** Preparers: they draft, upload and schedule (letters, audio, broadcasts, recipient groups, campaigns). */
export const PREPARER_ROLES = ['admin', 'drafter', 'secretary'] as const satisfies readonly Role[];
/** Administrators of an organisation tree (and the superadmin). */
export const ADMIN_ROLES = ['admin'] as const satisfies readonly Role[];

/** Does the actor hold one of the roles? (Not tied to a record: use `can` for that.) */
export function hasRole(actor: Actor, roles: readonly Role[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}

/** Throws 403 unless the actor has one of the roles (for actions not yet tied to a record, e.g. opening a form). */
export function requireRole(actor: Actor, roles: readonly Role[]): void {
  if (!hasRole(actor, roles)) throw forbidden();
}
