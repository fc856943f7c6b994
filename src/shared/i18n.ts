import fs from 'node:fs';
import path from 'node:path';
import { LOCALES_DIR } from './paths';

export const LOCALES = ['vi', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

type Dict = Record<string, string>;

/**
 * Each feature keeps its strings in locales/<lang>/<feature>.json (nested objects flattened to "a.b.c" keys),
 * so features never edit one shared file. Vietnamese is the default; a missing English string falls back to it.
 */
function loadLocale(locale: Locale): Dict {
  const dir = path.join(LOCALES_DIR, locale);
  const dict: Dict = {};
  if (!fs.existsSync(dir)) return dict;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    flatten(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>, '', dict);
  }
  return dict;
}

function flatten(obj: Record<string, unknown>, prefix: string, out: Dict): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v as Record<string, unknown>, key, out);
    else out[key] = String(v).normalize('NFC');
  }
}

let dictionaries: Record<Locale, Dict> | null = null;

function dicts(): Record<Locale, Dict> {
  dictionaries ??= { vi: loadLocale('vi'), en: loadLocale('en') };
  return dictionaries;
}

/** Translates a key, filling {name} placeholders. Unknown keys come back as the key, which shows up in review. */
/** A placeholder's value as text: numbers and strings as they are, anything else as JSON. */
function placeholder(v: unknown): string {
  if (v == null) return '';
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

export function t(locale: Locale, key: string, vars?: Record<string, unknown>): string {
  const d = dicts();
  const template = d[locale][key] ?? d.vi[key] ?? key;
  return vars ? template.replace(/\{(\w+)\}/g, (_, name: string) => placeholder(vars[name])) : template;
}

export function hasKey(locale: Locale, key: string): boolean {
  const d = dicts();
  return key in d[locale] || key in d.vi;
}

export function pickLocale(...candidates: (string | undefined | null)[]): Locale {
  for (const c of candidates) if (c === 'vi' || c === 'en') return c;
  return 'vi';
}
