/** §3.9 the signature block is not split across pages, and is kept with the last body paragraph. */
import { findings } from '../finding';
import type { Letter, Para, Rule } from '../model';

const quote = (p: Para) => `"${p.text.trim().slice(0, 40)}…"`;

/**
 * The Nơi nhận / signer block must not break (w:cantSplit on its table rows, keep-with-next on all but its last row;
 * keepNext + keepLines on its paragraphs when it is not a table), and the body paragraph before it, with any empty
 * paragraphs in between, must be kept with it (w:keepNext; on a body table, in its last row).
 */
export const signatureKept: Rule = ({ parts: { noiNhan }, paragraphs }: Letter) => {
  const f = findings('chu-ky.keep');
  if (!noiNhan) return f.out;
  const { title } = noiNhan;
  let block: Para[];
  if (title.cell) {
    block = paragraphs.filter((p) => p.cell?.table === title.cell!.table);
    const rows = [...new Set(block.map((p) => p.cell!.row))];
    if (block.some((p) => !p.cell!.cantSplit)) f.error('the Nơi nhận / signature table row may break across pages: set "keep row together" (w:cantSplit)');
    const loose = rows.slice(0, -1).filter((r) => !block.some((p) => p.cell!.row === r && p.keepNext));
    if (loose.length) f.error('the rows of the Nơi nhận / signature table are not kept together: set keep-with-next on all but the last');
  } else {
    block = [title, ...noiNhan.items];
    if (block.slice(0, -1).some((p) => !p.keepNext) || block.some((p) => !p.keepLines)) f.error('the Nơi nhận block may break across pages: set keep-with-next and keep-lines-together on its paragraphs');
  }
  // Walk back from the block over empty paragraphs to the last body paragraph (or body table).
  const spacers: Para[] = [];
  let last: Para | null = null;
  for (let i = block[0].index - 1; i >= 0 && !last; i--) {
    const p = paragraphs[i];
    if (!p.cell && !p.text.trim()) spacers.push(p);
    else last = p;
  }
  const looseSpacers = spacers.filter((p) => !p.keepNext).length;
  const also = looseSpacers ? ` and on the ${looseSpacers} empty paragraph(s) after it` : '';
  if (last?.cell) {
    const lastRow = paragraphs.filter((x) => x.cell?.table === last.cell!.table && x.cell.lastRow);
    if (!lastRow.some((x) => x.keepNext) || looseSpacers) f.error(`the signature block is not kept with the table before it: set keep-with-next (w:keepNext) on its last row${also}`);
  } else if (last && (!last.keepNext || looseSpacers)) f.error(`the signature block is not kept with the last body paragraph ${quote(last)}: set keep-with-next (w:keepNext) on it${also}`);
  return f.out;
};
