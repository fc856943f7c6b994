import type { ReminderRow, RevisionRow } from './repo';

/** The wire shapes of the reports feature: the API promises these names, the tables may change. (Campaign: src/campaigns.) */

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
