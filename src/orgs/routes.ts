import { Router } from 'express';
import fs from 'node:fs';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { actorOf, formValues } from '../web/request';
import { postUpload, uploadedFile } from '../web/upload';
import * as orgs from './service';
import { IMPORTERS, importOrgs, type ImportLimits } from './import';
import { GroupCreate, OrgCreate, OrgListQuery, OrgPatch, ORG_KINDS } from './schemas';
import { buildTree, flattenTree } from './model';
import { errorMessage, formError, STATUS } from '../web/errors';
import { authorize, isSuperadmin } from '../auth';
import { t } from '../shared/i18n';

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
    res.json({ items: await orgs.listOrgs(deps.db, actorOf(req), parse(OrgListQuery, req.query)) });
  });

  r.post('/orgs', async (req, res) => {
    const org = await orgs.createOrg(deps.db, actorOf(req), parse(OrgCreate, req.body));
    res.locals.createdId = org.id;
    res.status(201).json(org);
  });

  postUpload(r, '/orgs/import', deps.config.MEDIA_DIR, importUpload, async (req, res) => {
    const actor = actorOf(req);
    const file = uploadedFile(req);
    res.json(await importOrgs(deps.db, actor, await readAndDrop(file), file.originalname, importLimits(deps)));
  });

  r.get('/orgs/:id', async (req, res) => {
    res.json(await orgs.getOrg(deps.db, actorOf(req), parse(id(), req.params.id)));
  });

  r.patch('/orgs/:id', async (req, res) => {
    res.json(await orgs.updateOrg(deps.db, actorOf(req), parse(id(), req.params.id), parse(OrgPatch, req.body)));
  });

  r.get('/recipient-groups', async (req, res) => {
    res.json({ items: await orgs.listGroups(deps.db, actorOf(req)) });
  });

  r.post('/recipient-groups', async (req, res) => {
    const group = await orgs.createGroup(deps.db, actorOf(req), parse(GroupCreate, req.body));
    res.locals.createdId = group.id;
    res.status(201).json(group);
  });

  r.get('/recipient-groups/:id', async (req, res) => {
    res.json(await orgs.getGroup(deps.db, actorOf(req), parse(id(), req.params.id)));
  });

  return r;
}

/** Empty form fields mean "not given". */
function formToInput(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (v !== '' && v !== undefined) out[k] = v;
  return out;
}

export function pageRouter(deps: Deps): Router {
  const r = Router();
  const importUpload = { roles: IMPORTERS, maxBytes: deps.config.UPLOAD_MAX_MB * 1024 * 1024 };

  /**
   * The directory, with edit links on the organisations the admin manages; the create form offers only those as
   * parents, and "no parent" (a new root) only to the superadmin.
   */
  async function renderTree(req: Parameters<Parameters<typeof r.get>[1]>[0], res: Parameters<Parameters<typeof r.get>[1]>[1], extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(req);
    const list = await orgs.listOrgs(deps.db, actor, {});
    const managed = await orgs.managedOrgs(deps.db, actor);
    const manages = new Set(managed.map((o) => o.id));
    res.status(status).render('orgs/index', {
      title: t(req.locale, 'nav.orgs'),
      rows: flattenTree(buildTree(list)).map((row) => ({ ...row, manageable: manages.has(row.id) })),
      parents: list,
      parentChoices: managed,
      rootAllowed: isSuperadmin(actor),
      kinds: ORG_KINDS,
      groups: await orgs.listGroups(deps.db, actor),
      ...extra,
    });
  }

  r.get('/orgs', (req, res) => renderTree(req, res));

  r.post('/orgs', async (req, res) => {
    try {
      await orgs.createOrg(deps.db, actorOf(req), parse(OrgCreate, formToInput(req.body)));
      res.redirect(303, '/orgs');
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderTree(req, res, { error: errorMessage(e, req.locale), fields: e.fields, form: req.body }, 400);
    }
  });

  postUpload(r, '/orgs/import', deps.config.MEDIA_DIR, importUpload, async (req, res) => {
    try {
      const file = uploadedFile(req);
      const result = await importOrgs(deps.db, actorOf(req), await readAndDrop(file), file.originalname, importLimits(deps));
      await renderTree(req, res, { importResult: result });
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderTree(req, res, { error: errorMessage(e, req.locale) }, STATUS[e.kind]);
    }
  });

  /** The edit form of an organisation the admin manages; its parent choices are the admin's other organisations. */
  async function editForm(actor: ReturnType<typeof actorOf>, orgId: number) {
    const org = await orgs.getOrg(deps.db, actor, orgId);
    authorize(actor, ['admin'], org.id, await orgs.adminScope(deps.db, actor));
    const parentChoices = (await orgs.managedOrgs(deps.db, actor)).filter((o) => o.id !== org.id);
    // The current parent stays selectable even when it is above the admin's tree (the admin's own organisation).
    if (org.parentId !== null && !parentChoices.some((o) => o.id === org.parentId)) parentChoices.unshift(await orgs.getOrg(deps.db, actor, org.parentId));
    return { org, kinds: ORG_KINDS, parentChoices, rootAllowed: isSuperadmin(actor) || org.parentId === null };
  }

  r.get('/orgs/:id/edit', async (req, res) => {
    const form = await editForm(actorOf(req), parse(id(), req.params.id));
    res.render('orgs/edit', { title: form.org.name, ...form });
  });

  r.post('/orgs/:id', async (req, res) => {
    const actor = actorOf(req);
    const orgId = parse(id(), req.params.id);
    try {
      const input = formToInput(req.body);
      if (!input.parentId) input.parentId = null;
      await orgs.updateOrg(deps.db, actor, orgId, parse(OrgPatch, input));
      res.redirect(303, '/orgs');
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      const form = await editForm(actor, orgId);
      res.status(400).render('orgs/edit', {
        title: form.org.name,
        ...form,
        org: { ...form.org, ...req.body },
        error: errorMessage(e, req.locale),
        fields: e.fields,
      });
    }
  });

  r.post('/recipient-groups', async (req, res) => {
    const orgIds = formValues(req.body.orgIds);
    try {
      await orgs.createGroup(deps.db, actorOf(req), parse(GroupCreate, { name: req.body.name, orgIds }));
      res.redirect(303, '/orgs');
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderTree(req, res, { error: errorMessage(e, req.locale), fields: e.fields }, 400);
    }
  });

  return r;
}
