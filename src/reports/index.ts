// Weekly compliance reports of a campaign: submissions and revisions, dashboard and trend, reminders, exports.
// (The campaign record itself is src/campaigns.)

// Entry points acting for a person (ctx first).
export { myReports, submitReport } from './service';
export { dashboard, trend } from './dashboard';
export type { Dashboard, TrendPoint } from './dashboard';
export { listReminders } from './reminders';
// Recurring work: the reminder pass.
export { jobs } from './jobs';
// HTTP: the reports API (submissions, dashboard, trend, exports, reminders) and pages (dashboard, /my-reports).
export { apiRouter, pageRouter } from './routes';
