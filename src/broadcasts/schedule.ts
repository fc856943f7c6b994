import type { Ctx, Deps } from '../deps';
import type { Q } from '../db';
import { ADMIN_ROLES, PREPARER_ROLES, STAFF_ROLES, authorize, can, hasRole } from '../auth';
import { AppError, conflict, invalid, notFound } from '../shared/errors';
import { addDays, isoWeekOf, localDate, localToUtc, mondayOfIsoWeek, weekdayOf, localTime } from '../shared/time';
import { assertActive, descendantIds, findOrgById, findOrgsByIds, groupMembers, outsideProvince } from '../orgs';
import * as repo from './repo';
import { checkCampaignLink } from '../campaigns';
import { toBroadcast, type Broadcast } from './model';
import type { BroadcastCreate, BroadcastPatch, EmergencyCreate } from './schemas';

/**
 * A schedule is stored as its rule; occurrences are written for the days from today to this many days ahead (the
 * rolling window the `broadcasts.materialise` job extends). Counts beyond it come from the rule.
 */
export const MATERIALISE_DAYS = 14;
const MAX_DAYS = 366;
/** More communes than this in one schedule is a mistake, not a plan (a province has a few hundred; Vietnam ~3,300). */
const MAX_COMMUNES = 5_000;
/** An emergency's occurrences are written at once (one per commune). */
const MAX_OCCURRENCES = 100_000;
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];

interface Target {
  communeIds?: number[];
  groupId?: number;
  underOrgId?: number;
}

/**
 * The communes a schedule names: a chosen list, a recipient group's communes, or every commune under an organisation.
 * Only communes inside the province of the issuing body (`homeOrgId`, the broadcast's owner) may be named, whichever
 * way they are named: a department of one province never schedules, and so never reaches, another province's communes.
 */
async function resolveCommunes(q: Q, target: Target, homeOrgId: number): Promise<number[]> {
  const field = target.communeIds ? 'communeIds' : target.groupId ? 'groupId' : 'underOrgId';
  const insideProvince = async (ids: number[]) => {
    const outside = await outsideProvince(q, homeOrgId, ids);
    if (outside.length) {
      throw invalid('COMMUNES_OUTSIDE_PROVINCE', `Only communes of your own province can be scheduled; outside it: ${outside.join(', ')}`, { [field]: `outside your province: ${outside.join(', ')}` });
    }
    return ids;
  };
  if (target.communeIds) {
    const ids = [...new Set(target.communeIds)];
    const found = await findOrgsByIds(q, ids);
    const communes = new Set(found.filter((o) => o.kind === 'commune').map((o) => o.id));
    const unknown = ids.filter((i) => !communes.has(i));
    if (unknown.length) throw invalid('UNKNOWN_COMMUNES', `Not communes: ${unknown.join(', ')}`, { communeIds: `not communes: ${unknown.join(', ')}` });
    assertActive(found, 'communeIds');
    return (await insideProvince(ids)).sort((a, b) => a - b);
  }
  let candidates: number[];
  if (target.groupId) {
    const members = await groupMembers(q, target.groupId);
    if (!members) throw invalid('GROUP_NOT_FOUND', 'No such recipient group', { groupId: 'no such group' });
    candidates = members;
  } else {
    if (!(await findOrgById(q, target.underOrgId!))) throw invalid('ORG_NOT_FOUND', 'No such organisation', { underOrgId: 'no such organisation' });
    await insideProvince([target.underOrgId!]);
    candidates = await descendantIds(q, target.underOrgId!);
  }
  const communes = (await findOrgsByIds(q, candidates)).filter((o) => o.kind === 'commune' && o.active).map((o) => o.id);
  if (!communes.length) throw invalid('NO_COMMUNES', 'There is no commune in this selection', { [field]: 'no communes' });
  return (await insideProvince(communes)).sort((a, b) => a - b);
}

export interface MonthlyRule {
  /** 1 … 5: the first … fifth such weekday of the month; -1: the last. */
  week: number;
  weekday: number;
}

export interface Plan {
  startDate: string;
  endDate: string;
  times: string[];
  daysOfWeek: number[];
  /** Days left out (holidays). */
  exceptDates?: string[];
  /** When set, the days are chosen by their place in the month ("first Monday") instead of daysOfWeek. */
  monthlyOn?: MonthlyRule[] | null;
}

const daysInMonth = (date: string) => new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 0)).getUTCDate();

/** Does a calendar date match "the n-th (or last) weekday w of its month"? */
function matchesMonthly(date: string, rule: MonthlyRule): boolean {
  if (weekdayOf(date) !== rule.weekday) return false;
  const day = Number(date.slice(8, 10));
  return rule.week === -1 ? day + 7 > daysInMonth(date) : Math.ceil(day / 7) === rule.week;
}

/** The local days of a plan: each selected weekday (or monthly rule) in the range, holidays left out. */
export function planDays(plan: Plan): string[] {
  const days = new Set(plan.daysOfWeek);
  const except = new Set(plan.exceptDates ?? []);
  const out: string[] = [];
  for (let d = plan.startDate; d <= plan.endDate; d = addDays(d, 1)) {
    if (except.has(d)) continue;
    const chosen = plan.monthlyOn?.length ? plan.monthlyOn.some((r) => matchesMonthly(d, r)) : days.has(weekdayOf(d));
    if (chosen) out.push(d);
  }
  return out;
}

/** Every slot of a plan as a UTC instant: each of its days, at each local (Vietnam) time. */
export function expandSlots(plan: Plan): string[] {
  const slots: string[] = [];
  const times = [...new Set(plan.times)].sort();
  for (const d of planDays(plan)) for (const t of times) slots.push(localToUtc(d, t).toISOString());
  return slots;
}

/**
 * The slots a plan would make, shown before saving: local date and time of each (at most `limit`), the total, and
 * how many are already past (they would not be created).
 */
export function previewPlan(ctx: Ctx, plan: Plan, limit = 500): { total: number; past: number; slots: { date: string; time: string; weekday: number; at: string }[] } {
  authorize(ctx.actor, PREPARER_ROLES, [ctx.actor.orgId]);
  checkPlan(plan, 1);
  const now = ctx.clock().toISOString();
  const all = expandSlots(plan);
  const future = all.filter((s) => s > now);
  return {
    total: future.length,
    past: all.length - future.length,
    slots: future.slice(0, limit).map((at) => {
      const d = new Date(at);
      return { date: localDate(d), time: localTime(d), weekday: weekdayOf(localDate(d)), at };
    }),
  };
}

const recurrenceColumns = (plan: Plan) => ({
  except_dates: plan.exceptDates?.length ? JSON.stringify([...new Set(plan.exceptDates)].sort()) : null,
  monthly_on: plan.monthlyOn?.length ? JSON.stringify(plan.monthlyOn) : null,
});

function checkPlan(plan: Plan, communes: number): void {
  if (plan.endDate < plan.startDate) throw invalid('SCHEDULE_ENDS_BEFORE_START', 'The schedule ends before it starts', { endDate: 'before the start date' });
  const days = (Date.parse(plan.endDate) - Date.parse(plan.startDate)) / 86_400_000 + 1;
  if (days > MAX_DAYS) throw invalid('SCHEDULE_TOO_LONG', `A schedule covers at most ${MAX_DAYS} days`, { endDate: `at most ${MAX_DAYS} days after the start` });
  // Stored as a rule, a year of a whole province is one row and a window of slots: only the commune count is bounded.
  if (communes > MAX_COMMUNES) throw invalid('SCHEDULE_TOO_LARGE', `A schedule names at most ${MAX_COMMUNES} communes`, { communeIds: `at most ${MAX_COMMUNES} communes` });
}

/** The last local day of the rolling window that starts on `now`'s day. */
export const windowEnd = (now: Date) => addDays(localDate(now), MATERIALISE_DAYS - 1);

const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);

/** The rule of a stored (scheduled) broadcast. */
export function planOf(row: repo.BroadcastRow): Plan {
  return {
    startDate: row.start_date,
    endDate: row.end_date,
    times: JSON.parse(row.times) as string[],
    daysOfWeek: JSON.parse(row.days_of_week) as number[],
    exceptDates: row.except_dates ? (JSON.parse(row.except_dates) as string[]) : [],
    monthlyOn: row.monthly_on ? (JSON.parse(row.monthly_on) as MonthlyRule[]) : null,
  };
}

/** The slots of a plan on local days from..to (inclusive), clipped to the plan's own range. */
export function slotsBetween(plan: Plan, from: string, to: string): string[] {
  const clipped = { ...plan, startDate: maxDate(plan.startDate, from), endDate: minDate(plan.endDate, to) };
  return clipped.startDate > clipped.endDate ? [] : expandSlots(clipped);
}

/**
 * The slots per commune a broadcast's rule still holds beyond its written window (local days after
 * `materialised_until` up to `to`, or its end): none once it is cancelled or for an emergency.
 */
export function unwrittenSlots(row: repo.BroadcastRow, from = '0000-01-01', to = '9999-12-31'): string[] {
  if (row.class === 'emergency' || row.cancelled_at || !row.materialised_until) return [];
  return slotsBetween(planOf(row), maxDate(from, addDays(row.materialised_until, 1)), to);
}

/** The audio a preparer of its owner org schedules: it must be converted (an emergency without audio ready is refused too). */
async function readyAudio(ctx: Ctx, audioId: number): Promise<repo.AudioRow> {
  const audio = await repo.findAudio(ctx.db, audioId);
  if (!audio) throw invalid('AUDIO_NOT_FOUND', 'No such audio', { audioId: 'no such audio' });
  authorize(ctx.actor, PREPARER_ROLES, [audio.owner_org_id]);
  if (audio.status !== 'ready') {
    const failed = audio.status === 'failed';
    const message = failed ? 'The audio failed to convert and cannot be scheduled' : 'The audio is still being converted; schedule it when it is ready';
    throw new AppError('conflict', 'AUDIO_NOT_READY', message, { audioId: failed ? 'failed to convert' : 'still being converted' });
  }
  return audio;
}

export async function createBroadcast(ctx: Ctx, input: BroadcastCreate): Promise<{ broadcast: Broadcast; occurrences: number }> {
  const { actor } = ctx;
  const audio = await readyAudio(ctx, input.audioId);
  const communes = await resolveCommunes(ctx.db, input, audio.owner_org_id);
  const plan: Plan = { startDate: input.startDate, endDate: input.endDate, times: input.times, daysOfWeek: input.daysOfWeek ?? ALL_DAYS, exceptDates: input.exceptDates, monthlyOn: input.monthlyOn };
  checkPlan(plan, communes.length);
  await checkCampaignLink({ db: ctx.db, actor }, input.campaignId);
  const now = ctx.clock().toISOString();
  const future = expandSlots(plan).filter((s) => s > now);
  if (!future.length) throw invalid('NO_OCCURRENCES', 'No broadcast time of this schedule is in the future', { startDate: 'every time is in the past' });
  // Only the window is written now; the job writes each further day as the window rolls on.
  const until = minDate(plan.endDate, windowEnd(ctx.clock()));
  const slots = slotsBetween(plan, plan.startDate, until).filter((s) => s > now);

  const id = await storeBroadcast(ctx, { audio, title: input.title, campaignId: input.campaignId, communes, slots, now }, {
    start_date: plan.startDate,
    end_date: plan.endDate,
    times: JSON.stringify([...new Set(plan.times)].sort()),
    days_of_week: JSON.stringify([...new Set(plan.daysOfWeek)].sort()),
    class: input.class ?? 'normal',
    confirm_within_minutes: null,
    materialised_until: until,
    ...recurrenceColumns(plan),
  });
  return { broadcast: await loadBroadcast(ctx, id), occurrences: communes.length * future.length };
}

/**
 * An emergency bulletin (disaster, fire, epidemic): one occurrence per commune at this instant, so it is at the
 * top of every targeted commune's feed at once; each commune confirms within `confirmWithinMinutes`
 * (EMERGENCY_CONFIRM_MINUTES by default) or the escalation job writes to the commune and the department.
 */
export async function createEmergency(ctx: Ctx, input: EmergencyCreate): Promise<{ broadcast: Broadcast; occurrences: number }> {
  const { actor } = ctx;
  const audio = await readyAudio(ctx, input.audioId);
  const communes = await resolveCommunes(ctx.db, input, audio.owner_org_id);
  if (communes.length > MAX_OCCURRENCES) throw invalid('SCHEDULE_TOO_LARGE', `A schedule makes at most ${MAX_OCCURRENCES} broadcasts`, { communeIds: `at most ${MAX_OCCURRENCES} communes` });
  await checkCampaignLink({ db: ctx.db, actor }, input.campaignId);
  const at = ctx.clock();
  const now = at.toISOString();
  const day = localDate(at);
  const id = await storeBroadcast(ctx, { audio, title: input.title, campaignId: input.campaignId, communes, slots: [now], now }, {
    start_date: day,
    end_date: day,
    times: JSON.stringify([localTime(at)]),
    days_of_week: JSON.stringify([weekdayOf(day)]),
    class: 'emergency',
    confirm_within_minutes: input.confirmWithinMinutes ?? ctx.config.EMERGENCY_CONFIRM_MINUTES,
    except_dates: null,
    monthly_on: null,
    materialised_until: null,
  });
  return { broadcast: await loadBroadcast(ctx, id), occurrences: communes.length };
}

type BroadcastInsert = Parameters<typeof repo.insertBroadcast>[1];
type ScheduleColumns = Omit<BroadcastInsert, 'owner_org_id' | 'audio_id' | 'title' | 'campaign_id' | 'created_by' | 'created_at' | 'updated_at' | 'cancelled_at' | 'cancelled_by' | 'cancel_reason'>;

/** Writes a broadcast (scheduled or emergency) and its occurrences in one transaction: one slot per commune and time. */
async function storeBroadcast(
  ctx: Ctx,
  what: { audio: { id: number; owner_org_id: number }; title: string; campaignId?: number | null; communes: number[]; slots: string[]; now: string },
  schedule: ScheduleColumns,
): Promise<number> {
  const { audio, communes, slots, now } = what;
  return ctx.db.transaction(async (tx) => {
    const row: BroadcastInsert = {
      owner_org_id: audio.owner_org_id,
      audio_id: audio.id,
      title: what.title,
      campaign_id: what.campaignId ?? null,
      ...schedule,
      created_by: ctx.actor.id,
      created_at: now,
      updated_at: now,
      cancelled_at: null,
      cancelled_by: null,
      cancel_reason: null,
    };
    const bid = await repo.insertBroadcast(tx, row, communes);
    await repo.insertOccurrences(tx, occurrenceRows(bid, communes, slots, now));
    return bid;
  });
}

function occurrenceRows(broadcastId: number, communes: number[], slots: string[], now: string): Omit<repo.OccurrenceRow, 'id'>[] {
  const rows: Omit<repo.OccurrenceRow, 'id'>[] = [];
  for (const org_id of communes) {
    for (const scheduled_at of slots) rows.push({ broadcast_id: broadcastId, org_id, scheduled_at, status: 'pending', confirmed_at: null, confirmed_by: null, confirmed_via: null, updated_at: now });
  }
  return rows;
}

/**
 * Changes a schedule from now on: future pending slots that the new plan drops are cancelled, new ones added,
 * past, played and missed occurrences stay as they were.
 */
export async function patchBroadcast(ctx: Ctx, id: number, patch: BroadcastPatch): Promise<{ broadcast: Broadcast; occurrences: number }> {
  const { actor, db } = ctx;
  const row = await repo.findBroadcast(db, id);
  if (!row) throw notFound('Broadcast', 'BROADCAST_NOT_FOUND');
  authorize(actor, PREPARER_ROLES, [row.owner_org_id]);
  if (row.class === 'emergency') throw conflict('BROADCAST_EMERGENCY', 'An emergency bulletin plays once, now; it has no schedule to change');
  if (row.cancelled_at) throw conflict('BROADCAST_CANCELLED', 'This schedule was cancelled');
  await checkCampaignLink({ db, actor }, patch.campaignId);
  const current = toBroadcast(row, await repo.targetIds(db, id));
  const plan: Plan = {
    startDate: patch.startDate ?? current.startDate,
    endDate: patch.endDate ?? current.endDate,
    times: patch.times ?? current.times,
    daysOfWeek: patch.daysOfWeek ?? current.daysOfWeek,
    exceptDates: patch.exceptDates ?? current.exceptDates,
    monthlyOn: patch.monthlyOn !== undefined ? patch.monthlyOn : current.monthlyOn,
  };
  const retarget = patch.communeIds !== undefined || patch.groupId !== undefined || patch.underOrgId !== undefined;
  const communes = retarget ? await resolveCommunes(db, patch, row.owner_org_id) : current.communeIds;
  // A schedule written before targets were scoped may name another province's communes: it is not extended
  // there; it can be retargeted (which cancels those slots).
  const outside = retarget ? [] : await outsideProvince(db, row.owner_org_id, communes);
  if (outside.length) throw invalid('COMMUNES_OUTSIDE_PROVINCE', `This broadcast targets communes outside your province (${outside.join(', ')}); choose its communes again`, { communeIds: `outside your province: ${outside.join(', ')}` });
  checkPlan(plan, communes.length);
  const now = ctx.clock().toISOString();
  // The new rule, written for the window (beyond it the job writes it day by day).
  const until = minDate(plan.endDate, windowEnd(ctx.clock()));
  const wanted = new Set<string>();
  for (const slot of slotsBetween(plan, plan.startDate, until).filter((s) => s > now)) for (const c of communes) wanted.add(`${c}|${slot}`);

  await db.transaction(async (tx) => {
    const future = await repo.occurrencesFrom(tx, id, now);
    const existing = new Map(future.map((o) => [`${o.org_id}|${o.scheduled_at}`, o]));
    const cancel = future.filter((o) => o.status === 'pending' && !wanted.has(`${o.org_id}|${o.scheduled_at}`)).map((o) => o.id);
    const revive = future.filter((o) => o.status === 'cancelled' && wanted.has(`${o.org_id}|${o.scheduled_at}`)).map((o) => o.id);
    const add: Omit<repo.OccurrenceRow, 'id'>[] = [];
    for (const key of wanted) {
      if (existing.has(key)) continue;
      const [org, slot] = key.split('|');
      add.push(...occurrenceRows(id, [Number(org)], [slot], now));
    }
    await repo.setOccurrenceStatus(tx, cancel, 'cancelled', now, ['pending']);
    await repo.setOccurrenceStatus(tx, revive, 'pending', now, ['cancelled']);
    await repo.insertOccurrences(tx, add);
    if (retarget) await repo.replaceTargets(tx, id, communes);
    await repo.updateBroadcast(tx, id, {
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.campaignId !== undefined ? { campaign_id: patch.campaignId } : {}),
      start_date: plan.startDate,
      end_date: plan.endDate,
      times: JSON.stringify([...new Set(plan.times)].sort()),
      days_of_week: JSON.stringify([...new Set(plan.daysOfWeek)].sort()),
      ...recurrenceColumns(plan),
      materialised_until: until,
      updated_at: now,
    });
  });
  return { broadcast: await loadBroadcast(ctx, id), occurrences: await totalOccurrences(ctx, id) };
}

/** Written (not cancelled) occurrences and the slots the rule still holds beyond the window, for every commune. */
async function totalOccurrences(deps: Deps, id: number): Promise<number> {
  const row = (await repo.findBroadcast(deps.db, id))!;
  const communes = (await repo.targetIds(deps.db, id)).length;
  return (await repo.countActiveOccurrences(deps.db, id)) + communes * unwrittenSlots(row).length;
}

/**
 * The job: every live schedule gets its occurrences up to the end of the rolling window. Each broadcast is
 * one transaction (rows + the new `materialised_until`, conditional on the old one); rows already there are
 * skipped by their unique key, so a run that died half-way, or two runs at once, lose and duplicate nothing.
 * Returns the number of broadcasts extended.
 */
export async function materialiseSchedules(deps: Deps): Promise<number> {
  const now = deps.clock();
  const horizon = windowEnd(now);
  let extended = 0;
  for (const id of await repo.broadcastsToMaterialise(deps.db, horizon)) {
    await deps.db.transaction(async (tx) => {
      const row = await repo.findBroadcastForUpdate(tx, id);
      if (!row?.materialised_until || row.cancelled_at || row.class === 'emergency') return;
      const until = minDate(row.end_date, horizon);
      if (until <= row.materialised_until) return;
      const slots = slotsBetween(planOf(row), addDays(row.materialised_until, 1), until);
      await repo.insertOccurrencesIfAbsent(tx, occurrenceRows(id, await repo.targetIds(tx, id), slots, now.toISOString()));
      if (await repo.advanceMaterialised(tx, id, row.materialised_until, until)) extended += 1;
    });
  }
  return extended;
}

async function loadBroadcast(deps: Deps, id: number): Promise<Broadcast> {
  const row = await repo.findBroadcast(deps.db, id);
  if (!row) throw notFound('Broadcast', 'BROADCAST_NOT_FOUND');
  return toBroadcast(row, await repo.targetIds(deps.db, id));
}

export async function getBroadcast(ctx: Ctx, id: number): Promise<Broadcast> {
  const b = await loadBroadcast(ctx, id);
  authorize(ctx.actor, STAFF_ROLES, [b.ownerOrgId]);
  return b;
}

/** The broadcasts of the actor's department (an administrator: every department's). */
export async function listBroadcasts(ctx: Ctx): Promise<Broadcast[]> {
  const { actor } = ctx;
  const rows = (await repo.listBroadcasts(ctx.db, hasRole(actor, ADMIN_ROLES) ? null : actor.orgId)).filter((r) => can(actor, STAFF_ROLES, [r.owner_org_id]));
  const out: Broadcast[] = [];
  for (const r of rows) out.push(toBroadcast(r, await repo.targetIds(ctx.db, r.id)));
  return out;
}

/** The broadcasts a campaign scheduled, each with its totals (the campaign page). */
export async function broadcastsOfCampaign(ctx: Ctx, campaignId: number): Promise<(Broadcast & Omit<CommuneStatus, 'orgId' | 'name'>)[]> {
  const rows = (await repo.listBroadcastsOfCampaign(ctx.db, campaignId)).filter((r) => can(ctx.actor, STAFF_ROLES, [r.owner_org_id]));
  const out = [];
  for (const r of rows) {
    const { byCommune } = await broadcastStatus(ctx, r.id);
    const totals = byCommune.reduce((s, c) => ({ scheduled: s.scheduled + c.scheduled, played: s.played + c.played, missed: s.missed + c.missed, pending: s.pending + c.pending }), { scheduled: 0, played: 0, missed: 0, pending: 0 });
    out.push({ ...toBroadcast(r, byCommune.map((c) => c.orgId)), ...totals });
  }
  return out;
}

export interface CommuneStatus {
  orgId: number;
  name: string;
  scheduled: number;
  played: number;
  missed: number;
  pending: number;
}

export interface MissedNote {
  occurrenceId: number;
  orgId: number;
  name: string;
  scheduledAt: string;
  note: string;
  notedAt: string;
}

export async function broadcastStatus(ctx: Ctx, id: number): Promise<{ byCommune: CommuneStatus[]; missedNotes: MissedNote[] }> {
  await getBroadcast(ctx, id);
  // The communes' own words on slots they missed ("mất điện"), added beside the counts.
  const missedNotes = (await repo.missedNotes(ctx.db, id)).map((r) => ({ occurrenceId: r.id, orgId: Number(r.org_id), name: r.name, scheduledAt: r.scheduled_at, note: r.missed_note, notedAt: r.missed_note_at }));
  const byOrg = new Map<number, CommuneStatus>();
  for (const r of await repo.statusCountsByCommune(ctx.db, id)) {
    const s = byOrg.get(r.org_id) ?? { orgId: r.org_id, name: r.name, scheduled: 0, played: 0, missed: 0, pending: 0 };
    const n = Number(r.n);
    s.scheduled += n;
    if (r.status === 'played' || r.status === 'missed' || r.status === 'pending') s[r.status] += n;
    byOrg.set(r.org_id, s);
  }
  // Days beyond the written window: every target commune has each slot of the rule still to play.
  const ahead = unwrittenSlots((await repo.findBroadcast(ctx.db, id))!).length;
  if (ahead) {
    for (const o of await findOrgsByIds(ctx.db, await repo.targetIds(ctx.db, id))) {
      const s = byOrg.get(o.id) ?? { orgId: o.id, name: o.name, scheduled: 0, played: 0, missed: 0, pending: 0 };
      s.scheduled += ahead;
      s.pending += ahead;
      byOrg.set(o.id, s);
    }
  }
  return { byCommune: [...byOrg.values()].sort((a, b) => a.name.localeCompare(b.name, 'vi')), missedNotes };
}

/** Which communes put this (priority) bulletin's clashes in their own order, and how many occurrences. */
export async function reorderedBy(ctx: Ctx, id: number): Promise<{ items: { orgId: number; name: string; reordered: number }[] }> {
  await getBroadcast(ctx, id);
  const counts = await repo.reorderedByCommune(ctx.db, id);
  const orgs = await findOrgsByIds(ctx.db, [...counts.keys()]);
  return { items: orgs.map((o) => ({ orgId: o.id, name: o.name, reordered: counts.get(o.id) ?? 0 })).sort((a, b) => a.name.localeCompare(b.name, 'vi')) };
}

export interface CalendarDay {
  date: string;
  weekday: number;
  slots: { time: string; played: number; missed: number; pending: number; total: number }[];
}

/** One ISO week (Monday to Sunday, Vietnam time) of a broadcast: per day and time, how many communes played, missed, are pending. */
export async function weekCalendar(ctx: Ctx, id: number, week?: string): Promise<{ week: string; prev: string; next: string; days: CalendarDay[] }> {
  const b = await getBroadcast(ctx, id);
  const now = ctx.clock();
  const wk = week && mondayOfIsoWeek(week) ? week : isoWeekOf(localToUtc(b.startDate) > now ? localToUtc(b.startDate) : now);
  const monday = mondayOfIsoWeek(wk)!;
  const rows = await repo.occurrencesBetween(ctx.db, id, localToUtc(monday).toISOString(), localToUtc(addDays(monday, 7)).toISOString());
  const days: CalendarDay[] = [];
  for (let i = 0; i < 7; i++) days.push({ date: addDays(monday, i), weekday: i + 1, slots: [] });
  for (const o of rows) {
    const at = new Date(o.scheduled_at);
    const day = days.find((d) => d.date === localDate(at))!;
    const time = localTime(at);
    let slot = day.slots.find((s) => s.time === time);
    if (!slot) day.slots.push((slot = { time, played: 0, missed: 0, pending: 0, total: 0 }));
    slot.total += 1;
    if (o.status === 'played' || o.status === 'missed' || o.status === 'pending') slot[o.status] += 1;
  }
  // Days of this week beyond the written window: the rule's slots, each pending in every target commune.
  const row = (await repo.findBroadcast(ctx.db, id))!;
  for (const at of unwrittenSlots(row, monday, addDays(monday, 6))) {
    const d = new Date(at);
    const day = days.find((x) => x.date === localDate(d))!;
    const time = localTime(d);
    let slot = day.slots.find((s) => s.time === time);
    if (!slot) day.slots.push((slot = { time, played: 0, missed: 0, pending: 0, total: 0 }));
    slot.total += b.communeIds.length;
    slot.pending += b.communeIds.length;
  }
  for (const d of days) d.slots.sort((a, b) => a.time.localeCompare(b.time));
  const prevMonday = addDays(monday, -7);
  const nextMonday = addDays(monday, 7);
  return { week: wk, prev: isoWeekOf(localToUtc(prevMonday, '12:00')), next: isoWeekOf(localToUtc(nextMonday, '12:00')), days };
}

/** The job: occurrences nobody confirmed within the grace period become missed. */
export async function markMissed(deps: Deps): Promise<number> {
  const now = deps.clock();
  const cutoff = new Date(now.getTime() - deps.config.BROADCAST_GRACE_MINUTES * 60_000).toISOString();
  return repo.markMissedBefore(deps.db, cutoff, now.toISOString());
}
