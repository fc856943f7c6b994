import type { AudioRow, BroadcastRow, BulletinClass, FeedItemRow } from './repo';

/** Wire shapes: the API promises these names (api.md, Broadcasts); the tables may change. */
export interface Audio {
  id: number;
  title: string;
  status: AudioRow['status'];
  progress: number;
  durationSec: number | null;
  sha256: string | null;
  format: 'mp3';
  sampleRate: number | null;
  channels: number | null;
  loudnessLufs: number | null;
  truePeakDbtp: number | null;
  audioUrl: string | null;
  original: { sha256: string; mime: string; format: string; size: number; name: string | null };
  ownerOrgId: number;
  createdAt: string;
  error?: string;
}

/** Masters are addressed by their content hash; the URL is the same for every reader and never changes meaning. */
export function audioUrlOf(publicUrl: string, sha256: string): string {
  return `${publicUrl}/audio/${sha256}.mp3`;
}

const round2 = (v: number | null) => (v == null ? null : Math.round(v * 100) / 100);

export function toAudio(row: AudioRow, publicUrl: string): Audio {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    progress: row.status === 'ready' ? 100 : row.progress,
    durationSec: round2(row.duration_sec),
    sha256: row.master_sha256,
    format: 'mp3',
    sampleRate: row.sample_rate,
    channels: row.channels,
    loudnessLufs: round2(row.loudness_lufs),
    truePeakDbtp: round2(row.true_peak_dbtp),
    audioUrl: row.master_sha256 && row.status === 'ready' ? audioUrlOf(publicUrl, row.master_sha256) : null,
    original: { sha256: row.original_sha256, mime: row.original_mime, format: row.original_format, size: row.original_size, name: row.original_name },
    ownerOrgId: row.owner_org_id,
    createdAt: row.created_at,
    ...(row.error ? { error: row.error } : {}),
  };
}

export interface Broadcast {
  id: number;
  title: string;
  audioId: number;
  ownerOrgId: number;
  campaignId: number | null;
  startDate: string;
  endDate: string;
  times: string[];
  daysOfWeek: number[];
  communeIds: number[];
  class: BulletinClass;
  confirmWithinMinutes: number | null;
  exceptDates: string[];
  monthlyOn: { week: number; weekday: number }[] | null;
  /** Set once the schedule was cancelled (issue 15): its slots from then on are off every feed. */
  cancelledAt: string | null;
  cancelReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toBroadcast(row: BroadcastRow, communeIds: number[]): Broadcast {
  return {
    id: row.id,
    title: row.title,
    audioId: row.audio_id,
    ownerOrgId: row.owner_org_id,
    campaignId: row.campaign_id,
    startDate: row.start_date,
    endDate: row.end_date,
    times: JSON.parse(row.times) as string[],
    daysOfWeek: JSON.parse(row.days_of_week) as number[],
    communeIds,
    class: row.class ?? 'normal',
    confirmWithinMinutes: row.confirm_within_minutes ?? null,
    exceptDates: row.except_dates ? (JSON.parse(row.except_dates) as string[]) : [],
    monthlyOn: row.monthly_on ? (JSON.parse(row.monthly_on) as { week: number; weekday: number }[]) : null,
    cancelledAt: row.cancelled_at ?? null,
    cancelReason: row.cancel_reason ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface FeedItem {
  occurrenceId: number;
  scheduledAt: string;
  title: string;
  audioUrl: string | null;
  sha256: string | null;
  durationSec: number | null;
  status: FeedItemRow['status'];
  broadcastId: number;
  class: BulletinClass;
  /** Set when the commune chose the order of a clash this item is part of. */
  playOrder: number | null;
}

export function toFeedItem(row: FeedItemRow, publicUrl: string): FeedItem {
  return {
    occurrenceId: row.id,
    scheduledAt: row.scheduled_at,
    title: row.title,
    audioUrl: row.master_sha256 ? audioUrlOf(publicUrl, row.master_sha256) : null,
    sha256: row.master_sha256,
    durationSec: round2(row.duration_sec),
    status: row.status,
    broadcastId: row.broadcast_id,
    class: row.class ?? 'normal',
    playOrder: row.play_order ?? null,
  };
}
