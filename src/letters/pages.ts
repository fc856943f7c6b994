/** Pages of the letters feature (Vietnamese by default; work without JavaScript). */
import { Router, type Request, type Response } from 'express';
import { listCampaigns } from '../reports';
import type { Deps } from '../deps';
import { id, parse } from '../shared/validate';
import { actorOf, ctxOf, formValues } from '../web/request';
import { postUpload, uploadedFile } from '../web/upload';
import { AppError, invalid } from '../shared/errors';
import { errorMessage, formError, STATUS } from '../web/errors';
import { t } from '../shared/i18n';
import { requireRole } from '../auth';
import * as orgs from '../orgs';
import * as letters from './service';
import * as templates from './template-service';
import { getRegister, issueLetter } from './register';
import { addAttachment } from './attachments';
import { letterDocument } from './build';
import { PREVIEW_CSS, renderLetterHtml } from './preview';
import { AUTHORITIES, LetterCreate, LetterListQuery, LetterPatch, RegisterQuery, STATUSES, TemplateCreate, TemplatePatch, URGENCIES } from './schemas';
import { declareVariables, renderTemplate, sampleValues, textToBlocks } from './templates';
import type { LetterDocument } from './document';
import { URGENCY_TEXT } from './docx';
import type { Letter } from './model';

const lines = (v: unknown): string[] =>
  String(v ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Longest free-recipients field (about a thousand names with addresses); longer is refused, not parsed. */
export const FREE_RECIPIENTS_MAX_CHARS = 100_000;

/**
 * "Tên <email>" or "Tên" per line → free-form recipients, in time linear in the text (a backtracking regex took
 * seconds on a hostile line). The address is what lies between the first "<" after the last-but-one ">" and the
 * final ">", as /^(.*?)\s*<([^>]+)>$/ read it.
 */
export function parseFreeRecipients(v: unknown): { name: string; email?: string }[] {
  return lines(v).map((l) => {
    const close = l.length - 1;
    if (l[close] !== '>') return { name: l };
    const open = l.indexOf('<', l.lastIndexOf('>', close - 1) + 1);
    if (open < 0 || open >= close - 1) return { name: l };
    return { name: l.slice(0, open).trimEnd(), email: l.slice(open + 1, close) };
  });
}

/** A form field no longer than `max` characters, or a 400 naming it. */
function limited(v: unknown, field: string, max: number): unknown {
  if (typeof v === 'string' && v.length > max) throw invalid('FIELD_TOO_LONG', `The field ${field} is longer than ${max} characters`, { [field]: `at most ${max} characters` }, { max });
  return v;
}

/** The draft form's fields → the API body (same schema as the JSON API). */
function formToLetter(body: Record<string, unknown>, orgId: number): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (k.startsWith('var_')) variables[k.slice(4)] = v;
  const out: Record<string, unknown> = {
    issuingOrgId: orgId,
    place: body.place,
    recipients: [...formValues(body.orgIds).map((x) => ({ orgId: Number(x) })), ...parseFreeRecipients(limited(body.freeRecipients, 'freeRecipients', FREE_RECIPIENTS_MAX_CHARS))],
    recipientGroupIds: formValues(body.groupIds).map(Number),
    legalBases: lines(body.legalBases),
    distribution: lines(body.distribution),
    signer: { authority: body.signerAuthority || null, authorityTitle: body.signerAuthorityTitle || null, title: body.signerTitle, name: body.signerName },
    unitCode: body.unitCode || undefined,
    urgency: body.urgency || null,
    campaignId: body.campaignId ? Number(body.campaignId) : null,
  };
  if (body.templateId) {
    out.templateId = Number(body.templateId);
    out.variables = variables;
  }
  if (String(body.subject ?? '').trim()) out.subject = body.subject;
  if (String(body.body ?? '').trim()) out.body = body.body;
  return out;
}

function letterToForm(l: Letter): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(l.variables ?? {})) vars[k] = Array.isArray(v) ? v.join('\n') : v;
  return {
    templateId: l.templateId,
    vars,
    subject: l.subject,
    body: l.templateId ? '' : l.body,
    place: l.place,
    orgIds: l.recipients.filter((r) => r.orgId).map((r) => r.orgId),
    freeRecipients: l.recipients.filter((r) => !r.orgId).map((r) => (r.email ? `${r.name} <${r.email}>` : r.name)).join('\n'),
    legalBases: l.legalBases.join('\n'),
    distribution: l.distribution.join('\n'),
    urgency: l.urgency,
    campaignId: l.campaignId,
    signerAuthority: l.signer.authority,
    signerAuthorityTitle: l.signer.authorityTitle,
    signerTitle: l.signer.title,
    signerName: l.signer.name,
    unitCode: l.unitCode,
  };
}

export function pageRouter(deps: Deps): Router {
  const r = Router();
  const db = deps.db;
  const attachmentUpload = { roles: letters.DRAFTERS, maxBytes: deps.config.UPLOAD_MAX_MB * 1024 * 1024 };

  r.get('/letters', async (req, res) => {
    const actor = actorOf(req);
    const q = parse(LetterListQuery, { status: req.query.status || undefined, year: req.query.year || undefined });
    const items = await letters.listLetters(db, actor, q);
    const thisYear = letters.localYear(deps.clock());
    res.render('letters/index', {
      title: t(req.locale, 'letters.title'),
      items,
      statuses: STATUSES,
      years: Array.from({ length: 6 }, (_, i) => thisYear - i),
      filter: q,
      canDraft: actor.roles.some((x) => (letters.DRAFTERS as readonly string[]).includes(x)),
    });
  });

  async function renderForm(req: Request, res: Response, opts: { letter?: Letter; form?: Record<string, unknown>; error?: AppError }) {
    const actor = actorOf(req);
    const tplList = await templates.listTemplates(db, actor);
    const form = opts.form ?? (opts.letter ? letterToForm(opts.letter) : {});
    const templateId = Number(req.query.templateId ?? form.templateId ?? 0) || null;
    const template = tplList.find((x) => x.id === templateId) ?? null;
    const orgList = await orgs.listOrgs(ctxOf(req), {});
    const own = orgList.find((o) => o.id === actor.orgId);
    const selected = new Set(formValues(form.orgIds).map(Number));
    const selectedGroups = new Set(formValues(form.groupIds).map(Number));
    const vars = (form.vars as Record<string, unknown>) ?? Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith('var_')).map(([k, v]) => [k.slice(4), v]));
    res.status(opts.error ? STATUS[opts.error.kind] : 200).render('letters/form', {
      title: opts.letter ? t(req.locale, 'letters.edit') : t(req.locale, 'letters.new'),
      letter: opts.letter,
      action: opts.letter ? `/letters/${opts.letter.id}` : '/letters',
      templates: tplList.map((x) => ({ ...x, selected: x.id === templateId })),
      template,
      variables: (template?.variables ?? []).map((v) => ({ ...v, value: vars[v.name] ?? '' })),
      orgs: orgList.filter((o) => o.id !== actor.orgId).map((o) => ({ ...o, selected: selected.has(o.id) })),
      groups: (await orgs.listGroups(ctxOf(req))).map((g) => ({ ...g, selected: selectedGroups.has(g.id) })),
      campaigns: await listCampaigns(db, actor),
      urgencies: URGENCIES.map((u) => ({ value: u, label: URGENCY_TEXT[u], selected: form.urgency === u })),
      authorities: AUTHORITIES.map((a) => ({ value: a, selected: form.signerAuthority === a })),
      form: { place: own?.place ?? '', unitCode: '', ...form },
      error: opts.error ? errorMessage(opts.error, req.locale) : undefined,
      fields: opts.error?.fields,
    });
  }

  r.get('/letters/new', async (req, res) => {
    requireRole(actorOf(req), letters.DRAFTERS);
    const form: Record<string, unknown> = {};
    if (req.query.templateId) form.templateId = req.query.templateId;
    if (req.query.campaignId) form.campaignId = req.query.campaignId;
    await renderForm(req, res, { form: Object.keys(form).length ? form : undefined });
  });

  r.post('/letters', async (req, res) => {
    const actor = actorOf(req);
    if (req.body.pick) return res.redirect(303, `/letters/new?templateId=${encodeURIComponent(req.body.templateId ?? '')}`);
    try {
      const letter = await letters.createLetter(db, actor, parse(LetterCreate, formToLetter(req.body, actor.orgId)), deps.clock());
      res.locals.createdId = letter.id;
      res.redirect(303, `/letters/${letter.id}`);
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderForm(req, res, { form: req.body, error: e });
    }
  });

  async function renderDetail(req: Request, res: Response, letterId: number, extra: { error?: AppError; notice?: string } = {}) {
    const actor = actorOf(req);
    const letter = await letters.getLetter(db, actor, letterId);
    const { doc } = await letterDocument(db, letterId);
    const status = extra.error ? STATUS[extra.error.kind] : 200;
    res.status(status).render('letters/show', {
      title: `V/v ${letter.subject}`,
      letter,
      can: letters.allowedActions(actor, letter, { allowSelfApproval: deps.config.ALLOW_SELF_APPROVAL }),
      preview: renderLetterHtml(doc),
      previewCss: PREVIEW_CSS,
      error: extra.error ? errorMessage(extra.error, req.locale) : undefined,
      notice: extra.notice ?? (typeof req.query.done === 'string' ? t(req.locale, `letters.done.${req.query.done}`) : undefined),
    });
  }

  r.get('/letters/:id', async (req, res) => {
    await renderDetail(req, res, parse(id(), req.params.id));
  });

  r.get('/letters/:id/edit', async (req, res) => {
    const letter = await letters.getLetter(db, actorOf(req), parse(id(), req.params.id));
    await renderForm(req, res, { letter });
  });

  r.post('/letters/:id', async (req, res) => {
    const actor = actorOf(req);
    const letterId = parse(id(), req.params.id);
    const letter = await letters.getLetter(db, actor, letterId);
    try {
      const body = formToLetter(req.body, letter.issuingOrgId);
      if (!body.templateId) body.templateId = null;
      await letters.patchLetter(db, actor, letterId, parse(LetterPatch, body), deps.clock());
      res.redirect(303, `/letters/${letterId}?done=saved`);
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderForm(req, res, { letter, form: req.body, error: e });
    }
  });

  const step = (name: string, fn: (actor: ReturnType<typeof actorOf>, letterId: number, req: Request) => Promise<unknown>) =>
    r.post(`/letters/:id/${name}`, async (req, res) => {
      const letterId = parse(id(), req.params.id);
      try {
        await fn(actorOf(req), letterId, req);
        res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: name } };
        res.redirect(303, `/letters/${letterId}?done=${name}`);
      } catch (err) {
        const e = formError(err);
        if (!e) throw err;
        await renderDetail(req, res, letterId, { error: e });
      }
    });
  step('submit', (a, lid) => letters.submitLetter(db, a, lid, deps.clock()));
  step('approve', (a, lid) => letters.approveLetter(db, a, lid, deps.clock(), { allowSelfApproval: deps.config.ALLOW_SELF_APPROVAL }));
  step('reject', (a, lid, req) => letters.rejectLetter(db, a, lid, String(req.body.reason ?? '').normalize('NFC').trim() || (() => { throw new AppError('invalid', 'REJECT_REASON', 'A reason is required', { reason: 'required' }); })(), deps.clock()));
  step('issue', (a, lid) => issueLetter(db, a, lid, deps.clock()));

  postUpload(r, '/letters/:id/attachments', deps.config.MEDIA_DIR, attachmentUpload, async (req, res) => {
    const letterId = parse(id(), req.params.id);
    try {
      await addAttachment(db, deps.config.MEDIA_DIR, actorOf(req), letterId, uploadedFile(req), deps.clock());
      res.locals.audit = { entity: 'letters', entityId: letterId, detail: { step: 'attachment' } };
      res.redirect(303, `/letters/${letterId}?done=attached`);
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderDetail(req, res, letterId, { error: e });
    }
  });

  r.get('/register', async (req, res) => {
    const actor = actorOf(req);
    const q = parse(RegisterQuery, { year: req.query.year || undefined });
    const register = await getRegister(db, actor, q, deps.clock());
    res.render('letters/register', { title: t(req.locale, 'letters.register.title'), register, xlsxUrl: `/api/v1/register?orgId=${register.orgId}&year=${register.year}&format=xlsx` });
  });

  // ---- templates (admin) ----

  async function renderTemplates(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    res.status(status).render('letters/templates', { title: t(req.locale, 'letters.templates.title'), templates: await templates.listTemplates(db, actorOf(req)), ...extra });
  }

  /** Renders a template with sample values into a preview letter (no database write). */
  function templatePreview(input: { subject: string; body: string; variables?: TemplateCreate['variables'] }, locale: 'vi' | 'en'): { html?: string; error?: string; fields?: Record<string, string> } {
    try {
      const vars = declareVariables(input.body, input.variables);
      const ctx = { ...sampleValues(vars), issuer: 'Sở Thông tin và Truyền thông', issuerShort: 'STTTT', place: 'Hà Tĩnh', year: 2021 };
      const doc: LetterDocument = {
        parentAgency: 'UBND TỈNH HÀ TĨNH',
        issuingAgency: 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
        number: null,
        symbol: 'STTTT-VP',
        place: 'Hà Tĩnh',
        date: null,
        subject: renderTemplate(input.subject, ctx) || '…',
        urgency: null,
        recipients: ['Các sở, ban, ngành cấp tỉnh', 'UBND các huyện, thành phố, thị xã'],
        body: textToBlocks(renderTemplate(input.body, ctx)),
        signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Nguyễn Văn A' },
        distribution: ['Như trên', 'Lưu: VT, VP'],
      };
      return { html: renderLetterHtml(doc) };
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      return { error: errorMessage(e, locale) + (e.fields?.body ? ` (${e.fields.body})` : ''), fields: e.fields };
    }
  }

  r.get('/letter-templates', async (req, res) => {
    requireRole(actorOf(req), ['admin']);
    await renderTemplates(req, res);
  });

  r.post('/letter-templates', async (req, res) => {
    const actor = actorOf(req);
    try {
      const tpl = await templates.createTemplate(db, actor, parse(TemplateCreate, { name: req.body.name, subject: req.body.subject ?? '', body: req.body.body ?? '' }), deps.clock());
      res.locals.createdId = tpl.id;
      res.redirect(303, `/letter-templates/${tpl.id}`);
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderTemplates(req, res, { error: errorMessage(e, req.locale), fields: e.fields, form: req.body }, e.kind === 'conflict' ? 409 : 400);
    }
  });

  async function renderEditor(req: Request, res: Response, tplId: number, form?: Record<string, string>, extra: Record<string, unknown> = {}, status = 200) {
    const tpl = await templates.getTemplate(db, actorOf(req), tplId);
    const current = { name: form?.name ?? tpl.name, subject: form?.subject ?? tpl.subject, body: form?.body ?? tpl.body };
    const variablesJson = form?.variables ?? JSON.stringify(tpl.variables, null, 2);
    let variables: TemplateCreate['variables'];
    try {
      variables = JSON.parse(variablesJson);
      if (Array.isArray(variables) && variables.length === 0) variables = undefined; // [] = every variable the body uses
    } catch {
      variables = undefined;
    }
    const preview = templatePreview({ ...current, variables }, req.locale);
    res.status(status).render('letters/template-edit', { title: tpl.name, tpl, form: { ...current, variables: variablesJson }, preview: preview.html, previewCss: PREVIEW_CSS, error: preview.error, fields: preview.fields, ...extra });
  }

  r.get('/letter-templates/:id', async (req, res) => {
    requireRole(actorOf(req), ['admin']);
    await renderEditor(req, res, parse(id(), req.params.id));
  });

  r.post('/letter-templates/:id', async (req, res) => {
    const actor = actorOf(req);
    requireRole(actor, ['admin']);
    const tplId = parse(id(), req.params.id);
    if (req.body.preview) return renderEditor(req, res, tplId, req.body);
    try {
      let variables: unknown;
      try {
        variables = JSON.parse(req.body.variables || '[]');
        if (Array.isArray(variables) && variables.length === 0) variables = undefined;
      } catch {
        throw new AppError('invalid', 'VALIDATION_FAILED', 'variables is not JSON', { variables: 'not valid JSON' });
      }
      await templates.updateTemplate(db, actor, tplId, parse(TemplatePatch, { name: req.body.name, subject: req.body.subject ?? '', body: req.body.body, variables }), deps.clock());
      res.redirect(303, `/letter-templates/${tplId}`);
    } catch (err) {
      const e = formError(err);
      if (!e) throw err;
      await renderEditor(req, res, tplId, req.body, { saveError: errorMessage(e, req.locale), saveFields: e.fields }, e.kind === 'conflict' ? 409 : 400);
    }
  });

  return r;
}
