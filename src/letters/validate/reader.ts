/**
 * Reads a DOCX once into a Letter: page setup, paragraphs with resolved run properties (document defaults and the
 * default paragraph style), header/footer paragraphs, and the located parts of a công văn.
 */
import JSZip from 'jszip';
import { DOMParser } from '@xmldom/xmldom';
import type { Finding } from './finding';
import type { Cell, Letter, PageSetup, Para, Run, RunDefaults } from './model';
import { attr, child, children, flag, num, R, type XElement } from './xml';
import { locateParts } from './parts';

function fontsOf(rPr: XElement | null): string[] {
  const f = child(rPr, 'rFonts');
  if (!f) return [];
  const out: string[] = [];
  for (const a of ['ascii', 'hAnsi', 'cs', 'eastAsia']) {
    const v = attr(f, a);
    if (v) out.push(v);
  }
  for (const a of ['asciiTheme', 'hAnsiTheme', 'cstheme', 'eastAsiaTheme']) if (attr(f, a)) out.push(`theme:${attr(f, a)}`);
  return out;
}

function readDefaults(stylesXml: XElement | null): RunDefaults {
  const d: RunDefaults = { size: null, fonts: [], bold: false, italic: false, color: null };
  if (!stylesXml) return d;
  const rPr = child(child(child(stylesXml, 'docDefaults'), 'rPrDefault'), 'rPr');
  const apply = (r: XElement | null) => {
    if (!r) return;
    const sz = num(attr(child(r, 'sz'), 'val'));
    if (sz != null) d.size = sz;
    const f = fontsOf(r);
    if (f.length) d.fonts = f;
    const b = flag(r, 'b');
    if (b != null) d.bold = b;
    const i = flag(r, 'i');
    if (i != null) d.italic = i;
    const c = attr(child(r, 'color'), 'val');
    if (c) d.color = c;
  };
  apply(rPr);
  const normal = children(stylesXml, 'style').find((s) => attr(s, 'styleId') === 'Normal' || (attr(s, 'default') === '1' && attr(s, 'type') === 'paragraph'));
  apply(child(normal ?? null, 'rPr'));
  return d;
}

function readParagraph(p: XElement, index: number, defaults: RunDefaults, cell: Cell | null): Para {
  const pPr = child(p, 'pPr');
  const runs: Run[] = [];
  let hasPageField = false;
  const walk = (el: XElement) => {
    for (const c of children(el)) {
      if (c.localName === 'r') {
        const rPr = child(c, 'rPr');
        let text = '';
        for (const t of children(c)) {
          if (t.localName === 't') text += t.textContent ?? '';
          else if (t.localName === 'tab') text += '\t';
          else if (t.localName === 'instrText' && /PAGE/.test(t.textContent ?? '')) hasPageField = true;
        }
        const fonts = fontsOf(rPr);
        const u = child(rPr, 'u');
        runs.push({
          text,
          size: num(attr(child(rPr, 'sz'), 'val')) ?? defaults.size,
          bold: flag(rPr, 'b') ?? defaults.bold,
          italic: flag(rPr, 'i') ?? defaults.italic,
          underline: !!u && attr(u, 'val') !== 'none',
          fonts: fonts.length ? fonts : defaults.fonts,
          color: attr(child(rPr, 'color'), 'val') ?? defaults.color,
        });
      } else if (c.localName === 'fldSimple') {
        if (/PAGE/.test(attr(c, 'instr') ?? '')) hasPageField = true;
        walk(c);
      } else if (c.localName === 'hyperlink' || c.localName === 'ins' || c.localName === 'smartTag') walk(c);
    }
  };
  walk(p);
  const ind = child(pPr, 'ind');
  const spacing = child(pPr, 'spacing');
  const borders = new Set<string>();
  const pBdr = child(pPr, 'pBdr');
  if (pBdr) for (const b of children(pBdr)) if (attr(b, 'val') && attr(b, 'val') !== 'none' && attr(b, 'val') !== 'nil') borders.add(b.localName ?? '');
  return {
    index,
    text: runs.map((r) => r.text).join('').normalize('NFC').replace(/\u00a0/g, ' '),
    runs,
    align: attr(child(pPr, 'jc'), 'val'),
    firstLine: num(attr(ind, 'firstLine')),
    hanging: num(attr(ind, 'hanging')),
    left: num(attr(ind, 'left') ?? attr(ind, 'start')) ?? 0,
    right: num(attr(ind, 'right') ?? attr(ind, 'end')) ?? 0,
    after: num(attr(spacing, 'after')),
    line: num(attr(spacing, 'line')),
    lineRule: attr(spacing, 'lineRule'),
    borders,
    cell,
    hasPageField,
  };
}

/** Paragraphs of a body, header or footer in document order, with their table position. */
function readParagraphs(body: XElement, defaults: RunDefaults): Para[] {
  const out: Para[] = [];
  const add = (p: XElement, cell: Cell | null) => out.push(readParagraph(p, out.length, defaults, cell));
  let tableIndex = 0;
  const readTable = (tbl: XElement, index: number) => {
    children(tbl, 'tr').forEach((tr, row) => {
      children(tr, 'tc').forEach((tc, col) => {
        const width = num(attr(child(child(tc, 'tcPr'), 'tcW'), 'w'));
        for (const c of children(tc)) {
          if (c.localName === 'p') add(c, { table: index, row, col, width });
          else if (c.localName === 'tbl') readTable(c, index);
        }
      });
    });
  };
  for (const c of children(body)) {
    if (c.localName === 'p') add(c, null);
    else if (c.localName === 'tbl') readTable(c, tableIndex++);
    else if (c.localName === 'sdt') for (const p of children(child(c, 'sdtContent'), 'p')) add(p, null);
  }
  return out;
}

export type ReadResult = { ok: true; letter: Letter } | { ok: false; finding: Finding };
const unreadable = (message: string): ReadResult => ({ ok: false, finding: { rule: 'docx', severity: 'error', message } });

export async function readLetterDocx(buf: Buffer): Promise<ReadResult> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(buf);
  } catch {
    return unreadable('not a DOCX (ZIP) file');
  }
  if (!zip.file('word/document.xml')) return unreadable('word/document.xml is missing');
  const parser = new DOMParser();
  const parse = async (name: string): Promise<XElement | null> => {
    const f = zip.file(name);
    if (!f) return null;
    return parser.parseFromString(await f.async('string'), 'text/xml').documentElement as XElement | null;
  };
  const body = child(await parse('word/document.xml'), 'body');
  if (!body) return unreadable('document has no body');
  const defaults = readDefaults(await parse('word/styles.xml'));
  const paragraphs = readParagraphs(body, defaults);

  const headerParts = new Map<string, Para[]>();
  for (const name of Object.keys(zip.files).filter((n) => /^word\/(header|footer)\d*\.xml$/.test(n))) {
    const root = await parse(name);
    if (root) headerParts.set(name, readParagraphs(root, defaults));
  }

  const sectPr = children(body, 'sectPr').pop() ?? null;
  const rels = await zip.file('word/_rels/document.xml.rels')?.async('string');
  const headerOf = (type: string): Para[] | null => {
    const ref = children(sectPr, 'headerReference').find((r) => attr(r, 'type') === type);
    const rid = ref?.getAttributeNS(R, 'id') ?? ref?.getAttribute('r:id');
    if (!rid || !rels) return null;
    const m = new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="${rid}"`).exec(rels);
    const target = m?.[1] ?? m?.[2];
    return target ? headerParts.get(`word/${target.replace(/^\/?word\//, '')}`) ?? [] : null;
  };
  const pgSz = child(sectPr, 'pgSz');
  const mar = child(sectPr, 'pgMar');
  const titlePg = child(sectPr, 'titlePg');
  const page: PageSetup = {
    width: num(attr(pgSz, 'w')),
    height: num(attr(pgSz, 'h')),
    margins: { top: num(attr(mar, 'top')), bottom: num(attr(mar, 'bottom')), left: num(attr(mar, 'left')), right: num(attr(mar, 'right')) },
    titlePage: !!titlePg && attr(titlePg, 'val') !== '0' && attr(titlePg, 'val') !== 'false',
    defaultHeader: headerOf('default'),
    firstHeader: headerOf('first'),
  };
  const headerFooter = [...headerParts.values()].flat();
  return { ok: true, letter: { page, defaults, paragraphs, headerFooter, parts: locateParts(paragraphs) } };
}
