// The campaign records: a directive measured every week (campaigns, campaign_orgs). Letters, broadcasts, reports and
// the overview read campaigns only through this file.

// Wire shapes and the create schema.
export type { Campaign, CampaignInfo, CampaignListItem, ExpectedOrg } from './model';
export { CampaignCreate } from './schemas';
// Entry points acting for a person (ctx first): create, read, list, and the loaders that authorise.
export { checkCampaignLink, createCampaign, getCampaign, listCampaigns, loadManagedCampaign, loadVisibleCampaign, managesCampaign, REPORTER_ROLES } from './service';
// Reads for the features working under a campaign, after they authorised (no actor: q first).
export { campaignsExpecting, campaignsWithDeadlineRunningOn, campaignWithExpectedOrg, expectedCount, expectedOrgs, lockExpectedOrg } from './service';
// Reporting weeks of a campaign and its weekly deadline.
export { campaignWeek, campaignWeeks, checkWeek, deadlineOf, parseOptionalWeek, parseWeek, previousWeek, weekInCampaign } from './weeks';
export type { Period } from './weeks';
// HTTP: the campaign API (list, create, read) and the campaigns page.
export { apiRouter, pageRouter } from './routes';
