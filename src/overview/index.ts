// The campaign page: one campaign across letters, dispatch, broadcasts and reports (the one place that composes them).

// The composed read, for the page and the API.
export { campaignOverview } from './service';
export type { CampaignOverview } from './service';
// HTTP: GET /api/v1/campaigns/:id/overview and the page GET /campaigns/:id.
export { apiRouter, pageRouter } from './routes';
