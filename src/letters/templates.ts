/**
 * Letter templates: Handlebars bodies with declared variables. Compiling, checking the variables a
 * draft gives, and rendering the body text. Output is plain text (no HTML escaping): paragraphs are
 * separated by blank lines; a paragraph whose lines all start with "|" is a table (first row = header).
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { invalid } from '../shared/errors';
import { formatLegalDate, isValidDate } from '../shared/time';
import { TEMPLATES_DIR } from '../shared/paths';
import type { BodyBlock } from './document';
import { TemplateVariable } from './schemas';

/** What a template variable holds once checked (a list is an array of lines). */
type Value = string | number | boolean | string[] | null | undefined;

const hbs = Handlebars.create();
hbs.registerHelper('legalDate', (v: Value) => (typeof v === 'string' && isValidDate(v) ? formatLegalDate(v) : String(v ?? '')));
hbs.registerHelper('inc', (v: Value) => Number(v) + 1);
hbs.registerHelper('number', (v: Value) => (typeof v === 'number' ? new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(v) : String(v ?? '')));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);

/** Names the service fills in itself; templates may use them without declaring them. */
export const BUILT_IN_VARIABLES = ['issuer', 'issuerShort', 'place', 'year'];

export interface TemplateError {
  /** Handlebars' own words, without the position. */
  message: string;
  line: number;
  column: number;
}

/** Finds line/column of a Handlebars parse error from its message ("Parse error on line 3: …\n<context>\n---^"). */
function locate(source: string, err: Error & { lineNumber?: number; column?: number }): TemplateError {
  if (typeof err.lineNumber === 'number') return { message: err.message, line: err.lineNumber, column: (err.column ?? 0) + 1 };
  const m = /line (\d+):\n(.*)\n(-*)\^/.exec(err.message);
  if (!m) return { message: err.message, line: 1, column: 1 };
  const line = Number(m[1]);
  const past = m[2].slice(0, m[3].length).replace(/^\.\.\./, '');
  const stripped: { line: number; col: number }[] = [];
  let text = '';
  source.split('\n').forEach((l, i) => {
    for (let c = 0; c < l.length; c++) {
      text += l[c];
      stripped.push({ line: i + 1, col: c + 1 });
    }
  });
  let column = 1;
  for (let idx = text.indexOf(past); idx >= 0; idx = text.indexOf(past, idx + 1)) {
    const end = idx + past.length;
    const pos = stripped[end] ?? { line, col: (stripped[end - 1]?.col ?? 0) + 1 };
    if (pos.line === line || (stripped[end - 1]?.line === line)) {
      column = pos.line === line ? pos.col : (stripped[end - 1]?.col ?? 0) + 1;
      break;
    }
  }
  const short = err.message.split('\n').pop() ?? err.message;
  return { message: short, line, column };
}

/** Compiles a template; a template that does not compile is a 400 naming its line and column. */
export function compileTemplate(body: string): Handlebars.TemplateDelegate {
  try {
    hbs.parse(body);
    return hbs.compile(body, { noEscape: true, knownHelpersOnly: false });
  } catch (err) {
    const loc = locate(body, err as Error);
    throw invalid('TEMPLATE_SYNTAX', `The template does not compile at line ${loc.line}, column ${loc.column}: ${loc.message}`, {
      body: `line ${loc.line}, column ${loc.column}: ${loc.message}`,
    });
  }
}

/** Variable names a template uses at its top level (for templates created without a declaration). */
export function usedVariables(body: string): string[] {
  compileTemplate(body); // a syntax error becomes a 400 with line and column
  const ast = hbs.parse(body);
  const names = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; path?: { original?: string; parts?: string[]; data?: boolean }; params?: unknown[]; program?: unknown; inverse?: unknown; body?: unknown[] };
    if ((n.type === 'MustacheStatement' || n.type === 'BlockStatement' || n.type === 'SubExpression') && n.path) {
      const isHelper = (n.params?.length ?? 0) > 0 || n.type === 'BlockStatement';
      if (!isHelper && depth === 0 && !n.path.data && n.path.parts?.length) names.add(n.path.parts[0]);
      for (const p of n.params ?? []) {
        const pe = p as { type?: string; parts?: string[]; data?: boolean };
        if (pe.type === 'PathExpression' && depth === 0 && !pe.data && pe.parts?.length) names.add(pe.parts[0]);
        else visit(p, depth);
      }
      const block = n.type === 'BlockStatement' && ['each', 'with'].includes(n.path.original ?? '') ? depth + 1 : depth;
      visit(n.program, block);
      visit(n.inverse, depth);
    }
    if (Array.isArray(n.body)) n.body.forEach((b) => visit(b, depth));
  };
  visit(ast, 0);
  return [...names].filter((x) => !BUILT_IN_VARIABLES.includes(x) && x !== 'this');
}

/** The declared variables, or every variable the body uses as required text. */
export function declareVariables(body: string, declared: TemplateVariable[] | undefined): TemplateVariable[] {
  if (declared) return declared;
  return usedVariables(body).map((name) => ({ name, label: name, type: 'text', required: true }));
}

/** Checks a draft's values against the declared variables and coerces them; errors name `variables.<name>`. */
export function checkVariables(declared: TemplateVariable[], values: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, string> = {};
  const out: Record<string, unknown> = {};
  for (const v of declared) {
    const raw = values[v.name];
    const empty = raw == null || raw === '' || (Array.isArray(raw) && raw.length === 0);
    if (empty) {
      if (v.required) fields[`variables.${v.name}`] = `required: ${v.label}`;
      else out[v.name] = v.type === 'list' ? [] : '';
      continue;
    }
    switch (v.type) {
      case 'number': {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+([.,]\d+)?$/.test(raw.trim()) ? Number(raw.trim().replace(',', '.')) : NaN;
        if (!Number.isFinite(n)) fields[`variables.${v.name}`] = `must be a number: ${v.label}`;
        else out[v.name] = n;
        break;
      }
      case 'date':
        if (typeof raw !== 'string' || !isValidDate(raw)) fields[`variables.${v.name}`] = `must be a date YYYY-MM-DD: ${v.label}`;
        else out[v.name] = raw;
        break;
      case 'list': {
        const list: unknown[] | null = Array.isArray(raw) ? (raw as unknown[]) : typeof raw === 'string' ? raw.split(/\r?\n/) : null;
        if (!list || !list.every((x): x is string => typeof x === 'string')) fields[`variables.${v.name}`] = `must be a list of lines: ${v.label}`;
        else out[v.name] = list.map((s) => s.normalize('NFC').trim()).filter(Boolean);
        break;
      }
      default:
        if (typeof raw !== 'string' && typeof raw !== 'number') fields[`variables.${v.name}`] = `must be text: ${v.label}`;
        else out[v.name] = String(raw).normalize('NFC').trim();
    }
  }
  const unknown = Object.keys(values).filter((k) => !declared.some((v) => v.name === k));
  for (const k of unknown) fields[`variables.${k}`] = 'not a variable of this template';
  if (Object.keys(fields).length) throw invalid('TEMPLATE_VARIABLES', 'Some template variables are missing or of the wrong type', fields);
  return out;
}

/** Renders a template with checked variables and the built-in ones; runtime errors (unknown helper…) are a 400. */
export function renderTemplate(body: string, values: Record<string, unknown>): string {
  const fn = compileTemplate(body);
  try {
    return fn(values).replace(/\r\n/g, '\n').normalize('NFC');
  } catch (err) {
    throw invalid('TEMPLATE_RENDER', `The template cannot be rendered: ${(err as Error).message}`, { body: (err as Error).message });
  }
}

/** Sample values of the declared type, for the compile check and the editor's preview. */
export function sampleValues(declared: TemplateVariable[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of declared) out[v.name] = v.type === 'number' ? 100 : v.type === 'date' ? '2021-10-21' : v.type === 'list' ? [`${v.label} 1`, `${v.label} 2`] : `[${v.label}]`;
  return out;
}

/** Text → body blocks: blank lines separate paragraphs; "|"-lines make a table. */
export function textToBlocks(text: string): BodyBlock[] {
  const blocks: BodyBlock[] = [];
  for (const chunk of text.replace(/\r\n/g, '\n').split(/\n\s*\n/)) {
    const lines = chunk.split('\n').map((l) => l.trim()).filter(Boolean);
    if (!lines.length) continue;
    if (lines.every((l) => l.startsWith('|'))) {
      const cells = lines
        .filter((l) => !/^\|[\s|:-]+\|?$/.test(l)) // markdown separator rows
        .map((l) => l.replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim()));
      blocks.push({ type: 'table', header: cells[0] ?? [], rows: cells.slice(1) });
    } else blocks.push({ type: 'paragraph', text: lines.join('\n') }); // a single newline is a line break (inline.ts)
  }
  return blocks;
}

// ---- templates shipped in templates/letters/*.hbs ----

export interface ShippedTemplate {
  name: string;
  subject: string;
  body: string;
  variables: TemplateVariable[];
}

/** Reads templates/letters/*.hbs; each opens with a {{!-- {json header} --}} comment: name, subject, variables. */
export function shippedTemplates(dir = path.join(TEMPLATES_DIR, 'letters')): ShippedTemplate[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.hbs'))
    .sort()
    .map((f) => {
      const src = fs.readFileSync(path.join(dir, f), 'utf8').normalize('NFC');
      const m = /^\s*\{\{!--([\s\S]*?)--\}\}\s*/.exec(src);
      if (!m) throw new Error(`${f}: missing the {{!-- {json} --}} header`);
      const head = JSON.parse(m[1]) as { name: string; subject?: string; variables?: unknown[] };
      const body = src.slice(m[0].length).trim() + '\n';
      compileTemplate(body);
      return { name: head.name, subject: head.subject ?? '', body, variables: (head.variables ?? []).map((v) => TemplateVariable.parse(v)) };
    });
}
