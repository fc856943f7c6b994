/**
 * Approximate printed width of a line of Times New Roman text, in twips, for sizing rule lines
 * (the DOCX draws its Kính gửi indent and the validator measures rules with it; the header rules are drawn with
 * the exact Tinos widths, header-lines.ts).
 * Widths are average advance widths in em, by character class; good to a few per cent for Vietnamese.
 */
const NARROW = new Set([...'iljtfIr.,;:!\'|()[] ']);
const WIDE = new Set([...'mwMW']);

function charEm(ch: string, bold: boolean): number {
  const base = ch.normalize('NFD')[0] ?? ch;
  let em: number;
  if (NARROW.has(base)) em = base === ' ' ? 0.25 : 0.3;
  else if (WIDE.has(base)) em = base === base.toUpperCase() ? 0.9 : 0.75;
  else if (/[A-ZĐ]/.test(base)) em = 0.68;
  else if (/[0-9]/.test(base)) em = 0.5;
  else if (base === '-') em = 0.33;
  else em = 0.46;
  return bold ? em * 1.06 : em;
}

/** Width in twips of `text` at `halfPoints` (w:sz) size. */
export function textWidthTwips(text: string, halfPoints: number, bold = false): number {
  const pt = halfPoints / 2;
  let em = 0;
  for (const ch of text.normalize('NFC')) em += charEm(ch, bold);
  return Math.round(em * pt * 20);
}
