import type { CampaignRow, ReminderRow, RevisionRow } from './repo';

/** The wire shapes of the reports feature: the API promises these names, the tables may change. */

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
}

export function toCampaign(row: CampaignRow, orgIds: number[]): Campaign {
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
    orgIds,
    createdAt: row.created_at,
  };
}

/** installed / headcount × 100, rounded to 2 decimals; null when there is nothing to divide by. */
export function percentOf(installed: number | null | undefined, headcount: number | null | undefined): number | null {
  if (installed == null || !headcount) return null;
  return Math.round((installed * 10000) / headcount) / 100;
}

export interface Revision {
  revision: number;
  headcount: number;
  installed: number;
  note: string | null;
  onTime: boolean;
  submittedBy: { id: number | null; name: string | null };
  submittedAt: string;
}

export function toRevision(row: RevisionRow & { submitted_by_name: string | null }): Revision {
  return {
    revision: row.revision,
    headcount: row.headcount,
    installed: row.installed,
    note: row.note,
    onTime: Boolean(row.on_time),
    submittedBy: { id: row.submitted_by, name: row.submitted_by_name },
    submittedAt: row.submitted_at,
  };
}

export interface Reminder {
  id: number;
  orgId: number;
  orgName: string;
  week: string;
  kind: string;
  recipients: string[];
  sentAt: string;
}

export function toReminder(row: ReminderRow & { org_name: string }): Reminder {
  return {
    id: row.id,
    orgId: row.org_id,
    orgName: row.org_name,
    week: row.week,
    kind: row.kind,
    recipients: row.recipients ? row.recipients.split(',') : [],
    sentAt: row.sent_at,
  };
}
