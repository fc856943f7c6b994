/**
 * Notifications: "what waits for you". A feature that changes something another person must act on calls
 * `notify` inside its own transaction: one in-app notice per recipient (a message key and its parameters, so each
 * reader sees it in their own language) and one e-mail each through the dispatch outbox, committed or rolled back
 * with the caller's change. The caller then calls `sendNotificationMail(deps)` after its commit.
 */
import type { Q } from '../db';
import type { Ctx, Deps } from '../deps';
import { activeAddressees, type Role } from '../auth';
import { enqueueMail, kickOutbox } from '../dispatch';
import { t, type Locale } from '../shared/i18n';
import { notFound } from '../shared/errors';
import { offsetOf, pageOf, type ListQuery, type Page } from '../shared/paging';
import * as repo from './repo';

/** What a notice is about; each has `notifications.kinds.<kind>` (the text, with {placeholders}) in every language. */
export const NOTIFICATION_KINDS = ['letter.submitted', 'letter.approved', 'letter.rejected', 'letter.issued', 'letter.received', 'inbox.assigned'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationRequest {
  /** Users by id and/or every active holder of one of `roles` in `orgId` (each person told once). */
  recipients: { userIds?: (number | null)[]; orgId?: number; roles?: Role[] };
  kind: NotificationKind;
  /** The message's placeholders: subject, symbol, reason, by (who acted), from. */
  params: Record<string, string>;
  /** A path inside the app, e.g. /letters/12. */
  link: string;
  /** Nobody is told of their own action: this user is left out. */
  exceptUserId?: number;
  /** The organisation the e-mail is sent for (its secretaries see it on /outbox). */
  orgId?: number | null;
}

export interface Notification {
  id: number;
  at: string;
  kind: string;
  text: string;
  link: string | null;
  read: boolean;
}

/** The text of a notice in a language (the same text the e-mail carries). */
export function notificationText(locale: Locale, kind: string, params: Record<string, string>): string {
  return t(locale, `notifications.kinds.${kind}`, params);
}

/**
 * Records the notices with `q` (the caller's transaction) and queues their e-mails in the same transaction.
 * Returns the users notified. Users without an e-mail address get the in-app notice only.
 */
export async function notify(deps: Deps, q: Q, n: NotificationRequest): Promise<number[]> {
  const { userIds = [], orgId, roles = [] } = n.recipients;
  const found = [
    ...(await activeAddressees(q, { ids: [...new Set(userIds.filter((x): x is number => x != null))] })),
    ...(orgId !== undefined ? await activeAddressees(q, { orgId, roles }) : []),
  ];
  const people = [...new Map(found.map((p) => [p.id, p])).values()].filter((p) => p.id !== n.exceptUserId);
  if (people.length === 0) return [];
  const now = deps.clock().toISOString();
  const params = JSON.stringify(n.params);
  const ids = await repo.insertNotifications(q, people.map((p) => ({ user_id: p.id, kind: n.kind, params, link: n.link, created_at: now })));
  for (const [i, p] of people.entries()) {
    if (!p.email) continue;
    const text = notificationText(p.locale, n.kind, n.params);
    const url = `${deps.config.publicUrl}${n.link}`;
    await enqueueMail(deps, q, {
      to: p.email,
      subject: `[Vận Động] ${text}`.slice(0, 300),
      text: `${t(p.locale, 'notifications.mail.greeting', { name: p.name })}\n\n${text}\n\n${t(p.locale, 'notifications.mail.open')} ${url}\n\n${t(p.locale, 'notifications.mail.footer', { url: `${deps.config.publicUrl}/notifications` })}\n`,
      kind: 'notification',
      dedupeKey: `notification:${ids[i]}`,
      orgId: n.orgId ?? null,
    });
  }
  return people.map((p) => p.id);
}

/** After the caller's commit: the notification e-mails leave now rather than at the next outbox tick. */
export function sendNotificationMail(deps: Deps): void {
  kickOutbox(deps);
}

const toNotification = (locale: Locale) => (r: repo.NotificationRow): Notification => ({
  id: r.id,
  at: r.created_at,
  kind: r.kind,
  text: notificationText(locale, r.kind, JSON.parse(r.params) as Record<string, string>),
  link: r.link,
  read: r.read_at !== null,
});

/** The signed-in person's own notices, newest first, in `locale`. */
export async function listNotifications(ctx: Ctx, locale: Locale, query: Pick<ListQuery, 'page' | 'pageSize'>): Promise<Page<Notification> & { unread: number }> {
  const { db, actor } = ctx;
  const rows = await repo.listForUser(db, actor.id, { limit: query.pageSize, offset: offsetOf(query) });
  const total = await repo.countForUser(db, actor.id, false);
  return { ...pageOf(rows.map(toNotification(locale)), total, query), unread: await repo.countForUser(db, actor.id, true) };
}

/** How many of the person's notices are unread (the bell in the top bar). */
export async function unreadCount(ctx: Ctx): Promise<number> {
  return repo.countForUser(ctx.db, ctx.actor.id, true);
}

/** Marks one of the person's own notices read (another person's is 404) and returns it (the page follows its link). */
export async function markRead(ctx: Ctx, id: number): Promise<{ link: string | null }> {
  const row = await repo.findForUser(ctx.db, id, ctx.actor.id);
  if (!row) throw notFound('Notification', 'NOTIFICATION_NOT_FOUND');
  await repo.markRead(ctx.db, ctx.actor.id, ctx.clock().toISOString(), id);
  return { link: row.link };
}

export async function markAllRead(ctx: Ctx): Promise<void> {
  await repo.markRead(ctx.db, ctx.actor.id, ctx.clock().toISOString());
}
