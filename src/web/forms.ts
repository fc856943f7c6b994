import type { Request, Response } from 'express';
import type { z } from 'zod';
import { parse } from '../shared/validate';
import { invalid } from '../shared/errors';
import type { Locale } from '../shared/i18n';
import { errorMessage, formError, STATUS } from './errors';
import { translateFields } from './field-messages';

export { fieldMessage, translateFields } from './field-messages';

/**
 * Page forms, one way: the body is read as strings (`formBody`), mapped to the API's input shape and parsed
 * with the API's own zod schema (`parseForm`); a form error re-renders the page with the status from the one
 * STATUS map and every field's message in the user's language beside the field (`renderFormError`).
 */

/** A urlencoded or multipart body as the browser sends it: strings, or lists of strings for repeated fields. */
export type FormBody = Readonly<Record<string, string | string[] | undefined>>;

/** The request body as a form (never `any`): anything that is not a string or a list of strings is dropped. */
export function formBody(req: Request): FormBody {
  const raw: unknown = req.body;
  const out: Record<string, string | string[]> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

/** One field's value, with "" (an empty input) meaning "not given". */
export function field(body: FormBody, key: string): string | undefined {
  const v = body[key];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

/** A field that may repeat (checkboxes, multi-selects): always a list, empties dropped. */
export function fieldList(body: FormBody, key: string): string[] {
  return ([] as string[]).concat(body[key] ?? []).filter((v) => v !== '');
}

/** A checkbox: ticked or not. */
export function checked(body: FormBody, key: string): boolean {
  const v = field(body, key);
  return v === 'on' || v === 'true' || v === '1';
}

/**
 * A step that cannot be taken back (issuing, approving, dispatching, deleting): its form carries a checkbox
 * `confirm` the person ticks. The browser asks for it (`required`); without it the server refuses (400, the box
 * named), so the confirmation holds without JavaScript and for any client of the page.
 */
export function requireConfirmation(body: FormBody): void {
  if (!checked(body, 'confirm')) throw invalid('CONFIRMATION_REQUIRED', 'Tick the confirmation box first', { confirm: 'tick to confirm' });
}

/** Parses a form with the API's schema; `toInput` maps the form's strings to the API's shape. */
export function parseForm<S extends z.ZodTypeAny>(schema: S, body: FormBody, toInput: (body: FormBody) => unknown = (b) => b): z.output<S> {
  return parse(schema, toInput(body));
}

/** What a form page shows for an error: the message, each field's message in the user's language, the status. */
export interface FormErrorView {
  error: string;
  fields?: Record<string, string>;
  status: number;
}

/** The form error's view, or null when the error is not a form's (403, 404, 500…: the caller rethrows it). */
export function formErrorView(err: unknown, locale: Locale): FormErrorView | null {
  const e = formError(err);
  if (!e) return null;
  return { error: errorMessage(e, locale), fields: e.fields ? translateFields(e.fields, locale) : undefined, status: STATUS[e.kind] };
}

/**
 * Renders the form page again with the error beside its fields: `render(view, status)` draws the page with
 * `{ error, fields }` merged into its data. Errors that are not a form's are rethrown to the error handler.
 */
export async function renderFormError(
  err: unknown,
  req: Request,
  _res: Response,
  render: (view: { error: string; fields?: Record<string, string> }, status: number) => unknown,
): Promise<void> {
  const view = formErrorView(err, req.locale);
  if (!view) throw err;
  await render({ error: view.error, fields: view.fields }, view.status);
}

