import type { Q } from '../db';
import { chunked, insertId } from '../db';
import { whereContains } from '../shared/paging';
import type { OrgKind } from './schemas';

export interface OrgRow {
  id: number;
  parent_id: number | null;
  kind: OrgKind;
  name: string;
  short_name: string;
  code: string | null;
  email: string | null;
  headcount: number | null;
  population18: number | null;
  place: string | null;
  /** The name as printed in a letter's header, "\n" where the văn thư breaks it; null = the name. */
  header_name?: string | null;
  /** Set when an admin deactivated it: kept for history, gone from pickers and new work. */
  deactivated_at: string | null;
  created_at: string;
  updated_at: string;
}

export async function findOrg(q: Q, id: number): Promise<OrgRow | undefined> {
  return q<OrgRow>('orgs').where({ id }).first();
}

export async function findOrgsByIds(q: Q, ids: number[]): Promise<OrgRow[]> {
  if (ids.length === 0) return [];
  return q<OrgRow>('orgs').whereIn('id', ids);
}

export async function findOrgByCode(q: Q, code: string): Promise<OrgRow | undefined> {
  return q<OrgRow>('orgs').where({ code }).first();
}

export async function firstRootOrg(q: Q): Promise<OrgRow | undefined> {
  return q<OrgRow>('orgs').whereNull('parent_id').orderBy('id').first();
}

export interface OrgFilter {
  kind?: OrgKind;
  parentId?: number;
  ids?: number[];
  /** Name, short name or code containing it (case-insensitive). */
  q?: string;
  /** true: only active ones; false: only deactivated ones; undefined: both. */
  active?: boolean;
}

function filtered(q: Q, filter: OrgFilter) {
  const query = q<OrgRow>('orgs');
  if (filter.kind) query.where({ kind: filter.kind });
  if (filter.parentId) query.where({ parent_id: filter.parentId });
  if (filter.ids) query.whereIn('id', filter.ids);
  if (filter.active === true) query.whereNull('deactivated_at');
  if (filter.active === false) query.whereNotNull('deactivated_at');
  if (filter.q) whereContains(query, ['name', 'short_name', 'code'], filter.q);
  return query;
}

export async function listOrgs(q: Q, filter: OrgFilter): Promise<OrgRow[]> {
  return filtered(q, filter).orderBy([{ column: 'kind' }, { column: 'name' }]);
}

/** One page of a filter, by kind then name, and how many match in all. */
export async function pageOrgs(q: Q, filter: OrgFilter, page: { limit: number; offset: number }): Promise<{ rows: OrgRow[]; total: number }> {
  const counted = await filtered(q, filter).count({ n: '*' }).first();
  const n = Number(counted?.n ?? 0);
  const rows = await filtered(q, filter).orderBy([{ column: 'kind' }, { column: 'name' }, { column: 'id' }]).limit(page.limit).offset(page.offset);
  return { rows, total: Number(n) };
}

export async function allOrgParents(q: Q): Promise<{ id: number; parent_id: number | null }[]> {
  return q('orgs').select('id', 'parent_id');
}

export async function allOrgParentsAndKinds(q: Q): Promise<{ id: number; parent_id: number | null; kind: string }[]> {
  return q('orgs').select('id', 'parent_id', 'kind');
}

export async function insertOrg(q: Q, row: Omit<OrgRow, 'id' | 'deactivated_at'>): Promise<number> {
  return insertId(q, 'orgs', row);
}

export async function updateOrg(q: Q, id: number, row: Partial<Omit<OrgRow, 'id'>>): Promise<void> {
  await q('orgs').where({ id }).update(row);
}

export interface GroupRow {
  id: number;
  owner_org_id: number;
  name: string;
  created_at: string;
}

export async function insertGroup(q: Q, row: Omit<GroupRow, 'id'>, orgIds: number[]): Promise<number> {
  const id = await insertId(q, 'recipient_groups', row);
  const rows = [...new Set(orgIds)].map((org_id) => ({ group_id: id, org_id }));
  for (const part of chunked(rows)) await q('recipient_group_members').insert(part);
  return id;
}

export async function findGroup(q: Q, id: number): Promise<GroupRow | undefined> {
  return q<GroupRow>('recipient_groups').where({ id }).first();
}

export async function listGroups(q: Q, ownerOrgId?: number): Promise<GroupRow[]> {
  const query = q<GroupRow>('recipient_groups').orderBy('name');
  if (ownerOrgId) query.where({ owner_org_id: ownerOrgId });
  return query;
}

export async function groupMemberIds(q: Q, groupIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (groupIds.length === 0) return map;
  const rows = await q('recipient_group_members').whereIn('group_id', groupIds).select('group_id', 'org_id').orderBy('org_id');
  for (const r of rows as { group_id: number; org_id: number }[]) map.set(r.group_id, [...(map.get(r.group_id) ?? []), r.org_id]);
  return map;
}
