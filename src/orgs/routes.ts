import { Router, type Request, type Response } from 'express';
import fs from 'node:fs';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { hasKey, t, type Locale } from '../shared/i18n';
import { ctxOf } from '../web/request';
import { givenFields, offsetOf, pageOf, pagerView } from '../shared/paging';
import { postUpload, uploadedFile } from '../web/upload';
import { field, fieldList, formBody, parseForm, renderFormError, translateFields, type FormBody } from '../web/forms';
import { ADMIN_ROLES, PREPARER_ROLES, authorize, hasRole, isSuperadmin } from '../auth';
import type { Ctx } from '../deps';
import * as orgs from './service';
import { IMPORTERS, importOrgs, orgImportSample, type ImportLimits, type ImportResult, type ImportRowError } from './import';
import { GroupCreate, OrgCreate, OrgListQuery, OrgPatch, ORG_KINDS } from './schemas';
import { buildTree, flattenTree } from './model';

/** Import files are read in memory after upload; their size limit is the general upload limit. */
async function readAndDrop(file: Express.Multer.File): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file.path);
  } finally {
    await fs.promises.unlink(file.path).catch(() => undefined);
  }
}

const importLimits = (deps: Deps): ImportLimits => ({ maxRows: deps.config.IMPORT_MAX_ROWS, maxUncompressedBytes: deps.config.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024 });

export function apiRouter(deps: Deps): Router {
  const r = Router();
  const importUpload = { roles: IMPORTERS, maxBytes: deps.config.UPLOAD_MAX_MB * 1024 * 1024 };

  r.get('/orgs', async (req, res) => {
    const ctx = ctxOf(req);
    res.json(await orgs.searchOrgs(ctx, parse(OrgListQuery, req.query)));
  });

  // Deactivating keeps the organisation for history; reactivating brings it back to pickers and sign-in.
  for (const [action, active] of [['deactivate', false], ['reactivate', true]] as const) {
    r.post(`/orgs/:id/${action}`, async (req, res) => {
      const org = await orgs.setOrgActive(ctxOf(req), parse(id(), req.params.id), active);
      res.locals.audit = { entity: 'orgs', entityId: org.id, detail: { action } };
      res.json(org);
    });
  }

  r.post('/orgs', async (req, res) => {
    const org = await orgs.createOrg(ctxOf(req), parse(OrgCreate, req.body));
    res.locals.createdId = org.id;
    res.status(201).json(org);
  });

  postUpload(r, '/orgs/import', deps.config.MEDIA_DIR, importUpload, async (req, res) => {
    const ctx = ctxOf(req);
    const file = uploadedFile(req);
    res.json(await importOrgs(ctx, await readAndDrop(file), file.originalname, importLimits(deps)));
  });

  r.get('/orgs/:id', async (req, res) => {
    const ctx = ctxOf(req);
    res.json(await orgs.getOrg(ctx, parse(id(), req.params.id)));
  });

  r.patch('/orgs/:id', async (req, res) => {
    const ctx = ctxOf(req);
    res.json(await orgs.updateOrg(ctx, parse(id(), req.params.id), parse(OrgPatch, req.body)));
  });

  r.get('/recipient-groups', async (req, res) => {
    res.json({ items: await orgs.listGroups(ctxOf(req)) });
  });

  r.post('/recipient-groups', async (req, res) => {
    const group = await orgs.createGroup(ctxOf(req), parse(GroupCreate, req.body));
    res.locals.createdId = group.id;
    res.status(201).json(group);
  });

  r.get('/recipient-groups/:id', async (req, res) => {
    const ctx = ctxOf(req);
    res.json(await orgs.getGroup(ctx, parse(id(), req.params.id)));
  });

  return r;
}

const ORG_FIELDS = ['name', 'shortName', 'kind', 'parentId', 'code', 'email', 'headcount', 'population18', 'place', 'headerName'] as const;
/** Fields an organisation must have: cleared in the edit form, they stay "" and the schema says they are required. */
const REQUIRED_ORG_FIELDS: ReadonlySet<string> = new Set(['name', 'shortName', 'kind']);

/** The create form in the API's shape: an empty field is "not given". */
const toOrgCreate = (b: FormBody) => Object.fromEntries(ORG_FIELDS.map((k) => [k, field(b, k)]));

/**
 * The edit form in the API's shape: a field the form did not send is unchanged; a cleared required field stays ""
 * (its error), a cleared optional one is emptied (null; for the parent: no parent, a root).
 */
const toOrgPatch = (b: FormBody) =>
  Object.fromEntries(ORG_FIELDS.filter((k) => b[k] !== undefined).map((k) => [k, field(b, k) ?? (REQUIRED_ORG_FIELDS.has(k) ? '' : null)]));

/** What the organisation form shows again after an error: the typed values (the parent as an id, to select it). */
const typedOrg = (b: FormBody) => {
  const values: Record<string, string | number | null | undefined> = toOrgCreate(b);
  const parentId = field(b, 'parentId');
  values.parentId = parentId === undefined ? null : Number(parentId);
  return values;
};

/** The recipient group form in the API's shape. */
const toGroupCreate = (b: FormBody) => ({ name: field(b, 'name'), orgIds: fieldList(b, 'orgIds') });

/** A left-out row as the import page says it, in the user's language: "Tên: bắt buộc; Viết tắt: …" for the schema's fields. */
function importRowMessage(e: ImportRowError, locale: Locale): string {
  const reason = t(locale, `orgs.importErrors.${e.code}`, e.params);
  if (!e.fields) return reason;
  const label = (key: string) => (key === 'parentId' ? t(locale, 'orgs.parent') : hasKey(locale, `orgs.${key}`) ? t(locale, `orgs.${key}`) : key);
  const fields = Object.entries(translateFields(e.fields, locale)).map(([k, v]) => `${label(k)}: ${v}`);
  return `${reason} ${fields.join('; ')}`;
}

/** The import's outcome as the page shows it: red when nothing was written for the errors, amber when some rows were left out. */
const importView = (result: ImportResult, locale: Locale) => ({
  ...result,
  tone: result.errors.length === 0 ? 'ok' : result.created + result.updated === 0 ? 'error' : 'warn',
  errors: result.errors.map((e) => ({ row: e.row, message: importRowMessage(e, locale) })),
});

export function pageRouter(deps: Deps): Router {
  const r = Router();
  const importUpload = { roles: IMPORTERS, maxBytes: deps.config.UPLOAD_MAX_MB * 1024 * 1024 };

  /**
   * The directory, with edit links on the organisations the admin manages; the create form offers only those as
   * parents, and "no parent" (a new root) only to the superadmin.
   */
  async function renderTree(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const ctx = ctxOf(req);
    // The tree is paged as it reads (depth first), so a unit stays under its parent; a search shows the matches.
    const query = parse(OrgListQuery, givenFields(req.query));
    const tree = flattenTree(buildTree(await orgs.listOrgs(ctx, { q: query.q, kind: query.kind, active: query.active })));
    const found = pageOf(tree.slice(offsetOf(query), offsetOf(query) + query.pageSize), tree.length, query);
    const managed = await orgs.managedOrgs(ctx);
    const manages = new Set(managed.map((o) => o.id));
    res.status(status).render('orgs/index', {
      title: t(req.locale, 'nav.orgs'),
      rows: found.items.map((row) => ({ ...row, manageable: manages.has(row.id) })),
      pager: pagerView('/orgs', query, found),
      parents: await orgs.pickerOrgs(ctx),
      parentChoices: managed,
      rootAllowed: isSuperadmin(ctx.actor),
      kinds: ORG_KINDS,
      groups: await orgs.listGroups(ctx),
      canAdminister: hasRole(ctx.actor, ADMIN_ROLES),
      canMakeGroups: hasRole(ctx.actor, PREPARER_ROLES),
      ...extra,
    });
  }

  r.get('/orgs', (req, res) => renderTree(req, res));

  /** The sample import file (columns in Vietnamese, rows that import as they are). */
  r.get('/orgs/import/sample.xlsx', async (req, res) => {
    authorize(ctxOf(req).actor, IMPORTERS, ctxOf(req).actor.orgId);
    res.attachment('mau-nhap-co-quan-don-vi.xlsx');
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.send(await orgImportSample());
  });

  r.post('/orgs', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    try {
      await orgs.createOrg(ctx, parseForm(OrgCreate, body, toOrgCreate));
      res.redirect(303, '/orgs');
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderTree(req, res, { ...view, form: typedOrg(body) }, status));
    }
  });

  postUpload(r, '/orgs/import', deps.config.MEDIA_DIR, importUpload, async (req, res) => {
    const ctx = ctxOf(req);
    try {
      const file = uploadedFile(req);
      const result = await importOrgs(ctx, await readAndDrop(file), file.originalname, importLimits(deps));
      await renderTree(req, res, { importResult: importView(result, req.locale) });
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderTree(req, res, { ...view, importFields: view.fields, fields: undefined }, status));
    }
  });

  /** The edit form of an organisation the admin manages; its parent choices are the admin's other organisations. */
  async function editForm(ctx: Ctx, orgId: number) {
    const { actor } = ctx;
    const org = await orgs.getOrg(ctx, orgId);
    authorize(actor, ADMIN_ROLES, org.id, await orgs.adminScope(ctx.db, actor));
    const parentChoices = (await orgs.managedOrgs(ctx)).filter((o) => o.id !== org.id);
    // The current parent stays selectable even when it is above the admin's tree (the admin's own organisation).
    if (org.parentId !== null && !parentChoices.some((o) => o.id === org.parentId)) parentChoices.unshift(await orgs.getOrg(ctx, org.parentId));
    return { org, kinds: ORG_KINDS, parentChoices, rootAllowed: isSuperadmin(actor) || org.parentId === null };
  }

  r.get('/orgs/:id/edit', async (req, res) => {
    const form = await editForm(ctxOf(req), parse(id(), req.params.id));
    res.render('orgs/edit', { title: form.org.name, ...form });
  });

  for (const [action, active] of [['deactivate', false], ['reactivate', true]] as const) {
    r.post(`/orgs/:id/${action}`, async (req, res) => {
      const org = await orgs.setOrgActive(ctxOf(req), parse(id(), req.params.id), active);
      res.locals.audit = { entity: 'orgs', entityId: org.id, detail: { action } };
      res.redirect(303, `/orgs/${org.id}/edit`);
    });
  }

  r.post('/orgs/:id', async (req, res) => {
    const ctx = ctxOf(req);
    const orgId = parse(id(), req.params.id);
    const body = formBody(req);
    try {
      await orgs.updateOrg(ctx, orgId, parseForm(OrgPatch, body, toOrgPatch));
      res.redirect(303, '/orgs');
    } catch (err) {
      await renderFormError(err, req, res, async (view, status) => {
        const form = await editForm(ctx, orgId);
        res.status(status).render('orgs/edit', { title: form.org.name, ...form, org: { ...form.org, ...typedOrg(body) }, ...view });
      });
    }
  });

  r.post('/recipient-groups', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    try {
      await orgs.createGroup(ctx, parseForm(GroupCreate, body, toGroupCreate));
      res.redirect(303, '/orgs');
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderTree(req, res, { ...view, groupForm: toGroupCreate(body), groupFields: view.fields, fields: undefined }, status));
    }
  });

  return r;
}
