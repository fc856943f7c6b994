/**
 * The renderer's input: a letter as it will be printed, already resolved to text.
 * Shared contract between the letters feature (which builds it from a draft or an issued letter)
 * and other features that issue documents in the same format (the reports summary).
 */
export type Urgency = 'KHAN' | 'THUONG_KHAN' | 'HOA_TOC';
export type SignerAuthority = 'KT.' | 'TM.' | 'TL.' | 'TUQ.';

export type BodyBlock =
  /** Text with inline `**bold**`, `*italic*` (a backslash escapes `*`) and single newlines as line breaks (inline.ts). */
  | { type: 'paragraph'; text: string }
  /** A table in the body (e.g. the week's figures in a report); widths are relative. */
  | { type: 'table'; header: string[]; rows: string[][]; widths?: number[] };

export interface LetterDocument {
  /** Direct parent agency line, e.g. "UBND TỈNH HÀ TĨNH"; null when the issuer has none. */
  parentAgency: string | null;
  /** Issuing agency, e.g. "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"; a "\n" is a line break the văn thư chose. */
  issuingAgency: string;
  /** Register number; null for a draft, which prints "Số:      /<symbol>". */
  number: number | null;
  /** Ký hiệu after the slash, e.g. "STTTT-TTBCXB". */
  symbol: string;
  /** Place name of the issuer, e.g. "Hà Tĩnh". */
  place: string;
  /** Local date YYYY-MM-DD of issue; null for a draft. */
  date: string | null;
  /** Trích yếu without the "V/v " prefix; one "\n" may choose where the V/v line breaks. */
  subject: string;
  urgency: Urgency | null;
  /** Kính gửi names; one → same line, several → dash list. */
  recipients: string[];
  body: BodyBlock[];
  signer: {
    authority: SignerAuthority | null;
    authorityTitle: string | null;
    title: string;
    name: string;
    /** ô 7a exactly as printed; when absent, made from authority, authorityTitle and title (signer-lines.ts). */
    lines?: string[] | null;
    /** ô 7b lines printed above the name (e.g. "Trưởng Tiểu ban …"). */
    otherTitles?: string[];
  };
  /** Nơi nhận items without the leading "- " or trailing punctuation; the renderer adds ";" and the final ".". */
  distribution: string[];
  /** ô 12 under Nơi nhận: the drafter's initials and the copy count, e.g. "PL.(300)"; absent when not given. */
  drafterMark?: string | null;
}
