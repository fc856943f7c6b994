/**
 * `superadmin` is the installation's administrator (the one created at first start): it always comes with
 * `admin` and manages every organisation tree; a plain `admin` manages the tree under their own organisation.
 */
export const ROLES = ['admin', 'drafter', 'approver', 'secretary', 'reporter', 'broadcaster', 'superadmin'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in person as every service sees them. */
export interface Actor {
  id: number;
  email: string;
  name: string;
  roles: Role[];
  orgId: number;
  locale: 'vi' | 'en';
}
