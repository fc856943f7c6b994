export { dashboard, trend } from './dashboard';
export type { Campaign } from './model';
export { listReminders } from './reminders';
export { CampaignCreate } from './schemas';
export { checkCampaignLink, createCampaign, getCampaign, listCampaigns, loadManagedCampaign, myReports, submitReport } from './service';
export { jobs } from './jobs';
export { apiRouter, pageRouter } from './routes';
export { parseOptionalWeek } from './weeks';
