import type { Ctx } from '../deps';
import { getCampaign, loadManagedCampaign, type Campaign } from '../campaigns';
import { dashboard, listReminders, trend, type Dashboard, type TrendPoint } from '../reports';
import { listLetters } from '../letters';
import { deliveryOverview } from '../dispatch';
import { broadcastsOfCampaign, missedByBroadcast } from '../broadcasts';
import { localToUtc, mondayOfIsoWeek } from '../shared/time';

export interface LetterProgress {
  id: number;
  symbol: string;
  subject: string;
  status: string;
  issuedAt: string | null;
  recipients: number;
  sent: number;
  /** Received in the system (the recipient's văn thư recorded it) plus confirmed through the e-mail's link. */
  acknowledged: number;
  receivedInSystem: number;
  acknowledgedByEmail: number;
  failed: number;
  noEmail: number;
  /** Share of recipients the letter reached (in their inbox, e-mailed, or acknowledged), %. */
  deliveredPercent: number;
  /** Share of recipients who acknowledged receipt, %. */
  acknowledgedPercent: number;
  unacknowledged: string[];
}

export interface BroadcastProgress {
  id: number;
  title: string;
  startDate: string;
  endDate: string;
  scheduled: number;
  played: number;
  missed: number;
  pending: number;
  playedPercent: number;
  missedCommunes: { orgId: number; name: string; missed: number }[];
}

export interface TimelineEvent {
  at: string;
  kind: 'campaign' | 'letter' | 'broadcast' | 'report';
  label: string;
  href: string;
}

export interface CampaignOverview {
  campaign: Campaign;
  letters: LetterProgress[];
  broadcasts: BroadcastProgress[];
  reports: Dashboard;
  trend: TrendPoint[];
  completenessPercent: number;
  remindersThisWeek: number;
  timeline: TimelineEvent[];
  nextActions: {
    unacknowledged: { letterId: number; symbol: string; recipients: string[] }[];
    missedBroadcasts: { broadcastId: number; title: string; communes: { orgId: number; name: string; missed: number }[] }[];
    missingReports: { week: string; orgs: { orgId: number; name: string }[] };
  };
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10000) / 100);

/**
 * One campaign across its three parts: the letters that carried the directive (delivery and acknowledgement),
 * the loudspeaker broadcasts (played and missed), and the weekly reports (progress and completeness),
 * with a timeline and what needs chasing. Everything is read through the owning features' services.
 */
export async function campaignOverview(ctx: Ctx, campaignId: number, week?: string): Promise<CampaignOverview> {
  const row = await loadManagedCampaign(ctx, campaignId);
  const campaign = await getCampaign(ctx, row.id);

  const letterRows = await listLetters(ctx, { orgId: row.ownerOrgId, campaignId: row.id });
  const deliveries = await deliveryOverview(ctx, letterRows.map((l) => l.id));
  const letters: LetterProgress[] = letterRows.map((l) => {
    const d = deliveries.get(l.id)!;
    const { byStatus, byChannel, total } = d.summary;
    const reached = byStatus.sent + byStatus.delivered + byStatus.acknowledged;
    return {
      id: l.id,
      symbol: l.symbol,
      subject: l.subject,
      status: l.status,
      issuedAt: l.issuedAt,
      recipients: total || l.recipients.length,
      sent: reached,
      acknowledged: byStatus.acknowledged,
      receivedInSystem: byChannel.system.acknowledged,
      acknowledgedByEmail: byChannel.email.acknowledged,
      failed: byStatus.failed,
      noEmail: byStatus.no_email,
      deliveredPercent: pct(reached, total),
      acknowledgedPercent: pct(byStatus.acknowledged, total),
      unacknowledged: d.unacknowledged,
    };
  });

  const broadcastRows = await broadcastsOfCampaign(ctx, row.id);
  const missed = await missedByBroadcast(ctx, broadcastRows.map((b) => b.id));
  const broadcasts: BroadcastProgress[] = broadcastRows.map((b) => ({
    id: b.id,
    title: b.title,
    startDate: b.startDate,
    endDate: b.endDate,
    scheduled: b.scheduled,
    played: b.played,
    missed: b.missed,
    pending: b.pending,
    playedPercent: pct(b.played, b.played + b.missed),
    missedCommunes: (missed.get(b.id) ?? []).map((c) => ({ orgId: c.orgId, name: c.name, missed: c.missed.length })),
  }));

  const reports = await dashboard(ctx, row.id, week);
  const weeks = (await trend(ctx, row.id, reports.week)).weeks;
  const reminders = await listReminders(ctx, row.id, reports.week);

  const timeline: TimelineEvent[] = [
    { at: localToUtc(row.startDate).toISOString(), kind: 'campaign' as const, label: 'start', href: `/campaigns/${row.id}` },
    ...letterRows.filter((l) => l.issuedAt).map((l) => ({ at: l.issuedAt!, kind: 'letter' as const, label: `${l.symbol} — ${l.subject}`, href: `/letters/${l.id}` })),
    ...broadcastRows.map((b) => ({ at: localToUtc(b.startDate).toISOString(), kind: 'broadcast' as const, label: b.title, href: `/broadcasts/${b.id}` })),
    ...weeks.filter((w) => w.received > 0).map((w) => ({ at: localToUtc(mondayOfIsoWeek(w.week)!).toISOString(), kind: 'report' as const, label: w.week, href: `/campaigns/${row.id}/reports?week=${w.week}` })),
  ].sort((a, b) => a.at.localeCompare(b.at));

  return {
    campaign,
    letters,
    broadcasts,
    reports,
    trend: weeks,
    completenessPercent: pct(reports.received, reports.expected),
    remindersThisWeek: reminders.length,
    timeline,
    nextActions: {
      unacknowledged: letters.filter((l) => l.unacknowledged.length > 0).map((l) => ({ letterId: l.id, symbol: l.symbol, recipients: l.unacknowledged })),
      missedBroadcasts: broadcasts
        .filter((b) => b.missed > 0)
        .map((b) => ({ broadcastId: b.id, title: b.title, communes: b.missedCommunes })),
      missingReports: { week: reports.week, orgs: reports.missing },
    },
  };
}
