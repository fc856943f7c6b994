/**
 * LetterDocument → PDF with the layout of the DOCX (docx.ts): A4, the same margins, sizes, header grid with its
 * rules, Kính gửi, body, Nơi nhận / signer block, page numbers from page 2. Pure Node (pdf-lib), the free face
 * Tinos (metric-compatible with Times New Roman) embedded as subsets, so lines and pages break as LibreOffice
 * breaks the DOCX with Times New Roman or Liberation Serif.
 *
 * A draft carries no number and a "DỰ THẢO" mark. The approval PDF (`blankNumberAndDate`) leaves the number and
 * date lines empty and reports where they are (`marks`): issuing writes them in an incremental update
 * (`stampNumberAndDate`), so the approver's signature stays valid.
 */
import { PDFDocument } from 'pdf-lib';
import type { BodyBlock, LetterDocument } from './document';
import { agencyLayout, bodyWithEnding, dateLine, distributionLines, NOI_NHAN_HANG, numberLine, recipientLines, signerLines, subjectLines, urgencyIndent, urgencyPadding } from './docx';
import { inlineLines } from './inline';
import {
  A4,
  BODY_FIRST_LINE,
  BODY_SPACE_AFTER,
  BODY_TABLE,
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
  SIZE,
  TEXT_WIDTH,
  URGENCY_BOX,
  URGENCY_TEXT,
} from './format';
import type { Run } from './pdf/layout';
import { textWidthTwips } from './text-width';
import { EmbeddedFonts, textWidth, type FontStyle } from './pdf/fonts';
import { Content } from './pdf/content';
import { ascentOf, layoutBlocks, type Block, type Cell, type Layout, type Mark, type Para, type Table } from './pdf/layout';

export type { Mark } from './pdf/layout';

/** Twips and half-points → points. */
const tw = (twips: number) => twips / 20;
const hp = (halfPoints: number) => halfPoints / 2;

/** The printed size of each part (half-points), as in docx.ts. */
const SZ = Object.fromEntries(Object.entries(SIZE).map(([k, v]) => [k, v.print])) as Record<keyof typeof SIZE, number>;

// Column widths of the header and footer tables (twips), as in docx.ts.
const HEAD_LEFT = HEADER_TABLE_LEFT;
const HEAD_RIGHT = TEXT_WIDTH - HEAD_LEFT;
const FOOT_LEFT = FOOTER_TABLE_LEFT;
const FOOT_RIGHT = TEXT_WIDTH - FOOT_LEFT;
/** A paragraph border (w:sz in eighths of a point, w:space in points), as the DOCX draws its rules and boxes. */
const RULE = { thickness: RULE_LINE.size / 8, space: RULE_LINE.space };
/** Word's default left and right cell margin (0.19 cm): the DOCX body tables keep it. */
const CELL_PADDING = 108;

export const GEOMETRY = {
  width: tw(A4.width),
  height: tw(A4.height),
  top: tw(PAGE_MARGINS.top),
  bottom: tw(PAGE_MARGINS.bottom),
  left: tw(PAGE_MARGINS.left),
  right: tw(PAGE_MARGINS.right),
  header: tw(PAGE_MARGINS.header),
};

export const DRAFT_MARK = 'DỰ THẢO';

const run = (text: string, halfPoints: number, style: FontStyle = 'regular', underline = false) => ({ text, size: hp(halfPoints), style, underline });
const centered = (text: string, halfPoints: number, style: FontStyle = 'regular', extra: Partial<Para> = {}): Para => ({ runs: [run(text, halfPoints, style)], align: 'center', ...extra });

function ruleLine(width: number, cellWidth: number): Para {
  const side = Math.max(0, Math.round((cellWidth - width) / 2));
  return { runs: [], markSize: hp(RULE_PARAGRAPH.runSize), align: 'center', exactLine: tw(RULE_PARAGRAPH.line), left: tw(side), right: tw(side), ruleBelow: RULE };
}

/** A paragraph's text with its inline emphasis as runs; its line breaks are "\n" (inline.ts). */
function inlineRuns(text: string, halfPoints: number): Run[] {
  return inlineLines(text).flatMap((line, i) => {
    const runs = line.map((r): Run => run(r.text, halfPoints, r.bold && r.italic ? 'boldItalic' : r.bold ? 'bold' : r.italic ? 'italic' : 'regular'));
    return i === 0 ? runs : [run('\n', halfPoints), ...runs];
  });
}

function headerTable(doc: LetterDocument, blank: boolean): Table {
  const left: Para[] = [];
  const agency = agencyLayout(doc);
  if (agency.parent.length) left.push(centered(agency.parent.join('\n'), SZ.parentAgency));
  left.push(centered(agency.issuing.join('\n'), SZ.issuingAgency, 'bold'));
  left.push(ruleLine(agency.ruleWidth, HEAD_LEFT));
  const right: Para[] = [
    centered(NATIONAL_NAME, SZ.nationalName, 'bold'),
    { runs: [run(MOTTO, SZ.motto, 'bold', true)], align: 'center' },
  ];
  const second: Para[] = [centered(numberLine(doc), SZ.number, 'regular', { before: tw(HEADER_LINE_GAP), mark: 'number', hidden: blank })];
  second.push(centered(subjectLines(doc).join('\n'), SZ.subject, 'regular', { before: tw(HEADER_LINE_GAP) }));
  if (doc.urgency) {
    const text = URGENCY_TEXT[doc.urgency];
    const side = tw(urgencyIndent(doc.urgency));
    second.push(centered(text, SZ.urgency, 'bold', { before: tw(URGENCY_BOX.before), left: side, right: side, box: { thickness: RULE.thickness, space: urgencyPadding(doc.urgency) } }));
  }
  const cell = (paras: Para[], width: number): Cell => ({ width: tw(width), paras });
  return {
    kind: 'table',
    border: 0,
    rows: [
      { cells: [cell(left, HEAD_LEFT), cell(right, HEAD_RIGHT)] },
      { cells: [cell(second, HEAD_LEFT), cell([centered(dateLine(doc), SZ.date, 'italic', { before: tw(HEADER_LINE_GAP), mark: 'date', hidden: blank })], HEAD_RIGHT)] },
    ],
  };
}

function kinhGui(doc: LetterDocument): Block[] {
  if (doc.recipients.length === 0) return [];
  const { single, items } = recipientLines(doc.recipients);
  const { before, after, labelIndent, dashHang } = KINH_GUI_LAYOUT;
  if (single) return [{ kind: 'para', ...centered(`Kính gửi: ${single}`, SZ.kinhGui, 'regular', { before: tw(before), after: tw(after) }) }];
  const dashIndent = labelIndent + textWidthTwips('Kính gửi: ', SZ.kinhGui);
  return [
    { kind: 'para', runs: [run('Kính gửi:', SZ.kinhGui)], before: tw(before), left: tw(labelIndent) },
    ...items.map((text, i): Block => ({
      kind: 'para',
      runs: [run(text, SZ.kinhGui)],
      after: i === items.length - 1 ? tw(after) : 0,
      left: tw(dashIndent + dashHang),
      hanging: tw(dashHang),
    })),
  ];
}

function bodyTable(block: Extract<BodyBlock, { type: 'table' }>): Table {
  const cols = Math.max(block.header.length, ...block.rows.map((r) => r.length), 1);
  const rel = block.widths && block.widths.length === cols ? block.widths : Array<number>(cols).fill(1);
  const total = rel.reduce((a, b) => a + b, 0) || 1;
  const widths = rel.map((w) => Math.floor((w / total) * TEXT_WIDTH));
  const mkRow = (cells: string[], header: boolean) => ({
    header,
    cells: widths.map((w, i): Cell => ({
      width: tw(w),
      padLeft: tw(CELL_PADDING),
      padRight: tw(CELL_PADDING),
      paras: [
        {
          runs: [run(cells[i] ?? '', SZ.bodyTable, header ? 'bold' : 'regular')],
          align: header ? 'center' : /^[\d.,%\s-]+$/.test(cells[i] ?? '') ? 'right' : 'left',
          before: tw(BODY_TABLE.cellSpacing),
          after: tw(BODY_TABLE.cellSpacing),
        },
      ],
    })),
  });
  return { kind: 'table', border: BODY_TABLE.borderSize / 8, rows: [...(block.header.length ? [mkRow(block.header, true)] : []), ...block.rows.map((r) => mkRow(r, false))] };
}

function footerTable(doc: LetterDocument): Table {
  const left: Para[] = [
    { runs: [run('Nơi nhận:', SZ.noiNhanTitle, 'boldItalic')] },
    ...distributionLines(doc.distribution).map((text): Para => ({ runs: [run(text, SZ.noiNhanItem)], left: tw(NOI_NHAN_HANG), hanging: tw(NOI_NHAN_HANG) })),
    ...(doc.drafterMark ? [{ runs: [run(doc.drafterMark, SZ.noiNhanItem)] }] : []),
  ];
  const right: Para[] = signerLines(doc).map((l) => centered(l, SZ.signer, 'bold', { mark: 'signerTitle' }));
  for (let i = 0; i < SIGNATURE_GAP_LINES; i++) right.push({ runs: [], markSize: hp(SZ.signer), align: 'center', mark: 'signatureGap' });
  for (const l of doc.signer.otherTitles ?? []) right.push(centered(l, SZ.signer, 'bold'));
  right.push(centered(doc.signer.name, SZ.signer, 'bold', { mark: 'signerName' }));
  return {
    kind: 'table',
    border: 0,
    rows: [{ cantSplit: true, cells: [{ width: tw(FOOT_LEFT), paras: left }, { width: tw(FOOT_RIGHT), paras: right, mark: 'signerCell' }] }],
  };
}

const emptyPara = (before: number, after: number): Block => ({ kind: 'para', runs: [], markSize: hp(SZ.body), before, after });

/** The letter as layout blocks (the same sequence as buildLetterDocument in docx.ts). */
export function letterBlocks(doc: LetterDocument, opts: { blankNumberAndDate?: boolean } = {}): Block[] {
  const blocks: Block[] = [headerTable(doc, !!opts.blankNumberAndDate), ...kinhGui(doc)];
  if (doc.recipients.length === 0) blocks.push(emptyPara(tw(KINH_GUI_LAYOUT.after), 0));
  // The last body block and the gap after it keep with the signature block (keepNext, keepLines), as in the DOCX.
  const body = bodyWithEnding(doc.body);
  body.forEach((b, i) => {
    const keep = i === body.length - 1;
    if (b.type === 'paragraph') {
      blocks.push({ kind: 'para', runs: inlineRuns(b.text, SZ.body), align: 'both', after: tw(BODY_SPACE_AFTER.print), firstLine: tw(BODY_FIRST_LINE.print), keepNext: keep, keepLines: keep });
    } else blocks.push({ ...bodyTable(b), keepNext: keep }, { ...emptyPara(0, tw(BODY_SPACE_AFTER.print)), keepNext: keep });
  });
  blocks.push({ ...emptyPara(0, tw(BODY_SPACE_AFTER.print)), keepNext: true });
  blocks.push(footerTable(doc));
  return blocks;
}

export function layoutLetter(doc: LetterDocument, opts: { blankNumberAndDate?: boolean } = {}): Layout {
  return layoutBlocks(GEOMETRY, letterBlocks(doc, opts));
}

export interface LetterPdf {
  bytes: Buffer;
  pages: number;
  /** Where the number, date, signer's title, signature gap and name lie (points, from the top left of their page). */
  marks: Record<string, Mark>;
}

export interface LetterPdfOptions {
  /** Print the "DỰ THẢO" mark (default: when the letter has no number and the lines are not left blank). */
  draft?: boolean;
  /** Leave the number and date lines empty, to be written at issue (the approval PDF). */
  blankNumberAndDate?: boolean;
}

export async function renderLetterPdf(doc: LetterDocument, opts: LetterPdfOptions = {}): Promise<LetterPdf> {
  const layout = layoutLetter(doc, opts);
  const draft = opts.draft ?? (doc.number == null && !opts.blankNumberAndDate);
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(`V/v ${doc.subject.replace(/\s*\n\s*/g, ' ')}`);
  pdf.setAuthor(doc.issuingAgency);
  pdf.setCreator('Vận Động');
  pdf.setProducer('Vận Động');
  pdf.setLanguage('vi-VN');
  const fonts = new EmbeddedFonts(pdf);
  const H = GEOMETRY.height;
  const translucent = draft ? pdf.context.register(pdf.context.obj({ Type: 'ExtGState', ca: 0.3 })) : null;
  layout.pages.forEach((ops, index) => {
    const page = pdf.addPage([GEOMETRY.width, GEOMETRY.height]);
    const content = new Content(fonts);
    if (translucent) drawDraftMark(content.state('GSdraft', translucent), index === 0);
    for (const op of ops) {
      if (op.t === 'text') content.text(op.text, op.x, H - op.y, op.size, op.style);
      else content.line(op.x1, H - op.y1, op.x2, H - op.y2, op.width);
    }
    if (index > 0) {
      const label = String(index + 1);
      const size = hp(SZ.pageNumber);
      const x = GEOMETRY.left + (tw(TEXT_WIDTH) - textWidth(label, size, 'regular')) / 2;
      content.text(label, x, H - (GEOMETRY.header + ascentOf(size)), size, 'regular');
    }
    content.appendTo(pdf, page);
  });
  const bytes = Buffer.from(await pdf.save({ useObjectStreams: false, updateFieldAppearances: false }));
  return { bytes, pages: layout.pages.length, marks: layout.marks };
}

/** A large light-red "DỰ THẢO" across the page, under the text; on page 1 also a boxed one in the top margin. */
function drawDraftMark(content: Content, first: boolean): void {
  if (first) {
    const size = 12;
    const w = textWidth(DRAFT_MARK, size, 'bold');
    const x = GEOMETRY.width - GEOMETRY.right - w - 4;
    const y = GEOMETRY.height - 34;
    content.text(DRAFT_MARK, x, y, size, 'bold', { color: [0.8, 0, 0] });
    content.box(x - 4, y - 4, w + 8, size + 5, 0.8, [0.8, 0, 0]);
  }
  const size = 96;
  const w = textWidth(DRAFT_MARK, size, 'bold');
  const angle = 35;
  const rad = (angle * Math.PI) / 180;
  const x = GEOMETRY.width / 2 - (Math.cos(rad) * w) / 2 + Math.sin(rad) * size * 0.35;
  const y = GEOMETRY.height / 2 - (Math.sin(rad) * w) / 2 - Math.cos(rad) * size * 0.35;
  content.text(DRAFT_MARK, x, y, size, 'bold', { rotate: angle, color: [0.85, 0.1, 0.1], gs: 'GSdraft' });
}
