import type { Request, Response } from 'express';
import { ADMIN_ROLES, STAFF_ROLES, hasRole, type Actor, type Role } from '../auth';

/** The outgoing register and the outbox: the secretaries who keep them, and administrators. */
const REGISTRY_ROLES: readonly Role[] = ['admin', 'secretary'];
/** Digital signatures (/signing): the approvers who sign, and administrators (their organisation's certificate and seal). */
const SIGNING_ROLES: readonly Role[] = ['admin', 'approver'];

/** Which links of the top bar the signed-in person gets (templates/views/partials/nav.hbs reads these booleans). */
export interface NavLinks {
  /** Campaigns, letters, broadcasts, organisations. */
  staff: boolean;
  /** Outgoing register, outbox. */
  registry: boolean;
  /** My agency's reports. */
  reporter: boolean;
  /** My commune's broadcast schedule. */
  broadcaster: boolean;
  /** Digital signatures: own certificate and signature image (and the organisation's, for administrators). */
  signing: boolean;
  /** Letter templates, users, audit log. */
  admin: boolean;
}

export function navFor(actor: Actor | undefined): NavLinks | undefined {
  if (!actor) return undefined;
  return {
    staff: hasRole(actor, STAFF_ROLES),
    registry: hasRole(actor, REGISTRY_ROLES),
    reporter: hasRole(actor, ['reporter']),
    broadcaster: hasRole(actor, ['broadcaster']),
    signing: hasRole(actor, SIGNING_ROLES),
    admin: hasRole(actor, ADMIN_ROLES),
  };
}

/** What every page may show of the signed-in person: who they are and the top bar's links (booleans, no roles). */
export function exposeActor(req: Request, res: Response): void {
  res.locals.actor = req.actor;
  res.locals.nav = navFor(req.actor);
}
