/**
 * The page forms of letters (the draft, the template editor, the reject and attachment forms): their strings
 * → the API's input (parsed by the pages with the API's own schemas), a letter → the draft form, and where each
 * error the API names by its path (`signer.title`, `recipients.3.email`, `variables.appName`…) shows on the form.
 */
import { z } from 'zod';
import { AppError, invalid } from '../shared/errors';
import { hasKey, t, type Locale } from '../shared/i18n';
import { field, fieldList, type FormBody } from '../web/forms';
import type { Letter } from './model';
import { TemplateVariable } from './schemas';

/** A field as typed, "" included (a required field left empty is "required", not "missing"). */
export function raw(body: FormBody, key: string): string | undefined {
  const v = body[key];
  return Array.isArray(v) ? v[0] : v;
}

const lines = (v: string | undefined): string[] =>
  (v ?? '')
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
export function parseFreeRecipients(v: string | undefined): { name: string; email?: string }[] {
  return lines(v).map((l) => {
    const close = l.length - 1;
    if (l[close] !== '>') return { name: l };
    const open = l.indexOf('<', l.lastIndexOf('>', close - 1) + 1);
    if (open < 0 || open >= close - 1) return { name: l };
    return { name: l.slice(0, open).trimEnd(), email: l.slice(open + 1, close) };
  });
}

/** A form field no longer than `max` characters, or a 400 naming it. */
function limited(v: string | undefined, name: string, max: number): string | undefined {
  if (v !== undefined && v.length > max) throw invalid('FIELD_TOO_LONG', `The field ${name} is longer than ${max} characters`, { [name]: `at most ${max} characters` }, { max });
  return v;
}

/** What the draft form gives the API (LetterCreate / LetterPatch), before the schema checks it. */
export interface DraftInput {
  issuingOrgId: number;
  templateId?: number | null;
  variables?: Record<string, string>;
  subject?: string;
  body?: string;
  [key: string]: unknown;
}

/**
 * The draft form's fields → the API body (the page parses it with the API's schema). The form always sends every
 * field, so one left out counts as empty: an edit replaces the whole draft, as the create form makes it.
 */
export function formToLetter(body: FormBody, orgId: number): DraftInput {
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k.startsWith('var_')) variables[k.slice(4)] = Array.isArray(v) ? v.join('\n') : (v ?? '');
  const out: DraftInput = {
    issuingOrgId: orgId,
    place: raw(body, 'place') ?? '',
    recipients: [...fieldList(body, 'orgIds').map((x) => ({ orgId: Number(x) })), ...parseFreeRecipients(limited(raw(body, 'freeRecipients'), 'freeRecipients', FREE_RECIPIENTS_MAX_CHARS))],
    recipientGroupIds: fieldList(body, 'groupIds').map(Number),
    legalBases: lines(raw(body, 'legalBases')),
    distribution: lines(raw(body, 'distribution')),
    signer: signerFromForm(body),
    unitCode: field(body, 'unitCode'),
    archive: field(body, 'archive') ?? null,
    drafterInitials: field(body, 'drafterInitials') ?? null,
    copies: field(body, 'copies') ? Number(field(body, 'copies')) : null,
    urgency: field(body, 'urgency') ?? null,
    campaignId: field(body, 'campaignId') ? Number(field(body, 'campaignId')) : null,
  };
  const templateId = field(body, 'templateId');
  if (templateId) {
    out.templateId = Number(templateId);
    out.variables = variables;
  }
  const subject = raw(body, 'subject');
  const text = raw(body, 'body');
  if (subject?.trim()) out.subject = subject;
  if (text?.trim()) out.body = text;
  return out;
}

/** The signer's fields: the printed lines (one a line) when given make the position field optional. */
function signerFromForm(body: FormBody): Record<string, unknown> {
  const printed = lines(raw(body, 'signerLines'));
  const title = raw(body, 'signerTitle') ?? '';
  return {
    authority: field(body, 'signerAuthority') ?? null,
    authorityTitle: field(body, 'signerAuthorityTitle') ?? null,
    ...(printed.length && !title.trim() ? {} : { title }),
    name: raw(body, 'signerName') ?? '',
    ...(printed.length ? { lines: printed } : {}),
    otherTitles: lines(raw(body, 'signerOtherTitles')),
  };
}

/** A stored letter → the draft form's fields. */
export function letterToForm(l: Letter): FormBody {
  const out: Record<string, string | string[]> = {
    templateId: l.templateId ? String(l.templateId) : '',
    subject: l.subject,
    body: l.templateId ? '' : l.body,
    place: l.place,
    orgIds: l.recipients.flatMap((r) => (r.orgId ? [String(r.orgId)] : [])),
    freeRecipients: l.recipients
      .filter((r) => !r.orgId)
      .map((r) => (r.email ? `${r.name} <${r.email}>` : r.name))
      .join('\n'),
    legalBases: l.legalBases.join('\n'),
    distribution: l.distribution.join('\n'),
    urgency: l.urgency ?? '',
    campaignId: l.campaignId ? String(l.campaignId) : '',
    signerAuthority: l.signer.authority ?? '',
    signerAuthorityTitle: l.signer.authorityTitle ?? '',
    signerTitle: l.signer.title,
    signerName: l.signer.name,
    signerLines: (l.signer.lines ?? []).join('\n'),
    signerOtherTitles: l.signer.otherTitles.join('\n'),
    unitCode: l.unitCode,
    archive: l.archive ?? '',
    drafterInitials: l.drafterInitials ?? '',
    copies: l.copies == null ? '' : String(l.copies),
  };
  for (const [k, v] of Object.entries(l.variables ?? {})) out[`var_${k}`] = Array.isArray(v) ? v.map(String).join('\n') : typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  return out;
}

/** Adds fields to a 400 (a form shows every missing field at once); any other error is returned as it is. */
export function withFields(err: unknown, extra: Record<string, string>): unknown {
  if (!(err instanceof AppError) || err.kind !== 'invalid' || !Object.keys(extra).length) return err;
  return new AppError(err.kind, err.code, err.message, { ...extra, ...err.fields }, err.params);
}

/**
 * A field message with a detail after a colon ("required: Tên ứng dụng", "unknown: 7") shows on the page as its
 * fixed part, beside the field that already names it, when the locale files know that part.
 */
function fixedMessage(message: string): string {
  if (/^unknown organisation \d+$/.test(message)) return 'unknown organisation';
  const colon = message.indexOf(': ');
  const head = colon > 0 ? message.slice(0, colon) : '';
  return head && hasKey('vi', `validation.${head}`) ? head : message;
}

/**
 * A field message as the page shows it: a template's compile or render failure already in the user's language
 * (with its line and column; Handlebars' own words stay), anything else in its translatable fixed form.
 */
function pageMessage(err: AppError, message: string, locale: Locale): string {
  const at = /^line (\d+), column (\d+): ([\s\S]*)$/.exec(message);
  if (at) return t(locale, 'letters.templates.syntaxAt', { line: at[1], column: at[2], detail: at[3] });
  if (err.code === 'TEMPLATE_RENDER') return t(locale, 'letters.templates.renderFailed', { detail: message });
  return fixedMessage(message);
}

/** The error with its fields renamed for the form (`input(path)`) and their messages made translatable. */
function forForm(err: unknown, locale: Locale, input: (path: string) => string): unknown {
  if (!(err instanceof AppError) || !err.fields) return err;
  const fields: Record<string, string> = {};
  for (const [path, message] of Object.entries(err.fields)) {
    const name = input(path);
    fields[name] ??= pageMessage(err, message, locale);
  }
  return new AppError(err.kind, err.code, err.message, fields, err.params);
}

const SIGNER_INPUTS: Record<string, string> = {
  title: 'signerTitle',
  name: 'signerName',
  authority: 'signerAuthority',
  authorityTitle: 'signerAuthorityTitle',
  lines: 'signerLines',
  otherTitles: 'signerOtherTitles',
};

/**
 * A draft's error as the draft form shows it: `signer.title` beside signerTitle, a recipient beside the
 * organisations or the free names it came from (organisations come first in the API's list), `variables.x`
 * beside var_x, a group beside the groups.
 */
export function draftFormError(err: unknown, body: FormBody, locale: Locale): unknown {
  const orgCount = fieldList(body, 'orgIds').length;
  return forForm(err, locale, (path) => {
    const [head, second] = path.split('.');
    switch (head) {
      case 'signer':
        return SIGNER_INPUTS[second] ?? 'signerTitle';
      case 'recipients':
        return second !== undefined && Number(second) >= orgCount ? 'freeRecipients' : 'orgIds';
      case 'recipientGroupIds':
      case 'groupIds':
        return 'groupIds';
      case 'variables':
        return second ? `var_${second}` : 'templateId';
      default:
        return head;
    }
  });
}

/** A template's error as its editor shows it: every problem of the declared variables beside their JSON. */
export function templateFormError(err: unknown, locale: Locale): unknown {
  return forForm(err, locale, (path) => path.split('.')[0]);
}

/** The editor's form → TemplateCreate / TemplatePatch input; its variables field is JSON ("[]": every variable the body uses). */
export function formToTemplate(body: FormBody, withVariables: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { name: raw(body, 'name') ?? '', subject: raw(body, 'subject') ?? '', body: raw(body, 'body') ?? '' };
  if (!withVariables) return out;
  const json = field(body, 'variables') ?? '[]';
  let variables: unknown;
  try {
    variables = JSON.parse(json);
  } catch {
    throw invalid('VALIDATION_FAILED', 'variables is not JSON', { variables: 'not valid JSON' });
  }
  if (!(Array.isArray(variables) && variables.length === 0)) out.variables = variables; // [] = every variable the body uses
  return out;
}

/** The declared variables of the editor's JSON for its preview, or none when the JSON is not (yet) a valid list. */
export function previewVariables(json: string): TemplateVariable[] | undefined {
  try {
    const parsed = z.array(TemplateVariable).safeParse(JSON.parse(json));
    return parsed.success && parsed.data.length ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
