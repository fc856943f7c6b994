import type { Knex } from 'knex';
import type { Q } from '../db';
import { chunked, insertId, isPostgres } from '../db';
import type { Membership } from './weeks';

/** Every query of the campaign records (`campaigns`, `campaign_orgs`). Names say what they answer; nothing here reads a request. */

export interface CampaignRow {
  id: number;
  owner_org_id: number;
  name: string;
  description: string | null;
  metric_label: string | null;
  target_percent: number | string;
  start_date: string;
  end_date: string;
  deadline_weekday: number | null;
  deadline_time: string | null;
  reminder_hours_before: number | null;
  counts_residents: boolean | number;
  group_id: number | null;
  created_by: number | null;
  created_at: string;
  closed_at: string | null;
  closed_by: number | null;
  rollups_built_at: string | null;
}

/**
 * The SQL form of `isExpectedInWeek` (weeks.ts): the `campaign_orgs` rows (under `alias`) of organisations expected
 * in `week`. Every query over "who is expected in week W" goes through this.
 */
export function whereExpectedInWeek<B extends Knex.QueryBuilder>(qb: B, week: string, alias = 'campaign_orgs'): B {
  return qb
    .where((b) => b.whereNull(`${alias}.from_week`).orWhere(`${alias}.from_week`, '<=', week))
    .andWhere((b) => b.whereNull(`${alias}.until_week`).orWhere(`${alias}.until_week`, '>', week)) as B;
}

export async function insertCampaign(q: Q, row: Omit<CampaignRow, 'id'>, orgIds: number[]): Promise<number> {
  const id = await insertId(q, 'campaigns', row);
  const unique = [...new Set(orgIds)];
  // SQLite's multi-row insert is a compound SELECT, limited to 500 terms.
  for (const part of chunked(unique)) {
    await q('campaign_orgs').insert(part.map((org_id) => ({ campaign_id: id, org_id })));
  }
  return id;
}

export async function findCampaign(q: Q, id: number): Promise<CampaignRow | undefined> {
  return q<CampaignRow>('campaigns').where({ id }).first();
}

/** Campaigns owned by `ownerOrgId`, or (for reporters) in which `expectedOrgId` is expected; all when neither is given. */
export async function listCampaigns(q: Q, filter: { ownerOrgId?: number; expectedOrgId?: number }): Promise<CampaignRow[]> {
  const query = q<CampaignRow>('campaigns').select('campaigns.*').orderBy('campaigns.start_date', 'desc').orderBy('campaigns.id', 'desc');
  if (filter.ownerOrgId !== undefined) query.where('campaigns.owner_org_id', filter.ownerOrgId);
  if (filter.expectedOrgId !== undefined) {
    query.whereExists((sub) => sub.select(q.raw('1')).from('campaign_orgs').whereRaw('campaign_orgs.campaign_id = campaigns.id').andWhere('campaign_orgs.org_id', filter.expectedOrgId!));
  }
  return query;
}

/** Campaigns with a deadline running on a local date (or ended on or after `graceStart`, so the last late notices still go out). */
export async function campaignsRunningOn(q: Q, today: string, graceStart: string): Promise<CampaignRow[]> {
  // A closed campaign sends no more reminders.
  return q<CampaignRow>('campaigns').where('start_date', '<=', today).andWhere('end_date', '>=', graceStart).whereNotNull('deadline_weekday').whereNull('closed_at');
}

/** How many organisations are expected per campaign: in `week`, else those not removed (expected to the end). */
export async function countExpected(q: Q, campaignIds: number[], week?: string): Promise<Map<number, number>> {
  const map = new Map<number, number>();
  if (campaignIds.length === 0) return map;
  const query = q('campaign_orgs').whereIn('campaign_id', campaignIds).groupBy('campaign_id').select('campaign_id').count({ n: '*' });
  if (week) whereExpectedInWeek(query, week);
  else query.whereNull('until_week');
  const rows: unknown = await query;
  for (const r of rows as { campaign_id: number; n: number | string }[]) map.set(Number(r.campaign_id), Number(r.n));
  return map;
}

export async function isExpected(q: Q, campaignId: number, orgId: number): Promise<boolean> {
  return Boolean(await q('campaign_orgs').where({ campaign_id: campaignId, org_id: orgId }).first());
}

/** An expected organisation's defaults for its figures. */
export interface OrgDefaults {
  headcount: number | null;
  population18: number | null;
}

/**
 * The campaign and, when `orgId` is expected in it, that organisation's defaults: one query for the submission path.
 * undefined when there is no such campaign.
 */
export async function campaignWithExpectedOrg(q: Q, campaignId: number, orgId: number): Promise<{ campaign: CampaignRow; org: (OrgDefaults & Membership & { parentId: number | null }) | undefined } | undefined> {
  const row: unknown = await q('campaigns as c')
    .leftJoin('campaign_orgs as co', (j) => j.on('co.campaign_id', 'c.id').andOn('co.org_id', q.raw('?', [orgId])))
    .leftJoin('orgs as o', 'o.id', 'co.org_id')
    .where('c.id', campaignId)
    .first('c.*', 'co.org_id as expected_org_id', 'co.from_week as expected_from_week', 'co.until_week as expected_until_week', 'o.parent_id as expected_org_parent_id', 'o.headcount as expected_org_headcount', 'o.population18 as expected_org_population18');
  if (!row) return undefined;
  const { expected_org_id, expected_from_week, expected_until_week, expected_org_parent_id, expected_org_headcount, expected_org_population18, ...campaign } = row as CampaignRow & {
    expected_org_id: number | null;
    expected_from_week: string | null;
    expected_until_week: string | null;
    expected_org_parent_id: number | null;
    expected_org_headcount: number | null;
    expected_org_population18: number | null;
  };
  return {
    campaign,
    org:
      expected_org_id == null
        ? undefined
        : { headcount: expected_org_headcount, population18: expected_org_population18, fromWeek: expected_from_week, untilWeek: expected_until_week, parentId: expected_org_parent_id == null ? null : Number(expected_org_parent_id) },
  };
}

/**
 * Holds the organisation's row of the campaign until the transaction ends: on PostgreSQL a row lock (FOR NO KEY
 * UPDATE, which foreign-key checks do not wait for) on its `campaign_orgs` row. On SQLite the single connection
 * already runs one transaction at a time: no statement.
 */
export async function lockExpectedOrg(q: Q, campaignId: number, orgId: number): Promise<void> {
  if (!isPostgres(q)) return;
  await q('campaign_orgs').where({ campaign_id: campaignId, org_id: orgId }).forNoKeyUpdate().first('org_id');
}

export interface ExpectedOrgRow {
  id: number;
  name: string;
  short_name: string;
  code: string | null;
  email: string | null;
  headcount: number | null;
  population18: number | null;
  from_week: string | null;
  until_week: string | null;
}

/** The organisations ever expected in a campaign (with when), by name. */
export async function expectedOrgs(q: Q, campaignId: number): Promise<ExpectedOrgRow[]> {
  return q<ExpectedOrgRow>('campaign_orgs')
    .join('orgs', 'orgs.id', 'campaign_orgs.org_id')
    .where('campaign_orgs.campaign_id', campaignId)
    .orderBy('orgs.name')
    .orderBy('orgs.id')
    .select('orgs.id', 'orgs.name', 'orgs.short_name', 'orgs.code', 'orgs.email', 'orgs.headcount', 'orgs.population18', 'campaign_orgs.from_week', 'campaign_orgs.until_week');
}

/** When each of these organisations is expected in the campaign (absent: never). */
export async function membershipsOf(q: Q, campaignId: number, orgIds?: number[]): Promise<Map<number, Membership>> {
  const query = q('campaign_orgs').where({ campaign_id: campaignId }).select('org_id', 'from_week', 'until_week');
  if (orgIds) {
    if (orgIds.length === 0) return new Map();
    query.whereIn('org_id', orgIds);
  }
  const rowsRaw: unknown = await query;
  const rows = rowsRaw as { org_id: number; from_week: string | null; until_week: string | null }[];
  return new Map(rows.map((r) => [Number(r.org_id), { fromWeek: r.from_week, untilWeek: r.until_week }]));
}

/** How many organisations share each membership period: the trend's expected count per week from a handful of rows. */
export async function membershipPeriods(q: Q, campaignId: number): Promise<(Membership & { n: number })[]> {
  const rowsRaw: unknown = await q('campaign_orgs').where({ campaign_id: campaignId }).groupBy('from_week', 'until_week').select('from_week', 'until_week').count({ n: '*' });
  const rows = rowsRaw as { from_week: string | null; until_week: string | null; n: number | string }[];
  return rows.map((r) => ({ fromWeek: r.from_week, untilWeek: r.until_week, n: Number(r.n) }));
}

export async function updateCampaign(q: Q, id: number, values: Partial<Pick<CampaignRow, 'name' | 'end_date' | 'deadline_weekday' | 'deadline_time' | 'target_percent' | 'closed_at' | 'closed_by' | 'rollups_built_at'>>): Promise<void> {
  if (Object.keys(values).length) await q('campaigns').where({ id }).update(values);
}

/** Locks the campaign's row until the transaction ends (edits of one campaign queue; nothing on SQLite). */
export async function lockCampaign(q: Q, id: number): Promise<void> {
  if (!isPostgres(q)) return;
  await q('campaigns').where({ id }).forUpdate().first('id');
}

export async function insertMemberships(q: Q, campaignId: number, orgIds: number[], fromWeek: string): Promise<void> {
  for (const part of chunked(orgIds)) await q('campaign_orgs').insert(part.map((org_id) => ({ campaign_id: campaignId, org_id, from_week: fromWeek })));
}

export async function setUntilWeek(q: Q, campaignId: number, orgIds: number[], untilWeek: string | null): Promise<void> {
  for (const part of chunked(orgIds)) await q('campaign_orgs').where({ campaign_id: campaignId }).whereIn('org_id', part).update({ until_week: untilWeek });
}

/**
 * Claims the rebuild of a campaign's roll-ups: marks them built and answers true, unless they already are (false).
 * The UPDATE's row lock makes a concurrent claimant wait for this transaction and then find them built.
 */
export async function claimRollupRebuild(q: Q, id: number, at: string): Promise<boolean> {
  return (await q('campaigns').where({ id }).whereNull('rollups_built_at').update({ rollups_built_at: at })) > 0;
}

