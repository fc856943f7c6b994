/** Letters: drafting, reading and the approval workflow (draft → submitted → approved → issued; rejected → draft). */
import type { Q } from '../db';
import type { Ctx } from '../deps';
import { checkCampaignLink } from '../campaigns';
import { authorize, can, PREPARER_ROLES, STAFF_ROLES } from '../auth';
import { conflict, forbidden, invalid, notFound } from '../shared/errors';
import { localParts } from '../shared/time';
import { offsetOf, pageOf, type ListQuery, type Page } from '../shared/paging';
import { assertActive, expandGroups, findOrgById, findOrgsByIds } from '../orgs';
import * as repo from './repo';
import { toLetter, type Letter } from './model';
import type { LetterCreate, LetterPatch, RecipientInput, SignerInput, TemplateVariable } from './schemas';
import { checkVariables, renderTemplate } from './templates';
import { kyHieu, letterDocument } from './build';
import { recordApproval, signForApproval } from './pdf/esign';
import * as pdfRepo from './pdf/repo';
import { recordLetterEvent, type LetterEvent } from './history';
import { notify, sendNotificationMail, type NotificationKind } from '../notifications';

/**
 * Who may do what, as calls to the one policy rule. Department staff (STAFF_ROLES) read an organisation's letters,
 * templates and register; the sets below are this feature's own.
 */
export const DRAFTERS = ['drafter', 'secretary'] as const;
export const APPROVERS = ['approver'] as const;
export const ISSUERS = ['secretary'] as const;

/** The issuing organisation as a letter needs it. */
interface Issuer {
  id: number;
  name: string;
  shortName: string;
}

export async function findLetterOr404(q: Q, id: number): Promise<repo.LetterRow> {
  const row = await repo.findLetter(q, id);
  if (!row) throw notFound('Letter', 'LETTER_NOT_FOUND');
  return row;
}

/** Letters with their recipients, texts, attachments and symbol: five queries however many letters (list pages). */
export async function letterViews(q: Q, rows: repo.LetterRow[]): Promise<Letter[]> {
  const ids = rows.map((r) => r.id);
  const [recipients, legalBases, distribution, attachments, orgs] = await Promise.all([
    repo.recipientsOfLetters(q, ids),
    repo.legalBasesOfLetters(q, ids),
    repo.distributionOfLetters(q, ids),
    repo.attachmentsOfLetters(q, ids),
    findOrgsByIds(q, rows.map((r) => r.issuing_org_id)),
  ]);
  const shortName = new Map(orgs.map((o) => [o.id, o.shortName]));
  const byLetter = <T extends { letter_id: number }>(list: T[]) => {
    const map = new Map<number, T[]>();
    for (const item of list) {
      const group = map.get(Number(item.letter_id));
      if (group) group.push(item);
      else map.set(Number(item.letter_id), [item]);
    }
    return map;
  };
  const recipientsBy = byLetter(recipients);
  const attachmentsBy = byLetter(attachments);
  return rows.map((row) =>
    toLetter(row, {
      recipients: recipientsBy.get(row.id) ?? [],
      legalBases: legalBases.get(row.id) ?? [],
      distribution: distribution.get(row.id) ?? [],
      attachments: attachmentsBy.get(row.id) ?? [],
      kyHieu: kyHieu(shortName.get(row.issuing_org_id) ?? '', row.unit_code),
    }),
  );
}

export async function letterView(q: Q, row: repo.LetterRow): Promise<Letter> {
  return (await letterViews(q, [row]))[0];
}

/** A letter with its digital signatures (who signed as signer / organisation, when). */
export type LetterWithSignatures = Letter & { signatures: { kind: 'signer' | 'organisation'; subject: string; issuer: string; signedAt: string }[] };

export async function getLetter(ctx: Ctx, id: number): Promise<LetterWithSignatures> {
  const row = await findLetterOr404(ctx.db, id);
  authorize(ctx.actor, STAFF_ROLES, row.issuing_org_id);
  const signatures = await pdfRepo.signaturesOf(ctx.db, id);
  return { ...(await letterView(ctx.db, row)), signatures: signatures.map((s) => ({ kind: s.kind, subject: s.subject, issuer: s.issuer, signedAt: s.signed_at })) };
}

export interface LetterListFilter {
  status?: string;
  year?: number;
  orgId?: number;
  campaignId?: number;
  q?: string;
}

/** One page of an organisation's letters, newest first, searched by `q` (subject, symbol, body, recipients). */
export async function searchLetters(ctx: Ctx, filter: LetterListFilter & ListQuery): Promise<Page<Letter>> {
  const orgId = filter.orgId ?? ctx.actor.orgId;
  authorize(ctx.actor, STAFF_ROLES, orgId);
  const { rows, total } = await repo.listLetters(ctx.db, { orgIds: [orgId], status: filter.status, year: filter.year, campaignId: filter.campaignId, q: filter.q }, { limit: filter.pageSize, offset: offsetOf(filter) });
  return pageOf(await letterViews(ctx.db, rows), total, filter);
}

/** An organisation's letters of a filter, newest first (the latest 500: overviews and dispatch lists). */
export async function listLetters(ctx: Ctx, filter: LetterListFilter): Promise<Letter[]> {
  return (await searchLetters(ctx, { ...filter, page: 1, pageSize: 500 })).items;
}

/** Keeps the letter's search text in step with what it now says (inside the writing transaction). */
export async function refreshSearch(q: Q, letterId: number): Promise<void> {
  const row = await findLetterOr404(q, letterId);
  const org = await findOrgById(q, row.issuing_org_id);
  await repo.refreshSearchText(q, letterId, kyHieu(org?.shortName ?? '', row.unit_code));
}

/** Recipients from organisations, groups (expanded to their members) and free-form names; unknown ids are a 400. */
async function resolveRecipients(q: Q, recipients: RecipientInput[], groupIds: number[]): Promise<{ org_id: number | null; name: string | null; email: string | null }[]> {
  const orgIds = recipients.flatMap((r) => ('orgId' in r ? [r.orgId] : []));
  const orgs = new Map((await findOrgsByIds(q, orgIds)).map((o) => [o.id, o]));
  const fields: Record<string, string> = {};
  recipients.forEach((r, i) => {
    if ('orgId' in r && !orgs.has(r.orgId)) fields[`recipients.${i}.orgId`] = `unknown organisation ${r.orgId}`;
  });
  if (Object.keys(fields).length) throw invalid('RECIPIENT_NOT_FOUND', 'Unknown recipient organisation', fields);
  recipients.forEach((r, i) => {
    if ('orgId' in r) assertActive([orgs.get(r.orgId)!], `recipients.${i}.orgId`);
  });
  const fromGroups = await expandGroups(q, groupIds);
  const seen = new Set<number>();
  const out: { org_id: number | null; name: string | null; email: string | null }[] = [];
  for (const r of recipients) {
    if ('orgId' in r) {
      if (seen.has(r.orgId)) continue;
      seen.add(r.orgId);
      out.push({ org_id: r.orgId, name: null, email: null });
    } else out.push({ org_id: null, name: r.name, email: r.email ?? null });
  }
  for (const id of fromGroups) {
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ org_id: id, name: null, email: null });
  }
  return out;
}

interface Resolved {
  subject: string;
  body: string;
  variables: Record<string, unknown> | null;
}

/** Body and subject from the template and its variables, or the free text given. */
async function resolveContent(
  q: Q,
  org: Issuer,
  place: string,
  input: { templateId?: number | null; variables?: Record<string, unknown>; subject?: string; body?: string },
  now: Date,
): Promise<Resolved> {
  if (input.templateId) {
    const tpl = await repo.findTemplate(q, input.templateId);
    if (!tpl) throw invalid('TEMPLATE_NOT_FOUND', 'Unknown letter template', { templateId: 'no such template' });
    const declared = JSON.parse(tpl.variables) as TemplateVariable[];
    const values = checkVariables(declared, input.variables ?? {});
    const vars = { ...values, issuer: org.name, issuerShort: org.shortName, place, year: localParts(now).year };
    const body = input.body?.trim() ? input.body.normalize('NFC') : renderTemplate(tpl.body, vars);
    const subject = input.subject?.trim() || renderTemplate(tpl.subject, vars).trim();
    if (!subject) throw invalid('VALIDATION_FAILED', 'The letter needs a subject', { subject: 'required' });
    return { subject: stripVv(subject), body, variables: values };
  }
  const fields = missingContent(input);
  if (Object.keys(fields).length) throw invalid('VALIDATION_FAILED', 'The request is not valid', fields);
  return { subject: stripVv(input.subject!), body: input.body!.normalize('NFC'), variables: null };
}

/**
 * A letter drafted without a template needs its own subject and body: the fields missing, by name (empty when
 * a template is chosen). The draft form also uses it to mark them beside the schema's own messages.
 */
export function missingContent(input: { templateId?: number | null; subject?: string; body?: string }): Record<string, string> {
  const fields: Record<string, string> = {};
  if (input.templateId) return fields;
  if (!input.subject?.trim()) fields.subject = 'required';
  if (!input.body?.trim()) fields.body = 'required (or choose a template)';
  return fields;
}

const stripVv = (s: string) => s.trim().replace(/^V\/v\s+/iu, '');

async function issuingOrg(q: Q, orgId: number): Promise<Issuer> {
  const org = await findOrgById(q, orgId);
  if (!org) throw invalid('ORG_NOT_FOUND', 'Unknown issuing organisation', { issuingOrgId: 'no such organisation' });
  return org;
}

export async function createLetter(ctx: Ctx, input: LetterCreate): Promise<Letter> {
  const { db, actor } = ctx;
  const now = ctx.clock();
  authorize(actor, DRAFTERS, input.issuingOrgId);
  const org = await issuingOrg(db, input.issuingOrgId);
  const content = await resolveContent(db, org, input.place, input, now);
  const recipients = await resolveRecipients(db, input.recipients, input.recipientGroupIds ?? []);
  await checkCampaignLink({ db, actor }, input.campaignId);
  const ts = now.toISOString();
  const id = await db.transaction(async (tx) => {
    const letterId = await repo.insertLetter(tx, {
      issuing_org_id: org.id,
      template_id: input.templateId ?? null,
      variables: content.variables ? JSON.stringify(content.variables) : null,
      subject: content.subject,
      body: content.body,
      place: input.place,
      urgency: input.urgency ?? null,
      ...signerColumns(input.signer),
      ...officeColumns(input),
      unit_code: input.unitCode ?? 'VP',
      campaign_id: input.campaignId ?? null,
      status: 'draft',
      reject_reason: null,
      number: null,
      year: null,
      symbol: null,
      issued_at: null,
      created_by: actor.id,
      created_at: ts,
      updated_at: ts,
    });
    await repo.replaceRecipients(tx, letterId, recipients);
    await repo.replaceLegalBases(tx, letterId, input.legalBases ?? []);
    await repo.replaceDistribution(tx, letterId, input.distribution ?? []);
    await recordLetterEvent(ctx, tx, letterId, 'drafted');
    await refreshSearch(tx, letterId);
    return letterId;
  });
  return getLetter(ctx, id);
}

/** Edits a draft; a submitted letter must be sent back first (409). */
export async function patchLetter(ctx: Ctx, id: number, patch: LetterPatch): Promise<Letter> {
  const { db, actor } = ctx;
  const now = ctx.clock();
  const row = await findLetterOr404(db, id);
  authorize(actor, DRAFTERS, row.issuing_org_id);
  if (patch.issuingOrgId && patch.issuingOrgId !== row.issuing_org_id) authorize(actor, DRAFTERS, patch.issuingOrgId);
  if (row.status !== 'draft') throw conflict('LETTER_NOT_DRAFT', `Only a draft can be edited (this letter is ${row.status})`);
  const orgId = patch.issuingOrgId ?? row.issuing_org_id;
  const org = await issuingOrg(db, orgId);
  const place = patch.place ?? row.place;
  const templateId = patch.templateId === undefined ? row.template_id : patch.templateId;
  const contentChanged = patch.templateId !== undefined || patch.variables !== undefined || patch.body !== undefined || patch.subject !== undefined;
  const content: Resolved | null = contentChanged
    ? await resolveContent(db, org, place, {
        templateId,
        variables: patch.variables ?? (row.variables ? (JSON.parse(row.variables) as Record<string, unknown>) : {}),
        subject: patch.subject ?? (patch.variables === undefined && patch.templateId === undefined ? row.subject : undefined),
        body: patch.body ?? (templateId && (patch.variables !== undefined || patch.templateId !== undefined) ? undefined : row.body),
      }, now)
    : null;
  const recipients = patch.recipients || patch.recipientGroupIds ? await resolveRecipients(db, patch.recipients ?? [], patch.recipientGroupIds ?? []) : null;
  await checkCampaignLink({ db, actor }, patch.campaignId);
  const update: Partial<repo.LetterRow> = { updated_at: now.toISOString() };
  if (patch.issuingOrgId) update.issuing_org_id = patch.issuingOrgId;
  if (content) Object.assign(update, { subject: content.subject, body: content.body, variables: content.variables ? JSON.stringify(content.variables) : null, template_id: templateId ?? null });
  if (patch.place !== undefined) update.place = patch.place;
  if (patch.urgency !== undefined) update.urgency = patch.urgency;
  if (patch.signer) Object.assign(update, signerColumns(patch.signer));
  Object.assign(update, officeColumns(patch));
  if (patch.unitCode !== undefined) update.unit_code = patch.unitCode;
  if (patch.campaignId !== undefined) update.campaign_id = patch.campaignId;
  await db.transaction(async (tx) => {
    const changed = await repo.updateLetterIn(tx, id, 'draft', update);
    if (changed !== 1) throw conflict('LETTER_NOT_DRAFT', 'Only a draft can be edited');
    if (recipients) await repo.replaceRecipients(tx, id, recipients);
    if (patch.legalBases) await repo.replaceLegalBases(tx, id, patch.legalBases);
    if (patch.distribution) await repo.replaceDistribution(tx, id, patch.distribution);
    await refreshSearch(tx, id);
  });
  return getLetter(ctx, id);
}

/** The signer as stored: the position is the given title, or the last printed line when only `lines` are given. */
function signerColumns(s: SignerInput): Pick<repo.LetterRow, 'signer_authority' | 'signer_authority_title' | 'signer_title' | 'signer_name' | 'signer_lines' | 'signer_other_titles'> {
  return {
    signer_authority: s.authority ?? null,
    signer_authority_title: s.authority ? s.authorityTitle ?? null : null,
    signer_title: s.title ?? s.lines![s.lines!.length - 1],
    signer_name: s.name,
    signer_lines: s.lines?.length ? JSON.stringify(s.lines) : null,
    signer_other_titles: s.otherTitles?.length ? JSON.stringify(s.otherTitles) : null,
  };
}

/** "Lưu:" and ô 12, only the fields given (a patch leaves the others as they are). */
function officeColumns(input: Pick<LetterPatch, 'archive' | 'drafterInitials' | 'copies'>): Partial<repo.LetterRow> {
  const out: Partial<repo.LetterRow> = {};
  if (input.archive !== undefined) out.archive = input.archive ?? null;
  if (input.drafterInitials !== undefined) out.drafter_initials = input.drafterInitials ?? null;
  if (input.copies !== undefined) out.copies = input.copies ?? null;
  return out;
}

const NOT_IN_STATE: Record<string, string> = {
  draft: 'LETTER_NOT_DRAFT',
  submitted: 'LETTER_NOT_SUBMITTED',
  approved: 'LETTER_NOT_APPROVED',
};

/**
 * Tells the people who act next on a letter, in the step's transaction (the notice and its e-mail are kept only
 * if the step is): submitted → the organisation's approvers; approved → its secretaries (who issue) and the
 * drafter; returned (with the reason) and issued → the drafter. Nobody is told of their own step.
 */
export async function notifyLetterStep(ctx: Ctx, tx: Q, row: Pick<repo.LetterRow, 'id' | 'issuing_org_id' | 'created_by' | 'subject'>, kind: NotificationKind, extra: Record<string, string> = {}): Promise<void> {
  const recipients =
    kind === 'letter.submitted' ? { orgId: row.issuing_org_id, roles: [...APPROVERS] }
    : kind === 'letter.approved' ? { orgId: row.issuing_org_id, roles: [...ISSUERS], userIds: [row.created_by] }
    : { userIds: [row.created_by] };
  await notify(ctx, tx, {
    recipients,
    kind,
    params: { subject: row.subject, by: ctx.actor.name, ...extra },
    link: `/letters/${row.id}`,
    exceptUserId: ctx.actor.id,
    orgId: row.issuing_org_id,
  });
}

/** One workflow step: a conditional update, so two racing steps cannot both succeed; recorded in the letter's history, its notice in the same transaction. */
async function transition(ctx: Ctx, id: number, roles: readonly ('drafter' | 'secretary' | 'approver')[], from: string[], to: string, extra: Partial<repo.LetterRow>, event: { action: LetterEvent; note?: string }, notice: { kind: NotificationKind; params?: Record<string, string> }): Promise<Letter> {
  const row = await findLetterOr404(ctx.db, id);
  authorize(ctx.actor, roles, row.issuing_org_id);
  if (!from.includes(row.status)) {
    throw conflict(row.status === 'issued' ? 'LETTER_ALREADY_ISSUED' : NOT_IN_STATE[from[0]], `This step needs a letter that is ${from.join(' or ')} (it is ${row.status})`);
  }
  await ctx.db.transaction(async (tx) => {
    const changed = await repo.updateLetterIn(tx, id, row.status, { status: to, updated_at: ctx.clock().toISOString(), ...extra });
    if (changed !== 1) throw conflict(NOT_IN_STATE[from[0]], 'The letter changed meanwhile; reload it');
    await recordLetterEvent(ctx, tx, id, event.action, event.note);
    await notifyLetterStep(ctx, tx, row, notice.kind, notice.params);
  });
  sendNotificationMail(ctx);
  return getLetter(ctx, id);
}

export const submitLetter = (ctx: Ctx, id: number) => transition(ctx, id, DRAFTERS, ['draft'], 'submitted', { reject_reason: null }, { action: 'submitted' }, { kind: 'letter.submitted' });

/**
 * Separation of duties: the approver of a letter is not the person who drafted it, even when they hold both
 * roles (and secretary, who would then issue it). One-person offices turn this off with ALLOW_SELF_APPROVAL=true.
 */
function mayApproveOwn(ctx: Ctx, letter: { createdBy: number | null }): boolean {
  return ctx.config.ALLOW_SELF_APPROVAL || letter.createdBy == null || letter.createdBy !== ctx.actor.id;
}

/**
 * Approval: the approver's digital signature on the approval PDF (when the approver has a certificate; required
 * when REQUIRE_DIGITAL_SIGNATURE is set), then the conditional state change, recorded together.
 */
export async function approveLetter(ctx: Ctx, id: number): Promise<LetterWithSignatures> {
  const row = await findLetterOr404(ctx.db, id);
  authorize(ctx.actor, APPROVERS, row.issuing_org_id);
  if (!mayApproveOwn(ctx, { createdBy: row.created_by })) {
    throw forbidden('The drafter of a letter cannot approve it; another approver must', 'SELF_APPROVAL_FORBIDDEN');
  }
  if (row.status !== 'submitted') {
    throw conflict(row.status === 'issued' ? 'LETTER_ALREADY_ISSUED' : 'LETTER_NOT_SUBMITTED', `This step needs a letter that is submitted (it is ${row.status})`);
  }
  const { doc } = await letterDocument(ctx.db, id);
  const signed = await signForApproval(ctx, doc);
  await ctx.db.transaction(async (tx) => {
    const changed = await repo.updateLetterIn(tx, id, 'submitted', { status: 'approved', updated_at: ctx.clock().toISOString() });
    if (changed !== 1) throw conflict('LETTER_NOT_SUBMITTED', 'The letter changed meanwhile; reload it');
    await recordLetterEvent(ctx, tx, id, 'approved');
    if (signed) {
      await recordApproval(ctx, tx, id, signed);
      await recordLetterEvent(ctx, tx, id, 'signed');
    } else await pdfRepo.clearApproval(tx, id);
    await notifyLetterStep(ctx, tx, row, 'letter.approved');
  });
  sendNotificationMail(ctx);
  return getLetter(ctx, id);
}

/** Sending back: the letter is a draft again and its approval signature (over the old text) is dropped. */
export async function rejectLetter(ctx: Ctx, id: number, reason: string): Promise<Letter> {
  const letter = await transition(ctx, id, APPROVERS, ['submitted', 'approved'], 'draft', { reject_reason: reason }, { action: 'rejected', note: reason }, { kind: 'letter.rejected', params: { reason } });
  await pdfRepo.clearApproval(ctx.db, id);
  return letter;
}

/** What the actor may do next with this letter (for the detail page's buttons). */
export function allowedActions(ctx: Ctx, letter: Pick<Letter, 'status' | 'issuingOrgId' | 'createdBy'>): Record<string, boolean> {
  const { actor } = ctx;
  const o = letter.issuingOrgId;
  return {
    edit: letter.status === 'draft' && can(actor, DRAFTERS, o),
    submit: letter.status === 'draft' && can(actor, DRAFTERS, o),
    approve: letter.status === 'submitted' && can(actor, APPROVERS, o) && mayApproveOwn(ctx, letter),
    reject: (letter.status === 'submitted' || letter.status === 'approved') && can(actor, APPROVERS, o),
    issue: letter.status === 'approved' && can(actor, ISSUERS, o),
    attach: letter.status === 'draft' && can(actor, DRAFTERS, o),
    delete: letter.status === 'draft' && can(actor, PREPARER_ROLES, o),
  };
}

/** Letters waiting for this actor: submitted ones for an approver, approved ones for a secretary (home page panels). */
export async function awaitingActor(ctx: Ctx): Promise<{ toApprove: Letter[]; toIssue: Letter[] }> {
  const { db, actor } = ctx;
  const submitted = can(actor, APPROVERS, actor.orgId) ? (await repo.listLetters(db, { orgIds: [actor.orgId], status: 'submitted' }, { limit: 20, offset: 0 })).rows : [];
  const toApprove = submitted.filter((row) => mayApproveOwn(ctx, { createdBy: row.created_by }));
  const toIssue = can(actor, ISSUERS, actor.orgId) ? (await repo.listLetters(db, { orgIds: [actor.orgId], status: 'approved' }, { limit: 20, offset: 0 })).rows : [];
  return { toApprove: await letterViews(db, toApprove), toIssue: await letterViews(db, toIssue) };
}

/** The actor's own drafts an approver sent back (with the reason): the drafter's home page panel. */
export async function returnedToActor(ctx: Ctx): Promise<Letter[]> {
  const { db, actor } = ctx;
  if (!can(actor, DRAFTERS, actor.orgId)) return [];
  return letterViews(db, await repo.returnedDrafts(db, actor.id, 20));
}

/** The calendar year in Vietnam now (the register's and the list filter's default year). */
export function currentYear(ctx: Pick<Ctx, 'clock'>): number {
  return localParts(ctx.clock()).year;
}
