import type { CampaignRow, ExpectedOrgRow } from './repo';

/** The wire shapes of the campaign records: the API promises these names, the tables may change. */

export interface Campaign {
  id: number;
  ownerOrgId: number;
  name: string;
  description: string | null;
  metricLabel: string | null;
  targetPercent: number;
  startDate: string;
  endDate: string;
  deadline: { weekday: number; time: string } | null;
  reminderHoursBefore: number | null;
  countsResidents: boolean;
  groupId: number | null;
  orgIds: number[];
  createdAt: string;
  /** When the campaign was closed (it then takes no reports); null while it runs. */
  closedAt: string | null;
}

/** A campaign without its list of expected organisations: what the features working under a campaign read. */
export type CampaignInfo = Omit<Campaign, 'orgIds'>;

/** A campaign as the list shows it: with the number of organisations expected to report. */
export interface CampaignListItem extends CampaignInfo {
  expected: number;
}

export function toCampaignInfo(row: CampaignRow): CampaignInfo {
  return {
    id: row.id,
    ownerOrgId: row.owner_org_id,
    name: row.name,
    description: row.description,
    metricLabel: row.metric_label,
    targetPercent: Number(row.target_percent),
    startDate: row.start_date,
    endDate: row.end_date,
    deadline: row.deadline_weekday && row.deadline_time ? { weekday: row.deadline_weekday, time: row.deadline_time } : null,
    reminderHoursBefore: row.reminder_hours_before,
    countsResidents: Boolean(row.counts_residents),
    groupId: row.group_id,
    createdAt: row.created_at,
    closedAt: row.closed_at ?? null,
  };
}

export function toCampaign(row: CampaignRow, orgIds: number[]): Campaign {
  const { createdAt, closedAt, ...rest } = toCampaignInfo(row);
  return { ...rest, orgIds, createdAt, closedAt };
}

/** An organisation expected to report in a campaign, with its defaults for the figures. */
export interface ExpectedOrg {
  id: number;
  name: string;
  shortName: string;
  /** The statistics office's code of the unit, when known: what exports show beside the name. */
  code: string | null;
  email: string | null;
  headcount: number | null;
  population18: number | null;
  /** Expected from this week (null: the first), until before `untilWeek` (null: to the end); see `isExpectedInWeek`. */
  fromWeek: string | null;
  untilWeek: string | null;
}

export function toExpectedOrg(row: ExpectedOrgRow): ExpectedOrg {
  return { id: Number(row.id), name: row.name, shortName: row.short_name, code: row.code, email: row.email, headcount: row.headcount, population18: row.population18, fromWeek: row.from_week, untilWeek: row.until_week };
}
