/**
 * Printed width of a line of Times New Roman text, in twips, for sizing rule lines and indents: the renderers
 * draw them and the validator measures them with this same measure. It is Tinos's advance widths (Tinos is
 * metric-compatible with Times New Roman), so it is what Word and LibreOffice lay out.
 */
import { textWidth } from './pdf/fonts';

/** Width in twips of `text` at `halfPoints` (w:sz) size. */
export function textWidthTwips(text: string, halfPoints: number, bold = false): number {
  return Math.round(textWidth(text.normalize('NFC'), halfPoints / 2, bold ? 'bold' : 'regular') * 20);
}
