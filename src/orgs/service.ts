import type { Q } from '../db';
import type { Ctx, Deps } from '../deps';
import type { Actor } from '../auth';
import { ADMIN_ROLES, PREPARER_ROLES, STAFF_ROLES, authorize, hasRole, isSuperadmin, type AdminScope } from '../auth';
import { AppError, conflict, invalid, notFound } from '../shared/errors';
import { offsetOf, pageOf, type Page } from '../shared/paging';
import * as repo from './repo';
import { recipientOrder, toGroup, toOrg, type Org, type RecipientGroup } from './model';
import type { GroupCreate, OrgCreate, OrgKind, OrgListQuery, OrgPatch } from './schemas';

/** Staff of a department see the whole directory (they address letters and schedule communes); reporters and broadcasters see only their own organisation. */
function seesDirectory(actor: Actor): boolean {
  return hasRole(actor, STAFF_ROLES);
}

const codeTaken = () => new AppError('conflict', 'ORG_CODE_TAKEN', 'Another organisation already has this code', { code: 'already used by another organisation' });

/** The directory as the actor may see it (staff: all of it; others: their own organisation). */
export async function listOrgs(ctx: Ctx, filter: { kind?: OrgKind; parentId?: number; q?: string; active?: boolean }): Promise<Org[]> {
  const { db, actor } = ctx;
  const rows = await repo.listOrgs(db, seesDirectory(actor) ? filter : { ...filter, ids: [actor.orgId] });
  return rows.map(toOrg);
}

/** One page of the directory as the actor may see it, searched by name, short name or code. */
export async function searchOrgs(ctx: Ctx, query: OrgListQuery): Promise<Page<Org>> {
  const { db, actor } = ctx;
  const filter = { kind: query.kind, parentId: query.parentId, q: query.q, active: query.active };
  const { rows, total } = await repo.pageOrgs(db, seesDirectory(actor) ? filter : { ...filter, ids: [actor.orgId] }, { limit: query.pageSize, offset: offsetOf(query) });
  return pageOf(rows.map(toOrg), total, query);
}

/**
 * The choices of an organisation picker (letter recipients, campaign agencies, broadcast communes, recipient
 * groups): the active organisations the actor sees, in the order a văn thư lists recipients (recipientOrder).
 */
export async function pickerOrgs(ctx: Ctx, filter: { kind?: OrgKind } = {}): Promise<Org[]> {
  return recipientOrder(await listOrgs(ctx, { ...filter, active: true }));
}

/**
 * Deactivates (or reactivates) an organisation: it stays for history (old letters, reports and broadcasts still
 * name it) but leaves every picker, group expansion and new piece of work, and its users cannot sign in. An admin
 * does it inside their own tree only, and never to their own organisation (they would lock themselves out).
 */
export async function setOrgActive(ctx: Ctx, id: number, active: boolean): Promise<Org> {
  const { db, actor } = ctx;
  const row = await repo.findOrg(db, id);
  if (!row) throw notFound('Organisation', 'ORG_NOT_FOUND');
  authorize(actor, ADMIN_ROLES, row.id, await adminScope(db, actor));
  if (!active && row.id === actor.orgId) throw conflict('CANNOT_DEACTIVATE_OWN_ORG', 'You cannot deactivate your own organisation');
  if (active === !row.deactivated_at) return toOrg(row);
  const now = ctx.clock().toISOString();
  await repo.updateOrg(db, id, { deactivated_at: active ? null : now, updated_at: now });
  return toOrg((await repo.findOrg(db, id))!);
}

/** Refuses new work addressed to deactivated organisations: a 400 beside `field` naming them. */
export function assertActive(orgs: readonly Pick<Org, 'active' | 'name'>[], field: string): void {
  const gone = orgs.filter((o) => !o.active).map((o) => o.name);
  if (gone.length) throw invalid('ORG_DEACTIVATED', `Deactivated organisation(s): ${gone.join(', ')}`, { [field]: `deactivated: ${gone.join(', ')}` });
}

export async function getOrg(ctx: Ctx, id: number): Promise<Org> {
  const { db, actor } = ctx;
  const row = await repo.findOrg(db, id);
  if (!row || (!seesDirectory(actor) && row.id !== actor.orgId)) throw notFound('Organisation', 'ORG_NOT_FOUND');
  return toOrg(row);
}

/**
 * The tree an administrator manages: their organisation and every unit below it. Passed to `authorize` so a
 * provincial admin acts only inside it; the superadmin (and anyone who is not an admin) needs no tree.
 */
export async function adminScope(db: Q, actor: Actor): Promise<AdminScope> {
  if (!hasRole(actor, ADMIN_ROLES) || isSuperadmin(actor)) return new Set();
  return new Set(await descendantIds(db, actor.orgId));
}

/** The organisations the actor administers (all of them for the superadmin): the choices of the admin forms. */
export async function managedOrgs(ctx: Ctx): Promise<Org[]> {
  const { db, actor } = ctx;
  if (!hasRole(actor, ADMIN_ROLES)) return [];
  if (isSuperadmin(actor)) return recipientOrder((await repo.listOrgs(db, {})).map(toOrg));
  return recipientOrder((await repo.listOrgs(db, { ids: [...(await adminScope(db, actor))] })).map(toOrg));
}

/**
 * May the actor write an organisation that is (or will be) placed under `parentId`? A new or moved organisation
 * goes under a parent inside the admin's tree; `null` (a root: a new province) is for the superadmin only.
 * `existing` is the organisation being changed, if any: it must itself be inside the tree.
 */
export function authorizeOrgWrite(actor: Actor, scope: AdminScope, existing: Pick<repo.OrgRow, 'id' | 'parent_id'> | null, parentId: number | null | undefined): void {
  if (existing) authorize(actor, ADMIN_ROLES, existing.id, scope);
  const moves = existing ? parentId !== undefined && (parentId ?? null) !== existing.parent_id : true;
  if (moves) authorize(actor, ADMIN_ROLES, parentId ?? null, scope);
}

export async function createOrg(ctx: Ctx, input: OrgCreate): Promise<Org> {
  const { db, actor } = ctx;
  authorizeOrgWrite(actor, await adminScope(db, actor), null, input.parentId);
  if (input.parentId && !(await repo.findOrg(db, input.parentId))) {
    throw invalid('PARENT_NOT_FOUND', 'Parent organisation does not exist', { parentId: 'no such organisation' });
  }
  if (input.code && (await repo.findOrgByCode(db, input.code))) throw codeTaken();
  const now = ctx.clock().toISOString();
  const id = await repo.insertOrg(db, { ...toRow(input), created_at: now, updated_at: now } as Omit<repo.OrgRow, 'id'>);
  return toOrg((await repo.findOrg(db, id))!);
}

export async function updateOrg(ctx: Ctx, id: number, patch: OrgPatch): Promise<Org> {
  const { db, actor } = ctx;
  const row = await repo.findOrg(db, id);
  if (!row) throw notFound('Organisation', 'ORG_NOT_FOUND');
  authorizeOrgWrite(actor, await adminScope(db, actor), row, patch.parentId);
  if (patch.parentId !== undefined && patch.parentId !== null) {
    if (!(await repo.findOrg(db, patch.parentId))) {
      throw invalid('PARENT_NOT_FOUND', 'Parent organisation does not exist', { parentId: 'no such organisation' });
    }
    if (await wouldCycle(db, id, patch.parentId)) {
      throw invalid('PARENT_CYCLE', 'An organisation cannot be placed under itself or one of its own units', {
        parentId: 'would make a cycle',
      });
    }
  }
  if (patch.code) {
    const other = await repo.findOrgByCode(db, patch.code);
    if (other && other.id !== id) throw codeTaken();
  }
  await repo.updateOrg(db, id, { ...toRow(patch), updated_at: ctx.clock().toISOString() });
  return toOrg((await repo.findOrg(db, id))!);
}

function toRow(input: OrgPatch): Partial<repo.OrgRow> {
  const row: Partial<repo.OrgRow> = {};
  if (input.name !== undefined) row.name = input.name;
  if (input.shortName !== undefined) row.short_name = input.shortName;
  if (input.kind !== undefined) row.kind = input.kind;
  if (input.parentId !== undefined) row.parent_id = input.parentId ?? null;
  if (input.code !== undefined) row.code = input.code || null;
  if (input.email !== undefined) row.email = input.email ?? null;
  if (input.headcount !== undefined) row.headcount = input.headcount ?? null;
  if (input.population18 !== undefined) row.population18 = input.population18 ?? null;
  if (input.place !== undefined) row.place = input.place ?? null;
  if (input.headerName !== undefined) row.header_name = input.headerName ?? null;
  return row;
}

/**
 * The first root organisation's id, created as a placeholder province when the database has none (first start:
 * the administrator is attached to it; the demo seed turns it into the demo province).
 */
export async function ensureRootOrg(deps: Deps): Promise<number> {
  const existing = await repo.firstRootOrg(deps.db);
  if (existing) return existing.id;
  const now = deps.clock().toISOString();
  return repo.insertOrg(deps.db, { kind: 'province', name: 'Ủy ban nhân dân tỉnh', short_name: 'UBND', parent_id: null, code: null, email: null, headcount: null, population18: null, place: null, created_at: now, updated_at: now });
}

// ---- reads for other features (they never reach orgs/repo): organisations as the API shows them ----

/** The organisation with this code (the external key of imports and seeds), or undefined. */
export async function findOrgByCode(db: Q, code: string): Promise<Org | undefined> {
  const row = await repo.findOrgByCode(db, code);
  return row ? toOrg(row) : undefined;
}

/** One organisation, or undefined (no access rule: for features that already decided who may see what). */
export async function findOrgById(db: Q, id: number): Promise<Org | undefined> {
  const row = await repo.findOrg(db, id);
  return row ? toOrg(row) : undefined;
}

/** The organisations of `ids` that exist, in no particular order. */
export async function findOrgsByIds(db: Q, ids: readonly number[]): Promise<Org[]> {
  return (await repo.findOrgsByIds(db, [...new Set(ids)])).map(toOrg);
}

/** A recipient group's active member organisation ids (what new work goes to), or null when there is no such group. */
export async function groupMembers(db: Q, groupId: number): Promise<number[] | null> {
  if (!(await repo.findGroup(db, groupId))) return null;
  return activeIds(db, (await repo.groupMemberIds(db, [groupId])).get(groupId) ?? []);
}

/** The ids of `ids` whose organisation is active, in the same order. */
async function activeIds(db: Q, ids: number[]): Promise<number[]> {
  const active = new Set((await repo.listOrgs(db, { ids, active: true })).map((o) => o.id));
  return ids.filter((id) => active.has(id));
}

/** True when putting `orgId` under `newParentId` would make the tree loop. */
export async function wouldCycle(db: Q, orgId: number, newParentId: number): Promise<boolean> {
  const parents = new Map((await repo.allOrgParents(db)).map((r) => [r.id, r.parent_id]));
  let cursor: number | null | undefined = newParentId;
  const seen = new Set<number>();
  while (cursor != null && !seen.has(cursor)) {
    if (cursor === orgId) return true;
    seen.add(cursor);
    cursor = parents.get(cursor);
  }
  return false;
}

/** The organisation and every unit below it, at any depth. */
export async function descendantIds(db: Q, rootId: number): Promise<number[]> {
  const rows = await repo.allOrgParents(db);
  const children = new Map<number, number[]>();
  for (const r of rows) if (r.parent_id != null) children.set(r.parent_id, [...(children.get(r.parent_id) ?? []), r.id]);
  const out: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

/**
 * The province an organisation belongs to: its nearest ancestor (itself included) of kind "province", else the
 * root of its tree (installations whose top body is not marked as a province). This is the unit of isolation
 * between provinces that share one installation: staff schedule, address and administer only inside it.
 */
export async function provinceOf(db: Q, orgId: number): Promise<number | null> {
  const rows = await repo.allOrgParentsAndKinds(db);
  return provinceIn(new Map(rows.map((r) => [r.id, r])), orgId);
}

/** provinceOf() on an already loaded tree (one query for many organisations). */
export function provinceIn(tree: ReadonlyMap<number, { parent_id: number | null; kind: string }>, orgId: number): number | null {
  let cursor: number | null = orgId;
  let top: number | null = null;
  const seen = new Set<number>();
  while (cursor != null && !seen.has(cursor)) {
    seen.add(cursor);
    const row = tree.get(cursor);
    if (!row) break;
    if (row.kind === 'province') return cursor;
    top = cursor;
    cursor = row.parent_id;
  }
  return top;
}

/** The organisations of `orgIds` that are NOT inside the province of `homeOrgId` (empty when all are inside). */
export async function outsideProvince(db: Q, homeOrgId: number, orgIds: readonly number[]): Promise<number[]> {
  const tree = new Map((await repo.allOrgParentsAndKinds(db)).map((r) => [r.id, r]));
  const home = provinceIn(tree, homeOrgId);
  return [...new Set(orgIds)].filter((id) => home === null || provinceIn(tree, id) !== home);
}

/** The organisation and its ancestors up to the root (for the "parent agency" line of a letter). */
export async function ancestry(db: Q, orgId: number): Promise<Org[]> {
  const out: Org[] = [];
  let cursor: number | null = orgId;
  const seen = new Set<number>();
  while (cursor != null && !seen.has(cursor)) {
    seen.add(cursor);
    const row = await repo.findOrg(db, cursor);
    if (!row) break;
    out.push(toOrg(row));
    cursor = row.parent_id;
  }
  return out;
}

// ---- recipient groups ----

export async function createGroup(ctx: Ctx, input: GroupCreate): Promise<RecipientGroup> {
  const { db, actor } = ctx;
  const ownerOrgId = input.ownerOrgId ?? actor.orgId;
  authorize(actor, PREPARER_ROLES, ownerOrgId, await adminScope(db, actor));
  const found = await repo.findOrgsByIds(db, [...new Set(input.orgIds)]);
  if (found.length !== new Set(input.orgIds).size) {
    const known = new Set(found.map((o) => o.id));
    const missing = input.orgIds.filter((i) => !known.has(i));
    throw invalid('ORG_NOT_FOUND', `Unknown organisation(s): ${missing.join(', ')}`, { orgIds: `unknown: ${missing.join(', ')}` });
  }
  if ((await repo.listGroups(db, ownerOrgId)).some((g) => g.name === input.name)) {
    throw new AppError('conflict', 'GROUP_NAME_TAKEN', 'A group with this name already exists', { name: 'a group with this name already exists' });
  }
  const id = await db.transaction((tx) => repo.insertGroup(tx, { owner_org_id: ownerOrgId, name: input.name, created_at: ctx.clock().toISOString() }, input.orgIds));
  return getGroup(ctx, id);
}

export async function getGroup(ctx: Ctx, id: number): Promise<RecipientGroup> {
  const { db, actor } = ctx;
  const row = await repo.findGroup(db, id);
  if (!row || !seesDirectory(actor)) throw notFound('Recipient group', 'GROUP_NOT_FOUND');
  return toGroup(row, (await repo.groupMemberIds(db, [id])).get(id) ?? []);
}

/** Groups are shared address books: every department's staff may use every group. */
export async function listGroups(ctx: Ctx): Promise<RecipientGroup[]> {
  const { db, actor } = ctx;
  if (!seesDirectory(actor)) return [];
  const rows = await repo.listGroups(db);
  const members = await repo.groupMemberIds(db, rows.map((r) => r.id));
  return rows.map((r) => toGroup(r, members.get(r.id) ?? []));
}

/** Resolves group ids to their active member organisation ids (new letters skip deactivated ones); unknown groups are a 400. */
export async function expandGroups(db: Q, groupIds: number[]): Promise<number[]> {
  if (groupIds.length === 0) return [];
  const rows = await Promise.all(groupIds.map((id) => repo.findGroup(db, id)));
  const missing = groupIds.filter((_, i) => !rows[i]);
  if (missing.length) throw invalid('GROUP_NOT_FOUND', `Unknown recipient group(s): ${missing.join(', ')}`, { groupIds: `unknown: ${missing.join(', ')}` });
  const members = await repo.groupMemberIds(db, groupIds);
  return activeIds(db, [...new Set(groupIds.flatMap((id) => members.get(id) ?? []))]);
}

