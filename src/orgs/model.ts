import type { OrgRow, GroupRow } from './repo';

/** The wire shape of an organisation: the API promises these names, the table may change. */
export interface Org {
  id: number;
  parentId: number | null;
  kind: OrgRow['kind'];
  name: string;
  shortName: string;
  code: string | null;
  email: string | null;
  headcount: number | null;
  population18: number | null;
  place: string | null;
  /** The issuing name as printed in a letter header (upper case), "\n" at a chosen line break. */
  headerName: string | null;
  /** False once an admin deactivated it (kept for history: old letters and reports still name it). */
  active: boolean;
  deactivatedAt: string | null;
}

export function toOrg(row: OrgRow): Org {
  return {
    id: row.id,
    parentId: row.parent_id,
    kind: row.kind,
    name: row.name,
    shortName: row.short_name,
    code: row.code,
    email: row.email,
    headcount: row.headcount,
    population18: row.population18,
    place: row.place,
    headerName: row.header_name ?? null,
    active: !row.deactivated_at,
    deactivatedAt: row.deactivated_at ?? null,
  };
}

export interface RecipientGroup {
  id: number;
  ownerOrgId: number;
  name: string;
  orgIds: number[];
}

export function toGroup(row: GroupRow, orgIds: number[]): RecipientGroup {
  return { id: row.id, ownerOrgId: row.owner_org_id, name: row.name, orgIds };
}

export interface OrgTreeNode extends Org {
  depth: number;
  children: OrgTreeNode[];
}

/** Builds the tree (any depth) from a flat list; orphans whose parent is not in the list become roots. */
export function buildTree(orgs: Org[]): OrgTreeNode[] {
  const nodes = new Map<number, OrgTreeNode>(orgs.map((o) => [o.id, { ...o, depth: 0, children: [] }]));
  const roots: OrgTreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const setDepth = (list: OrgTreeNode[], depth: number) => {
    list.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
    for (const n of list) {
      n.depth = depth;
      setDepth(n.children, depth + 1);
    }
  };
  setDepth(roots, 0);
  return roots;
}

/** Depth-first list of a tree, for rendering an indented table. */
export function flattenTree(roots: OrgTreeNode[]): OrgTreeNode[] {
  const out: OrgTreeNode[] = [];
  const walk = (list: OrgTreeNode[]) => list.forEach((n) => (out.push(n), walk(n.children)));
  walk(roots);
  return out;
}

/**
 * The order in which a văn thư lists recipients: the province (its People's Committee) first, then departments,
 * then districts, then communes and wards, then press, enterprises and others; by name (Vietnamese) within each.
 * Every organisation picker uses it.
 */
const RECIPIENT_RANK: Record<Org['kind'], number> = { province: 0, department: 1, district: 2, commune: 3, press: 4, enterprise: 5, other: 6 };
export function recipientOrder<T extends Pick<Org, 'kind' | 'name'>>(orgs: readonly T[]): T[] {
  return [...orgs].sort((a, b) => (RECIPIENT_RANK[a.kind] ?? 9) - (RECIPIENT_RANK[b.kind] ?? 9) || a.name.localeCompare(b.name, 'vi'));
}
