import { addDays, isoWeekOf, isoWeekOfDate, localToUtc, mondayOfIsoWeek, nextIsoWeek } from '../shared/time';
import type { CampaignRow } from './repo';

/**
 * Reporting weeks of a campaign: ISO weeks (Monday to Sunday, Vietnam time), written "2021-W41".
 * The string form sorts in time order, which the queries rely on.
 */

export function firstWeek(c: Pick<CampaignRow, 'start_date'>): string {
  return isoWeekOfDate(c.start_date);
}

export function lastWeek(c: Pick<CampaignRow, 'end_date'>): string {
  return isoWeekOfDate(c.end_date);
}

export function weekInCampaign(c: Pick<CampaignRow, 'start_date' | 'end_date'>, week: string): boolean {
  return week >= firstWeek(c) && week <= lastWeek(c);
}

/** Every week of the campaign from its first up to `until` (inclusive). */
export function campaignWeeks(c: Pick<CampaignRow, 'start_date' | 'end_date'>, until?: string): string[] {
  const out: string[] = [];
  const end = until && until < lastWeek(c) ? until : lastWeek(c);
  for (let w = firstWeek(c); w <= end; w = nextIsoWeek(w)) out.push(w);
  return out;
}

/** The week to show when none is asked for: this week, kept inside the campaign. */
export function defaultWeek(c: Pick<CampaignRow, 'start_date' | 'end_date'>, now: Date): string {
  const w = isoWeekOf(now);
  if (w < firstWeek(c)) return firstWeek(c);
  if (w > lastWeek(c)) return lastWeek(c);
  return w;
}

/** The deadline of one week: its weekday at its time, Asia/Ho_Chi_Minh; null when the campaign has none. */
export function deadlineOf(c: Pick<CampaignRow, 'deadline_weekday' | 'deadline_time'>, week: string): Date | null {
  const monday = mondayOfIsoWeek(week);
  if (!monday || !c.deadline_weekday || !c.deadline_time) return null;
  return localToUtc(addDays(monday, c.deadline_weekday - 1), c.deadline_time);
}

export function previousWeek(week: string): string {
  const monday = mondayOfIsoWeek(week);
  if (!monday) throw new Error(`bad week ${week}`);
  return isoWeekOfDate(addDays(monday, -7));
}
