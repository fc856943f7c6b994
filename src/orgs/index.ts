export type { OrgKind } from './schemas';
export { adminScope, ancestry, descendantIds, expandGroups, listGroups, listOrgs, managedOrgs, outsideProvince } from './service';
export { findOrgById, findOrgsByIds, groupMembers } from './service';
export { apiRouter, pageRouter } from './routes';
