import { isUniqueViolation } from '../db';
import type { Ctx, Deps } from '../deps';
import { activeEmailsByRole } from '../auth';
import { campaignsWithDeadlineRunningOn, campaignWeek, checkWeek, deadlineOf, loadManagedCampaign, previousWeek, weekInCampaign, type CampaignInfo } from '../campaigns';
import { enqueueMail, kickOutbox } from '../dispatch';
import { addDays, formatVnDateTime, formatWeek, isoWeekOf, localDate } from '../shared/time';
import { t } from '../shared/i18n';
import * as repo from './repo';
import { toReminder, type Reminder } from './model';

export type ReminderKind = 'before' | 'late' | 'manual';

/** When a campaign gives no lead time. */
export const DEFAULT_HOURS_BEFORE = 24;
/** Late notices go out during the week after the deadline, not forever. */
const LATE_WINDOW_MS = 7 * 86400_000;

/** Which reminder (if any) is due for a week at `now`. */
export function dueKind(c: CampaignInfo, week: string, now: Date): 'before' | 'late' | null {
  const deadline = deadlineOf(c, week);
  if (!deadline) return null;
  const lead = (c.reminderHoursBefore ?? DEFAULT_HOURS_BEFORE) * 3600_000;
  const t0 = now.getTime();
  const d = deadline.getTime();
  if (t0 >= d && t0 < d + LATE_WINDOW_MS) return 'late';
  if (lead > 0 && t0 >= d - lead && t0 < d) return 'before';
  return null;
}

function message(c: CampaignInfo, org: repo.OrgBrief, week: string, kind: ReminderKind, publicUrl: string) {
  const deadline = deadlineOf(c, week);
  const vars = { campaign: c.name, org: org.name, week: formatWeek(week), deadline: deadline ? formatVnDateTime(deadline) : '', metric: c.metricLabel ?? '', link: `${publicUrl}/my-reports` };
  return { subject: t('vi', `reports.mail.${kind}.subject`, vars), text: t('vi', `reports.mail.${kind}.text`, vars) };
}

/**
 * Sends one kind of reminder for one week to each organisation given, at most once per organisation:
 * the reminder row (UNIQUE campaign, org, week, kind) and the outbox messages (dedupeKey) are written in one
 * transaction, so a second run, a second instance or a crash halfway neither repeats nor drops one.
 * Recipients: the organisation's reporters, else its own e-mail address.
 */
async function sendReminders(deps: Deps, c: CampaignInfo, week: string, kind: ReminderKind, orgs: repo.OrgBrief[], sentBy: number | null): Promise<number> {
  if (orgs.length === 0) return 0;
  const { db } = deps;
  const now = deps.clock();
  const reporters = await activeEmailsByRole(db, orgs.map((o) => o.id), 'reporter');
  let sent = 0;
  for (const org of orgs) {
    if (await repo.reminderExists(db, c.id, org.id, week, kind)) continue;
    const to = reporters.get(org.id) ?? (org.email ? [org.email] : []);
    const { subject, text } = message(c, org, week, kind, deps.config.publicUrl);
    try {
      await db.transaction(async (tx) => {
        await repo.insertReminder(tx, { campaign_id: c.id, org_id: org.id, week, kind, recipients: to.join(','), sent_at: now.toISOString(), sent_by: sentBy });
        for (const address of to) {
          await enqueueMail(deps, tx, { to: address, subject, text, kind: 'reminder', orgId: c.ownerOrgId, dedupeKey: `report-reminder:${c.id}:${org.id}:${week}:${kind}:${address}` });
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
  for (const c of await campaignsWithDeadlineRunningOn(deps.db, today, addDays(today, -8))) {
    const thisWeek = isoWeekOf(now);
    for (const week of [previousWeek(thisWeek), thisWeek]) {
      if (!weekInCampaign(c, week)) continue;
      const kind = dueKind(c, week, now);
      if (!kind) continue;
      const missing = await repo.missingOrgs(deps.db, c.id, week);
      total += await sendReminders(deps, c, week, kind, missing, null);
    }
  }
  if (total > 0) kickOutbox(deps); // committed: let the messages leave without waiting for the outbox tick
  return total;
}

/**
 * "Remind the missing now": the department reminds every organisation without a report for the week (once per week).
 * The week must be one of the campaign's (400 before anything is written or sent).
 */
export async function remindMissingNow(ctx: Ctx, campaignId: number, weekAsked: string | undefined): Promise<{ week: string; reminded: number; missing: number }> {
  const c = await loadManagedCampaign(ctx, campaignId);
  const week = campaignWeek(c, weekAsked, ctx.clock());
  const missing = await repo.missingOrgs(ctx.db, c.id, week);
  const reminded = await sendReminders(ctx, c, week, 'manual', missing, ctx.actor.id);
  if (reminded > 0) kickOutbox(ctx);
  return { week, reminded, missing: missing.length };
}

export async function listReminders(ctx: Ctx, campaignId: number, week?: string, limit?: number): Promise<Reminder[]> {
  const c = await loadManagedCampaign(ctx, campaignId);
  if (week !== undefined) checkWeek(c, week);
  return (await repo.listReminders(ctx.db, c.id, week, limit)).map(toReminder);
}
