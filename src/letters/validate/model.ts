/** What the reader makes of a DOCX: page setup, paragraphs with resolved run properties, and the located parts. */
import type { Finding } from './finding';

export interface Run {
  text: string;
  /** Half-points, resolved; null when nothing sets it. */
  size: number | null;
  bold: boolean;
  italic: boolean;
  underline: boolean;
  /** Font names of the run's slots (theme fonts as "theme:<name>"); empty when none is set anywhere. */
  fonts: string[];
  color: string | null;
}

export interface Cell {
  /** Index of the top-level table in body order (nested tables share their parent's index). */
  table: number;
  row: number;
  col: number;
  /** tcW in twips, when given. */
  width: number | null;
  /** The row may not break across pages (w:cantSplit). */
  cantSplit: boolean;
  /** The cell is in the table's last row. */
  lastRow: boolean;
}

/**
 * One line of a paragraph: a w:p, or the part of it between soft line breaks (w:br, w:cr), which Word and
 * LibreOffice use to stack lines such as "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" in one paragraph. Lines of one paragraph
 * share its paragraph properties.
 */
export interface Para {
  /** Position in document order (body lines), or in its header part. */
  index: number;
  /** Ordinal of the w:p it comes from, and its line number inside it (0 = the paragraph's first line). */
  source: number;
  lineNo: number;
  /** Text of the runs (list bullet and caps applied, hidden text left out), NFC, no-break spaces as spaces. */
  text: string;
  /** Some run text is in decomposed form (NFD) in the file. */
  decomposed: boolean;
  runs: Run[];
  align: string | null;
  firstLine: number | null;
  hanging: number | null;
  left: number;
  right: number;
  after: number | null;
  line: number | null;
  lineRule: string | null;
  /** Sides with a visible paragraph border. */
  borders: Set<string>;
  keepNext: boolean;
  keepLines: boolean;
  /** Table position; null outside tables. */
  cell: Cell | null;
  hasPageField: boolean;
}

export interface RunDefaults {
  size: number | null;
  fonts: string[];
  bold: boolean;
  italic: boolean;
  color: string | null;
}

export interface PageSetup {
  width: number | null;
  height: number | null;
  margins: Record<'top' | 'bottom' | 'left' | 'right', number | null>;
  /** w:titlePg on: page 1 has its own header. */
  titlePage: boolean;
  /** Paragraphs of the default header (pages 2…), null when the section has none. */
  defaultHeader: Para[] | null;
  /** Paragraphs of the first-page header, null when the section has none. */
  firstHeader: Para[] | null;
}

/** The parts of a công văn as found in the document (null / empty when not found). */
export interface Parts {
  /** §3.1 line 1. */
  nationalName: Para | null;
  /** §3.1 line 2, and the paragraph right under it (where a rule may be drawn). */
  motto: Para | null;
  afterMotto: Para | null;
  /**
   * §3.2 the agency cell (left of the Quốc hiệu): its lines, the issuing agency (the last paragraph: `issuing` its
   * first line, `issuingLines` all of them when it wraps) and the rule under it.
   */
  agency: { lines: Para[]; issuing: Para | null; issuingLines: Para[]; parents: Para[]; rule: Para | null };
  /** §3.3 the "Số:" line; draft when the number is left blank. */
  number: { para: Para; text: string; draft: boolean } | null;
  /** §3.4 the place-and-date line. */
  date: Para | null;
  /** §3.5 the "V/v" line. */
  subject: Para | null;
  /** §3.6 urgency marks. */
  urgency: Para[];
  /** §3.7 "Kính gửi:" with one recipient on the line (rest) or a dash list (items). */
  kinhGui: { label: Para; rest: string; items: Para[] } | null;
  /** §3.10 "Nơi nhận:" and its items. */
  noiNhan: { title: Para; items: Para[] } | null;
  /** §3.9 the signer's lines beside Nơi nhận (null when there is no Nơi nhận to find them by). */
  signer: Para[] | null;
  /** §3.8 the body paragraphs (outside tables, between Kính gửi and Nơi nhận). */
  body: Para[];
}

export interface Letter {
  page: PageSetup;
  defaults: RunDefaults;
  /** Body paragraphs in document order, table cells included. */
  paragraphs: Para[];
  /** Paragraphs of every header and footer part. */
  headerFooter: Para[];
  parts: Parts;
}

/** A rule checks one concern of the format and returns what it found. */
export type Rule = (letter: Letter) => Finding[];
