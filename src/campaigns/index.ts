// The campaign records: a directive measured every week (campaigns, campaign_orgs). Letters, broadcasts, reports and
// the overview read campaigns only through this file.

// Wire shapes and the create schema.
export type { Campaign, CampaignInfo, CampaignListItem, ExpectedOrg } from './model';
export { CampaignCreate, CampaignUpdate } from './schemas';
// Entry points acting for a person (ctx first): create, read, list, and the loaders that authorise.
export { checkCampaignLink, closeCampaign, createCampaign, getCampaign, updateCampaign, listCampaigns, loadManagedCampaign, loadVisibleCampaign, managesCampaign, REPORTER_ROLES } from './service';
// Reads for the features working under a campaign, after they authorised (no actor: q first).
export { campaignsExpecting, campaignsWithDeadlineRunningOn, campaignWithExpectedOrg, claimRollupRebuild, expectedCount, expectedCountsByWeek, expectedOrgs, lockExpectedOrg, membershipsOf, whereExpectedInWeek } from './service';
// Reporting weeks of a campaign and its weekly deadline.
export { campaignWeek, campaignWeeks, checkWeek, deadlineOf, isExpectedInWeek, parseOptionalWeek, parseWeek, previousWeek, weekInCampaign } from './weeks';
export type { Membership, Period } from './weeks';
// HTTP: the campaign API (list, create, read) and the campaigns page.
export { apiRouter, pageRouter } from './routes';
