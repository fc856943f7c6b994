import type { Q } from '../db';
import { chunked } from '../db';
import type { Ctx } from '../deps';
import type { Actor, Role } from '../auth';
import { ADMIN_ROLES, STAFF_ROLES, authorize, can, hasRole } from '../auth';
import { assertActive, findOrgsByIds, groupMembers, type Org } from '../orgs';
import { AppError, conflict, invalid, notFound } from '../shared/errors';
import { isoWeekOf } from '../shared/time';
import * as repo from './repo';
import { toCampaign, toCampaignInfo, toExpectedOrg, type Campaign, type CampaignInfo, type CampaignListItem, type ExpectedOrg } from './model';
import type { CampaignCreate, CampaignUpdate } from './schemas';
import { campaignWeeks, checkCampaignDates, checkWeek, isExpectedInWeek, type Membership } from './weeks';

/**
 * Who may do what with a campaign: department staff (STAFF_ROLES) of the owner organisation run it (admins
 * everywhere); a reporter sees the campaigns its organisation is expected to report in.
 */
export const REPORTER_ROLES = ['reporter'] as const satisfies readonly Role[];

/** Does the actor run this campaign (staff of its owner organisation, or an admin)? */
export function managesCampaign(actor: Actor, c: Pick<CampaignInfo, 'ownerOrgId'>): boolean {
  return can(actor, STAFF_ROLES, c.ownerOrgId);
}

async function loadRow(q: Q, id: number): Promise<repo.CampaignRow> {
  const row = await repo.findCampaign(q, id);
  if (!row) throw notFound('Campaign', 'CAMPAIGN_NOT_FOUND');
  return row;
}

/** The managers see a campaign; a reporter sees it when its organisation is expected to report. Others get 404. */
async function loadVisibleRow(ctx: Ctx, id: number): Promise<repo.CampaignRow> {
  const { db, actor } = ctx;
  const c = await loadRow(db, id);
  if (can(actor, STAFF_ROLES, c.owner_org_id)) return c;
  if (can(actor, REPORTER_ROLES, actor.orgId) && (await repo.isExpected(db, c.id, actor.orgId))) return c;
  throw notFound('Campaign', 'CAMPAIGN_NOT_FOUND');
}

/** A campaign the actor may see (see `loadVisibleRow`); 404 CAMPAIGN_NOT_FOUND otherwise. */
export async function loadVisibleCampaign(ctx: Ctx, id: number): Promise<CampaignInfo> {
  return toCampaignInfo(await loadVisibleRow(ctx, id));
}

/** A campaign for an action only its managers may take (dashboard, exports, reminders, overview): 404 / 403 otherwise. */
export async function loadManagedCampaign(ctx: Ctx, id: number): Promise<CampaignInfo> {
  const c = await loadRow(ctx.db, id);
  authorize(ctx.actor, STAFF_ROLES, c.owner_org_id);
  return toCampaignInfo(c);
}

/**
 * For features that file a record under a campaign (a letter, a broadcast): the campaign must exist and be one
 * the actor's organisation runs. Anything else is the same 400, so other organisations' campaigns stay unseen.
 * Takes only the database (or the caller's transaction) and the actor.
 */
export async function checkCampaignLink(ctx: Pick<Ctx, 'db' | 'actor'>, campaignId: number | null | undefined): Promise<void> {
  if (!campaignId) return;
  const c = await repo.findCampaign(ctx.db, campaignId);
  if (!c || !managesCampaign(ctx.actor, toCampaignInfo(c))) throw invalid('CAMPAIGN_NOT_FOUND', 'Unknown campaign', { campaignId: 'no such campaign' });
}

/** The expected organisations of a new campaign: a recipient group's members, or the organisations named (all must exist). */
async function expectedOrgIdsOf(q: Q, input: CampaignCreate): Promise<number[]> {
  if (input.groupId) {
    const members = await groupMembers(q, input.groupId);
    if (!members) throw invalid('GROUP_NOT_FOUND', 'Unknown recipient group', { groupId: 'no such group' });
    return members;
  }
  const orgIds = [...new Set(input.orgIds ?? [])];
  await checkOrgsForNewWork(q, orgIds, 'orgIds');
  return orgIds;
}

/** Organisations named for new work must all exist and be active (400 naming `field` otherwise). */
async function checkOrgsForNewWork(q: Q, orgIds: number[], field: string): Promise<void> {
  const found: Org[] = [];
  for (const part of chunked(orgIds)) found.push(...(await findOrgsByIds(q, part)));
  const known = new Set(found.map((o) => Number(o.id)));
  const unknown = orgIds.filter((o) => !known.has(o));
  if (unknown.length) throw invalid('ORG_NOT_FOUND', `Unknown organisation(s): ${unknown.slice(0, 20).join(', ')}`, { [field]: `unknown: ${unknown.slice(0, 20).join(', ')}` });
  assertActive(found, field);
}

export async function createCampaign(ctx: Ctx, input: CampaignCreate): Promise<Campaign> {
  const { db, actor } = ctx;
  authorize(actor, STAFF_ROLES, actor.orgId);
  checkCampaignDates(input.startDate, input.endDate);
  const orgIds = await expectedOrgIdsOf(db, input);
  if (orgIds.length === 0) throw invalid('CAMPAIGN_NO_ORGS', 'The campaign has no organisations to report', { orgIds: 'no organisations' });
  const id = await db.transaction((tx) =>
    repo.insertCampaign(
      tx,
      {
        owner_org_id: actor.orgId,
        name: input.name,
        description: input.description || null,
        metric_label: input.metricLabel,
        target_percent: input.targetPercent,
        start_date: input.startDate,
        end_date: input.endDate,
        deadline_weekday: input.deadline.weekday,
        deadline_time: input.deadline.time,
        reminder_hours_before: input.reminderHoursBefore ?? 24,
        counts_residents: input.countsResidents ?? false,
        group_id: input.groupId ?? null,
        created_by: actor.id,
        created_at: ctx.clock().toISOString(),
        closed_at: null,
        closed_by: null,
        // No reports yet: the (empty) roll-ups match them.
        rollups_built_at: ctx.clock().toISOString(),
      },
      orgIds,
    ),
  );
  return getCampaign(ctx, id);
}

export async function getCampaign(ctx: Ctx, id: number): Promise<Campaign> {
  const c = await loadVisibleRow(ctx, id);
  const manages = can(ctx.actor, STAFF_ROLES, c.owner_org_id);
  // A reporter learns only that its own organisation is expected, not who else is. The managers see the
  // organisations expected from now on (not removed).
  const orgIds = manages ? (await repo.expectedOrgs(ctx.db, c.id)).filter((o) => o.until_week == null).map((o) => Number(o.id)) : [ctx.actor.orgId];
  return toCampaign(c, orgIds);
}

/**
 * Edits a campaign (its managers): name, end date, deadline, target; expected organisations added or removed from
 * `fromWeek` on. The weeks before `fromWeek` keep their expected organisations, so their figures stay as they were;
 * the reports feature rebuilds its roll-ups at its next read (`rollups_built_at` cleared). A removed organisation
 * that is added again continues its period when it was removed at or after `fromWeek`; a gap (removed before
 * `fromWeek`, added again later) cannot be kept by one period per organisation: 409 ORG_READD_GAP.
 */
export async function updateCampaign(ctx: Ctx, id: number, input: CampaignUpdate): Promise<Campaign> {
  const { db } = ctx;
  const before = await loadManagedCampaign(ctx, id);
  if (before.closedAt) throw conflict('CAMPAIGN_CLOSED', 'The campaign is closed');
  const endDate = input.endDate ?? before.endDate;
  if (endDate < before.startDate) throw invalid('VALIDATION_FAILED', 'The end date is before the start date', { endDate: 'must not be before the start date' });
  checkCampaignDates(before.startDate, endDate);
  const adds = [...new Set(input.addOrgIds ?? [])];
  const removes = [...new Set(input.removeOrgIds ?? [])];
  const fromWeek = input.fromWeek === undefined ? undefined : checkWeekField(before, endDate, input.fromWeek);
  // A deactivated organisation is not added to new work (its history stays).
  if (adds.length) await checkOrgsForNewWork(db, adds, 'addOrgIds');
  await db.transaction(async (tx) => {
    await repo.lockCampaign(tx, id);
    const members = await repo.membershipsOf(tx, id, [...adds, ...removes]);
    if (fromWeek) {
      const notMember = removes.filter((o) => !members.has(o) || !isExpectedInWeek(members.get(o)!, fromWeek));
      if (notMember.length) throw invalid('ORG_NOT_EXPECTED', `Not expected in ${fromWeek}: ${notMember.slice(0, 20).join(', ')}`, { removeOrgIds: `not expected in that week: ${notMember.slice(0, 20).join(', ')}` });
      const fresh = adds.filter((o) => !members.has(o));
      const resumed = adds.filter((o) => members.has(o) && members.get(o)!.untilWeek != null);
      const gap = resumed.filter((o) => members.get(o)!.untilWeek! < fromWeek);
      if (gap.length) throw conflict('ORG_READD_GAP', `Removed before ${fromWeek}, cannot be expected again with a gap: ${gap.slice(0, 20).join(', ')}`);
      await repo.insertMemberships(tx, id, fresh, fromWeek);
      await repo.setUntilWeek(tx, id, resumed, null);
      await repo.setUntilWeek(tx, id, removes, fromWeek);
    }
    const changedMembers = Boolean(adds.length || removes.length);
    await repo.updateCampaign(tx, id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.endDate !== undefined ? { end_date: input.endDate } : {}),
      ...(input.deadline !== undefined ? { deadline_weekday: input.deadline.weekday, deadline_time: input.deadline.time } : {}),
      ...(input.targetPercent !== undefined ? { target_percent: input.targetPercent } : {}),
      ...(changedMembers ? { rollups_built_at: null } : {}),
    });
  });
  return getCampaign(ctx, id);
}

/** `fromWeek` of an edit: a week of the campaign as it will be (its new end date); the message names `fromWeek`. */
function checkWeekField(c: CampaignInfo, endDate: string, week: string): string {
  try {
    return checkWeek({ startDate: c.startDate, endDate }, week);
  } catch (err) {
    if (err instanceof AppError && err.fields?.week) throw invalid(err.code, err.message, { fromWeek: err.fields.week });
    throw err;
  }
}

/** Closes a campaign (its managers): it then takes no reports (409 CAMPAIGN_CLOSED) and shows as closed. Closing twice is the same as once. */
export async function closeCampaign(ctx: Ctx, id: number): Promise<Campaign> {
  const c = await loadManagedCampaign(ctx, id);
  if (!c.closedAt) await repo.updateCampaign(ctx.db, id, { closed_at: ctx.clock().toISOString(), closed_by: ctx.actor.id });
  return getCampaign(ctx, id);
}

/** The campaigns the actor sees: all for an admin, its organisation's for staff, those it reports in for a reporter. */
export async function listCampaigns(ctx: Ctx): Promise<CampaignListItem[]> {
  const { db, actor } = ctx;
  const rows = hasRole(actor, ADMIN_ROLES)
    ? await repo.listCampaigns(db, {})
    : can(actor, STAFF_ROLES, actor.orgId)
      ? await repo.listCampaigns(db, { ownerOrgId: actor.orgId })
      : can(actor, REPORTER_ROLES, actor.orgId)
        ? await repo.listCampaigns(db, { expectedOrgId: actor.orgId })
        : [];
  const counts = await repo.countExpected(db, rows.map((r) => r.id), isoWeekOf(ctx.clock()));
  return rows.map((r) => ({ ...toCampaignInfo(r), expected: counts.get(r.id) ?? 0 }));
}

// ---- reads for the features that work under a campaign (they authorise first, with the loaders above) ----

/**
 * The campaign and, when `orgId` is expected in it, that organisation's defaults (headcount, population aged 18+),
 * in one query: the report submission path. undefined when there is no such campaign. No authorisation here.
 */
export async function campaignWithExpectedOrg(q: Q, campaignId: number, orgId: number): Promise<{ campaign: CampaignInfo; org: (repo.OrgDefaults & Membership & { parentId: number | null }) | undefined } | undefined> {
  const found = await repo.campaignWithExpectedOrg(q, campaignId, orgId);
  return found && { campaign: toCampaignInfo(found.campaign), org: found.org };
}

/**
 * Queues the writers of one expected organisation of a campaign until the caller's transaction ends (its
 * `campaign_orgs` row exists before any report; see repo.lockExpectedOrg).
 */
export async function lockExpectedOrg(q: Q, campaignId: number, orgId: number): Promise<void> {
  await repo.lockExpectedOrg(q, campaignId, orgId);
}

/** The campaigns in which `orgId` is expected to report, latest first. */
export async function campaignsExpecting(q: Q, orgId: number): Promise<CampaignInfo[]> {
  return (await repo.listCampaigns(q, { expectedOrgId: orgId })).map(toCampaignInfo);
}

/** Campaigns with a weekly deadline running on the local date `today` or ended on or after `graceStart` (for the reminder pass). */
export async function campaignsWithDeadlineRunningOn(q: Q, today: string, graceStart: string): Promise<CampaignInfo[]> {
  return (await repo.campaignsRunningOn(q, today, graceStart)).map(toCampaignInfo);
}

/** How many organisations must report in the campaign in `week`. */
export async function expectedCount(q: Q, campaignId: number, week: string): Promise<number> {
  return (await repo.countExpected(q, [campaignId], week)).get(campaignId) ?? 0;
}

/** How many organisations must report in each of the campaign's weeks up to `until` (from a few grouped rows). */
export async function expectedCountsByWeek(q: Q, c: CampaignInfo, until: string): Promise<Map<string, number>> {
  const periods = await repo.membershipPeriods(q, c.id);
  return new Map(campaignWeeks(c, until).map((w) => [w, periods.reduce((n, p) => n + (isExpectedInWeek(p, w) ? p.n : 0), 0)]));
}

/** The organisations ever expected in the campaign (each with its period, see `isExpectedInWeek`), by name. */
export async function expectedOrgs(q: Q, campaignId: number): Promise<ExpectedOrg[]> {
  return (await repo.expectedOrgs(q, campaignId)).map(toExpectedOrg);
}

/** When each organisation is expected in the campaign (all of them, or those named). */
export async function membershipsOf(q: Q, campaignId: number, orgIds?: number[]): Promise<Map<number, Membership>> {
  return repo.membershipsOf(q, campaignId, orgIds);
}

/** The reports feature claims the rebuild of its roll-ups after a change of expected organisations (see repo.claimRollupRebuild). */
export async function claimRollupRebuild(q: Q, campaignId: number, at: string): Promise<boolean> {
  return repo.claimRollupRebuild(q, campaignId, at);
}

/** The SQL form of `isExpectedInWeek` for queries joining `campaign_orgs` under `alias`. */
export const whereExpectedInWeek = repo.whereExpectedInWeek;
