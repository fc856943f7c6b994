import type { Q } from '../db';
import { chunked, insertId, isPostgres } from '../db';

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
  return q<CampaignRow>('campaigns').where('start_date', '<=', today).andWhere('end_date', '>=', graceStart).whereNotNull('deadline_weekday');
}

export async function countExpected(q: Q, campaignIds: number[]): Promise<Map<number, number>> {
  const map = new Map<number, number>();
  if (campaignIds.length === 0) return map;
  const rows: unknown = await q('campaign_orgs').whereIn('campaign_id', campaignIds).groupBy('campaign_id').select('campaign_id').count({ n: '*' });
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
export async function campaignWithExpectedOrg(q: Q, campaignId: number, orgId: number): Promise<{ campaign: CampaignRow; org: OrgDefaults | undefined } | undefined> {
  const row: unknown = await q('campaigns as c')
    .leftJoin('campaign_orgs as co', (j) => j.on('co.campaign_id', 'c.id').andOn('co.org_id', q.raw('?', [orgId])))
    .leftJoin('orgs as o', 'o.id', 'co.org_id')
    .where('c.id', campaignId)
    .first('c.*', 'co.org_id as expected_org_id', 'o.headcount as expected_org_headcount', 'o.population18 as expected_org_population18');
  if (!row) return undefined;
  const { expected_org_id, expected_org_headcount, expected_org_population18, ...campaign } = row as CampaignRow & { expected_org_id: number | null; expected_org_headcount: number | null; expected_org_population18: number | null };
  return { campaign, org: expected_org_id == null ? undefined : { headcount: expected_org_headcount, population18: expected_org_population18 } };
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
}

/** The expected organisations of a campaign, by name. */
export async function expectedOrgs(q: Q, campaignId: number): Promise<ExpectedOrgRow[]> {
  return q<ExpectedOrgRow>('campaign_orgs')
    .join('orgs', 'orgs.id', 'campaign_orgs.org_id')
    .where('campaign_orgs.campaign_id', campaignId)
    .orderBy('orgs.name')
    .orderBy('orgs.id')
    .select('orgs.id', 'orgs.name', 'orgs.short_name', 'orgs.code', 'orgs.email', 'orgs.headcount', 'orgs.population18');
}

