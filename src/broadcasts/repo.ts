import type { Q } from '../db';
import { insertId } from '../db';

export interface AudioRow {
  id: number;
  owner_org_id: number;
  title: string;
  status: 'processing' | 'ready' | 'failed';
  progress: number;
  original_sha256: string;
  original_rel_path: string;
  original_mime: string;
  original_format: string;
  original_name: string | null;
  original_size: number;
  master_sha256: string | null;
  master_rel_path: string | null;
  master_size: number | null;
  duration_sec: number | null;
  sample_rate: number | null;
  channels: number | null;
  loudness_lufs: number | null;
  true_peak_dbtp: number | null;
  error: string | null;
  job_attempts: number;
  job_started_at: string | null;
  job_lease_until: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface BroadcastRow {
  id: number;
  owner_org_id: number;
  audio_id: number;
  title: string;
  campaign_id: number | null;
  start_date: string;
  end_date: string;
  times: string;
  days_of_week: string;
  class: BulletinClass;
  confirm_within_minutes: number | null;
  except_dates: string | null;
  monthly_on: string | null;
  /** The last local day whose occurrences are written (null: an emergency, written whole). */
  materialised_until: string | null;
  cancelled_at: string | null;
  cancelled_by: number | null;
  cancel_reason: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

/** Thông tư 39/2020/TT-BTTTT: the commune's own schedule, priority bulletins that go first, emergencies that play at once. */
export type BulletinClass = 'normal' | 'priority' | 'emergency';
export const CLASS_RANK: Record<BulletinClass, number> = { emergency: 0, priority: 1, normal: 2 };

export type OccurrenceStatus = 'pending' | 'played' | 'missed' | 'cancelled';

export interface OccurrenceRow {
  id: number;
  broadcast_id: number;
  org_id: number;
  scheduled_at: string;
  status: OccurrenceStatus;
  confirmed_at: string | null;
  confirmed_by: number | null;
  confirmed_via: string | null;
  escalated_at?: string | null;
  play_order?: number | null;
  reordered_at?: string | null;
  reordered_by?: number | null;
  confirm_recorded_at?: string | null;
  missed_note?: string | null;
  missed_note_at?: string | null;
  missed_note_by?: number | null;
  updated_at: string;
}

export interface FeedTokenRow {
  id: number;
  org_id: number;
  token_hash: string;
  label: string | null;
  created_by: number | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  heartbeat_at?: string | null;
  player_version?: string | null;
  free_bytes?: number | string | null;
  files?: string | null;
}

// ---- audio ----

export async function insertAudio(q: Q, row: Omit<AudioRow, 'id'>): Promise<number> {
  return insertId(q, 'audio_assets', row);
}

export async function findAudio(q: Q, id: number): Promise<AudioRow | undefined> {
  const row = await q<AudioRow>('audio_assets').where({ id }).first();
  return row ? normaliseAudio(row) : undefined;
}

/** PostgreSQL returns bigint columns as strings. */
function normaliseAudio(row: AudioRow): AudioRow {
  return {
    ...row,
    original_size: Number(row.original_size),
    master_size: row.master_size == null ? null : Number(row.master_size),
    duration_sec: row.duration_sec == null ? null : Number(row.duration_sec),
    loudness_lufs: row.loudness_lufs == null ? null : Number(row.loudness_lufs),
    true_peak_dbtp: row.true_peak_dbtp == null ? null : Number(row.true_peak_dbtp),
  };
}

export async function listAudioOfOrg(q: Q, ownerOrgId: number | null): Promise<AudioRow[]> {
  const query = q<AudioRow>('audio_assets').orderBy('id', 'desc').limit(200);
  if (ownerOrgId !== null) query.where({ owner_org_id: ownerOrgId });
  return (await query).map(normaliseAudio);
}

/**
 * Claims a processing job for one run: only when nobody holds it (never claimed, or the holder's lease ran out).
 * One conditional update, so two instances cannot both run it.
 */
export async function claimAudioJob(q: Q, id: number, now: string, leaseUntil: string): Promise<boolean> {
  const n = await q('audio_assets')
    .where({ id, status: 'processing' })
    .andWhere((w) => w.whereNull('job_lease_until').orWhere('job_lease_until', '<', now))
    .update({ job_attempts: q.raw('job_attempts + 1'), job_started_at: now, job_lease_until: leaseUntil, updated_at: now });
  return n > 0;
}

export async function renewAudioJob(q: Q, id: number, progress: number | null, leaseUntil: string): Promise<void> {
  const patch: Record<string, unknown> = { job_lease_until: leaseUntil };
  if (progress !== null) patch.progress = progress;
  await q('audio_assets').where({ id, status: 'processing' }).update(patch);
}

export async function updateAudio(q: Q, id: number, patch: Partial<Omit<AudioRow, 'id'>>): Promise<void> {
  await q('audio_assets').where({ id }).update(patch);
}

/** Processing jobs nobody holds: just uploaded, or left behind by a process that died. */
export async function unclaimedAudioJobs(q: Q, now: string): Promise<number[]> {
  const rows = await q('audio_assets')
    .where({ status: 'processing' })
    .andWhere((w) => w.whereNull('job_lease_until').orWhere('job_lease_until', '<', now))
    .orderBy('id')
    .select('id');
  return rows.map((r: { id: number }) => r.id);
}

export async function findReadyMasterBySha(q: Q, sha256: string): Promise<AudioRow | undefined> {
  const row = await q<AudioRow>('audio_assets').where({ master_sha256: sha256, status: 'ready' }).first();
  return row ? normaliseAudio(row) : undefined;
}

// ---- broadcasts ----

export async function insertBroadcast(q: Q, row: Omit<BroadcastRow, 'id'>, targetOrgIds: number[]): Promise<number> {
  const id = await insertId(q, 'broadcasts', row);
  await replaceTargets(q, id, targetOrgIds);
  return id;
}

export async function replaceTargets(q: Q, broadcastId: number, orgIds: number[]): Promise<void> {
  await q('broadcast_targets').where({ broadcast_id: broadcastId }).delete();
  const rows = [...new Set(orgIds)].map((org_id) => ({ broadcast_id: broadcastId, org_id }));
  if (rows.length) await q.batchInsert('broadcast_targets', rows, 200);
}

export async function updateBroadcast(q: Q, id: number, patch: Partial<Omit<BroadcastRow, 'id'>>): Promise<void> {
  await q('broadcasts').where({ id }).update(patch);
}

export async function findBroadcast(q: Q, id: number): Promise<BroadcastRow | undefined> {
  return q<BroadcastRow>('broadcasts').where({ id }).first();
}

/** The same row, locked until the transaction ends on PostgreSQL (SQLite has one writer anyway). */
export async function findBroadcastForUpdate(q: Q, id: number): Promise<BroadcastRow | undefined> {
  return q<BroadcastRow>('broadcasts').where({ id }).forUpdate().first();
}

/** Live schedules whose written window ends before `horizon` and before their own end. */
export async function broadcastsToMaterialise(q: Q, horizon: string): Promise<number[]> {
  const rows: { id: number }[] = await q('broadcasts')
    .whereNotNull('materialised_until')
    .whereNull('cancelled_at')
    .whereNot('class', 'emergency')
    .andWhere('materialised_until', '<', horizon)
    .andWhereRaw('materialised_until < end_date')
    .orderBy('id')
    .select('id');
  return rows.map((r) => r.id);
}

/** Moves the written window's end from `from` to `to`; false when another run moved it first. */
export async function advanceMaterialised(q: Q, id: number, from: string, to: string): Promise<boolean> {
  return (await q('broadcasts').where({ id, materialised_until: from }).update({ materialised_until: to })) > 0;
}

/** Ends a schedule: the row keeps its rule, marked cancelled; false when it already was. */
export async function markCancelled(q: Q, id: number, by: number, reason: string, now: string): Promise<boolean> {
  return (await q('broadcasts').where({ id }).whereNull('cancelled_at').update({ cancelled_at: now, cancelled_by: by, cancel_reason: reason, updated_at: now })) > 0;
}

/** Pending occurrences of a broadcast after an instant become cancelled; returns how many. */
export async function cancelPendingFrom(q: Q, broadcastId: number, fromIso: string, now: string): Promise<number> {
  return q('occurrences').where({ broadcast_id: broadcastId, status: 'pending' }).andWhere('scheduled_at', '>', fromIso).update({ status: 'cancelled', updated_at: now });
}

export interface CancellationRow {
  id: number;
  title: string;
  cancel_reason: string | null;
  cancelled_at: string;
}

/** Broadcasts naming this commune that were cancelled since an instant (what its broadcaster is told). */
export async function cancellationsFor(q: Q, orgId: number, sinceIso: string): Promise<CancellationRow[]> {
  return q('broadcasts')
    .join('broadcast_targets', 'broadcast_targets.broadcast_id', 'broadcasts.id')
    .where('broadcast_targets.org_id', orgId)
    .whereNotNull('broadcasts.cancelled_at')
    .andWhere('broadcasts.cancelled_at', '>=', sinceIso)
    .orderBy('broadcasts.cancelled_at', 'desc')
    .select('broadcasts.id', 'broadcasts.title', 'broadcasts.cancel_reason', 'broadcasts.cancelled_at');
}

/** Live scheduled broadcasts naming any of these communes whose rule reaches past its window before `toDate`, with the commune. */
export async function rulesAhead(q: Q, orgIds: number[], toDate: string): Promise<(BroadcastRow & { target_org_id: number })[]> {
  const out: (BroadcastRow & { target_org_id: number })[] = [];
  for (let i = 0; i < orgIds.length; i += 500) {
    const rows: (BroadcastRow & { target_org_id: number })[] = await q('broadcasts')
      .join('broadcast_targets', 'broadcast_targets.broadcast_id', 'broadcasts.id')
      .whereIn('broadcast_targets.org_id', orgIds.slice(i, i + 500))
      .whereNull('broadcasts.cancelled_at')
      .whereNot('broadcasts.class', 'emergency')
      .whereNotNull('broadcasts.materialised_until')
      .andWhere('broadcasts.materialised_until', '<', toDate)
      .andWhereRaw('broadcasts.materialised_until < broadcasts.end_date')
      .select('broadcasts.*', 'broadcast_targets.org_id as target_org_id');
    out.push(...rows);
  }
  return out;
}

export async function listBroadcasts(q: Q, ownerOrgId: number | null): Promise<BroadcastRow[]> {
  const query = q<BroadcastRow>('broadcasts').orderBy('id', 'desc').limit(200);
  if (ownerOrgId !== null) query.where({ owner_org_id: ownerOrgId });
  return query;
}

export async function targetIds(q: Q, broadcastId: number): Promise<number[]> {
  const rows = await q('broadcast_targets').where({ broadcast_id: broadcastId }).orderBy('org_id').select('org_id');
  return rows.map((r: { org_id: number }) => r.org_id);
}

// ---- occurrences ----

export async function insertOccurrences(q: Q, rows: Omit<OccurrenceRow, 'id'>[]): Promise<void> {
  if (rows.length) await q.batchInsert('occurrences', rows, 300);
}

/** The same, skipping rows whose (broadcast, commune, instant) is already there: writing a window twice is harmless. */
export async function insertOccurrencesIfAbsent(q: Q, rows: Omit<OccurrenceRow, 'id'>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 300) {
    await q('occurrences').insert(rows.slice(i, i + 300)).onConflict(['broadcast_id', 'org_id', 'scheduled_at']).ignore();
  }
}

export async function findOccurrence(q: Q, id: number): Promise<OccurrenceRow | undefined> {
  return q<OccurrenceRow>('occurrences').where({ id }).first();
}

/** Occurrences of a broadcast from an instant on (the part an edit may change). */
export async function occurrencesFrom(q: Q, broadcastId: number, fromIso: string): Promise<OccurrenceRow[]> {
  return q<OccurrenceRow>('occurrences').where({ broadcast_id: broadcastId }).andWhere('scheduled_at', '>', fromIso);
}

export async function setOccurrenceStatus(q: Q, ids: number[], status: OccurrenceStatus, now: string, onlyFrom: OccurrenceStatus[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await q('occurrences').whereIn('id', ids.slice(i, i + 500)).whereIn('status', onlyFrom).update({ status, updated_at: now });
  }
}

export async function countActiveOccurrences(q: Q, broadcastId: number): Promise<number> {
  const [row] = await q('occurrences').where({ broadcast_id: broadcastId }).whereNot({ status: 'cancelled' }).count({ n: '*' });
  return Number(row.n);
}

/** Confirms a pending (or, for late reports, missed) occurrence; returns whether a row changed. */
export async function markPlayed(q: Q, id: number, fromStatuses: OccurrenceStatus[], at: string, by: number | null, via: string, now: string): Promise<boolean> {
  const n = await q('occurrences').where({ id }).whereIn('status', fromStatuses).update({ status: 'played', confirmed_at: at, confirmed_by: by, confirmed_via: via, confirm_recorded_at: now, updated_at: now });
  return n > 0;
}

/** Takes back a confirmation recorded at `recordedAt` (conditional: only if it is still that one); returns whether it did. */
export async function undoPlayed(q: Q, id: number, recordedAt: string, status: OccurrenceStatus, now: string): Promise<boolean> {
  const n = await q('occurrences').where({ id, status: 'played', confirm_recorded_at: recordedAt }).update({ status, confirmed_at: null, confirmed_by: null, confirmed_via: null, confirm_recorded_at: null, updated_at: now });
  return n > 0;
}

export async function setMissedNote(q: Q, id: number, note: string, by: number, now: string): Promise<boolean> {
  const n = await q('occurrences').where({ id, status: 'missed' }).update({ missed_note: note, missed_note_at: now, missed_note_by: by, updated_at: now });
  return n > 0;
}

export interface MissedNoteRow {
  id: number;
  org_id: number;
  name: string;
  scheduled_at: string;
  missed_note: string;
  missed_note_at: string;
}

/** The notes communes attached to a broadcast's missed slots, by time. */
export async function missedNotes(q: Q, broadcastId: number): Promise<MissedNoteRow[]> {
  return q('occurrences')
    .join('orgs', 'orgs.id', 'occurrences.org_id')
    .where('occurrences.broadcast_id', broadcastId)
    .whereNotNull('occurrences.missed_note')
    .orderBy([{ column: 'occurrences.scheduled_at' }, { column: 'occurrences.id' }])
    .select('occurrences.id', 'occurrences.org_id', 'orgs.name', 'occurrences.scheduled_at', 'occurrences.missed_note', 'occurrences.missed_note_at');
}

/** Pending occurrences scheduled before the cut-off become missed; returns how many. */
export async function markMissedBefore(q: Q, cutoffIso: string, now: string): Promise<number> {
  return q('occurrences').where({ status: 'pending' }).andWhere('scheduled_at', '<', cutoffIso).update({ status: 'missed', updated_at: now });
}

export interface StatusCountRow {
  org_id: number;
  name: string;
  status: OccurrenceStatus;
  n: number | string;
}

export async function statusCountsByCommune(q: Q, broadcastId: number): Promise<StatusCountRow[]> {
  return q('occurrences')
    .join('orgs', 'orgs.id', 'occurrences.org_id')
    .where('occurrences.broadcast_id', broadcastId)
    .whereNot('occurrences.status', 'cancelled')
    .groupBy('occurrences.org_id', 'orgs.name', 'occurrences.status')
    .select('occurrences.org_id', 'orgs.name', 'occurrences.status')
    .count({ n: '*' });
}

export interface FeedItemRow {
  id: number;
  org_id: number;
  scheduled_at: string;
  status: OccurrenceStatus;
  title: string;
  broadcast_id: number;
  class: BulletinClass;
  play_order: number | null;
  master_sha256: string | null;
  duration_sec: number | null;
}

/** A commune's occurrences in [from, to), with what a receiver needs to play them. */
export async function feedItems(q: Q, orgId: number, fromIso: string, toIso: string): Promise<FeedItemRow[]> {
  const rows = await q('occurrences')
    .join('broadcasts', 'broadcasts.id', 'occurrences.broadcast_id')
    .join('audio_assets', 'audio_assets.id', 'broadcasts.audio_id')
    .where('occurrences.org_id', orgId)
    .whereNot('occurrences.status', 'cancelled')
    .andWhere('occurrences.scheduled_at', '>=', fromIso)
    .andWhere('occurrences.scheduled_at', '<', toIso)
    .orderBy([{ column: 'occurrences.scheduled_at' }, { column: 'occurrences.id' }])
    .select(
      'occurrences.id',
      'occurrences.org_id',
      'occurrences.scheduled_at',
      'occurrences.status',
      'broadcasts.title',
      'broadcasts.id as broadcast_id',
      'broadcasts.class',
      'occurrences.play_order',
      'audio_assets.master_sha256',
      'audio_assets.duration_sec',
    );
  // Emergency first, then priority, then normal; each by time (a stable sort keeps the query's time order).
  return rows
    .map((r: FeedItemRow) => ({ ...r, class: r.class ?? 'normal', duration_sec: r.duration_sec == null ? null : Number(r.duration_sec) }))
    .sort((a: FeedItemRow, b: FeedItemRow) => CLASS_RANK[a.class] - CLASS_RANK[b.class]);
}

/** Occurrences of one broadcast in [from, to), for the week calendar. */
export async function occurrencesBetween(q: Q, broadcastId: number, fromIso: string, toIso: string): Promise<OccurrenceRow[]> {
  return q<OccurrenceRow>('occurrences')
    .where({ broadcast_id: broadcastId })
    .whereNot({ status: 'cancelled' })
    .andWhere('scheduled_at', '>=', fromIso)
    .andWhere('scheduled_at', '<', toIso)
    .orderBy('scheduled_at');
}

/** Is this audio scheduled (not cancelled) in this commune? Decides whether its broadcaster may fetch it. */
export async function audioScheduledIn(q: Q, audioId: number, orgId: number): Promise<boolean> {
  const row: unknown = await q('occurrences')
    .join('broadcasts', 'broadcasts.id', 'occurrences.broadcast_id')
    .where({ 'broadcasts.audio_id': audioId, 'occurrences.org_id': orgId })
    .first('occurrences.id');
  return Boolean(row);
}

// ---- feed tokens ----

export async function insertFeedToken(q: Q, row: Omit<FeedTokenRow, 'id'>): Promise<number> {
  return insertId(q, 'feed_tokens', row);
}

export async function findFeedTokenByHash(q: Q, hash: string): Promise<FeedTokenRow | undefined> {
  return q<FeedTokenRow>('feed_tokens').where({ token_hash: hash }).whereNull('revoked_at').first();
}

export async function findFeedToken(q: Q, id: number): Promise<FeedTokenRow | undefined> {
  return q<FeedTokenRow>('feed_tokens').where({ id }).first();
}

export async function listFeedTokens(q: Q, orgIds: number[]): Promise<FeedTokenRow[]> {
  if (!orgIds.length) return [];
  return q<FeedTokenRow>('feed_tokens').whereIn('org_id', orgIds).orderBy('id', 'desc');
}

export async function revokeFeedToken(q: Q, id: number, now: string): Promise<void> {
  await q('feed_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: now });
}

export async function touchFeedToken(q: Q, id: number, now: string): Promise<void> {
  await q('feed_tokens').where({ id }).update({ last_used_at: now });
}

// ---- missed occurrences (campaign follow-up) ----

export interface MissedRow {
  id: number;
  broadcast_id: number;
  org_id: number;
  name: string;
  email: string | null;
  scheduled_at: string;
}

export async function missedOccurrences(q: Q, broadcastIds: number[]): Promise<MissedRow[]> {
  if (broadcastIds.length === 0) return [];
  return q('occurrences')
    .join('orgs', 'orgs.id', 'occurrences.org_id')
    .whereIn('occurrences.broadcast_id', broadcastIds)
    .where('occurrences.status', 'missed')
    .orderBy([{ column: 'orgs.name' }, { column: 'occurrences.scheduled_at' }])
    .select('occurrences.id', 'occurrences.broadcast_id', 'occurrences.org_id', 'orgs.name', 'orgs.email', 'occurrences.scheduled_at');
}

export async function listBroadcastsOfCampaign(q: Q, campaignId: number): Promise<BroadcastRow[]> {
  return q<BroadcastRow>('broadcasts').where({ campaign_id: campaignId }).orderBy('id', 'desc');
}

// ---- emergencies ----

export interface OverdueEmergencyRow {
  id: number;
  broadcast_id: number;
  org_id: number;
  scheduled_at: string;
  title: string;
  owner_org_id: number;
  confirm_within_minutes: number | null;
}

/** Pending, not yet escalated occurrences of emergency bulletins sent before `sentBeforeIso` (the caller checks each deadline). */
export async function unconfirmedEmergencies(q: Q, sentBeforeIso: string): Promise<OverdueEmergencyRow[]> {
  return q('occurrences')
    .join('broadcasts', 'broadcasts.id', 'occurrences.broadcast_id')
    .where('broadcasts.class', 'emergency')
    .whereIn('occurrences.status', ['pending', 'missed'])
    .whereNull('occurrences.escalated_at')
    .andWhere('occurrences.scheduled_at', '<', sentBeforeIso)
    .orderBy('occurrences.id')
    .limit(1000)
    .select('occurrences.id', 'occurrences.broadcast_id', 'occurrences.org_id', 'occurrences.scheduled_at', 'broadcasts.title', 'broadcasts.owner_org_id', 'broadcasts.confirm_within_minutes');
}

/** Claims an occurrence's escalation once (a conditional update): false when another run or a confirmation got there first. */
export async function markEscalated(q: Q, id: number, now: string): Promise<boolean> {
  const n = await q('occurrences').where({ id }).whereIn('status', ['pending', 'missed']).whereNull('escalated_at').update({ escalated_at: now });
  return n > 0;
}

// ---- clashes ----

export async function findOccurrences(q: Q, ids: number[]): Promise<OccurrenceRow[]> {
  if (!ids.length) return [];
  return q<OccurrenceRow>('occurrences').whereIn('id', ids);
}

/** The commune's chosen order for the occurrences of one clash (0, 1, …). */
export async function setPlayOrder(q: Q, orderedIds: number[], by: number, now: string): Promise<void> {
  for (const [i, id] of orderedIds.entries()) await q('occurrences').where({ id }).update({ play_order: i, reordered_at: now, reordered_by: by, updated_at: now });
}

/** Per commune, how many occurrences of a broadcast it put in its own order. */
export async function reorderedByCommune(q: Q, broadcastId: number): Promise<Map<number, number>> {
  const rows: { org_id: number; n: number | string }[] = await q('occurrences').where({ broadcast_id: broadcastId }).whereNotNull('reordered_at').groupBy('org_id').select('org_id').count({ n: '*' });
  return new Map(rows.map((r) => [r.org_id, Number(r.n)]));
}

/** A commune's unconfirmed emergency occurrences since an instant (the broadcaster's alert). */
export async function pendingEmergencies(q: Q, orgId: number, sinceIso: string): Promise<FeedItemRow[]> {
  const rows = await q('occurrences')
    .join('broadcasts', 'broadcasts.id', 'occurrences.broadcast_id')
    .join('audio_assets', 'audio_assets.id', 'broadcasts.audio_id')
    .where({ 'occurrences.org_id': orgId, 'occurrences.status': 'pending', 'broadcasts.class': 'emergency' })
    .andWhere('occurrences.scheduled_at', '>=', sinceIso)
    .orderBy('occurrences.scheduled_at', 'desc')
    .select('occurrences.id', 'occurrences.org_id', 'occurrences.scheduled_at', 'occurrences.status', 'broadcasts.title', 'broadcasts.id as broadcast_id', 'broadcasts.class', 'occurrences.play_order', 'audio_assets.master_sha256', 'audio_assets.duration_sec');
  return rows.map((r: FeedItemRow) => ({ ...r, duration_sec: r.duration_sec == null ? null : Number(r.duration_sec) }));
}

// ---- receivers ----

export async function recordHeartbeat(q: Q, tokenId: number, row: { heartbeat_at: string; player_version: string | null; free_bytes: number | null; files: string | null }): Promise<void> {
  await q('feed_tokens').where({ id: tokenId }).whereNull('revoked_at').update(row);
}

export interface ReceiverRow extends FeedTokenRow {
  name: string;
}

/** Live (not revoked) feed tokens of the given communes, with the commune's name. */
export async function receiversOf(q: Q, orgIds: number[]): Promise<ReceiverRow[]> {
  const out: ReceiverRow[] = [];
  for (let i = 0; i < orgIds.length; i += 500) {
    const rows: ReceiverRow[] = await q('feed_tokens')
      .join('orgs', 'orgs.id', 'feed_tokens.org_id')
      .whereIn('feed_tokens.org_id', orgIds.slice(i, i + 500))
      .whereNull('feed_tokens.revoked_at')
      .select('feed_tokens.*', 'orgs.name');
    out.push(...rows);
  }
  return out;
}

// ---- activity report ----

export interface ActivityRow {
  org_id: number;
  name: string;
  class: BulletinClass;
  status: OccurrenceStatus;
  scheduled_at: string;
  confirmed_at: string | null;
  reordered_at: string | null;
}

/** Every non-cancelled occurrence of the given communes in [from, to). */
export async function activityRows(q: Q, orgIds: number[], fromIso: string, toIso: string): Promise<ActivityRow[]> {
  const out: ActivityRow[] = [];
  for (let i = 0; i < orgIds.length; i += 500) {
    const rows: ActivityRow[] = await q('occurrences')
      .join('broadcasts', 'broadcasts.id', 'occurrences.broadcast_id')
      .join('orgs', 'orgs.id', 'occurrences.org_id')
      .whereIn('occurrences.org_id', orgIds.slice(i, i + 500))
      .whereNot('occurrences.status', 'cancelled')
      .andWhere('occurrences.scheduled_at', '>=', fromIso)
      .andWhere('occurrences.scheduled_at', '<', toIso)
      .select('occurrences.org_id', 'orgs.name', 'broadcasts.class', 'occurrences.status', 'occurrences.scheduled_at', 'occurrences.confirmed_at', 'occurrences.reordered_at');
    out.push(...rows);
  }
  return out;
}
