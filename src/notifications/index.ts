// Notifications: the public entry point. Features that hand work to someone call `notify` in their transaction.

export type { Notification, NotificationKind, NotificationRequest } from './service';
export { notify, sendNotificationMail } from './service';

// The signed-in person's notices (request context).
export { listNotifications, markAllRead, markRead, unreadCount } from './service';

// HTTP: the JSON API (/api/v1), the pages, and the top bar's unread count (mounted once in app.ts).
export { apiRouter, pageRouter, unreadBadge } from './routes';
