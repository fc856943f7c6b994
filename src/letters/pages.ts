/** Pages of the letters feature (Vietnamese by default; work without JavaScript). */
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { listCampaigns } from '../campaigns';
import type { Ctx, Deps } from '../deps';
import { id, inputWarnings, parse } from '../shared/validate';
import { givenFields, pagerView } from '../shared/paging';
import { ctxOf } from '../web/request';
import { postUpload, uploadedFile } from '../web/upload';
import { AppError } from '../shared/errors';
import { field, fieldList, formBody, requireConfirmation, formErrorView, parseForm, renderFormError, type FormBody } from '../web/forms';
import { t, type Locale } from '../shared/i18n';
import { ADMIN_ROLES, can, hasRole, requireRole } from '../auth';
import { listGroups, pickerOrgs } from '../orgs';
import * as letters from './service';
import * as templates from './template-service';
import { getRegister, issueLetter, REGISTER_KEEPERS, setRegisterStart } from './register';
import { addAttachment, deleteAttachment, deleteLetter } from './attachments';
import { letterHistory, recentHistory } from './history';
import { letterDocument } from './build';
import { PREVIEW_CSS, renderLetterHtml } from './preview';
import { AUTHORITIES, LetterCreate, LetterListQuery, LetterPatch, RegisterQuery, RegisterStartBody, RejectBody, STATUSES, TemplateCreate, TemplatePatch, URGENCIES, type TemplateVariable } from './schemas';
import { declareVariables, renderTemplate, sampleValues, textToBlocks } from './templates';
import type { LetterDocument } from './document';
import { URGENCY_TEXT } from './docx';
import type { Letter } from './model';
import { draftFormError, formToLetter, formToTemplate, letterToForm, previewVariables, raw, templateFormError, withFields } from './draft-form';

/** What a form page shows for a refused submission: the message and each field's message beside its input. */
interface FormView {
  error?: string;
  fields?: Record<string, string>;
}

/** Field messages the attachment form shows beside its file input, for refusals that name no field. */
const FILE_MESSAGES: Record<string, string> = {
  ATTACHMENT_TYPE: 'a PDF, DOCX, PNG or JPEG file',
  ATTACHMENT_MISMATCH: 'the content does not match the file name',
  TOO_LARGE: 'too large',
};

/** An upload's refusal concerns the one file input: marks it there. */
function onFileInput(err: unknown): unknown {
  if (!(err instanceof AppError) || err.fields || !FILE_MESSAGES[err.code]) return err;
  return new AppError(err.kind, err.code, err.message, { file: FILE_MESSAGES[err.code] }, err.params);
}

/** The draft's parts a converted text may sit in, by the first segment of its field path (labels of the draft form). */
const LEGACY_FIELD_LABELS: Record<string, string> = {
  subject: 'letters.subject', body: 'letters.body', place: 'letters.place', signer: 'letters.signer',
  recipients: 'letters.recipients', legalBases: 'letters.legalBases', distribution: 'letters.distribution',
};

/** After a save: where text was converted from TCVN3 / VNI, as the query the letter page reads to say so ('' if nowhere). */
function legacyQuery(): string {
  const warnings = inputWarnings();
  if (!warnings.length) return '';
  const parts = [...new Set(warnings.map((w) => w.field.split('.')[0]))].filter((p) => LEGACY_FIELD_LABELS[p]);
  return `legacy=${warnings[0].from}&in=${encodeURIComponent(parts.join(','))}`;
}

/** The letter page's warning for a save whose text was converted (read from legacyQuery's query). */
function legacyNotice(req: Request): string | undefined {
  const from = req.query.legacy;
  if (from !== 'TCVN3' && from !== 'VNI') return undefined;
  const parts = (typeof req.query.in === 'string' ? req.query.in.split(',') : []).filter((p) => LEGACY_FIELD_LABELS[p]);
  return t(req.locale, 'letters.legacyConverted', { from, fields: parts.map((p) => t(req.locale, LEGACY_FIELD_LABELS[p])).join(', ') });
}

/** Parses the draft form with the API's schema; a letter without a template also names its missing subject and body. */
function parseDraft(schema: typeof LetterCreate, body: FormBody, orgId: number, edit: false): z.output<typeof LetterCreate>;
function parseDraft(schema: typeof LetterPatch, body: FormBody, orgId: number, edit: true): z.output<typeof LetterPatch>;
function parseDraft(schema: typeof LetterCreate | typeof LetterPatch, body: FormBody, orgId: number, edit: boolean): unknown {
  const input = formToLetter(body, orgId);
  if (edit && !input.templateId) input.templateId = null;
  try {
    return parseForm(schema, body, () => input);
  } catch (err) {
    throw withFields(err, letters.missingContent(input));
  }
}

export function pageRouter(deps: Deps): Router {
  const r = Router();
  const attachmentUpload = { roles: letters.DRAFTERS, maxBytes: deps.config.UPLOAD_MAX_MB * 1024 * 1024 };

  r.get('/letters', async (req, res) => {
    const ctx = ctxOf(req);
    const q = parse(LetterListQuery, givenFields(req.query));
    const found = await letters.searchLetters(ctx, q);
    const thisYear = letters.currentYear(ctx);
    res.render('letters/index', {
      title: t(req.locale, 'letters.title'),
      items: found.items,
      pager: pagerView('/letters', q, found),
      statuses: STATUSES,
      years: Array.from({ length: 6 }, (_, i) => thisYear - i),
      filter: q,
      canDraft: hasRole(ctx.actor, letters.DRAFTERS),
      notice: req.query.done === 'deleted' ? t(req.locale, 'letters.done.deleted') : undefined,
    });
  });

  /** The draft form: blank, a letter's fields, or what was submitted (with its errors). */
  async function renderForm(req: Request, res: Response, opts: { letter?: Letter; form?: FormBody }, view: FormView = {}, status = 200) {
    const ctx = ctxOf(req);
    const tplList = await templates.listTemplates(ctx);
    const form: FormBody = opts.form ?? (opts.letter ? letterToForm(opts.letter) : {});
    const templateId = Number((typeof req.query.templateId === 'string' ? req.query.templateId : undefined) ?? field(form, 'templateId') ?? 0) || null;
    const template = tplList.find((x) => x.id === templateId) ?? null;
    const orgList = await pickerOrgs(ctx);
    const own = orgList.find((o) => o.id === ctx.actor.orgId);
    const selected = new Set(fieldList(form, 'orgIds').map(Number));
    const selectedGroups = new Set(fieldList(form, 'groupIds').map(Number));
    res.status(status).render('letters/form', {
      title: opts.letter ? t(req.locale, 'letters.edit') : t(req.locale, 'letters.new'),
      letter: opts.letter,
      action: opts.letter ? `/letters/${opts.letter.id}` : '/letters',
      templates: tplList.map((x) => ({ ...x, selected: x.id === templateId })),
      template,
      variables: (template?.variables ?? []).map((v) => ({ ...v, value: raw(form, `var_${v.name}`) ?? '' })),
      orgs: orgList.filter((o) => o.id !== ctx.actor.orgId).map((o) => ({ ...o, selected: selected.has(o.id) })),
      groups: (await listGroups(ctx)).map((g) => ({ ...g, selected: selectedGroups.has(g.id) })),
      campaigns: await listCampaigns(ctx),
      urgencies: URGENCIES.map((u) => ({ value: u, label: URGENCY_TEXT[u], selected: field(form, 'urgency') === u })),
      authorities: AUTHORITIES.map((a) => ({ value: a, selected: field(form, 'signerAuthority') === a })),
      form: { place: own?.place ?? '', unitCode: '', ...form },
      ...view,
    });
  }

  r.get('/letters/new', async (req, res) => {
    requireRole(ctxOf(req).actor, letters.DRAFTERS);
    const form: Record<string, string> = {};
    if (typeof req.query.templateId === 'string') form.templateId = req.query.templateId;
    if (typeof req.query.campaignId === 'string') form.campaignId = req.query.campaignId;
    await renderForm(req, res, { form: Object.keys(form).length ? form : undefined });
  });

  r.post('/letters', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    if (field(body, 'pick')) return res.redirect(303, `/letters/new?templateId=${encodeURIComponent(field(body, 'templateId') ?? '')}`);
    try {
      const letter = await letters.createLetter(ctx, parseDraft(LetterCreate, body, ctx.actor.orgId, false));
      res.locals.createdId = letter.id;
      const legacy = legacyQuery();
      res.redirect(303, `/letters/${letter.id}${legacy ? `?${legacy}` : ''}`);
    } catch (err) {
      await renderFormError(draftFormError(err, body, req.locale), req, res, (view, status) => renderForm(req, res, { form: body }, view, status));
    }
  });

  /** The letter page: its preview and the buttons of what this person may do next. */
  async function renderDetail(req: Request, res: Response, letterId: number, view: FormView = {}, status = 200) {
    const ctx = ctxOf(req);
    const letter = await letters.getLetter(ctx, letterId);
    const { doc } = await letterDocument(ctx.db, letterId);
    res.status(status).render('letters/show', {
      title: `V/v ${letter.subject}`,
      letter,
      can: letters.allowedActions(ctx, letter),
      history: (await letterHistory(ctx, letterId)).items,
      preview: renderLetterHtml(doc),
      previewCss: PREVIEW_CSS,
      notice: view.error ? undefined : typeof req.query.done === 'string' ? t(req.locale, `letters.done.${req.query.done}`) : undefined,
      legacyNotice: view.error ? undefined : legacyNotice(req),
      ...view,
    });
  }

  r.get('/letters/:id', async (req, res) => {
    await renderDetail(req, res, parse(id(), req.params.id));
  });

  r.get('/letters/:id/edit', async (req, res) => {
    const letter = await letters.getLetter(ctxOf(req), parse(id(), req.params.id));
    await renderForm(req, res, { letter });
  });

  r.post('/letters/:id', async (req, res) => {
    const ctx = ctxOf(req);
    const letterId = parse(id(), req.params.id);
    const letter = await letters.getLetter(ctx, letterId);
    const body = formBody(req);
    try {
      await letters.patchLetter(ctx, letterId, parseDraft(LetterPatch, body, letter.issuingOrgId, true));
      const legacy = legacyQuery();
      res.redirect(303, `/letters/${letterId}?done=saved${legacy ? `&${legacy}` : ''}`);
    } catch (err) {
      await renderFormError(draftFormError(err, body, req.locale), req, res, (view, status) => renderForm(req, res, { letter, form: body }, view, status));
    }
  });

  /** A workflow button (submit, approve, reject, issue): a refusal shows on the letter page, beside its field. */
  const step = (name: string, fn: (ctx: Ctx, letterId: number, body: FormBody) => Promise<unknown>) =>
    r.post(`/letters/:id/${name}`, async (req, res) => {
      const ctx = ctxOf(req);
      const letterId = parse(id(), req.params.id);
      try {
        await fn(ctx, letterId, formBody(req));
        res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: name } };
        res.redirect(303, `/letters/${letterId}?done=${name}`);
      } catch (err) {
        await renderFormError(err, req, res, (view, status) => renderDetail(req, res, letterId, view, status));
      }
    });
  step('submit', (ctx, lid) => letters.submitLetter(ctx, lid));
  step('approve', (ctx, lid, body) => (requireConfirmation(body), letters.approveLetter(ctx, lid)));
  step('reject', (ctx, lid, body) => letters.rejectLetter(ctx, lid, parseForm(RejectBody, body, (b) => ({ reason: raw(b, 'reason') ?? '' })).reason));
  step('issue', (ctx, lid, body) => (requireConfirmation(body), issueLetter(ctx, lid)));

  r.post('/letters/:id/delete', async (req, res) => {
    const ctx = ctxOf(req);
    const letterId = parse(id(), req.params.id);
    try {
      requireConfirmation(formBody(req));
      await deleteLetter(ctx, letterId);
      res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: 'delete' } };
      res.redirect(303, '/letters?done=deleted');
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderDetail(req, res, letterId, view, status));
    }
  });

  r.post('/letters/:id/attachments/:attachmentId/delete', async (req, res) => {
    const ctx = ctxOf(req);
    const letterId = parse(id(), req.params.id);
    const attachmentId = parse(id(), req.params.attachmentId);
    try {
      await deleteAttachment(ctx, letterId, attachmentId);
      res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: 'delete attachment', attachment: attachmentId } };
      res.redirect(303, `/letters/${letterId}?done=attachmentDeleted`);
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderDetail(req, res, letterId, view, status));
    }
  });

  r.get('/history', async (req, res) => {
    res.render('letters/history', { title: t(req.locale, 'letters.history.title'), items: await recentHistory(ctxOf(req)) });
  });

  postUpload(r, '/letters/:id/attachments', deps.config.MEDIA_DIR, attachmentUpload, async (req, res) => {
    const letterId = parse(id(), req.params.id);
    try {
      await addAttachment(ctxOf(req), letterId, uploadedFile(req));
      res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: 'attachment' } };
      res.redirect(303, `/letters/${letterId}?done=attached`);
    } catch (err) {
      await renderFormError(onFileInput(err), req, res, (view, status) => renderDetail(req, res, letterId, view, status));
    }
  });

  /** The register of a year, and (for its keepers) the form that sets where it continues. */
  async function renderRegister(req: Request, res: Response, year: number | undefined, view: FormView & { form?: FormBody } = {}, status = 200) {
    const ctx = ctxOf(req);
    const register = await getRegister(ctx, { year });
    res.status(status).render('letters/register', {
      title: t(req.locale, 'letters.register.title'),
      register,
      xlsxUrl: `/api/v1/register?orgId=${register.orgId}&year=${register.year}&format=xlsx`,
      canSetStart: can(ctx.actor, REGISTER_KEEPERS, register.orgId),
      notice: !view.error && req.query.done === 'startSet' ? t(req.locale, 'letters.done.startSet') : undefined,
      form: { nextNumber: String(register.nextNumber), ...view.form },
      ...view,
    });
  }

  r.get('/register', async (req, res) => {
    await renderRegister(req, res, parse(RegisterQuery, { year: req.query.year || undefined }).year);
  });

  r.post('/register/start', async (req, res) => {
    const ctx = ctxOf(req);
    const body = formBody(req);
    const year = Number(field(body, 'year')) || letters.currentYear(ctx);
    try {
      const start = await setRegisterStart(ctx, parseForm(RegisterStartBody, body, (b) => ({ orgId: ctx.actor.orgId, year: field(b, 'year'), nextNumber: field(b, 'nextNumber') })));
      res.locals.audit = { entity: 'register', entityId: start.orgId, orgId: start.orgId, detail: { year: start.year, nextNumber: start.nextNumber } };
      res.redirect(303, `/register?year=${start.year}&done=startSet`);
    } catch (err) {
      await renderFormError(err, req, res, (view, status) => renderRegister(req, res, year >= 2000 && year <= 2100 ? year : undefined, { ...view, form: body }, status));
    }
  });

  // ---- templates (admin) ----

  async function renderTemplates(req: Request, res: Response, extra: { form?: FormBody } & FormView = {}, status = 200) {
    res.status(status).render('letters/templates', { title: t(req.locale, 'letters.templates.title'), templates: await templates.listTemplates(ctxOf(req)), ...extra });
  }

  /** Renders a template with sample values into a preview letter (no database write); a failure is the form's error. */
  function templatePreview(input: { subject: string; body: string; variables?: TemplateVariable[] }, locale: Locale): { html?: string; view?: FormView } {
    try {
      const vars = declareVariables(input.body, input.variables);
      const sample = { ...sampleValues(vars), issuer: 'Sở Khoa học và Công nghệ', issuerShort: 'SKHCN', place: 'Hà Tĩnh', year: 2026 };
      const doc: LetterDocument = {
        parentAgency: 'UBND TỈNH HÀ TĨNH',
        issuingAgency: 'SỞ KHOA HỌC VÀ CÔNG NGHỆ',
        number: null,
        symbol: 'SKHCN-VP',
        place: 'Hà Tĩnh',
        date: null,
        subject: renderTemplate(input.subject, sample) || '…',
        urgency: null,
        recipients: ['Các sở, ban, ngành cấp tỉnh', 'UBND các xã, phường'],
        body: textToBlocks(renderTemplate(input.body, sample)),
        signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Nguyễn Văn A' },
        distribution: ['Như trên', 'Lưu: VT, VP'],
      };
      return { html: renderLetterHtml(doc) };
    } catch (err) {
      const view = formErrorView(templateFormError(err, locale), locale);
      if (!view) throw err;
      return { view: { error: view.error, fields: view.fields } };
    }
  }

  r.get('/letter-templates', async (req, res) => {
    requireRole(ctxOf(req).actor, ADMIN_ROLES);
    await renderTemplates(req, res);
  });

  r.post('/letter-templates', async (req, res) => {
    const ctx = ctxOf(req);
    requireRole(ctx.actor, ADMIN_ROLES);
    const body = formBody(req);
    try {
      const tpl = await templates.createTemplate(ctx, parseForm(TemplateCreate, body, (b) => formToTemplate(b, false)));
      res.locals.createdId = tpl.id;
      res.redirect(303, `/letter-templates/${tpl.id}`);
    } catch (err) {
      await renderFormError(templateFormError(err, req.locale), req, res, (view, status) => renderTemplates(req, res, { form: body, ...view }, status));
    }
  });

  /** The editor: the template (or what was submitted), its live preview, and a refused save's errors. */
  async function renderEditor(req: Request, res: Response, tplId: number, form?: FormBody, view?: FormView, status = 200) {
    const tpl = await templates.getTemplate(ctxOf(req), tplId);
    const current = { name: (form && raw(form, 'name')) ?? tpl.name, subject: (form && raw(form, 'subject')) ?? tpl.subject, body: (form && raw(form, 'body')) ?? tpl.body };
    const variablesJson = (form && raw(form, 'variables')) ?? JSON.stringify(tpl.variables, null, 2);
    const preview = templatePreview({ ...current, variables: previewVariables(variablesJson) }, req.locale);
    res.status(status).render('letters/template-edit', { title: tpl.name, tpl, form: { ...current, variables: variablesJson }, preview: preview.html, previewCss: PREVIEW_CSS, ...(view ?? preview.view) });
  }

  r.get('/letter-templates/:id', async (req, res) => {
    requireRole(ctxOf(req).actor, ADMIN_ROLES);
    await renderEditor(req, res, parse(id(), req.params.id));
  });

  r.post('/letter-templates/:id', async (req, res) => {
    const ctx = ctxOf(req);
    requireRole(ctx.actor, ADMIN_ROLES);
    const tplId = parse(id(), req.params.id);
    const body = formBody(req);
    if (field(body, 'preview')) return renderEditor(req, res, tplId, body);
    try {
      await templates.updateTemplate(ctx, tplId, parseForm(TemplatePatch, body, (b) => formToTemplate(b, true)));
      res.redirect(303, `/letter-templates/${tplId}`);
    } catch (err) {
      await renderFormError(templateFormError(err, req.locale), req, res, (view, status) => renderEditor(req, res, tplId, body, view, status));
    }
  });

  return r;
}
