import crypto from 'node:crypto';
import type { Ctx, Deps } from '../deps';
import type { Actor } from '../auth';
import { PREPARER_ROLES, authorize, can } from '../auth';
import { conflict, invalid, notFound } from '../shared/errors';
import { addDays, localDate, localToUtc, localTime } from '../shared/time';
import { findOrgById, outsideProvince } from '../orgs';
import * as repo from './repo';
import { audioUrlOf, toFeedItem, type FeedItem } from './model';
import { unwrittenSlots } from './schedule';
import { BROADCASTER_ROLES } from './audio';
import { applyChosenOrders } from './clash-groups';

/** Who reads a commune's schedule: its broadcaster; administrators may look too. */
const SCHEDULE_READERS = ['broadcaster', 'admin'] as const;

/** A commune's occurrences from the start of local day `date` for `days` days. */
export async function itemsForCommune(deps: Deps, orgId: number, date: string, days = 1): Promise<FeedItem[]> {
  const rows = await repo.feedItems(deps.db, orgId, localToUtc(date).toISOString(), localToUtc(addDays(date, days)).toISOString());
  return applyChosenOrders(rows.map((r) => toFeedItem(r, deps.config.publicUrl)));
}

export async function scheduleFor(ctx: Ctx, query: { date?: string; orgId?: number }, days = 1): Promise<{ orgId: number; date: string; items: FeedItem[] }> {
  const orgId = query.orgId ?? ctx.actor.orgId;
  authorize(ctx.actor, SCHEDULE_READERS, [orgId]);
  const date = query.date ?? localDate(ctx.clock());
  return { orgId, date, items: await itemsForCommune(ctx, orgId, date, days) };
}

/** A slot can be confirmed from this many minutes before its time (a broadcaster starts a little early), not sooner. */
export const CONFIRM_EARLY_MINUTES = 15;
/** A broadcaster's own confirmation can be taken back for this many minutes after it was recorded (a mis-tap). */
export const UNDO_CONFIRM_MINUTES = 10;
/** How many past days the broadcaster's page shows (played and missed slots, notes). */
export const PAST_DAYS_SHOWN = 7;

export interface Confirmation {
  status: 'played';
  occurrenceId: number;
  confirmedAt: string;
}

/**
 * Records that an occurrence was played, for the commune's own broadcaster (signed in). Confirming twice answers
 * the same; a slot the job already marked missed may still be confirmed with a playedAt inside the grace period.
 */
export async function confirmOccurrence(ctx: Ctx, occurrenceId: number, playedAtIso?: string): Promise<Confirmation> {
  const occ = await repo.findOccurrence(ctx.db, occurrenceId);
  if (!occ) throw notFound('Broadcast occurrence', 'OCCURRENCE_NOT_FOUND');
  authorize(ctx.actor, BROADCASTER_ROLES, [occ.org_id], 'Only the commune’s own broadcaster can confirm this broadcast');
  return recordPlayed(ctx, occ, { by: ctx.actor.id, via: 'user' }, playedAtIso);
}

/** Whether the signed-in broadcaster may still take back this confirmation (their own, recorded less than UNDO_CONFIRM_MINUTES ago). */
export function canUndo(occ: { status: string; confirmed_via?: string | null; confirm_recorded_at?: string | null }, now: Date): boolean {
  return occ.status === 'played' && occ.confirmed_via === 'user' && occ.confirm_recorded_at != null && now.getTime() - new Date(occ.confirm_recorded_at).getTime() <= UNDO_CONFIRM_MINUTES * 60_000;
}

/**
 * Takes back an accidental "Xác nhận đã phát": the commune's broadcaster, within UNDO_CONFIRM_MINUTES of recording it.
 * The slot goes back to pending, or to missed when its grace period is over.
 */
export async function undoConfirmation(ctx: Ctx, occurrenceId: number): Promise<{ status: repo.OccurrenceStatus; occurrenceId: number }> {
  const occ = await repo.findOccurrence(ctx.db, occurrenceId);
  if (!occ) throw notFound('Broadcast occurrence', 'OCCURRENCE_NOT_FOUND');
  authorize(ctx.actor, BROADCASTER_ROLES, [occ.org_id], 'Only the commune’s own broadcaster can take back this confirmation');
  if (occ.status !== 'played') throw conflict('OCCURRENCE_NOT_PLAYED', 'This broadcast is not confirmed');
  const now = ctx.clock();
  if (!canUndo(occ, now)) throw conflict('UNDO_TOO_LATE', `A confirmation can be taken back within ${UNDO_CONFIRM_MINUTES} minutes only`);
  const graceEnd = new Date(occ.scheduled_at).getTime() + ctx.config.BROADCAST_GRACE_MINUTES * 60_000;
  const status: repo.OccurrenceStatus = now.getTime() <= graceEnd ? 'pending' : 'missed';
  if (!(await repo.undoPlayed(ctx.db, occ.id, occ.confirm_recorded_at!, status, now.toISOString()))) throw conflict('UNDO_TOO_LATE', 'This confirmation changed meanwhile');
  return { status, occurrenceId: occ.id };
}

/** The commune's broadcaster explains a missed slot ("mất điện"); the department sees it on the broadcast's page and status. */
export async function noteMissed(ctx: Ctx, occurrenceId: number, note: string): Promise<{ occurrenceId: number; note: string; notedAt: string }> {
  const occ = await repo.findOccurrence(ctx.db, occurrenceId);
  if (!occ) throw notFound('Broadcast occurrence', 'OCCURRENCE_NOT_FOUND');
  authorize(ctx.actor, BROADCASTER_ROLES, [occ.org_id], 'Only the commune’s own broadcaster can explain this slot');
  const at = ctx.clock().toISOString();
  if (occ.status !== 'missed' || !(await repo.setMissedNote(ctx.db, occ.id, note, ctx.actor.id, at))) throw conflict('OCCURRENCE_NOT_MISSED', 'Only a missed broadcast takes a note');
  return { occurrenceId: occ.id, note, notedAt: at };
}

/** What the broadcaster's page adds to each slot: whether the confirmation may be undone, the note of a missed one. */
export async function slotExtras(deps: Deps, ids: number[]): Promise<Map<number, { canUndo: boolean; note: string | null }>> {
  const now = deps.clock();
  return new Map((await repo.findOccurrences(deps.db, ids)).map((o) => [o.id, { canUndo: canUndo(o, now), note: o.missed_note ?? null }]));
}

/** A receiver's token acts as its commune's broadcaster, and for nothing else. */
const receiverOf = (token: repo.FeedTokenRow): Actor => ({ id: 0, email: '', name: 'feed', roles: ['broadcaster'], orgId: token.org_id, locale: 'vi' });

/** The same, for an IP receiver confirming with its commune's feed token (nobody signed in: a receiver reports late when it was offline). */
export async function confirmByFeedToken(deps: Deps, token: repo.FeedTokenRow, occurrenceId: number, playedAtIso?: string): Promise<Confirmation> {
  const occ = await repo.findOccurrence(deps.db, occurrenceId);
  if (!occ) throw notFound('Broadcast occurrence', 'OCCURRENCE_NOT_FOUND');
  authorize(receiverOf(token), BROADCASTER_ROLES, [occ.org_id]);
  return recordPlayed(deps, occ, { by: null, via: 'feed' }, playedAtIso);
}

async function recordPlayed(deps: Deps, occ: repo.OccurrenceRow, who: { by: number | null; via: 'user' | 'feed' }, playedAtIso?: string): Promise<Confirmation> {
  if (occ.status === 'played') return { status: 'played', occurrenceId: occ.id, confirmedAt: occ.confirmed_at! };
  if (occ.status === 'cancelled') throw conflict('OCCURRENCE_CANCELLED', 'This broadcast was taken off the schedule');
  const now = deps.clock();
  if (localDate(now) < localDate(new Date(occ.scheduled_at))) throw conflict('OCCURRENCE_NOT_DUE', 'This broadcast is scheduled for a later day');
  if (now.getTime() < new Date(occ.scheduled_at).getTime() - CONFIRM_EARLY_MINUTES * 60_000) throw conflict('OCCURRENCE_TOO_EARLY', `This broadcast can be confirmed from ${CONFIRM_EARLY_MINUTES} minutes before its time`);
  const playedAt = playedAtIso ? new Date(playedAtIso) : now;
  if (playedAt.getTime() > now.getTime() + 5 * 60_000) throw invalid('PLAYED_AT_FUTURE', 'The playing time is in the future', { playedAt: 'in the future' });
  const graceEnd = new Date(occ.scheduled_at).getTime() + deps.config.BROADCAST_GRACE_MINUTES * 60_000;
  const from: repo.OccurrenceStatus[] = playedAt.getTime() <= graceEnd ? ['pending', 'missed'] : ['pending'];
  const changed = await repo.markPlayed(deps.db, occ.id, from, playedAt.toISOString(), who.by, who.via, now.toISOString());
  if (!changed) {
    const again = (await repo.findOccurrence(deps.db, occ.id))!;
    if (again.status === 'played') return { status: 'played', occurrenceId: occ.id, confirmedAt: again.confirmed_at! };
    throw conflict('OCCURRENCE_MISSED', 'The grace period of this broadcast is over; it was recorded as missed');
  }
  return { status: 'played', occurrenceId: occ.id, confirmedAt: playedAt.toISOString() };
}

// ---- playlist and calendar formats ----

/** Extended M3U: one entry per item, in feed order (emergency, priority, normal; each by time); the class in an #EXTVDCLASS line players ignore. */
export function toM3u(items: FeedItem[]): string {
  const lines = ['#EXTM3U'];
  for (const i of items) {
    if (!i.audioUrl) continue;
    lines.push(`#EXTINF:${Math.round(i.durationSec ?? -1)},${localTime(new Date(i.scheduledAt))} ${i.title.replace(/[\r\n]+/g, ' ')}`);
    lines.push(`#EXTVDCLASS:${i.class}`);
    lines.push(i.audioUrl);
  }
  return lines.join('\n') + '\n';
}

/** RFC 5545 PRIORITY: 1 highest, 9 lowest. */
const ICS_PRIORITY = { emergency: 1, priority: 5, normal: 9 } as const;
const icsDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const icsText = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** RFC 5545 folding: lines of at most 75 octets, continued with a space. */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const ch of line) {
    if (Buffer.byteLength(current + ch, 'utf8') > (parts.length ? 74 : 75)) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** iCalendar (RFC 5545) of a commune's broadcasts; times in UTC, one event per occurrence. */
export function toIcs(items: FeedItem[], calendarName: string, host: string, now: Date): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Van Dong//Broadcasts//VI', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${icsText(calendarName)}`, 'X-WR-TIMEZONE:Asia/Ho_Chi_Minh'];
  for (const i of items) {
    const start = new Date(i.scheduledAt);
    const end = new Date(start.getTime() + Math.max(60, Math.ceil(i.durationSec ?? 60)) * 1000);
    lines.push(
      'BEGIN:VEVENT',
      // A slot not yet written (beyond the window) is named by its broadcast and instant.
      i.occurrenceId ? `UID:occurrence-${i.occurrenceId}@${host}` : `UID:slot-${i.broadcastId}-${icsDate(start)}@${host}`,
      `DTSTAMP:${icsDate(now)}`,
      `DTSTART:${icsDate(start)}`,
      `DTEND:${icsDate(end)}`,
      `SUMMARY:${icsText(i.class === 'emergency' ? `[KHẨN CẤP] ${i.title}` : i.title)}`,
      `CATEGORIES:${i.class.toUpperCase()}`,
      `PRIORITY:${ICS_PRIORITY[i.class]}`,
      `STATUS:${i.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      ...(i.audioUrl ? [`URL:${i.audioUrl}`, `ATTACH;FMTTYPE=audio/mpeg:${i.audioUrl}`] : []),
      `DESCRIPTION:${icsText(`sha256: ${i.sha256 ?? ''}\nstatus: ${i.status}`)}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}

/**
 * The calendar spans a week back and eight weeks ahead: the written occurrences, then, beyond each schedule's
 * rolling window, the slots its rule still holds (occurrenceId 0: they get an id, and can be confirmed, once the
 * window reaches them).
 */
export async function calendarItems(deps: Deps, orgId: number): Promise<FeedItem[]> {
  const from = addDays(localDate(deps.clock()), -7);
  const to = addDays(from, 62);
  const items = await itemsForCommune(deps, orgId, from, 63);
  for (const b of await repo.rulesAhead(deps.db, [orgId], to)) {
    const audio = await repo.findAudio(deps.db, b.audio_id);
    for (const at of unwrittenSlots(b, from, to)) {
      items.push({
        occurrenceId: 0,
        scheduledAt: at,
        title: b.title,
        audioUrl: audio?.master_sha256 ? audioUrlOf(deps.config.publicUrl, audio.master_sha256) : null,
        sha256: audio?.master_sha256 ?? null,
        durationSec: audio?.duration_sec == null ? null : Number(audio.duration_sec),
        status: 'pending',
        broadcastId: b.id,
        class: b.class ?? 'normal',
        playOrder: null,
      });
    }
  }
  return items;
}

// ---- feed tokens for IP receivers ----

const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/**
 * Who manages a commune's receiver tokens: the commune's own broadcaster, and staff (admins included) of an
 * organisation inside the province that contains the commune. Scheduling a broadcast there grants nothing: the
 * tokens belong to the commune, and a department of another province never manages them.
 */
async function authorizeTokenAdmin(ctx: Ctx, orgId: number): Promise<void> {
  const { actor } = ctx;
  const org = await findOrgById(ctx.db, orgId);
  if (!org || org.kind !== 'commune') throw invalid('UNKNOWN_COMMUNES', 'Feed tokens are for communes', { orgId: 'not a commune' });
  if (can(actor, BROADCASTER_ROLES, [orgId])) return;
  const sameProvince = (await outsideProvince(ctx.db, actor.orgId, [orgId])).length === 0;
  authorize(actor, sameProvince ? PREPARER_ROLES : [], [actor.orgId]);
}

export interface FeedTokenView {
  id: number;
  orgId: number;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const toTokenView = (r: repo.FeedTokenRow): FeedTokenView => ({ id: r.id, orgId: r.org_id, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at });

export function feedUrls(publicUrl: string, token: string) {
  return {
    json: `${publicUrl}/feed/${token}/schedule.json`,
    m3u: `${publicUrl}/feed/${token}/playlist.m3u`,
    ics: `${publicUrl}/feed/${token}/schedule.ics`,
    confirm: `${publicUrl}/api/v1/feed/occurrences/{occurrenceId}/confirm`,
  };
}

/** The secret is shown once; only its hash is kept. */
export async function createFeedToken(ctx: Ctx, input: { orgId: number; label?: string }): Promise<FeedTokenView & { token: string; urls: ReturnType<typeof feedUrls> }> {
  await authorizeTokenAdmin(ctx, input.orgId);
  const token = crypto.randomBytes(24).toString('base64url');
  const id = await repo.insertFeedToken(ctx.db, { org_id: input.orgId, token_hash: hashToken(token), label: input.label ?? null, created_by: ctx.actor.id, created_at: ctx.clock().toISOString(), revoked_at: null, last_used_at: null });
  return { ...toTokenView((await repo.findFeedToken(ctx.db, id))!), token, urls: feedUrls(ctx.config.publicUrl, token) };
}

export async function listFeedTokens(ctx: Ctx, orgId: number): Promise<FeedTokenView[]> {
  await authorizeTokenAdmin(ctx, orgId);
  return (await repo.listFeedTokens(ctx.db, [orgId])).map(toTokenView);
}

export async function revokeFeedToken(ctx: Ctx, id: number): Promise<FeedTokenView> {
  const row = await repo.findFeedToken(ctx.db, id);
  if (!row) throw notFound('Feed token', 'FEED_TOKEN_NOT_FOUND');
  await authorizeTokenAdmin(ctx, row.org_id);
  await repo.revokeFeedToken(ctx.db, id, ctx.clock().toISOString());
  return toTokenView((await repo.findFeedToken(ctx.db, id))!);
}

/** The commune a receiver's URL token stands for; revoked or unknown tokens are 404 (they reveal nothing). */
export async function feedTokenOf(deps: Deps, token: string): Promise<repo.FeedTokenRow> {
  const row = /^[A-Za-z0-9_-]{20,64}$/.test(token) ? await repo.findFeedTokenByHash(deps.db, hashToken(token)) : undefined;
  if (!row) throw notFound('Feed', 'FEED_NOT_FOUND');
  await repo.touchFeedToken(deps.db, row.id, deps.clock().toISOString());
  return row;
}

export async function communeName(deps: Deps, orgId: number): Promise<string> {
  return (await findOrgById(deps.db, orgId))?.name ?? '';
}
