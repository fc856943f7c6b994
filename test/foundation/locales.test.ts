import fs from 'node:fs';
import path from 'node:path';
import { LOCALES_DIR, ROOT } from '../../src/shared/paths';

/** Every string a user reads exists in Vietnamese and English, and every error code a service raises has a message. */

type Dict = Record<string, string>;

function flatten(obj: Record<string, unknown>, prefix: string, out: Dict): Dict {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v as Record<string, unknown>, key, out);
    else out[key] = String(v);
  }
  return out;
}

function dictionary(lang: string): Dict {
  const dir = path.join(LOCALES_DIR, lang);
  const out: Dict = {};
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) flatten(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>, '', out);
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Codes passed to the error constructors of src/shared/errors.ts (and to `new AppError`). */
function raisedCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  const call = /\b(?:invalid|conflict|notFound|forbidden|unauthenticated|tooLarge|unsupportedType|tooMany|new AppError)\(([^()]|\([^()]*\))*?'([A-Z][A-Z0-9_]{2,})'/g;
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(call)) if (!codes.has(m[2])) codes.set(m[2], path.relative(ROOT, file));
  }
  return codes;
}

const LANGS = fs.readdirSync(LOCALES_DIR);

describe('locales', () => {
  it('ships Vietnamese and English', () => {
    expect(LANGS.sort()).toEqual(['en', 'vi']);
  });

  it.each(LANGS.flatMap((a) => LANGS.filter((b) => b !== a).map((b) => [a, b])))('every %s key exists in %s', (a, b) => {
    const from = dictionary(a);
    const to = dictionary(b);
    expect(Object.keys(from).filter((k) => !(k in to))).toEqual([]);
  });

  it('every error code raised in src/ has a message in every language', () => {
    const codes = raisedCodes();
    expect(codes.size).toBeGreaterThan(50);
    for (const lang of LANGS) {
      const dict = dictionary(lang);
      const missing = [...codes].filter(([code]) => !(`errors.${code}` in dict)).map(([code, file]) => `${lang}: ${code} (${file})`);
      expect(missing).toEqual([]);
    }
  });
});
