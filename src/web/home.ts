import type { Deps } from '../deps';
import type { Actor } from '../auth/roles';

/**
 * What each role sees first. Features add their panels here (secretary: letters to issue; approver:
 * letters to approve; reporter: this week's report; broadcaster: today's schedule).
 */
export interface HomePanels {
  panels: { key: string; title: string; items: { label: string; href: string; detail?: string }[]; empty: string }[];
}

export async function homeFor(_deps: Deps, _actor: Actor): Promise<HomePanels> {
  return { panels: [] };
}
