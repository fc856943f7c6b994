/**
 * Reads a DOCX once into a Letter: page setup, lines of text with resolved run and paragraph properties (styles,
 * document defaults, numbering, direct formatting; see styles.ts), header/footer lines, and the located parts.
 * Reads what Word and LibreOffice write: styles instead of direct formatting, soft line breaks, list bullets,
 * fields, tracked insertions (deletions left out), content controls, caps and hidden text, NFD text.
 */
import JSZip from 'jszip';
import { DOMParser } from '@xmldom/xmldom';
import type { Finding } from './finding';
import type { Cell, Letter, PageSetup, Para, Run, RunDefaults } from './model';
import { Numbering } from './numbering';
import { locateParts } from './parts';
import { readParaProps, readRunProps, StyleSheet, themeFonts, type RunProps } from './styles';
import { attr, child, children, flag, num, R, type XElement } from './xml';

const PAGE_FIELD = /(^|\s)PAGE(\s|$)/;
/** Elements whose content is part of the paragraph's text; w:del, w:moveFrom (deleted text) are not. */
const TRANSPARENT = new Set(['hyperlink', 'ins', 'moveTo', 'smartTag', 'customXml', 'fldSimple', 'dir', 'bdo']);

/** The font names a run's text is shown in: ascii and hAnsi slots (Vietnamese letters are hAnsi), eastAsia under an East Asian hint. */
function shownFonts(p: RunProps): string[] {
  const slots = [p.fonts.ascii, p.fonts.hAnsi, ...(p.hint === 'eastAsia' ? [p.fonts.eastAsia] : [])];
  return [...new Set(slots.filter((f): f is string => !!f))];
}

function toRun(text: string, p: RunProps): Run {
  return { text, size: p.size ?? null, bold: !!p.bold, italic: !!p.italic, underline: !!p.underline, fonts: shownFonts(p), color: p.color ?? null };
}

interface Context {
  styles: StyleSheet;
  numbering: Numbering;
}

interface CellPosition {
  cell: Cell;
  tableStyle: string | null;
}

class ParagraphReader {
  readonly out: Para[] = [];
  private source = 0;
  constructor(private readonly ctx: Context) {}

  paragraph(p: XElement, at: CellPosition | null): void {
    const { styles, numbering } = this.ctx;
    const pPr = child(p, 'pPr');
    const direct = readParaProps(pPr);
    const styleId = styles.paragraphStyle(attr(child(pPr, 'pStyle'), 'val'));
    const fromStyle = styles.styleNumbering(styleId);
    const list = numbering.level(direct.numId ?? fromStyle.numId, direct.ilvl ?? fromStyle.ilvl);
    const props = styles.paragraph(styleId, at?.tableStyle ?? null, list?.pPr ?? null, direct);

    const lines: { runs: Run[]; raw: string; page: boolean }[] = [{ runs: [], raw: '', page: false }];
    const cur = () => lines[lines.length - 1];
    const paraRun = styles.run(styleId, at?.tableStyle ?? null, null, readRunProps(child(pPr, 'rPr'), styles.themeFont));
    if (list?.prefix) cur().runs.push(toRun(list.prefix, paraRun));

    const walk = (el: XElement) => {
      for (const c of children(el)) {
        const name = c.localName;
        if (name === 'r') {
          const rPr = child(c, 'rPr');
          const rp = styles.run(styleId, at?.tableStyle ?? null, attr(child(rPr, 'rStyle'), 'val'), readRunProps(rPr, styles.themeFont));
          let text = '';
          const flush = () => {
            if (!rp.vanish) {
              cur().raw += text;
              cur().runs.push(toRun(rp.caps ? text.toLocaleUpperCase('vi') : text, rp));
            }
            text = '';
          };
          for (const t of children(c)) {
            const n = t.localName;
            if (n === 't') text += t.textContent ?? '';
            else if (n === 'tab') text += '\t';
            else if (n === 'noBreakHyphen') text += '-';
            else if (n === 'br' || n === 'cr') {
              flush();
              lines.push({ runs: [], raw: '', page: false });
            } else if (n === 'instrText' && PAGE_FIELD.test((t.textContent ?? '').trim())) cur().page = true;
          }
          flush();
        } else if (name === 'fldSimple' && PAGE_FIELD.test((attr(c, 'instr') ?? '').trim())) {
          cur().page = true;
          walk(c);
        } else if (name && TRANSPARENT.has(name)) walk(c);
        else if (name === 'sdt') walk(child(c, 'sdtContent') ?? c);
      }
    };
    walk(p);

    const borders = new Set(Object.entries(props.borders).filter(([, on]) => on).map(([side]) => side));
    const source = this.source++;
    lines.forEach((l, lineNo) => {
      const text = l.runs.map((r) => r.text).join('');
      this.out.push({
        index: this.out.length,
        source,
        lineNo,
        text: text.normalize('NFC').replace(/\u00a0/g, ' '),
        decomposed: l.raw !== l.raw.normalize('NFC'),
        runs: l.runs,
        align: props.align ?? null,
        firstLine: props.firstLine ?? null,
        hanging: props.hanging ?? null,
        left: props.left ?? 0,
        right: props.right ?? 0,
        after: props.after ?? null,
        line: props.line ?? null,
        lineRule: props.lineRule ?? null,
        borders,
        keepNext: !!props.keepNext,
        keepLines: !!props.keepLines,
        cell: at?.cell ?? null,
        hasPageField: l.page,
      });
    });
  }

  table(tbl: XElement, index: number): void {
    const tableStyle = this.ctx.styles.tableStyle(attr(child(child(tbl, 'tblPr'), 'tblStyle'), 'val'));
    const rows = children(tbl, 'tr');
    rows.forEach((tr, row) => {
      const cantSplit = !!flag(child(tr, 'trPr'), 'cantSplit');
      const cells = [...children(tr, 'tc'), ...children(tr, 'sdt').flatMap((s) => children(child(s, 'sdtContent'), 'tc'))];
      cells.forEach((tc, col) => {
        const width = num(attr(child(child(tc, 'tcPr'), 'tcW'), 'w'));
        const at = { cell: { table: index, row, col, width, cantSplit, lastRow: row === rows.length - 1 }, tableStyle };
        this.blocks(tc, at, index);
      });
    });
  }

  /** Block-level content: paragraphs, tables, content controls and custom XML around them. */
  blocks(el: XElement, at: CellPosition | null, tableIndex: number | null, next = { table: 0 }): void {
    for (const c of children(el)) {
      if (c.localName === 'p') this.paragraph(c, at);
      else if (c.localName === 'tbl') this.table(c, tableIndex ?? next.table++);
      else if (c.localName === 'sdt') this.blocks(child(c, 'sdtContent') ?? c, at, tableIndex, next);
      else if (c.localName === 'customXml') this.blocks(c, at, tableIndex, next);
    }
  }
}

function readLines(root: XElement, ctx: Context): Para[] {
  const reader = new ParagraphReader(ctx);
  reader.blocks(root, null, null);
  return reader.out;
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
    return parser.parseFromString(await f.async('string'), 'text/xml').documentElement;
  };
  const body = child(await parse('word/document.xml'), 'body');
  if (!body) return unreadable('document has no body');
  const rels = (await zip.file('word/_rels/document.xml.rels')?.async('string')) ?? '';
  const target = (re: RegExp) => {
    const m = re.exec(rels);
    return m ? `word/${(m[1] ?? m[2]).replace(/^\/?word\//, '')}` : null;
  };
  const relTarget = (type: string) => target(new RegExp(`Type="[^"]*/${type}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Type="[^"]*/${type}"`));
  const theme = await parse(relTarget('theme') ?? 'word/theme/theme1.xml');
  const styles = new StyleSheet(await parse(relTarget('styles') ?? 'word/styles.xml'), themeFonts(theme));
  const ctx: Context = { styles, numbering: new Numbering(await parse(relTarget('numbering') ?? 'word/numbering.xml')) };
  const paragraphs = readLines(body, ctx);

  const headerParts = new Map<string, Para[]>();
  for (const name of Object.keys(zip.files).filter((n) => /^word\/(header|footer)\d*\.xml$/.test(n))) {
    const root = await parse(name);
    if (root) headerParts.set(name, readLines(root, ctx));
  }

  const sectPr = children(body, 'sectPr').pop() ?? null;
  const headerOf = (type: string): Para[] | null => {
    const ref = children(sectPr, 'headerReference').find((r) => attr(r, 'type') === type);
    const rid = ref?.getAttributeNS(R, 'id') ?? ref?.getAttribute('r:id');
    if (!rid) return null;
    const path = target(new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="${rid}"`));
    return path ? headerParts.get(path) ?? [] : null;
  };
  const pgSz = child(sectPr, 'pgSz');
  const mar = child(sectPr, 'pgMar');
  const page: PageSetup = {
    width: num(attr(pgSz, 'w')),
    height: num(attr(pgSz, 'h')),
    margins: { top: num(attr(mar, 'top')), bottom: num(attr(mar, 'bottom')), left: num(attr(mar, 'left')), right: num(attr(mar, 'right')) },
    titlePage: !!flag(sectPr, 'titlePg'),
    defaultHeader: headerOf('default'),
    firstHeader: headerOf('first'),
  };
  const d = styles.run(styles.paragraphStyle(null), null, null, { fonts: {} });
  const defaults: RunDefaults = { size: d.size ?? null, fonts: shownFonts(d), bold: !!d.bold, italic: !!d.italic, color: d.color ?? null };
  const headerFooter = [...headerParts.values()].flat();
  return { ok: true, letter: { page, defaults, paragraphs, headerFooter, parts: locateParts(paragraphs) } };
}
