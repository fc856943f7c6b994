// The organisation directory's public entry point: other features import orgs only from here.

// Wire shapes.
export type { Org, RecipientGroup } from './model';
export type { OrgKind } from './schemas';

// The directory as a person sees it (request context: visibility by role) and the admin forms' choices.
export { listGroups, listOrgs, managedOrgs, pickerOrgs, searchOrgs } from './service';

// The order of every organisation picker (province, departments, districts, communes, then the rest; by name).
export { recipientOrder } from './model';

// Writes for a person (request context, the admin tree rule applies): the demo seed acts as the administrator.
export { createOrg, setOrgActive, updateOrg } from './service';

// New work (letters, campaigns, broadcasts) refuses deactivated organisations with this one 400.
export { assertActive } from './service';

// Reads with no access rule, for features that already decided who may see what (a query runner: db or transaction).
export { findOrgByCode, findOrgById, findOrgsByIds, groupMembers } from './service';

// The tree: units below, ancestors above, the province boundary, an administrator's tree, recipient groups resolved.
export { adminScope, ancestry, descendantIds, expandGroups, outsideProvince } from './service';

// System work: the root organisation the first start attaches its administrator to.
export { ensureRootOrg } from './service';

// Reading an uploaded spreadsheet (XLSX or CSV, bounded) as rows of cells: the users import reads its file this way.
export { readSheet } from './import';

// HTTP.
export { apiRouter, pageRouter } from './routes';
