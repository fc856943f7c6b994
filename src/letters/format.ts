/**
 * The national format of a công văn (NĐ 30/2020/NĐ-CP, Phụ lục I), as numbers and texts, in one place.
 * The DOCX renderer (docx.ts), the HTML preview (preview.ts) and the validator (validate/) all read these;
 * none of them repeats a number. Section numbers (§) refer to /shared/spec/letter-format.md.
 *
 * Units: lengths in twips (1/20 pt; 1 mm ≈ 56.7 twips), font sizes in half-points (DOCX `w:sz` = 2 × pt).
 * A part's `size` is the range the annex allows (what the validator accepts); `print` is what we print
 * (the annex's example value, "ex.", where it gives one).
 */
import type { Urgency } from './document';

// ---------------------------------------------------------------------------------------------------------
// §1 Page

/** Twips in one millimetre, as the spec rounds 1440/25.4 (§1). */
export const TWIPS_PER_MM = 56.7;
/** Twips in one point. */
export const TWIPS_PER_PT = 20;

/** A4 portrait, 210 × 297 mm (§1). */
export const A4 = { width: 11906, height: 16838 };
/** How far the page size may be off A4 and still count as A4 (rounding by other word processors). */
export const PAGE_SIZE_TOLERANCE = 20;

/** Allowed margins (§1): top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm. */
export const MARGIN_RANGE = {
  top: { min: 1134, max: 1417, mm: '20–25 mm' },
  bottom: { min: 1134, max: 1417, mm: '20–25 mm' },
  left: { min: 1701, max: 1984, mm: '30–35 mm' },
  right: { min: 850, max: 1134, mm: '15–20 mm' },
} as const;
/** Validator tolerance on margins and indents, ±2 twips (§1). */
export const TWIPS_TOLERANCE = 2;

/** The margins we print: the low end of each range (top/bottom 20, left 30, right 15 mm); header/footer 10 mm from the edge. */
export const PAGE_MARGINS = {
  top: MARGIN_RANGE.top.min,
  bottom: MARGIN_RANGE.bottom.min,
  left: MARGIN_RANGE.left.min,
  right: MARGIN_RANGE.right.min,
  header: 567,
  footer: 567,
};
/** Width of the text column between the printed margins (9355 twips). */
export const TEXT_WIDTH = A4.width - PAGE_MARGINS.left - PAGE_MARGINS.right;

/** Times New Roman, Unicode, black, everywhere (§1). */
export const FONT_FAMILY = 'Times New Roman';
export const TEXT_COLOR = '000000';

// ---------------------------------------------------------------------------------------------------------
// Font sizes per part (§1, §3), half-points.

export interface SizeRange {
  min: number;
  max: number;
  /** The size we print. */
  print: number;
}

export const SIZE = {
  /** §3.2 parent agency line, upright: 12–13 pt (ex. 12). */
  parentAgency: { min: 24, max: 26, print: 24 },
  /** §3.2 issuing agency, bold: 12–13 pt (ex. 12). */
  issuingAgency: { min: 24, max: 26, print: 24 },
  /** §3.1 Quốc hiệu, bold: 12–13 pt (ex. 12). */
  nationalName: { min: 24, max: 26, print: 24 },
  /** §3.1 Tiêu ngữ, bold: 13–14 pt (ex. 13). */
  motto: { min: 26, max: 28, print: 26 },
  /** §3.3 Số, ký hiệu: 13 pt. */
  number: { min: 26, max: 26, print: 26 },
  /** §3.4 place and date, italic: 13–14 pt (ex. 13). */
  date: { min: 26, max: 28, print: 26 },
  /** §3.5 V/v, upright: 12–13 pt (ex. 12). */
  subject: { min: 24, max: 26, print: 24 },
  /** §3.6 urgency mark, bold, boxed: 13–14 pt. */
  urgency: { min: 26, max: 28, print: 26 },
  /** §3.7 Kính gửi: 13–14 pt (ex. 14). */
  kinhGui: { min: 26, max: 28, print: 28 },
  /** §3.8 body: 13–14 pt (ex. 14). */
  body: { min: 26, max: 28, print: 28 },
  /** Tables inside the body: the body's range (§3.8), printed one step smaller to fit. */
  bodyTable: { min: 26, max: 28, print: 26 },
  /** §3.9 authority, position and name of the signer, bold: 13–14 pt (ex. 14). */
  signer: { min: 26, max: 28, print: 28 },
  /** §3.10 "Nơi nhận:", bold italic: 12 pt. */
  noiNhanTitle: { min: 24, max: 24, print: 24 },
  /** §3.10 Nơi nhận items, upright: 11 pt. */
  noiNhanItem: { min: 22, max: 22, print: 22 },
  /** §1 page numbers: 13–14 pt (ex. 14). */
  pageNumber: { min: 26, max: 28, print: 28 },
} satisfies Record<string, SizeRange>;

/** "12–13 pt", or "13 pt" when the range is one size. */
export function ptRange(r: { min: number; max: number }): string {
  return r.min === r.max ? `${r.min / 2} pt` : `${r.min / 2}–${r.max / 2} pt`;
}

// ---------------------------------------------------------------------------------------------------------
// Spacing, indents, rules

/** §3.8 body: first-line indent 1 cm or 1.27 cm; we print 1 cm. */
export const BODY_FIRST_LINE = { allowed: [567, 720], print: 567 };
/** §3.8 body: at least 6 pt after each paragraph; we print exactly 6 pt. */
export const BODY_SPACE_AFTER = { min: 120, print: 120 };
/** Single line spacing (`w:line`, auto rule), the default everywhere (§3.1 "single line spacing"). */
export const SINGLE_LINE = 240;
/** §3.8 body: line spacing from single (240) to 1.5 lines (360), auto rule. */
export const BODY_LINE_SPACING = { min: SINGLE_LINE, max: 360 };

/** §3.5: 6 pt before V/v (after the Số line); we use the same gap above Số and the date line. */
export const HEADER_LINE_GAP = 120;
/**
 * §3.6 urgency box: gap above it, and the stamp's size, listed in the annex's order HỎA TỐC, THƯỢNG KHẨN, KHẨN as
 * 30×8 / 40×8 / 20×8 mm. (So THƯỢNG KHẨN, 35 mm of 13 pt bold text, has the 40 mm stamp; HỎA TỐC, 22 mm, the 30 mm one.)
 */
export const URGENCY_BOX = { before: 160, heightMm: 8 };
export const URGENCY_BOX_WIDTH_MM: Record<Urgency, number> = { HOA_TOC: 30, THUONG_KHAN: 40, KHAN: 20 };
/** §3.7 Kính gửi: space before and after the block, indent of the "Kính gửi:" label, hang of each "- " item (layout choice). */
export const KINH_GUI_LAYOUT = { before: 360, after: 240, labelIndent: 1134, dashHang: 200 };
/** Tables inside the body: spacing above and below the text of each cell, cell border width in eighths of a point (layout choice). */
export const BODY_TABLE = { cellSpacing: 40, borderSize: 4 };
/** §3.10 each Nơi nhận item hangs: wrapped lines start under its text, after the "- " (layout choice). */
export const NOI_NHAN_DASH = '- ';
/** Empty lines left for the signature and seal between the position and the name (§3.9, layout choice). */
export const SIGNATURE_GAP_LINES = 4;

/** §2 (suggested layout): borderless 2-column tables; left column widths in twips (the right one takes the rest). */
export const HEADER_TABLE_LEFT = 4111;
export const FOOTER_TABLE_LEFT = 4536;

/** Solid rules (§3.1, §3.2, §3.6 box): border width in eighths of a point, gap to the text in points. */
export const RULE_LINE = { size: 6, space: 1, color: TEXT_COLOR };
/** Height of the empty paragraph that carries a rule as its bottom border: 6 pt exact, 2 pt run. */
export const RULE_PARAGRAPH = { line: 120, runSize: 4 };
/** §3.2 the rule under the issuing agency: 1/3–1/2 of the text line; we draw 40%; the validator allows ±5%. */
export const AGENCY_RULE_RATIO = { min: 1 / 3, max: 1 / 2, print: 0.4, tolerance: 0.05 };
/** §3.1 the rule under the Tiêu ngữ is as long as the text line; the validator allows ±15% (the width is an estimate). */
export const MOTTO_RULE_TOLERANCE = 0.15;

// ---------------------------------------------------------------------------------------------------------
// Texts (§3.1, §3.3, §3.6, §3.9, §4)

/** §3.1 the annex writes both "HÒA" and "HOÀ"; both pass after NFC normalisation. We print the first. */
export const NATIONAL_NAME = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const NATIONAL_NAME_VARIANTS = [NATIONAL_NAME, 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM'];
/** §3.1 Tiêu ngữ, hyphens with spaces around them. */
export const MOTTO = 'Độc lập - Tự do - Hạnh phúc';

/** §3.6 urgency marks (the annex also spells "HOẢ TỐC"). */
export const URGENCY_TEXT: Record<Urgency, string> = {
  KHAN: 'KHẨN',
  THUONG_KHAN: 'THƯỢNG KHẨN',
  HOA_TOC: 'HỎA TỐC',
};
export const URGENCY_VARIANTS = [...Object.values(URGENCY_TEXT), 'HOẢ TỐC'].map((s) => s.normalize('NFC'));

/** §3.3 suggested pattern of a công văn number line: "Số: 05/BNV-VP" (01…09, then 10, 11, …). */
export const NUMBER_LINE_RE = /^Số: (0[1-9]|[1-9]\d+)\/[A-ZĐ0-9]+(-[A-ZĐ0-9]+)+$/u;

/** §4 Phụ lục III document-type codes and copy codes: a công văn symbol starts with none of them. */
export const TYPE_CODES = ['NQ', 'QĐ', 'CT', 'QC', 'QyĐ', 'TC', 'TB', 'HD', 'CTr', 'KH', 'PA', 'ĐA', 'DA', 'BC', 'BB', 'TTr', 'HĐ', 'CĐ', 'BGN', 'BTT', 'GUQ', 'GM', 'GGT', 'GNP', 'PG', 'PC', 'PB', 'SY', 'TrS', 'SL'];
/** §4 the Party-document code that công văn do not use. */
export const CONG_VAN_CODE = 'CV';
/** §4 outdated codes of TT 01/2011. */
export const OUTDATED_CODES = ['GN', 'TTh', 'UQ', 'NP', 'GT', 'TS'];

/**
 * §3.9 signing prefixes, written with the dot: `TM.` (for a collective body, first), then at most one of KT., Q.,
 * TL., TUQ.; all but Q. (the acting head's own title) stand before someone else's title, so the signer's own
 * position follows. The order rules are in signer-lines.ts.
 */
export const COLLECTIVE_PREFIX = 'TM.';
export const SINGLE_PREFIXES = ['KT.', 'Q.', 'TL.', 'TUQ.'];
export const PREFIXES_NEEDING_POSITION = ['TM.', 'KT.', 'TL.', 'TUQ.'];
/** §3.10 ô 12 under Nơi nhận: the drafter's initials and/or the copy count, "PL.(300)", "PL." or "(300)". */
export const DRAFTER_MARK_RE = /^(?=.)(\p{Lu}+\.)?(\(\d+\))?$/u;
/** §3.9 no academic titles or degrees before the signer's name. */
export const ACADEMIC_TITLE_RE = /^(GS|PGS|TS|ThS|KS|BS|CN|Th\.S|TSKH)\.?\s/u;
