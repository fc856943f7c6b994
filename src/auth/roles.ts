export const ROLES = ['admin', 'drafter', 'approver', 'secretary', 'reporter', 'broadcaster'] as const;
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
