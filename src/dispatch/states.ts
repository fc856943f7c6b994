/**
 * Every state the dispatch feature knows, in one place.
 *
 * Outbox message:  queued ──claim──▶ sending ──250──▶ sent
 *                    ▲                  │ 4xx / connection error (attempts left)
 *                    └──── backoff ─────┘ 5xx, or attempts exhausted ──▶ failed
 *                  (a crash leaves "sending": reconciled by Message-ID, see CONTEXT.md "Delivery guarantee")
 *
 * Delivery (one recipient of one letter), by channel:
 *   system (an organisation with users here): delivered (in its inbox) → acknowledged when its văn thư receives it;
 *   email: queued → sent | failed, then acknowledged when the recipient confirms through the link;
 *   hand (no address): no_email.
 */
export const OUTBOX_STATES = ['queued', 'sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export const DELIVERY_STATES = ['no_email', 'queued', 'sent', 'failed', 'delivered', 'acknowledged'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** Deliveries still on their way: the delivery page refreshes itself while any remain. */
export const DELIVERY_PENDING: readonly DeliveryState[] = ['queued'];

/** How a delivery reaches its recipient: the recipient's inbox in this system, e-mail, or by hand. */
export const DELIVERY_CHANNELS = ['system', 'email', 'hand'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
