/**
 * Where the header's wrapped lines break (the agency name, the V/v line), decided once for the DOCX, the PDF
 * and the preview, so all three print the same lines: the văn thư's chosen breaks ("\n") first; a part that
 * does not fit its column is broken into as few lines as it needs, as balanced as possible, never with a lone
 * word on a line ("SỞ THÔNG TIN VÀ / TRUYỀN THÔNG", not "SỞ THÔNG TIN VÀ TRUYỀN / THÔNG").
 * Widths are Tinos's (metric-compatible with Times New Roman, which LibreOffice and Word use for the DOCX).
 */
import { textWidth, type FontStyle } from './pdf/fonts';

/** Room left so that a line measured as fitting also fits in a word processor's own measure. */
const FIT_MARGIN = 0.97;

/** The printed lines of `text` in a column `widthPt` wide, at `sizePt`. */
export function headerLines(text: string, widthPt: number, sizePt: number, style: FontStyle): string[] {
  return text
    .split('\n')
    .map((part) => part.trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .flatMap((part) => balancedLines(part, widthPt * FIT_MARGIN, sizePt, style));
}

function balancedLines(part: string, width: number, size: number, style: FontStyle): string[] {
  const words = part.split(' ');
  const w = words.map((x) => textWidth(x, size, style));
  const space = textWidth(' ', size, style);
  const lineWidth = (from: number, to: number) => w.slice(from, to).reduce((a, b) => a + b, 0) + space * (to - from - 1);
  if (lineWidth(0, words.length) <= width || words.length < 2) return [part];
  // For k = 2, 3, … lines: the split with the smallest widest line, lone words only when the words run out.
  for (let k = 2; k <= words.length; k++) {
    const minWords = words.length >= 2 * k ? 2 : 1;
    const best = split(words.length, k, minWords, width, lineWidth);
    if (best) return best.map(([a, b]) => words.slice(a, b).join(' '));
  }
  return words;
}

/** Dynamic programme: the best split of words [0, n) into k lines of at least `minWords`, each fitting `width`. */
function split(n: number, k: number, minWords: number, width: number, lineWidth: (a: number, b: number) => number): [number, number][] | null {
  // cost[j][i]: the widest line when words [0, i) make j lines; from[j][i]: where the last of them starts.
  const cost: number[][] = Array.from({ length: k + 1 }, () => Array<number>(n + 1).fill(Infinity));
  const from: number[][] = Array.from({ length: k + 1 }, () => Array<number>(n + 1).fill(-1));
  cost[0][0] = 0;
  for (let j = 1; j <= k; j++) {
    for (let i = j * minWords; i <= n; i++) {
      for (let s = (j - 1) * minWords; s <= i - minWords; s++) {
        if (cost[j - 1][s] === Infinity) continue;
        const lw = lineWidth(s, i);
        if (lw > width) continue;
        const c = Math.max(cost[j - 1][s], lw);
        if (c < cost[j][i]) {
          cost[j][i] = c;
          from[j][i] = s;
        }
      }
    }
  }
  if (cost[k][n] === Infinity) return null;
  const out: [number, number][] = [];
  for (let j = k, i = n; j > 0; j--) {
    const s = from[j][i];
    out.unshift([s, i]);
    i = s;
  }
  return out;
}

/** The widest of the lines, in points. */
export function widestLine(lines: string[], sizePt: number, style: FontStyle): number {
  return Math.max(0, ...lines.map((l) => textWidth(l, sizePt, style)));
}
