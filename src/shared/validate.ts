import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { AppError, invalid } from './errors';
import { isValidDate } from './time';
import { convertLegacy, detectLegacy, type LegacyEncoding } from './legacy-text';

/**
 * Text pasted in TCVN3 or VNI is converted to Unicode by the text schemas, and the answer says where:
 * `warnings: [{field, code: "LEGACY_ENCODING_CONVERTED", from}]`. The schemas note each converted text while
 * `parse` runs (synchronously); `parse` then finds the fields that hold them and adds the warnings to the
 * request's list (`withInputWarnings`, web/middleware.ts), which the JSON answer and the pages read.
 */
export interface InputWarning {
  field: string;
  code: 'LEGACY_ENCODING_CONVERTED';
  from: LegacyEncoding;
}
const requestWarnings = new AsyncLocalStorage<InputWarning[]>();
let convertedInThisParse: Map<string, LegacyEncoding> | null = null;

/**
 * Requests in flight that hold a list. AsyncLocalStorage makes node track every promise while any store is in use
 * (measured: 18 % of the CPU of the letters and import suites), so a list is kept only for a request whose input
 * could be converted, and the tracking is switched off again once none of them is left.
 */
let listsInFlight = 0;

/** Runs a request's handlers with their own list of input warnings; returns `done`, to call when its answer is sent. */
export function withInputWarnings(fn: () => void): () => void {
  listsInFlight += 1;
  let ended = false;
  const done = () => {
    if (ended) return;
    ended = true;
    listsInFlight -= 1;
    if (listsInFlight === 0) requestWarnings.disable();
  };
  try {
    requestWarnings.run([], fn);
    return done;
  } catch (err) {
    done();
    throw err;
  }
}

/** True when a string in a parsed body or query is TCVN3 or VNI text that the schemas would convert (and warn of). */
export function holdsLegacyText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return detectLegacy(value) !== null;
  if (!value || typeof value !== 'object' || depth >= MAX_DEPTH) return false;
  return Object.values(value).some((v) => holdsLegacyText(v, depth + 1));
}

/** The warnings of the request so far (empty outside a request). */
export const inputWarnings = (): readonly InputWarning[] => requestWarnings.getStore() ?? [];

/** TCVN3 / VNI → Unicode NFC, noting the converted text for `parse`. */
function fromLegacy(s: string): string {
  const { text: converted, from } = convertLegacy(s);
  if (from !== 'UNICODE' && convertedInThisParse) convertedInThisParse.set(converted.trim(), from);
  return converted;
}

/** Long text kept as typed (no trim), NFC, converted from TCVN3 / VNI: letter bodies. */
export const longText = (max: number) => z.string().max(max, `at most ${max} characters`).refine(noNul, NO_NUL).transform(fromLegacy);

const NUL = '\u0000';
const noNul = (s: string) => !s.includes(NUL);
const NO_NUL = 'must not contain NUL characters';

/** Vietnamese text is stored as NFC: every string that enters through a schema is normalised. NUL is refused. */
export const text = (max: number) =>
  z
    .string()
    .refine(noNul, NO_NUL)
    .transform((s) => fromLegacy(s).trim())
    .pipe(z.string().max(max, `at most ${max} characters`));

export const requiredText = (max: number) =>
  z
    .string()
    .refine(noNul, NO_NUL)
    .transform((s) => fromLegacy(s).trim())
    .pipe(z.string().min(1, 'required').max(max, `at most ${max} characters`));

export const email = () =>
  z
    .string()
    .refine(noNul, NO_NUL)
    .transform((s) => s.normalize('NFC').trim().toLowerCase())
    .pipe(z.string().max(254).email('not a valid e-mail address'));

/** The largest id both databases store (a 32-bit signed integer column). */
export const MAX_ID = 2_147_483_647;
const ID = z.coerce.number().int().positive().max(MAX_ID, 'not a valid id');
/** A positive integer id (from a path, query or body). Schemas are immutable: one instance serves every request. */
export const id = () => ID;

/** Years a date of this application may fall in: anything else is a typo or a probe (year 9999, year 1000). */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
const CALENDAR_DATE = z
  .string()
  .refine((s) => isValidDate(s) && +s.slice(0, 4) >= MIN_YEAR && +s.slice(0, 4) <= MAX_YEAR, `a real date written YYYY-MM-DD, years ${MIN_YEAR}–${MAX_YEAR}`);
/** A real calendar date written YYYY-MM-DD (no 2026-02-30) in a plausible year. */
export const calendarDate = () => CALENDAR_DATE;

/** Deepest nesting of arrays and objects a request body may have (the deepest real body has 3 levels). */
export const MAX_DEPTH = 32;

const tooDeep = () => invalid('JSON_TOO_DEEP', `The request body is nested more than ${MAX_DEPTH} levels deep`, undefined, { max: MAX_DEPTH });
const nulAt = (where: string) =>
  new AppError('invalid', 'NUL_CHARACTER', 'The request contains a NUL character', { [where || '_']: NO_NUL });

/**
 * Walks a parsed body without recursion (a hostile body can nest 100,000 levels): throws JSON_TOO_DEEP beyond
 * MAX_DEPTH levels and NUL_CHARACTER for a NUL in any key or string, naming its path.
 */
export function checkInput(value: unknown, maxDepth = MAX_DEPTH): void {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length) {
    const [v, depth, where] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes(NUL)) throw nulAt(where);
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (depth >= maxDepth) throw tooDeep();
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], depth + 1, where ? `${where}.${i}` : String(i)]);
    } else {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes(NUL)) throw nulAt(where);
        stack.push([child, depth + 1, where ? `${where}.${k}` : k]);
      }
    }
  }
}

/** Recursively NFC-normalises every string in a parsed JSON body, before validation (at most MAX_DEPTH levels). */
export function normalizeStrings<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (!value || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) throw tooDeep();
  if (Array.isArray(value)) return (value as unknown[]).map((v) => normalizeStrings(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = normalizeStrings(v, depth + 1);
  return out as T;
}

export function zodFields(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    if (!fields[key]) fields[key] = issue.code === 'unrecognized_keys' ? `unknown field(s): ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message;
  }
  return fields;
}

/** Parses input against a schema; on failure throws a 400 with one message per field path. */
export function parse<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const outer = convertedInThisParse;
  const converted = (convertedInThisParse = new Map<string, LegacyEncoding>());
  try {
    const result = schema.safeParse(normalizeStrings(input));
    if (!result.success) throw invalid('VALIDATION_FAILED', 'The request is not valid', zodFields(result.error));
    if (converted.size) requestWarnings.getStore()?.push(...legacyWarnings(result.data, converted));
    return result.data;
  } finally {
    convertedInThisParse = outer;
  }
}

/** The fields of a parsed body that hold a converted text, by path ("signer.name", "recipients.2.name"). */
function legacyWarnings(data: unknown, converted: Map<string, LegacyEncoding>): InputWarning[] {
  const out: InputWarning[] = [];
  const stack: [unknown, string][] = [[data, '']];
  while (stack.length) {
    const [v, where] = stack.pop()!;
    if (typeof v === 'string') {
      const from = converted.get(v.trim());
      if (from && v.trim()) out.push({ field: where || '_', code: 'LEGACY_ENCODING_CONVERTED', from });
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) stack.push([child, where ? `${where}.${k}` : k]);
    }
  }
  return out.sort((a, b) => a.field.localeCompare(b.field));
}
