/**
 * Resolves run and paragraph properties the way Word and LibreOffice do: document defaults (docDefaults), then the
 * table style, the paragraph style (its basedOn chain; the default paragraph style when none is named), the
 * numbering level, the character style (its basedOn chain), then direct formatting.
 *
 * Toggle properties (bold, italic, caps) follow ECMA-376 §17.7.3: within one style's basedOn chain the nearest
 * definition wins; each of the table, paragraph and character style levels that turns one on flips it; direct
 * formatting sets it outright. Theme fonts (asciiTheme…) are looked up in the theme part.
 */
import { attr, child, children, flag, num, type XElement } from './xml';

type FontSlot = 'ascii' | 'hAnsi' | 'eastAsia' | 'cs';
const SLOTS: FontSlot[] = ['ascii', 'hAnsi', 'eastAsia', 'cs'];
const THEME_ATTR: Record<FontSlot, string> = { ascii: 'asciiTheme', hAnsi: 'hAnsiTheme', eastAsia: 'eastAsiaTheme', cs: 'cstheme' };

/** Run properties one level sets (undefined = not set there). */
export interface RunProps {
  size?: number;
  bold?: boolean;
  italic?: boolean;
  caps?: boolean;
  underline?: boolean;
  vanish?: boolean;
  color?: string;
  fonts: Partial<Record<FontSlot, string>>;
  hint?: string;
}
/** Paragraph properties one level sets. */
export interface ParaProps {
  align?: string;
  firstLine?: number | null;
  hanging?: number | null;
  left?: number;
  right?: number;
  after?: number;
  line?: number;
  lineRule?: string;
  borders: Partial<Record<string, boolean>>;
  keepNext?: boolean;
  keepLines?: boolean;
  numId?: string;
  ilvl?: number;
}

const TOGGLES = ['bold', 'italic', 'caps'] as const;

export function readRunProps(rPr: XElement | null | undefined, themeFont: (name: string) => string): RunProps {
  const p: RunProps = { fonts: {} };
  if (!rPr) return p;
  const sz = num(attr(child(rPr, 'sz'), 'val'));
  if (sz != null) p.size = sz;
  const b = flag(rPr, 'b');
  if (b != null) p.bold = b;
  const i = flag(rPr, 'i');
  if (i != null) p.italic = i;
  const caps = flag(rPr, 'caps');
  if (caps != null) p.caps = caps;
  const vanish = flag(rPr, 'vanish');
  if (vanish != null) p.vanish = vanish;
  const u = child(rPr, 'u');
  if (u) p.underline = attr(u, 'val') !== 'none';
  const color = attr(child(rPr, 'color'), 'val');
  if (color) p.color = color;
  const f = child(rPr, 'rFonts');
  if (f) {
    for (const slot of SLOTS) {
      const theme = attr(f, THEME_ATTR[slot]);
      const name = theme ? themeFont(theme) : attr(f, slot);
      if (name) p.fonts[slot] = name;
    }
    const hint = attr(f, 'hint');
    if (hint) p.hint = hint;
  }
  return p;
}

export function readParaProps(pPr: XElement | null | undefined): ParaProps {
  const p: ParaProps = { borders: {} };
  if (!pPr) return p;
  const jc = attr(child(pPr, 'jc'), 'val');
  if (jc) p.align = jc;
  const ind = child(pPr, 'ind');
  if (ind) {
    const firstLine = num(attr(ind, 'firstLine'));
    const hanging = num(attr(ind, 'hanging'));
    if (hanging != null) [p.hanging, p.firstLine] = [hanging, null];
    else if (firstLine != null) [p.firstLine, p.hanging] = [firstLine, null];
    const left = num(attr(ind, 'left') ?? attr(ind, 'start'));
    if (left != null) p.left = left;
    const right = num(attr(ind, 'right') ?? attr(ind, 'end'));
    if (right != null) p.right = right;
  }
  const spacing = child(pPr, 'spacing');
  if (spacing) {
    const after = num(attr(spacing, 'after'));
    if (after != null) p.after = after;
    const line = num(attr(spacing, 'line'));
    if (line != null) p.line = line;
    const lineRule = attr(spacing, 'lineRule');
    if (lineRule) p.lineRule = lineRule;
  }
  for (const b of children(child(pPr, 'pBdr'))) {
    const v = attr(b, 'val');
    p.borders[b.localName ?? ''] = !!v && v !== 'none' && v !== 'nil';
  }
  const keepNext = flag(pPr, 'keepNext');
  if (keepNext != null) p.keepNext = keepNext;
  const keepLines = flag(pPr, 'keepLines');
  if (keepLines != null) p.keepLines = keepLines;
  const numPr = child(pPr, 'numPr');
  if (numPr) {
    const numId = attr(child(numPr, 'numId'), 'val');
    if (numId != null) p.numId = numId;
    const ilvl = num(attr(child(numPr, 'ilvl'), 'val'));
    if (ilvl != null) p.ilvl = ilvl;
  }
  return p;
}

/** `top` over `base`: what top sets wins. */
export function overRun(base: RunProps, top: RunProps): RunProps {
  const out: RunProps = { ...base, fonts: { ...base.fonts, ...top.fonts } };
  for (const [k, v] of Object.entries(top)) if (k !== 'fonts' && v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}
export function overPara(base: ParaProps, top: ParaProps): ParaProps {
  const out: ParaProps = { ...base, borders: { ...base.borders, ...top.borders } };
  for (const [k, v] of Object.entries(top)) if (k !== 'borders' && v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

interface StyleDef {
  type: string;
  basedOn: string | null;
  rPr: RunProps;
  pPr: ParaProps;
}

export class StyleSheet {
  private readonly styles = new Map<string, StyleDef>();
  private readonly defaultOf = new Map<string, string>();
  private readonly docRun: RunProps;
  private readonly docPara: ParaProps;
  private readonly chainCache = new Map<string, { rPr: RunProps; pPr: ParaProps }>();

  constructor(stylesXml: XElement | null, readonly themeFont: (name: string) => string) {
    const defaults = child(stylesXml, 'docDefaults');
    this.docRun = readRunProps(child(child(defaults, 'rPrDefault'), 'rPr'), themeFont);
    this.docPara = readParaProps(child(child(defaults, 'pPrDefault'), 'pPr'));
    for (const s of children(stylesXml, 'style')) {
      const id = attr(s, 'styleId');
      const type = attr(s, 'type') ?? 'paragraph';
      if (!id) continue;
      this.styles.set(id, { type, basedOn: attr(child(s, 'basedOn'), 'val'), rPr: readRunProps(child(s, 'rPr'), themeFont), pPr: readParaProps(child(s, 'pPr')) });
      const isDefault = attr(s, 'default');
      if ((isDefault === '1' || isDefault === 'true') && !this.defaultOf.has(type)) this.defaultOf.set(type, id);
    }
  }

  /** A style with its basedOn chain folded in (nearest definition wins). */
  private chain(id: string | null): { rPr: RunProps; pPr: ParaProps } {
    const empty = { rPr: { fonts: {} }, pPr: { borders: {} } };
    if (!id) return empty;
    const cached = this.chainCache.get(id);
    if (cached) return cached;
    const seen = new Set<string>();
    const defs: StyleDef[] = [];
    for (let cur: string | null = id; cur && !seen.has(cur); ) {
      seen.add(cur);
      const def = this.styles.get(cur);
      if (!def) break;
      defs.unshift(def);
      cur = def.basedOn;
    }
    const out = defs.reduce((acc, d) => ({ rPr: overRun(acc.rPr, d.rPr), pPr: overPara(acc.pPr, d.pPr) }), empty);
    this.chainCache.set(id, out);
    return out;
  }

  paragraphStyle(pStyle: string | null): string | null {
    return pStyle && this.styles.has(pStyle) ? pStyle : this.defaultOf.get('paragraph') ?? (this.styles.has('Normal') ? 'Normal' : null);
  }
  tableStyle(tblStyle: string | null): string | null {
    return tblStyle && this.styles.has(tblStyle) ? tblStyle : this.defaultOf.get('table') ?? null;
  }

  /** Paragraph properties: defaults < table style < paragraph style < numbering level < direct. */
  paragraph(styleId: string | null, tableStyleId: string | null, numbering: ParaProps | null, direct: ParaProps): ParaProps {
    let p = overPara(this.docPara, this.chain(tableStyleId).pPr);
    p = overPara(p, this.chain(styleId).pPr);
    if (numbering) p = overPara(p, numbering);
    return overPara(p, direct);
  }
  /** numPr of a paragraph style (numbering given by the style). */
  styleNumbering(styleId: string | null): ParaProps {
    return this.chain(styleId).pPr;
  }

  /** Run properties: defaults < table style < paragraph style < character style < direct; toggles per §17.7.3. */
  run(styleId: string | null, tableStyleId: string | null, rStyle: string | null, direct: RunProps): RunProps {
    const levels = [this.chain(tableStyleId).rPr, this.chain(styleId).rPr, this.chain(rStyle && this.styles.get(rStyle)?.type === 'character' ? rStyle : null).rPr];
    let p = this.docRun;
    for (const l of levels) p = overRun(p, { ...l, bold: undefined, italic: undefined, caps: undefined });
    const out: RunProps = { ...p, fonts: { ...p.fonts } };
    for (const t of TOGGLES) {
      let v = this.docRun[t] ?? false;
      for (const l of levels) if (l[t]) v = !v;
      out[t] = v;
    }
    return overRun(out, direct);
  }
}

/** Font names of the theme (word/theme/theme1.xml): majorHAnsi → the major latin font, minorEastAsia → minor ea… */
export function themeFonts(theme: XElement | null): (name: string) => string {
  const scheme = child(child(theme, 'themeElements'), 'fontScheme');
  const face = (major: boolean, script: string) => child(child(scheme, major ? 'majorFont' : 'minorFont'), script)?.getAttribute('typeface') || null;
  return (name) => {
    const major = name.startsWith('major');
    const script = /EastAsia$/.test(name) ? 'ea' : /Bidi$/.test(name) ? 'cs' : 'latin';
    return face(major, script) ?? `theme:${name}`;
  };
}
