import { t, type Locale } from '../shared/i18n';
import type { DeliveryView, OutboxRow } from './repo';
import type { DeliveryChannel, DeliveryState } from './states';
import { DELIVERY_CHANNELS } from './states';
import { parseAttachments } from './outbox';

/** A delivery as the API promises it (api.md: GET /letters/:id/deliveries). The row may change; this may not. */
export interface Delivery {
  id: number;
  recipient: string;
  orgId: number | null;
  email: string | null;
  status: DeliveryState;
  /** system (the recipient's inbox here) | email | hand */
  channel: DeliveryChannel;
  attempts: number;
  sentAt: string | null;
  acknowledgedAt: string | null;
  error: string | null;
}

export function toDelivery(v: DeliveryView, locale: Locale): Delivery {
  let error: string | null = null;
  if (v.error_code) error = t(locale, `dispatch.deliveryErrors.${v.error_code}`, { email: v.email });
  else if ((v.status === 'failed' || v.status === 'queued') && v.last_error) error = v.last_error;
  return {
    id: v.id,
    recipient: v.recipient_name,
    orgId: v.org_id,
    email: v.email,
    status: v.status,
    channel: v.channel,
    attempts: Number(v.attempts ?? 0),
    sentAt: v.status === 'sent' || v.status === 'acknowledged' ? (v.sent_at ?? null) : null,
    acknowledgedAt: v.acknowledged_at,
    error,
  };
}

export interface DeliverySummary {
  total: number;
  byStatus: Record<DeliveryState, number>;
  /** Deliveries whose outcome is known (everything but queued). */
  done: number;
  percent: number;
  pending: number;
  /** Per channel: how many recipients, and how many of them have acknowledged (received in the system / confirmed). */
  byChannel: Record<DeliveryChannel, { total: number; acknowledged: number }>;
}

export function deliverySummary(items: { status: DeliveryState; channel: DeliveryChannel }[]): DeliverySummary {
  const byStatus: Record<DeliveryState, number> = { no_email: 0, queued: 0, sent: 0, failed: 0, delivered: 0, acknowledged: 0 };
  const byChannel = Object.fromEntries(DELIVERY_CHANNELS.map((c) => [c, { total: 0, acknowledged: 0 }])) as DeliverySummary['byChannel'];
  for (const i of items) {
    byStatus[i.status] += 1;
    byChannel[i.channel].total += 1;
    if (i.status === 'acknowledged') byChannel[i.channel].acknowledged += 1;
  }
  const total = items.length;
  const done = total - byStatus.queued;
  return { total, byStatus, byChannel, done, pending: byStatus.queued, percent: total === 0 ? 0 : Math.round((done / total) * 1000) / 10 };
}

/** An outbox message as the outbox page and API show it. */
export function toOutboxItem(row: OutboxRow) {
  return {
    id: row.id,
    kind: row.kind,
    to: row.to_address,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'queued' ? row.next_attempt_at : null,
    messageId: row.message_id,
    error: row.last_error,
    sentAt: row.sent_at,
    createdAt: row.created_at,
    attachments: parseAttachments(row.attachments).map((a) => a.filename),
  };
}
