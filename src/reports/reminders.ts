import type { Q } from '../db';
import { isUniqueViolation } from '../db';
import type { Deps } from '../deps';
import type { Actor } from '../auth';
import { enqueueMail } from '../dispatch';
import { kickOutbox } from '../dispatch';
import { addDays, formatVnDateTime, isoWeekOf, localDate } from '../shared/time';
import { t } from '../shared/i18n';
import * as repo from './repo';
import { activeEmailsByRole } from '../auth/repo';
import { toReminder, type Reminder } from './model';
import { loadManagedCampaign } from './service';
import { campaignWeek, checkWeek, deadlineOf, previousWeek, weekInCampaign } from './weeks';

export type ReminderKind = 'before' | 'late' | 'manual';

/** When a campaign gives no lead time. */
export const DEFAULT_HOURS_BEFORE = 24;
/** Late notices go out during the week after the deadline, not forever. */
const LATE_WINDOW_MS = 7 * 86400_000;

/** Which reminder (if any) is due for a week at `now`. */
export function dueKind(c: repo.CampaignRow, week: string, now: Date): 'before' | 'late' | null {
  const deadline = deadlineOf(c, week);
  if (!deadline) return null;
  const lead = (c.reminder_hours_before ?? DEFAULT_HOURS_BEFORE) * 3600_000;
  const t0 = now.getTime();
  const d = deadline.getTime();
  if (t0 >= d && t0 < d + LATE_WINDOW_MS) return 'late';
  if (lead > 0 && t0 >= d - lead && t0 < d) return 'before';
  return null;
}

function message(c: repo.CampaignRow, org: repo.OrgBrief, week: string, kind: ReminderKind, publicUrl: string) {
  const deadline = deadlineOf(c, week);
  const vars = { campaign: c.name, org: org.name, week, deadline: deadline ? formatVnDateTime(deadline) : '', metric: c.metric_label ?? '', link: `${publicUrl}/my-reports` };
  return { subject: t('vi', `reports.mail.${kind}.subject`, vars), text: t('vi', `reports.mail.${kind}.text`, vars) };
}

/**
 * Sends one kind of reminder for one week to each organisation given, at most once per organisation:
 * the reminder row (UNIQUE campaign, org, week, kind) and the outbox messages (dedupeKey) are written in one
 * transaction, so a second run, a second instance or a crash halfway neither repeats nor drops one.
 * Recipients: the organisation's reporters, else its own e-mail address.
 */
export async function sendReminders(deps: Deps, c: repo.CampaignRow, week: string, kind: ReminderKind, orgs: repo.OrgBrief[], now: Date, sentBy: number | null): Promise<number> {
  if (orgs.length === 0) return 0;
  const { db } = deps;
  const publicUrl = deps.config.publicUrl;
  const reporters = await activeEmailsByRole(db, orgs.map((o) => o.id), 'reporter');
  let sent = 0;
  for (const org of orgs) {
    if (await repo.reminderExists(db, c.id, org.id, week, kind)) continue;
    const to = reporters.get(org.id) ?? (org.email ? [org.email] : []);
    const { subject, text } = message(c, org, week, kind, publicUrl);
    try {
      await db.transaction(async (tx) => {
        await repo.insertReminder(tx, { campaign_id: c.id, org_id: org.id, week, kind, recipients: to.join(','), sent_at: now.toISOString(), sent_by: sentBy });
        for (const address of to) {
          await enqueueMail(deps, tx, { to: address, subject, text, kind: 'reminder', orgId: c.owner_org_id, dedupeKey: `report-reminder:${c.id}:${org.id}:${week}:${kind}:${address}` });
        }
      });
      sent += 1;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err; // another run recorded it first
    }
  }
  return sent;
}

/** The scheduled pass: for this week and last week, remind the organisations that have not reported. */
export async function runReminderPass(deps: Deps): Promise<number> {
  const now = deps.clock();
  const today = localDate(now);
  let total = 0;
  for (const c of await repo.campaignsRunningOn(deps.db, today, addDays(today, -8))) {
    const thisWeek = isoWeekOf(now);
    for (const week of [previousWeek(thisWeek), thisWeek]) {
      if (!weekInCampaign(c, week)) continue;
      const kind = dueKind(c, week, now);
      if (!kind) continue;
      const missing = await repo.missingOrgs(deps.db, c.id, week);
      total += await sendReminders(deps, c, week, kind, missing, now, null);
    }
  }
  if (total > 0) kickOutbox(deps); // committed: let the messages leave without waiting for the outbox tick
  return total;
}

/**
 * "Remind the missing now": the department reminds every organisation without a report for the week (once per week).
 * The week must be one of the campaign's (400 before anything is written or sent).
 */
export async function remindMissingNow(deps: Deps, actor: Actor, campaignId: number, weekAsked: string | undefined, now: Date): Promise<{ week: string; reminded: number; missing: number }> {
  const c = await loadManagedCampaign(deps.db, actor, campaignId);
  const week = campaignWeek(c, weekAsked, now);
  const missing = await repo.missingOrgs(deps.db, c.id, week);
  const reminded = await sendReminders(deps, c, week, 'manual', missing, now, actor.id);
  if (reminded > 0) kickOutbox(deps);
  return { week, reminded, missing: missing.length };
}

export async function listReminders(db: Q, actor: Actor, campaignId: number, week?: string): Promise<Reminder[]> {
  const c = await loadManagedCampaign(db, actor, campaignId);
  if (week !== undefined) checkWeek(c, week);
  return (await repo.listReminders(db, c.id, week)).map(toReminder);
}
