import { addDays, isoWeekOf, isoWeekOfDate, isValidIsoWeek, localToUtc, mondayOfIsoWeek, nextIsoWeek } from '../shared/time';
import { invalid } from '../shared/errors';
import { MAX_YEAR, MIN_YEAR } from '../shared/validate';
import type { CampaignInfo } from './model';

/**
 * Reporting weeks of a campaign: ISO weeks (Monday to Sunday, Vietnam time), written "2021-W41".
 * The string form sorts in time order, which the queries rely on.
 */

/** A campaign's period: its first and last day (local dates). */
export type Period = Pick<CampaignInfo, 'startDate' | 'endDate'>;

/**
 * Bounds. Every loop over a campaign's weeks (dashboard, trend, exports) and every export's size follows from its
 * length, so a campaign runs within plausible years and for at most three years (a campaign from year 1000 to
 * 9999 would be 470,000 weeks).
 */
export const MAX_CAMPAIGN_YEARS = 3;

/**
 * Refuses campaigns longer than MAX_CAMPAIGN_YEARS (CAMPAIGN_TOO_LONG). The dates themselves are real days of
 * MIN_YEAR–MAX_YEAR already: the schemas read them with the shared `calendarDate`.
 */
export function checkCampaignDates(startDate: string, endDate: string): void {
  // The same day MAX_CAMPAIGN_YEARS later is one day too many; compared as strings, so 29 February needs no care.
  const limit = `${+startDate.slice(0, 4) + MAX_CAMPAIGN_YEARS}${startDate.slice(4)}`;
  if (endDate >= limit) throw invalid('CAMPAIGN_TOO_LONG', `A campaign lasts at most ${MAX_CAMPAIGN_YEARS} years`, { endDate: `at most ${MAX_CAMPAIGN_YEARS} years after the start date` });
}

/**
 * A reporting week as it arrives (path, query, form, body): a real ISO week ("2021-W41") of a plausible year
 * (MIN_YEAR − 1 … MAX_YEAR + 1: a campaign starting on 1 January 2000 begins in week 1999-W52). 400 WEEK_INVALID
 * otherwise; whether the week belongs to a campaign is checked against the campaign (checkWeek).
 */
export function parseWeek(value: unknown): string {
  if (typeof value === 'string' && value.length === 8 && isValidIsoWeek(value)) {
    const year = +value.slice(0, 4);
    if (year >= MIN_YEAR - 1 && year <= MAX_YEAR + 1) return value;
  }
  throw invalid('WEEK_INVALID', `Not a reporting week: ${String(value).slice(0, 20)}`, { week: 'an ISO week written like 2021-W41' });
}

/** parseWeek for an optional parameter: absent or empty means "not given". */
export function parseOptionalWeek(value: unknown): string | undefined {
  return value === undefined || value === '' ? undefined : parseWeek(value);
}

/** The week must be a real week of the campaign: WEEK_INVALID / WEEK_OUTSIDE_CAMPAIGN (400) otherwise. */
export function checkWeek(c: Period, week: string): string {
  parseWeek(week);
  if (!weekInCampaign(c, week)) throw invalid('WEEK_OUTSIDE_CAMPAIGN', `Week ${week} is outside the campaign (${c.startDate} – ${c.endDate})`, { week: 'outside the campaign' });
  return week;
}

/** The week asked for (checked against the campaign), else the default week. */
export function campaignWeek(c: Period, asked: string | undefined, now: Date): string {
  return asked === undefined ? defaultWeek(c, now) : checkWeek(c, asked);
}

export function firstWeek(c: Pick<Period, 'startDate'>): string {
  return isoWeekOfDate(c.startDate);
}

export function lastWeek(c: Pick<Period, 'endDate'>): string {
  return isoWeekOfDate(c.endDate);
}

export function weekInCampaign(c: Period, week: string): boolean {
  return week >= firstWeek(c) && week <= lastWeek(c);
}

/** More weeks than a campaign of MAX_CAMPAIGN_YEARS can span. */
const MAX_CAMPAIGN_WEEKS = 160;

/**
 * Every week of the campaign from its first up to `until` (inclusive). At most MAX_CAMPAIGN_WEEKS (the latest ones):
 * no campaign created now is longer, and a row stored before the bounds existed cannot make a loop of centuries.
 */
export function campaignWeeks(c: Period, until?: string): string[] {
  const out: string[] = [];
  const end = until && until < lastWeek(c) ? until : lastWeek(c);
  const endMonday = mondayOfIsoWeek(end);
  const earliest = endMonday ? isoWeekOfDate(addDays(endMonday, -7 * (MAX_CAMPAIGN_WEEKS - 1))) : end;
  const first = firstWeek(c) > earliest ? firstWeek(c) : earliest;
  for (let w = first; w <= end; w = nextIsoWeek(w)) out.push(w);
  return out;
}

/** The week to show when none is asked for: this week, kept inside the campaign. */
export function defaultWeek(c: Period, now: Date): string {
  const w = isoWeekOf(now);
  if (w < firstWeek(c)) return firstWeek(c);
  if (w > lastWeek(c)) return lastWeek(c);
  return w;
}

/** The deadline of one week: its weekday at its time, Asia/Ho_Chi_Minh; null when the campaign has none. */
export function deadlineOf(c: Pick<CampaignInfo, 'deadline'>, week: string): Date | null {
  const monday = mondayOfIsoWeek(week);
  if (!monday || !c.deadline) return null;
  return localToUtc(addDays(monday, c.deadline.weekday - 1), c.deadline.time);
}

export function previousWeek(week: string): string {
  const monday = mondayOfIsoWeek(week);
  if (!monday) throw new Error(`bad week ${week}`);
  return isoWeekOfDate(addDays(monday, -7));
}

/**
 * When an organisation is expected in a campaign: from `fromWeek` (null: the campaign's first week) up to but not
 * including `untilWeek` (null: to the end). An edit adds or removes organisations from a given week on, so the
 * weeks before it keep their expected organisations and figures.
 */
export interface Membership {
  fromWeek: string | null;
  untilWeek: string | null;
}

/**
 * THE rule of who is expected in week W (dashboard, trend, roll-ups, reminders, exports, submissions). Its SQL form,
 * for queries over many organisations, is `whereExpectedInWeek` in repo.ts, written beside this and tested against it.
 */
export function isExpectedInWeek(m: Membership, week: string): boolean {
  return (m.fromWeek == null || m.fromWeek <= week) && (m.untilWeek == null || week < m.untilWeek);
}
