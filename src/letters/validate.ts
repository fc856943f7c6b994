/**
 * Checks a DOCX công văn against the checkable rules of letter-format.md (sections 1, 3 and 4),
 * by reading its XML (jszip + @xmldom/xmldom). Used by the tests on every generated letter and by
 * `npm run check-letter -- file.docx`.
 */
import JSZip from 'jszip';
import { DOMParser, type Element as XElement, type Node as XNode } from '@xmldom/xmldom';
import { textWidthTwips } from './text-width';

export type Severity = 'error' | 'warning' | 'info';
export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
}
export interface ValidationResult {
  ok: boolean;
  findings: Finding[];
}

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const FONT = 'Times New Roman';
const TYPE_CODES = ['NQ', 'QĐ', 'CT', 'QC', 'QyĐ', 'TC', 'TB', 'HD', 'CTr', 'KH', 'PA', 'ĐA', 'DA', 'BC', 'BB', 'TTr', 'HĐ', 'CĐ', 'BGN', 'BTT', 'GUQ', 'GM', 'GGT', 'GNP', 'PG', 'PC', 'PB', 'SY', 'TrS', 'SL'];
const OUTDATED_CODES = ['GN', 'TTh', 'UQ', 'NP', 'GT', 'TS'];
const URGENCY = ['KHẨN', 'THƯỢNG KHẨN', 'HỎA TỐC', 'HOẢ TỐC'].map((s) => s.normalize('NFC'));
const NUMBER_RE = /^Số: (0[1-9]|[1-9]\d+)\/[A-ZĐ0-9]+(-[A-ZĐ0-9]+)+$/u;
const DRAFT_NUMBER_RE = /^Số:\s+\/[A-ZĐ0-9]+(-[A-ZĐ0-9]+)+$/u;
const DATE_RE = /^(.+), ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})$/u;
const DRAFT_DATE_RE = /^(.+), ngày\s+tháng\s+năm\s*(\d{4})?\s*$/u;
const TWIP_TOL = 2;

interface RunInfo {
  text: string;
  size: number | null;
  bold: boolean;
  italic: boolean;
  underline: boolean;
  fonts: string[];
  color: string | null;
}
interface ParaInfo {
  text: string;
  runs: RunInfo[];
  align: string | null;
  firstLine: number | null;
  hanging: number | null;
  left: number;
  right: number;
  after: number | null;
  line: number | null;
  lineRule: string | null;
  borders: Set<string>;
  /** Table position: table index in body order, row, cell; null outside tables. */
  cell: { table: number; row: number; col: number; width: number | null } | null;
  hasPageField: boolean;
}

function children(el: XElement | XNode, name?: string): XElement[] {
  const out: XElement[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (!name || (n as XElement).localName === name)) out.push(n as XElement);
  }
  return out;
}
const child = (el: XElement | null | undefined, name: string): XElement | null => (el ? children(el, name)[0] ?? null : null);
const attr = (el: XElement | null, name: string): string | null => (el ? el.getAttributeNS(W, name) || el.getAttribute(`w:${name}`) || null : null);
const num = (v: string | null): number | null => (v == null || v === '' ? null : Number(v));
/** w:b, w:i: present and not "0"/"false". */
function flag(rPr: XElement | null, name: string): boolean | null {
  const el = child(rPr, name);
  if (!el) return null;
  const v = attr(el, 'val');
  return !(v === '0' || v === 'false' || v === 'none');
}

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

interface Defaults {
  size: number | null;
  fonts: string[];
  bold: boolean;
  italic: boolean;
  color: string | null;
}

function readDefaults(stylesXml: XElement | null): Defaults {
  const d: Defaults = { size: null, fonts: [], bold: false, italic: false, color: null };
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
  const normal = children(stylesXml, 'style').find((s) => attr(s, 'styleId') === 'Normal' || attr(s, 'default') === '1' && attr(s, 'type') === 'paragraph');
  apply(child(normal ?? null, 'rPr'));
  return d;
}

function readParagraph(p: XElement, defaults: Defaults, cell: ParaInfo['cell']): ParaInfo {
  const pPr = child(p, 'pPr');
  const runs: RunInfo[] = [];
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
        runs.push({
          text,
          size: num(attr(child(rPr, 'sz'), 'val')) ?? defaults.size,
          bold: flag(rPr, 'b') ?? defaults.bold,
          italic: flag(rPr, 'i') ?? defaults.italic,
          underline: (() => {
            const u = child(rPr, 'u');
            return !!u && attr(u, 'val') !== 'none';
          })(),
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

/** Body paragraphs in document order, with their table position. */
function readBody(body: XElement, defaults: Defaults): ParaInfo[] {
  const out: ParaInfo[] = [];
  let tableIndex = 0;
  const readTable = (tbl: XElement, index: number) => {
    children(tbl, 'tr').forEach((tr, row) => {
      children(tr, 'tc').forEach((tc, col) => {
        const width = num(attr(child(child(tc, 'tcPr'), 'tcW'), 'w'));
        for (const c of children(tc)) {
          if (c.localName === 'p') out.push(readParagraph(c, defaults, { table: index, row, col, width }));
          else if (c.localName === 'tbl') readTable(c, index);
        }
      });
    });
  };
  for (const c of children(body)) {
    if (c.localName === 'p') out.push(readParagraph(c, defaults, null));
    else if (c.localName === 'tbl') readTable(c, tableIndex++);
    else if (c.localName === 'sdt') {
      const content = child(c, 'sdtContent');
      if (content) for (const p of children(content, 'p')) out.push(readParagraph(p, defaults, null));
    }
  }
  return out;
}

const visible = (r: RunInfo) => r.text.trim().length > 0;
const textRuns = (p: ParaInfo) => p.runs.filter(visible);
const sizesOk = (p: ParaInfo, min: number, max: number) => textRuns(p).every((r) => r.size != null && r.size >= min && r.size <= max);
const allBold = (p: ParaInfo) => textRuns(p).length > 0 && textRuns(p).every((r) => r.bold);
const anyBold = (p: ParaInfo) => textRuns(p).some((r) => r.bold);
const allItalic = (p: ParaInfo) => textRuns(p).length > 0 && textRuns(p).every((r) => r.italic);
const anyItalic = (p: ParaInfo) => textRuns(p).some((r) => r.italic);
const sizesOf = (p: ParaInfo) => [...new Set(textRuns(p).map((r) => (r.size == null ? '?' : `${r.size / 2}pt`)))].join(', ');
const isUpper = (s: string) => s === s.toLocaleUpperCase('vi');

export async function validateLetterDocx(buf: Buffer): Promise<ValidationResult> {
  const findings: Finding[] = [];
  const add = (rule: string, severity: Severity, message: string) => findings.push({ rule, severity, message });

  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(buf);
  } catch {
    return { ok: false, findings: [{ rule: 'docx', severity: 'error', message: 'not a DOCX (ZIP) file' }] };
  }
  const docFile = zip.file('word/document.xml');
  if (!docFile) return { ok: false, findings: [{ rule: 'docx', severity: 'error', message: 'word/document.xml is missing' }] };
  const parser = new DOMParser();
  const parse = async (name: string): Promise<XElement | null> => {
    const f = zip.file(name);
    if (!f) return null;
    return parser.parseFromString(await f.async('string'), 'text/xml').documentElement as XElement | null;
  };
  const document = await parse('word/document.xml');
  const styles = await parse('word/styles.xml');
  const body = child(document, 'body');
  if (!body) return { ok: false, findings: [{ rule: 'docx', severity: 'error', message: 'document has no body' }] };
  const defaults = readDefaults(styles);
  const paras = readBody(body, defaults);

  // ---- 1. Page ----
  const sectPrs = [...children(body, 'sectPr'), ...paras.length ? [] : []];
  const sectPr = sectPrs[sectPrs.length - 1] ?? null;
  const pgSz = child(sectPr, 'pgSz');
  const w = num(attr(pgSz, 'w'));
  const h = num(attr(pgSz, 'h'));
  if (w == null || h == null || Math.abs(w - 11906) > 20 || Math.abs(h - 16838) > 20) {
    if (w != null && h != null && Math.abs(w - 16838) <= 20 && Math.abs(h - 11906) <= 20) add('page.size', 'warning', 'A4 landscape: allowed only when the body has tables that are not split out as phụ lục');
    else add('page.size', 'error', `page is ${w}×${h} twips, not A4 (11906×16838)`);
  }
  const mar = child(sectPr, 'pgMar');
  const ranges: Record<string, [number, number, string]> = { top: [1134, 1417, '20–25 mm'], bottom: [1134, 1417, '20–25 mm'], left: [1701, 1984, '30–35 mm'], right: [850, 1134, '15–20 mm'] };
  for (const [side, [lo, hi, mm]] of Object.entries(ranges)) {
    const v = num(attr(mar, side));
    if (v == null || v < lo - TWIP_TOL || v > hi + TWIP_TOL) add('page.margins', 'error', `${side} margin is ${v == null ? 'missing' : `${v} twips (${(v / 56.7).toFixed(1)} mm)`}; must be ${mm}`);
  }

  // ---- fonts and colour, everywhere ----
  const badFonts = new Set<string>();
  const badColours = new Set<string>();
  const headerFiles = Object.keys(zip.files).filter((n) => /^word\/(header|footer)\d*\.xml$/.test(n));
  const headerParas = new Map<string, ParaInfo[]>();
  for (const name of headerFiles) {
    const root = await parse(name);
    if (root) headerParas.set(name, readBody(root, defaults));
  }
  for (const p of [...paras, ...[...headerParas.values()].flat()]) {
    for (const r of p.runs) {
      if (!visible(r) && !p.hasPageField) continue;
      if (r.fonts.length === 0) badFonts.add('(no font set, none inherited)');
      for (const f of r.fonts) if (f !== FONT) badFonts.add(f);
      if (r.color && !/^(000000|auto)$/i.test(r.color)) badColours.add(r.color);
    }
  }
  if (defaults.fonts.some((f) => f !== FONT)) badFonts.add(`default ${defaults.fonts.join('/')}`);
  if (badFonts.size) add('font.family', 'error', `fonts other than Times New Roman: ${[...badFonts].join(', ')}`);
  if (badColours.size) add('font.color', 'error', `text colours other than black: ${[...badColours].join(', ')}`);

  // ---- page numbers: from page 2, in the header, centred, 13–14 pt; page 1 none ----
  const titlePg = child(sectPr, 'titlePg');
  const refs = children(sectPr ?? ({} as XElement), 'headerReference');
  const rels = await zip.file('word/_rels/document.xml.rels')?.async('string');
  const targetOf = (type: string): string | null => {
    const ref = refs.find((r) => attr(r, 'type') === type);
    const rid = ref?.getAttributeNS('http://schemas.openxmlformats.org/officeDocument/2006/relationships', 'id') ?? ref?.getAttribute('r:id');
    if (!rid || !rels) return null;
    const m = new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="${rid}"`).exec(rels);
    const target = m?.[1] ?? m?.[2];
    return target ? `word/${target.replace(/^\/?word\//, '')}` : null;
  };
  const defaultHeader = targetOf('default');
  const firstHeader = targetOf('first');
  const numbered = defaultHeader ? (headerParas.get(defaultHeader) ?? []).find((p) => p.hasPageField) : undefined;
  if (!numbered) add('page.numbers', 'error', 'no page number field in the page header');
  else {
    if (numbered.align !== 'center') add('page.numbers', 'error', 'the page number is not centred');
    const sz = numbered.runs.find((r) => r.size != null)?.size ?? defaults.size;
    if (sz == null || sz < 26 || sz > 28) add('page.numbers', 'error', `page number size ${sz == null ? '?' : sz / 2} pt; must be 13–14 pt`);
  }
  const titlePgOn = titlePg && attr(titlePg, 'val') !== '0' && attr(titlePg, 'val') !== 'false';
  if (!titlePgOn) add('page.numbers', 'error', 'page 1 must show no number (w:titlePg missing)');
  else if (firstHeader && (headerParas.get(firstHeader) ?? []).some((p) => p.hasPageField || p.text.trim())) add('page.numbers', 'error', 'the first-page header is not empty');
  if (paras.some((p) => p.hasPageField)) add('page.numbers', 'error', 'a page number field appears in the body');

  // ---- 3.1 Quốc hiệu và Tiêu ngữ ----
  const norm = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ');
  const nationalIdx = paras.findIndex((p) => ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM'].map(norm).includes(norm(p.text)));
  if (nationalIdx < 0) add('quoc-hieu', 'error', 'Quốc hiệu "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" is missing');
  else {
    const p = paras[nationalIdx];
    if (!sizesOk(p, 24, 26)) add('quoc-hieu', 'error', `Quốc hiệu size ${sizesOf(p)}; must be 12–13 pt`);
    if (!allBold(p)) add('quoc-hieu', 'error', 'Quốc hiệu must be bold');
    if (anyItalic(p)) add('quoc-hieu', 'error', 'Quốc hiệu must be upright');
  }
  const mottoIdx = paras.findIndex((p) => norm(p.text) === norm('Độc lập - Tự do - Hạnh phúc'));
  if (mottoIdx < 0) add('tieu-ngu', 'error', 'Tiêu ngữ "Độc lập - Tự do - Hạnh phúc" is missing (hyphens with spaces around them)');
  else {
    const p = paras[mottoIdx];
    if (!sizesOk(p, 26, 28)) add('tieu-ngu', 'error', `Tiêu ngữ size ${sizesOf(p)}; must be 13–14 pt`);
    if (!allBold(p)) add('tieu-ngu', 'error', 'Tiêu ngữ must be bold');
    if (anyItalic(p)) add('tieu-ngu', 'error', 'Tiêu ngữ must be upright');
    if (nationalIdx >= 0 && mottoIdx !== nationalIdx + 1) add('tieu-ngu', 'warning', 'Tiêu ngữ should be the line right under the Quốc hiệu');
    const underlined = textRuns(p).every((r) => r.underline);
    const next = paras[mottoIdx + 1];
    let ruled = underlined;
    if (!ruled && next && !next.text.trim() && next.borders.has('bottom') && p.cell?.width) {
      const ruleW = p.cell.width - next.left - next.right;
      const textW = textWidthTwips(p.text, textRuns(p)[0]?.size ?? 26, true);
      ruled = Math.abs(ruleW - textW) / textW <= 0.15;
      if (!ruled) add('tieu-ngu', 'error', 'the rule under the Tiêu ngữ must be as long as the text');
    } else if (!ruled) add('tieu-ngu', 'error', 'no solid rule under the Tiêu ngữ');
  }

  // ---- 3.2 Tên cơ quan ban hành: the cell that holds the agency lines (first column of the header table) ----
  const headCell = nationalIdx >= 0 ? paras[nationalIdx].cell : null;
  const agencyParas = headCell ? paras.filter((p) => p.cell && p.cell.table === headCell.table && p.cell.row === headCell.row && p.cell.col === 0) : [];
  const agencyLines = agencyParas.filter((p) => p.text.trim());
  if (!agencyLines.length) add('co-quan', 'error', 'agency name (top left) is missing');
  else {
    const issuing = agencyLines[agencyLines.length - 1];
    if (!isUpper(issuing.text)) add('co-quan', 'error', 'issuing agency name must be upper case');
    if (!sizesOk(issuing, 24, 26)) add('co-quan', 'error', `issuing agency size ${sizesOf(issuing)}; must be 12–13 pt`);
    if (!allBold(issuing)) add('co-quan', 'error', 'issuing agency name must be bold');
    for (const parent of agencyLines.slice(0, -1)) {
      if (!isUpper(parent.text)) add('co-quan', 'error', `parent agency "${parent.text}" must be upper case`);
      if (!sizesOk(parent, 24, 26)) add('co-quan', 'error', `parent agency size ${sizesOf(parent)}; must be 12–13 pt`);
      if (anyBold(parent)) add('co-quan', 'error', 'parent agency line must not be bold');
    }
    const idx = agencyParas.indexOf(issuing);
    const ruleP = agencyParas.slice(idx + 1).find((p) => !p.text.trim() && p.borders.has('bottom'));
    if (!ruleP) add('co-quan', 'error', 'no solid rule under the issuing agency name');
    else if (ruleP.cell?.width) {
      const ruleW = ruleP.cell.width - ruleP.left - ruleP.right;
      const textW = Math.min(ruleP.cell.width, textWidthTwips(issuing.text, textRuns(issuing)[0]?.size ?? 24, true));
      const ratio = ruleW / textW;
      if (ratio < 1 / 3 - 0.05 || ratio > 1 / 2 + 0.05) add('co-quan', 'error', `the rule under the agency name is ${(ratio * 100).toFixed(0)}% of the text line; must be 1/3–1/2`);
    }
  }

  // ---- 3.3 Số, ký hiệu ----
  const numberP = paras.find((p) => /^Số\s*:/.test(p.text.trim()));
  let draft = false;
  if (!numberP) add('so-ky-hieu', 'error', 'the "Số: …/…" line is missing');
  else {
    const t = numberP.text.trim();
    if (DRAFT_NUMBER_RE.test(t)) {
      draft = true;
      add('so-ky-hieu', 'info', 'draft: the number is left blank');
    } else if (!NUMBER_RE.test(t)) {
      const m = /^Số:\s*(\d+)/.exec(t);
      if (m && /^0\d{2,}|^0$/.test(m[1])) add('so-ky-hieu', 'error', `"${t}": only numbers below 10 get a leading zero`);
      else if (m && /^[1-9]$/.test(m[1])) add('so-ky-hieu', 'error', `"${t}": numbers below 10 are written 01…09`);
      else add('so-ky-hieu', 'error', `"${t}" does not match "Số: <number>/<AGENCY>-<UNIT>" (no spaces inside the symbol, a space after the colon)`);
    }
    if (!sizesOk(numberP, 26, 26)) add('so-ky-hieu', 'error', `Số/ký hiệu size ${sizesOf(numberP)}; must be 13 pt`);
    if (anyBold(numberP) || anyItalic(numberP)) add('so-ky-hieu', 'error', 'Số/ký hiệu must be upright, not bold');
    const symbol = t.split('/')[1]?.trim() ?? '';
    const first = symbol.split('-')[0] ?? '';
    if (first === 'CV') add('ky-hieu.type-code', 'error', 'công văn have no type code: "CV" is not used');
    else if (TYPE_CODES.includes(first)) add('ky-hieu.type-code', 'error', `"${first}" is a document-type code; a công văn symbol is <agency>-<unit>`);
    if (OUTDATED_CODES.includes(first) || symbol.split('-').some((s) => OUTDATED_CODES.includes(s))) add('ky-hieu.type-code', 'error', `outdated type code (TT 01/2011) in "${symbol}"`);
  }

  // ---- 3.4 Địa danh và thời gian ----
  const dateP = paras.find((p) => DATE_RE.test(p.text.trim()) || DRAFT_DATE_RE.test(p.text.trim()));
  if (!dateP) add('ngay-thang', 'error', 'the place and date line ("<Place>, ngày dd tháng m năm yyyy") is missing');
  else {
    const t = dateP.text.trim();
    const m = DATE_RE.exec(t);
    if (m) {
      const [, place, day, month] = m;
      const d = Number(day);
      const mo = Number(month);
      if (d < 1 || d > 31 || mo < 1 || mo > 12) add('ngay-thang', 'error', `"${t}" is not a real date`);
      if (d < 10 && day.length !== 2) add('ngay-thang', 'error', `day ${day}: days below 10 are written with a leading zero (0${d})`);
      if (mo <= 2 && month.length !== 2) add('ngay-thang', 'error', `month ${month}: months 1 and 2 are written 01 and 02`);
      if (mo >= 3 && month.length === 2 && month.startsWith('0')) add('ngay-thang', 'warning', `month ${month}: months 3–12 are written plainly ("tháng ${mo}")`);
      if (place[0] !== place[0].toLocaleUpperCase('vi')) add('ngay-thang', 'error', 'the place name must be capitalised');
      if (draft) add('ngay-thang', 'warning', 'a draft with a date filled in');
    } else if (!draft) add('ngay-thang', 'error', `"${t}": the date is blank on a numbered letter`);
    if (!sizesOk(dateP, 26, 28)) add('ngay-thang', 'error', `date line size ${sizesOf(dateP)}; must be 13–14 pt`);
    if (!allItalic(dateP)) add('ngay-thang', 'error', 'the place and date line must be italic');
    if (anyBold(dateP)) add('ngay-thang', 'error', 'the place and date line must not be bold');
    if (numberP?.cell && dateP.cell && (numberP.cell.table !== dateP.cell.table || numberP.cell.row !== dateP.cell.row)) {
      add('ngay-thang', 'error', 'the place and date must be on the same line as Số/ký hiệu');
    } else if (numberP && (!numberP.cell || !dateP.cell)) add('ngay-thang', 'warning', 'cannot tell whether the date is on the same line as Số/ký hiệu');
  }

  // ---- 3.5 V/v ----
  const subjectP = paras.find((p) => /^V\/v\s/.test(p.text.trim()));
  if (!subjectP) add('trich-yeu', 'error', 'the trích yếu "V/v …" is missing');
  else {
    if (!sizesOk(subjectP, 24, 26)) add('trich-yeu', 'error', `V/v size ${sizesOf(subjectP)}; must be 12–13 pt`);
    if (anyBold(subjectP) || anyItalic(subjectP)) add('trich-yeu', 'error', 'V/v must be upright: neither bold nor italic');
    if (subjectP.align !== 'center') add('trich-yeu', 'warning', 'V/v should be centred under Số/ký hiệu');
    if (numberP && paras.indexOf(subjectP) < paras.indexOf(numberP)) add('trich-yeu', 'error', 'V/v must be under Số/ký hiệu');
  }

  // ---- 3.6 urgency ----
  for (const p of paras.filter((x) => URGENCY.includes(norm(x.text)))) {
    if (!allBold(p)) add('do-khan', 'error', `${p.text}: the urgency mark must be bold`);
    if (!sizesOk(p, 26, 28)) add('do-khan', 'error', `${p.text}: size ${sizesOf(p)}; must be 13–14 pt`);
    if (!['top', 'bottom', 'left', 'right'].every((b) => p.borders.has(b))) add('do-khan', 'error', `${p.text}: the urgency mark must be in a box`);
  }

  // ---- 3.7 Kính gửi ----
  const kgIdx = paras.findIndex((p) => !p.cell && /^Kính gửi\s*:/.test(p.text.trim()));
  let kgEnd = kgIdx;
  let recipientCount = 0;
  if (kgIdx < 0) add('kinh-gui', 'error', '"Kính gửi:" is missing');
  else {
    const p = paras[kgIdx];
    const rest = p.text.trim().replace(/^Kính gửi\s*:\s*/, '');
    const group = [p];
    if (rest) {
      recipientCount = 1;
      if (/[;]$/.test(rest)) add('kinh-gui', 'error', 'a single recipient stays on the Kính gửi line with no ";"');
    } else {
      let i = kgIdx + 1;
      const items: ParaInfo[] = [];
      while (i < paras.length && !paras[i].cell && /^[-–]\s/.test(paras[i].text.trim())) items.push(paras[i++]);
      kgEnd = i - 1;
      recipientCount = items.length;
      group.push(...items);
      if (items.length === 0) add('kinh-gui', 'error', 'no recipient after "Kính gửi:"');
      if (items.length === 1) add('kinh-gui', 'warning', 'one recipient should be on the Kính gửi line itself');
      items.forEach((it, k) => {
        const t = it.text.trim();
        const last = k === items.length - 1;
        if (last && !t.endsWith('.')) add('kinh-gui', 'error', `the last recipient must end with ".": "${t}"`);
        if (!last && !t.endsWith(';')) add('kinh-gui', 'error', `each recipient but the last ends with ";": "${t}"`);
      });
    }
    for (const g of group) {
      if (!sizesOk(g, 26, 28)) add('kinh-gui', 'error', `Kính gửi size ${sizesOf(g)}; must be 13–14 pt`);
      if (anyBold(g) || anyItalic(g)) add('kinh-gui', 'error', 'Kính gửi must be upright and not bold');
    }
  }

  // ---- 3.10 Nơi nhận and 3.9 signer (footer table) ----
  const nnIdx = paras.findIndex((p) => /^Nơi nhận\s*:$/.test(p.text.trim()));
  if (nnIdx < 0) add('noi-nhan', 'error', '"Nơi nhận:" is missing');
  else {
    const p = paras[nnIdx];
    if (!allBold(p) || !allItalic(p)) add('noi-nhan', 'error', '"Nơi nhận:" must be bold italic');
    if (!sizesOk(p, 24, 24)) add('noi-nhan', 'error', `"Nơi nhận:" size ${sizesOf(p)}; must be 12 pt`);
    const same = (x: ParaInfo) => (p.cell ? !!x.cell && x.cell.table === p.cell.table && x.cell.row === p.cell.row && x.cell.col === p.cell.col : !x.cell);
    const items: ParaInfo[] = [];
    for (let i = nnIdx + 1; i < paras.length && same(paras[i]) && paras[i].text.trim(); i++) items.push(paras[i]);
    if (!items.length) add('noi-nhan', 'error', 'Nơi nhận has no items');
    items.forEach((it, k) => {
      const t = it.text.trim();
      const last = k === items.length - 1;
      if (!/^- /.test(t)) add('noi-nhan', 'error', `Nơi nhận items start with "- ": "${t}"`);
      if (!last && !t.endsWith(';')) add('noi-nhan', 'error', `Nơi nhận items end with ";": "${t}"`);
      if (!sizesOk(it, 22, 22)) add('noi-nhan', 'error', `Nơi nhận item size ${sizesOf(it)}; must be 11 pt`);
      if (anyBold(it) || anyItalic(it)) add('noi-nhan', 'error', `Nơi nhận items are upright, not bold: "${t}"`);
    });
    const lastItem = items[items.length - 1]?.text.trim();
    if (lastItem && !/^- Lưu: VT, [A-ZĐ0-9]+.*\.$/u.test(lastItem)) add('noi-nhan', 'error', `the last Nơi nhận item must be "- Lưu: VT, <unit>." (got "${lastItem}")`);
    if (recipientCount > 0 && items[0] && items[0].text.trim() !== '- Như trên;') add('noi-nhan', 'error', 'the first Nơi nhận item of a công văn is "- Như trên;"');

    // signer: the cell beside Nơi nhận
    const signer = p.cell ? paras.filter((x) => x.cell && x.cell.table === p.cell!.table && x.cell.row === p.cell!.row && x.cell.col !== p.cell!.col && x.text.trim()) : [];
    if (signer.length < 2) add('chu-ky', 'error', 'the signer block (authority/position and name) is missing beside Nơi nhận');
    else {
      const name = signer[signer.length - 1];
      const titles = signer.slice(0, -1);
      for (const tp of titles) {
        if (!isUpper(tp.text)) add('chu-ky', 'error', `"${tp.text}": authority and position are upper case`);
        if (!allBold(tp)) add('chu-ky', 'error', `"${tp.text}": authority and position are bold`);
        if (!sizesOk(tp, 26, 28)) add('chu-ky', 'error', `"${tp.text}": size ${sizesOf(tp)}; must be 13–14 pt`);
      }
      const prefix = /^([A-ZĐ]+)\.\s/.exec(titles[0].text.trim())?.[1];
      if (prefix && !['KT', 'TM', 'TL', 'TUQ', 'Q'].includes(prefix)) add('chu-ky', 'error', `unknown signing prefix "${prefix}."`);
      if (/^(KT|TM|TL|TUQ)\.\s/.test(titles[0].text.trim()) && titles.length < 2) add('chu-ky', 'error', `"${titles[0].text}" needs the signer's own position on the next line`);
      if (!allBold(name)) add('chu-ky', 'error', 'the signer name must be bold');
      if (!sizesOk(name, 26, 28)) add('chu-ky', 'error', `signer name size ${sizesOf(name)}; must be 13–14 pt`);
      if (/^(GS|PGS|TS|ThS|KS|BS|CN|Th\.S|TSKH)\.?\s/u.test(name.text.trim())) add('chu-ky', 'error', `no academic titles before the signer's name: "${name.text.trim()}"`);
    }
  }

  // ---- 3.8 body: between Kính gửi and the signature table, outside tables ----
  const start = kgIdx >= 0 ? kgEnd + 1 : paras.findIndex((p, i) => i > (subjectP ? paras.indexOf(subjectP) : 0) && !p.cell);
  const end = nnIdx >= 0 ? nnIdx : paras.length;
  const bodyParas = start >= 0 ? paras.slice(start, end).filter((p) => !p.cell && p.text.trim()) : [];
  if (!bodyParas.length) add('noi-dung', 'error', 'the letter has no body text');
  for (const p of bodyParas) {
    const where = `"${p.text.trim().slice(0, 40)}…"`;
    if (!sizesOk(p, 26, 28)) add('noi-dung', 'error', `${where}: body size ${sizesOf(p)}; must be 13–14 pt`);
    if (p.align !== 'both' && p.align !== 'distribute') add('noi-dung', 'error', `${where}: the body must be justified`);
    const fl = p.firstLine ?? 0;
    if (Math.abs(fl - 567) > TWIP_TOL && Math.abs(fl - 720) > TWIP_TOL) add('noi-dung', 'error', `${where}: first-line indent ${fl} twips; must be 1 cm (567) or 1.27 cm (720)`);
    if ((p.after ?? 0) < 120) add('noi-dung', 'error', `${where}: ${(p.after ?? 0) / 20} pt after the paragraph; must be at least 6 pt`);
    if (p.line != null && (p.lineRule == null || p.lineRule === 'auto') && (p.line < 240 || p.line > 360)) add('noi-dung', 'error', `${where}: line spacing ${p.line / 240}; must be single to 1.5 lines`);
    if (anyBold(p) && textRuns(p).every((r) => r.bold)) add('noi-dung', 'warning', `${where}: a whole body paragraph in bold`);
  }

  return { ok: !findings.some((f) => f.severity === 'error'), findings };
}
