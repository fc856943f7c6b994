/**
 * LetterDocument → DOCX in the format of NĐ 30/2020/NĐ-CP, Phụ lục I (see ../shared/spec/letter-format.md).
 * A pure function of its input: the same document gives the same layout (the reports feature uses it too).
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Header,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  Table,
  TableBorders,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  UnderlineType,
  VerticalAlign,
  WidthType,
  type IBorderOptions,
} from 'docx';
import type { BodyBlock, LetterDocument, Urgency } from './document';
import { textWidthTwips } from './text-width';
import { headerLines, widestLine } from './header-lines';
import { inlineLines } from './inline';
import { printedSignerLines } from './model';
import { textWidth } from './pdf/fonts';
import { formatLegalDate } from '../shared/time';
import {
  A4,
  AGENCY_RULE_RATIO,
  BODY_FIRST_LINE,
  BODY_SPACE_AFTER,
  BODY_TABLE,
  FONT_FAMILY,
  FOOTER_TABLE_LEFT,
  HEADER_LINE_GAP,
  HEADER_TABLE_LEFT,
  KINH_GUI_LAYOUT,
  MOTTO,
  NATIONAL_NAME,
  PAGE_MARGINS,
  RULE_LINE,
  RULE_PARAGRAPH,
  SIGNATURE_GAP_LINES,
  SINGLE_LINE,
  SIZE,
  TEXT_COLOR,
  TEXT_WIDTH,
  NOI_NHAN_DASH,
  TWIPS_PER_MM,
  URGENCY_BOX,
  URGENCY_BOX_WIDTH_MM,
  URGENCY_TEXT,
} from './format';

export { MOTTO, NATIONAL_NAME, URGENCY_TEXT } from './format';

const HEAD_LEFT = HEADER_TABLE_LEFT;
const HEAD_RIGHT = TEXT_WIDTH - HEAD_LEFT;
const FOOT_LEFT = FOOTER_TABLE_LEFT;
const FOOT_RIGHT = TEXT_WIDTH - FOOT_LEFT;
/** The printed size of each part. */
const SZ = Object.fromEntries(Object.entries(SIZE).map(([k, v]) => [k, v.print])) as Record<keyof typeof SIZE, number>;

/** The gap a draft leaves for the number, as on the pre-printed blank. */
export const DRAFT_NUMBER_GAP = '\u00a0'.repeat(6);

interface RunOpts {
  size: number;
  bold?: boolean;
  italics?: boolean;
  underline?: boolean;
}

/** Font family and colour come from the document defaults (Times New Roman, black); runs carry only what differs. */
function run(text: string, o: RunOpts): TextRun {
  return new TextRun({
    text,
    size: o.size,
    ...(o.bold ? { bold: true } : {}),
    ...(o.italics ? { italics: true } : {}),
    ...(o.underline ? { underline: { type: UnderlineType.SINGLE, color: TEXT_COLOR } } : {}),
  });
}

/** A paragraph's text with its inline emphasis and line breaks as runs (`<w:br/>` between lines). */
function inlineRuns(text: string, o: RunOpts): TextRun[] {
  return inlineLines(text).flatMap((line, i) => {
    const runs = line.map((r) => new TextRun({ text: r.text, size: o.size, ...(r.bold || o.bold ? { bold: true } : {}), ...(r.italic || o.italics ? { italics: true } : {}) }));
    if (i === 0) return runs;
    const [first, ...rest] = runs.length ? runs : [new TextRun({ text: '', size: o.size })];
    return [new TextRun({ text: '', size: o.size, break: 1 }), first, ...rest];
  });
}

/** Lines printed one under the other in one paragraph, as a văn thư stacks a wrapped name (soft breaks). */
function stackedRuns(lines: string[], o: RunOpts): TextRun[] {
  return lines.map((text, i) => new TextRun({ text, size: o.size, ...(o.bold ? { bold: true } : {}), ...(i ? { break: 1 } : {}) }));
}

const rule: IBorderOptions = { style: BorderStyle.SINGLE, size: RULE_LINE.size, color: RULE_LINE.color, space: RULE_LINE.space };

/** A centred line; spacing is written only where it differs from the defaults (single line, no space). */
function centered(text: string, o: RunOpts, extra: { before?: number; after?: number } = {}): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    ...(extra.before || extra.after ? { spacing: { before: extra.before, after: extra.after } } : {}),
    children: [run(text, o)],
  });
}

/** An empty paragraph whose bottom border is a centred rule `width` twips long, inside a cell `cellWidth` wide. */
function ruleLine(width: number, cellWidth: number): Paragraph {
  const side = Math.max(0, Math.round((cellWidth - width) / 2));
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: { before: 0, after: 0, line: RULE_PARAGRAPH.line, lineRule: 'exact' },
    indent: { left: side, right: side },
    border: { bottom: rule },
    children: [run('', { size: RULE_PARAGRAPH.runSize })],
  });
}

export function numberLine(doc: LetterDocument): string {
  const n = doc.number == null ? DRAFT_NUMBER_GAP : doc.number < 10 ? `0${doc.number}` : String(doc.number);
  return `Số: ${n}/${doc.symbol}`;
}

export function dateLine(doc: LetterDocument): string {
  if (!doc.date) return `${doc.place}, ngày${DRAFT_NUMBER_GAP}tháng${DRAFT_NUMBER_GAP}năm${DRAFT_NUMBER_GAP}`;
  return `${doc.place}, ${formatLegalDate(doc.date)}`;
}

/** "Như trên;" … "Lưu: VT, X." — the renderer adds the punctuation. */
export function distributionLines(items: string[]): string[] {
  return items.map((it, i) => `- ${it.replace(/[;.,\s]+$/u, '')}${i === items.length - 1 ? '.' : ';'}`);
}

/** Kính gửi lines: one recipient on the line itself, several as a dash list ending "." */
export function recipientLines(recipients: string[]): { single: string | null; items: string[] } {
  if (recipients.length === 1) return { single: recipients[0].replace(/[;.\s]+$/u, ''), items: [] };
  return { single: null, items: recipients.map((r, i) => `- ${r.replace(/[;.\s]+$/u, '')}${i === recipients.length - 1 ? '.' : ';'}`) };
}

/** Body paragraphs; the last one ends with "./." as in Mẫu 1.5. */
export function bodyWithEnding(blocks: BodyBlock[]): BodyBlock[] {
  const out = blocks.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    const b = out[i];
    if (b.type !== 'paragraph') continue;
    if (!/\.\/\.$/.test(b.text)) out[i] = { type: 'paragraph', text: b.text.replace(/[.;:,\s]*$/u, '') + './.' };
    break;
  }
  return out;
}

/** ô 7a as printed: the given lines, or those made from authority, authorityTitle and title (signer-lines.ts). */
export function signerLines(doc: LetterDocument): string[] {
  return printedSignerLines({ ...doc.signer, lines: doc.signer.lines ?? null });
}

/**
 * The agency block's printed lines (header-lines.ts), and the rule under the issuing name: 40% (1/3–1/2, §3.2) of
 * its widest printed line, in twips. The DOCX, the PDF and the preview all draw these.
 */
export function agencyLayout(doc: LetterDocument): { parent: string[]; issuing: string[]; ruleWidth: number } {
  const col = HEAD_LEFT / 20;
  const parent = doc.parentAgency ? headerLines(doc.parentAgency.toLocaleUpperCase('vi'), col, SZ.parentAgency / 2, 'regular') : [];
  const issuing = headerLines(doc.issuingAgency.toLocaleUpperCase('vi'), col, SZ.issuingAgency / 2, 'bold');
  const ruleWidth = Math.round(Math.min(col, widestLine(issuing, SZ.issuingAgency / 2, 'bold')) * 20 * AGENCY_RULE_RATIO.print);
  return { parent, issuing, ruleWidth };
}

/** The V/v lines: the chosen break ("\n" in the subject) and balanced automatic ones, never a lone word. */
export function subjectLines(doc: LetterDocument): string[] {
  return headerLines(`V/v ${doc.subject}`, HEAD_LEFT / 20, SZ.subject / 2, 'regular');
}

/** The urgency stamp's box in twips (§3.6: 20×8, 30×8 or 40×8 mm). */
export function urgencyBox(urgency: Urgency): { width: number; height: number } {
  return { width: Math.round(URGENCY_BOX_WIDTH_MM[urgency] * TWIPS_PER_MM), height: Math.round(URGENCY_BOX.heightMm * TWIPS_PER_MM) };
}

/** The border line's width in twips (w:sz is in eighths of a point). */
const RULE_TWIPS = (RULE_LINE.size / 8) * 20;

/**
 * Border spacing (whole points, as w:space is) above and below the urgency text that makes its box the stamp's
 * height: LibreOffice draws a paragraph box line + 2 × spacing − 2 × border high (measured), text centred in it.
 */
export function urgencyPadding(urgency: Urgency): number {
  const line = (SZ.urgency / 2) * 1.149; // Times New Roman / Tinos single line
  const border = RULE_LINE.size / 8;
  return Math.max(1, Math.round((urgencyBox(urgency).height / 20 - line + 2 * border) / 2));
}

/** The urgency paragraph's left and right indent (twips): its borders, drawn just outside the indents, then make the stamp's width. */
export function urgencyIndent(urgency: Urgency): number {
  return Math.max(0, Math.round((HEAD_LEFT - (urgencyBox(urgency).width - 2 * RULE_TWIPS)) / 2));
}

/** The hanging indent of a Nơi nhận item (twips): the width of its "- ", so wrapped lines start under the text. */
export const NOI_NHAN_HANG = Math.round(textWidth(NOI_NHAN_DASH, SIZE.noiNhanItem.print / 2, 'regular') * 20);

function headerTable(doc: LetterDocument): Table {
  const left: Paragraph[] = [];
  const agency = agencyLayout(doc);
  if (agency.parent.length) left.push(new Paragraph({ alignment: AlignmentType.CENTER, children: stackedRuns(agency.parent, { size: SZ.parentAgency }) }));
  left.push(new Paragraph({ alignment: AlignmentType.CENTER, children: stackedRuns(agency.issuing, { size: SZ.issuingAgency, bold: true }) }));
  left.push(ruleLine(agency.ruleWidth, HEAD_LEFT));

  const right: Paragraph[] = [
    centered(NATIONAL_NAME, { size: SZ.nationalName, bold: true }),
    // The rule under the motto is as long as the text: a single underline of the whole line.
    centered(MOTTO, { size: SZ.motto, bold: true, underline: true }),
  ];

  const second: Paragraph[] = [centered(numberLine(doc), { size: SZ.number }, { before: HEADER_LINE_GAP })];
  second.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: HEADER_LINE_GAP }, children: stackedRuns(subjectLines(doc), { size: SZ.subject }) }));
  if (doc.urgency) {
    const text = URGENCY_TEXT[doc.urgency];
    const side = urgencyIndent(doc.urgency);
    const pad = urgencyPadding(doc.urgency);
    const edge = { ...rule, space: pad };
    const flank = { ...rule, space: 0 };
    second.push(
      new Paragraph({
        alignment: AlignmentType.CENTER,
        spacing: { before: URGENCY_BOX.before, after: 0, line: SINGLE_LINE },
        indent: { left: side, right: side },
        border: { top: edge, bottom: edge, left: flank, right: flank },
        children: [run(text, { size: SZ.urgency, bold: true })],
      }),
    );
  }
  const cell = (children: Paragraph[], width: number) =>
    new TableCell({ width: { size: width, type: WidthType.DXA }, margins: { left: 0, right: 0, top: 0, bottom: 0 }, verticalAlign: VerticalAlign.TOP, children });
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [HEAD_LEFT, HEAD_RIGHT],
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: [
      new TableRow({ children: [cell(left, HEAD_LEFT), cell(right, HEAD_RIGHT)] }),
      new TableRow({
        children: [cell(second, HEAD_LEFT), cell([centered(dateLine(doc), { size: SZ.date, italics: true }, { before: HEADER_LINE_GAP })], HEAD_RIGHT)],
      }),
    ],
  });
}

function kinhGui(doc: LetterDocument): Paragraph[] {
  if (doc.recipients.length === 0) return [];
  const { single, items } = recipientLines(doc.recipients);
  const { before, after, labelIndent, dashHang } = KINH_GUI_LAYOUT;
  if (single) return [centered(`Kính gửi: ${single}`, { size: SZ.kinhGui }, { before, after })];
  const dashIndent = labelIndent + textWidthTwips('Kính gửi: ', SZ.kinhGui);
  return [
    new Paragraph({ spacing: { before }, indent: { left: labelIndent }, children: [run('Kính gửi:', { size: SZ.kinhGui })] }),
    ...items.map(
      (text, i) =>
        new Paragraph({
          ...(i === items.length - 1 ? { spacing: { after } } : {}),
          indent: { left: dashIndent + dashHang, hanging: dashHang },
          children: [run(text, { size: SZ.kinhGui })],
        }),
    ),
  ];
}

/** An empty body-size line of 6 pt after the body or after a body table. */
function gap(keepNext: boolean): Paragraph {
  return new Paragraph({ ...(keepNext ? { keepNext } : {}), spacing: { before: 0, after: BODY_SPACE_AFTER.print }, children: [run('', { size: SZ.body })] });
}

/** A body paragraph; the last one keeps with the signature block, whole (keepNext + keepLines, §3.9). */
function bodyParagraph(text: string, keep = false): Paragraph {
  return new Paragraph({
    ...(keep ? { keepNext: true, keepLines: true } : {}),
    alignment: AlignmentType.BOTH,
    spacing: { after: BODY_SPACE_AFTER.print },
    indent: { firstLine: BODY_FIRST_LINE.print },
    children: inlineRuns(text, { size: SZ.body }),
  });
}

function bodyTable(block: Extract<BodyBlock, { type: 'table' }>, keepNext = false): Table {
  const cols = Math.max(block.header.length, ...block.rows.map((r) => r.length), 1);
  const rel = block.widths && block.widths.length === cols ? block.widths : Array.from({ length: cols }, () => 1);
  const total = rel.reduce((a, b) => a + b, 0) || 1;
  const widths = rel.map((w) => Math.floor((w / total) * TEXT_WIDTH));
  const cellBorder: IBorderOptions = { style: BorderStyle.SINGLE, size: BODY_TABLE.borderSize, color: TEXT_COLOR };
  const borders = { top: cellBorder, bottom: cellBorder, left: cellBorder, right: cellBorder };
  const rowCount = (block.header.length ? 1 : 0) + block.rows.length;
  let rowIndex = 0;
  const mkRow = (cells: string[], header: boolean, keep = keepNext && ++rowIndex === rowCount) =>
    new TableRow({
      tableHeader: header,
      children: widths.map(
        (w, i) =>
          new TableCell({
            width: { size: w, type: WidthType.DXA },
            borders,
            children: [
              new Paragraph({
                ...(keep ? { keepNext: true } : {}),
                alignment: header ? AlignmentType.CENTER : /^[\d.,%\s-]+$/.test(cells[i] ?? '') ? AlignmentType.RIGHT : AlignmentType.LEFT,
                spacing: { before: BODY_TABLE.cellSpacing, after: BODY_TABLE.cellSpacing },
                children: [run(cells[i] ?? '', { size: SZ.bodyTable, bold: header })],
              }),
            ],
          }),
      ),
    });
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    rows: [...(block.header.length ? [mkRow(block.header, true)] : []), ...block.rows.map((r) => mkRow(r, false))],
  });
}

function footerTable(doc: LetterDocument): Table {
  const left: Paragraph[] = [
    new Paragraph({ children: [run('Nơi nhận:', { size: SZ.noiNhanTitle, bold: true, italics: true })] }),
    ...distributionLines(doc.distribution).map((text) => new Paragraph({ indent: { left: NOI_NHAN_HANG, hanging: NOI_NHAN_HANG }, children: [run(text, { size: SZ.noiNhanItem })] })),
    ...(doc.drafterMark ? [new Paragraph({ children: [run(doc.drafterMark, { size: SZ.noiNhanItem })] })] : []),
  ];
  const right: Paragraph[] = signerLines(doc).map((l) => centered(l, { size: SZ.signer, bold: true }));
  for (let i = 0; i < SIGNATURE_GAP_LINES; i++) right.push(centered('', { size: SZ.signer }));
  for (const l of doc.signer.otherTitles ?? []) right.push(centered(l, { size: SZ.signer, bold: true }));
  right.push(centered(doc.signer.name, { size: SZ.signer, bold: true }));
  const cell = (children: Paragraph[], width: number) =>
    new TableCell({ width: { size: width, type: WidthType.DXA }, margins: { left: 0, right: 0, top: 0, bottom: 0 }, children });
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [FOOT_LEFT, FOOT_RIGHT],
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: [new TableRow({ cantSplit: true, children: [cell(left, FOOT_LEFT), cell(right, FOOT_RIGHT)] })],
  });
}

/** The docx object model of a letter (exposed for the benchmark, which packs it itself). */
export function buildLetterDocument(doc: LetterDocument): Document {
  const children: (Paragraph | Table)[] = [headerTable(doc), ...kinhGui(doc)];
  if (doc.recipients.length === 0) children.push(new Paragraph({ spacing: { before: KINH_GUI_LAYOUT.after, after: 0 }, children: [run('', { size: SZ.body })] }));
  // The last body block and the gap after it keep with the signature block, so that it never starts a page alone (§3.9).
  const blocks = bodyWithEnding(doc.body);
  blocks.forEach((block, i) => {
    const keepNext = i === blocks.length - 1;
    if (block.type === 'paragraph') children.push(bodyParagraph(block.text, keepNext));
    else children.push(bodyTable(block, keepNext), gap(keepNext));
  });
  children.push(gap(true));
  children.push(footerTable(doc));

  return new Document({
    creator: 'Vận Động',
    title: `V/v ${doc.subject.replace(/\s*\n\s*/g, ' ')}`,
    styles: { default: { document: { run: { font: FONT_FAMILY, size: SZ.body, color: TEXT_COLOR } } } },
    sections: [
      {
        properties: {
          titlePage: true,
          page: {
            size: { width: A4.width, height: A4.height, orientation: PageOrientation.PORTRAIT },
            margin: PAGE_MARGINS,
          },
        },
        headers: {
          first: new Header({ children: [new Paragraph({ children: [] })] }),
          default: new Header({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: [PageNumber.CURRENT], font: FONT_FAMILY, size: SZ.pageNumber, color: TEXT_COLOR })],
              }),
            ],
          }),
        },
        children,
      },
    ],
  });
}

/** Renders a letter to DOCX bytes. */
export async function renderLetterDocx(doc: LetterDocument): Promise<Buffer> {
  return Packer.toBuffer(buildLetterDocument(doc));
}
