/**
 * Times are stored in UTC and shown and scheduled in Asia/Ho_Chi_Minh.
 * Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact and
 * avoids depending on the host's tz database.
 */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const OFFSET_MS = 7 * 3600 * 1000;

export interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday */
  weekday: number;
}

export function localParts(date: Date): LocalParts {
  const d = new Date(date.getTime() + OFFSET_MS);
  const dow = d.getUTCDay();
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: dow === 0 ? 7 : dow,
  };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** "YYYY-MM-DD" of the local (Vietnam) calendar day. */
export function localDate(date: Date): string {
  const p = localParts(date);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}`;
}

/** "HH:MM" local time. */
export function localTime(date: Date): string {
  const p = localParts(date);
  return `${pad2(p.hour)}:${pad2(p.minute)}`;
}

/** The UTC instant of a local date and time, e.g. ("2026-02-05", "06:00") → 2026-02-04T23:00:00Z. */
export function localToUtc(date: string, time = '00:00'): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!m || !t) throw new Error(`bad local date/time ${date} ${time}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +t[1], +t[2]) - OFFSET_MS);
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isValidDate(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

export function isValidTime(time: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(time);
}

/** Adds days to a YYYY-MM-DD calendar date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday) of a YYYY-MM-DD calendar date. */
export function weekdayOf(date: string): number {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow === 0 ? 7 : dow;
}

/** UI date: "ngày 05 tháng 02 năm 2026" (day and month always two digits). */
export function formatVnDate(date: Date | string): string {
  const p = typeof date === 'string' ? partsOfDateString(date) : localParts(date);
  return `ngày ${pad2(p.day)} tháng ${pad2(p.month)} năm ${p.year}`;
}

/**
 * Date line of an official letter (NĐ 30/2020, Phụ lục I, ô 4): day below 10 gets a leading zero,
 * months 1 and 2 are written 01 and 02, months 3 to 12 plainly ("ngày 29 tháng 6 năm 2019").
 */
export function formatLegalDate(date: Date | string): string {
  const p = typeof date === 'string' ? partsOfDateString(date) : localParts(date);
  const month = p.month <= 2 ? pad2(p.month) : String(p.month);
  return `ngày ${pad2(p.day)} tháng ${month} năm ${p.year}`;
}

/** English UI date, e.g. "5 February 2026". */
export function formatEnDate(date: Date | string): string {
  const p = typeof date === 'string' ? partsOfDateString(date) : localParts(date);
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return `${p.day} ${months[p.month - 1]} ${p.year}`;
}

function partsOfDateString(date: string): { year: number; month: number; day: number } {
  if (date.length > 10) return localParts(new Date(date));
  const [y, m, d] = date.split('-').map(Number);
  return { year: y, month: m, day: d };
}

/** Local date-time for the UI: "05/02/2026 06:00". */
export function formatVnDateTime(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  const p = localParts(d);
  return `${pad2(p.day)}/${pad2(p.month)}/${p.year} ${pad2(p.hour)}:${pad2(p.minute)}`;
}

// ---- ISO weeks (reporting weeks run Monday to Sunday, Vietnam time) ----

const WEEK_RE = /^(\d{4})-W(\d{2})$/;

function isoWeekOfDateString(date: string): { year: number; week: number } {
  const d = new Date(`${date}T00:00:00Z`);
  const dow = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dow); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const jan1 = new Date(Date.UTC(year, 0, 1));
  const week = Math.ceil(((d.getTime() - jan1.getTime()) / 86400000 + 1) / 7);
  return { year, week };
}

/** "2021-W41" for the local week containing this instant. */
export function isoWeekOf(date: Date): string {
  const { year, week } = isoWeekOfDateString(localDate(date));
  return `${year}-W${pad2(week)}`;
}

export function isoWeekOfDate(date: string): string {
  const { year, week } = isoWeekOfDateString(date);
  return `${year}-W${pad2(week)}`;
}

/** Monday (YYYY-MM-DD) of an ISO week string, or null when the string is not a real week. */
export function mondayOfIsoWeek(week: string): string | null {
  const m = WEEK_RE.exec(week);
  if (!m) return null;
  const year = +m[1];
  const w = +m[2];
  if (w < 1 || w > 53) return null;
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const jan4dow = jan4.getUTCDay() || 7;
  const monday = new Date(jan4.getTime() + ((w - 1) * 7 - (jan4dow - 1)) * 86400000);
  const iso = monday.toISOString().slice(0, 10);
  return isoWeekOfDate(iso) === week ? iso : null; // rejects W53 in 52-week years
}

export function isValidIsoWeek(week: string): boolean {
  return mondayOfIsoWeek(week) !== null;
}

/** The week after the given one. */
export function nextIsoWeek(week: string): string {
  const monday = mondayOfIsoWeek(week);
  if (!monday) throw new Error(`bad week ${week}`);
  return isoWeekOfDate(addDays(monday, 7));
}

/**
 * A reporting week as a person reads it: "Tuần 49 (01/12–07/12/2026)", in English "Week 49 (01/12–07/12/2026)".
 * A week across New Year shows both years: "Tuần 1 (29/12/2025–04/01/2026)". The ISO key ("2026-W49") stays in
 * URLs, forms and the API, where it is contract; anything else (pages, exports, e-mails, letters) shows this.
 * A string that is not a week is returned unchanged.
 */
export function formatWeek(week: string, locale: 'vi' | 'en' = 'vi'): string {
  const monday = mondayOfIsoWeek(week);
  if (!monday) return week;
  const sunday = addDays(monday, 6);
  const [my, mm, md] = monday.split('-');
  const [sy, sm, sd] = sunday.split('-');
  const from = my === sy ? `${md}/${mm}` : `${md}/${mm}/${my}`;
  return `${locale === 'en' ? 'Week' : 'Tuần'} ${+week.slice(6)} (${from}–${sd}/${sm}/${sy})`;
}

/** CSV/XLSX cell for an instant: Vietnam time "05/02/2026 14:30", empty when there is none. */
export function exportDateTime(value: Date | string | null | undefined): string {
  return value ? formatVnDateTime(value) : '';
}
