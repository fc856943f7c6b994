import type { Actor, Role } from './roles';
import { forbidden } from '../shared/errors';

/**
 * The one authorisation rule of the application: may this actor, acting in one of `roles`,
 * touch a record that belongs to one of `orgIds`?
 *
 * - Admins manage everything when the action lists 'admin'.
 * - Everyone else needs one of the roles AND must belong to one of the record's organisations
 *   (its owner, or the organisation it is about: a reporter's agency, a broadcaster's commune).
 *
 * Features state their rules as calls to this function; none checks roles or org ids by hand.
 */
export function can(actor: Actor, roles: readonly Role[], orgIds: number | readonly (number | null | undefined)[]): boolean {
  if (actor.roles.includes('admin') && roles.includes('admin')) return true;
  if (!actor.roles.some((r) => roles.includes(r))) return false;
  const ids = Array.isArray(orgIds) ? orgIds : [orgIds];
  return ids.some((id) => id === actor.orgId);
}

/** Throws 403 unless `can` allows it. */
export function authorize(actor: Actor, roles: readonly Role[], orgIds: number | readonly (number | null | undefined)[], message?: string): void {
  if (!can(actor, roles, orgIds)) throw forbidden(message);
}

/** Throws 403 unless the actor has one of the roles (for actions not yet tied to a record, e.g. opening a form). */
export function requireRole(actor: Actor, roles: readonly Role[]): void {
  if (!actor.roles.some((r) => roles.includes(r))) throw forbidden();
}
