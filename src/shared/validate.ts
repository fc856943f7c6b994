import { z } from 'zod';
import { invalid } from './errors';

/** Vietnamese text is stored as NFC: every string that enters through a schema is normalised. */
export const text = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().max(max, `at most ${max} characters`));

export const requiredText = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().min(1, 'required').max(max, `at most ${max} characters`));

export const email = () =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim().toLowerCase())
    .pipe(z.string().max(254).email('not a valid e-mail address'));

const ID = z.coerce.number().int().positive();
/** A positive integer id (from a path, query or body). Schemas are immutable: one instance serves every request. */
export const id = () => ID;

/** Recursively NFC-normalises every string in a parsed JSON body, before validation. */
export function normalizeStrings<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map(normalizeStrings) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeStrings(v);
    return out as T;
  }
  return value;
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
  const result = schema.safeParse(normalizeStrings(input));
  if (!result.success) throw invalid('VALIDATION_FAILED', 'The request is not valid', zodFields(result.error));
  return result.data;
}
