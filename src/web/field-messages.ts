import { hasKey, t, type Locale } from '../shared/i18n';

/**
 * Field messages come from the schemas in English (the API's `fields`, for machine clients). A page shows them
 * in the user's language: a fixed message is looked up in the locale files under `validation.`, the few with a
 * number in them (and zod's own defaults) are matched here; an unknown message shows as it is (and a test says so).
 */
const PATTERNS: { re: RegExp; key: string; vars: (m: RegExpMatchArray) => Record<string, string> }[] = [
  { re: /^at most (\d+) characters$/, key: 'validation.maxChars', vars: (m) => ({ max: m[1] }) },
  { re: /^at least (\d+) characters$/, key: 'validation.minChars', vars: (m) => ({ min: m[1] }) },
  { re: /^at most (\d+)$/, key: 'validation.max', vars: (m) => ({ max: m[1] }) },
  { re: /^unknown field\(s\): (.+)$/, key: 'validation.unknownFields', vars: (m) => ({ names: m[1] }) },
  { re: /^Invalid input: expected \w+, received undefined$/, key: 'validation.required', vars: () => ({}) },
  // A number or id left empty: the form gives "" and the page maps it to "not given", which z.coerce reads as NaN.
  { re: /^Invalid input: expected (int|number), received NaN$/, key: 'validation.required', vars: () => ({}) },
  { re: /^Invalid input: expected (int|number), received .+$/, key: 'validation.number', vars: () => ({}) },
  { re: /^at most (\d+) rows$/, key: 'validation.maxRows', vars: (m) => ({ max: m[1] }) },
  { re: /^unknown: (.+)$/, key: 'validation.unknownIds', vars: (m) => ({ ids: m[1] }) },
  { re: /^not communes: (.+)$/, key: 'validation.notCommunes', vars: (m) => ({ ids: m[1] }) },
  { re: /^deactivated: (.+)$/, key: 'validation.deactivatedOrgs', vars: (m) => ({ names: m[1] }) },
  { re: /^outside your province: (.+)$/, key: 'validation.outsideProvince', vars: (m) => ({ ids: m[1] }) },
  { re: /^Invalid input: expected (boolean|true|false).*$/, key: 'validation.choice', vars: () => ({}) },
  { re: /^Invalid input: expected (array|object|string|date).*$/, key: 'validation.invalid', vars: () => ({}) },
  { re: /^Invalid option: .+$/, key: 'validation.choice', vars: () => ({}) },
  { re: /^Invalid email address$/, key: 'validation.not a valid e-mail address', vars: () => ({}) },
  { re: /^Too small: expected (string|array) to have >=1 (characters|items)$/, key: 'validation.required', vars: () => ({}) },
  { re: /^Too small: expected string to have >=(\d+) characters$/, key: 'validation.minChars', vars: (m) => ({ min: m[1] }) },
  { re: /^Too big: expected string to have <=(\d+) characters$/, key: 'validation.maxChars', vars: (m) => ({ max: m[1] }) },
  { re: /^Too small: expected array to have >=(\d+) items$/, key: 'validation.minItems', vars: (m) => ({ min: m[1] }) },
  { re: /^Too big: expected array to have <=(\d+) items$/, key: 'validation.maxItems', vars: (m) => ({ max: m[1] }) },
  { re: /^Too small: expected number to be >=?(-?[\d.]+)$/, key: 'validation.min', vars: (m) => ({ min: m[1] }) },
  { re: /^Too small: expected number to be >(-?[\d.]+)$/, key: 'validation.above', vars: (m) => ({ min: m[1] }) },
  { re: /^Too big: expected number to be <=?(-?[\d.]+)$/, key: 'validation.max', vars: (m) => ({ max: m[1] }) },
  { re: /^Invalid string: must match pattern .+$/, key: 'validation.invalid', vars: () => ({}) },
  { re: /^Invalid (input|value|date).*$/, key: 'validation.invalid', vars: () => ({}) },
];

export function fieldMessage(message: string, locale: Locale): string {
  const fixed = `validation.${message}`;
  if (hasKey(locale, fixed)) return t(locale, fixed);
  for (const p of PATTERNS) {
    const m = message.match(p.re);
    if (m) return t(locale, p.key, p.vars(m));
  }
  return message;
}

export function translateFields(fields: Record<string, string>, locale: Locale): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = fieldMessage(v, locale);
  return out;
}
