/** §3.9 the signature block. */
import { ACADEMIC_TITLE_RE, ptRange, SIZE } from '../../format';
import { signerLineProblems } from '../../signer-lines';
import { findings } from '../finding';
import type { Para, Rule } from '../model';
import { allBold, isUpper, sizesOf, sizesOk } from '../text';

const sameCell = (a: Para, b: Para) => !!a.cell && !!b.cell && a.cell.table === b.cell.table && a.cell.row === b.cell.row && a.cell.col === b.cell.col;

/**
 * The signer's lines split where the signature goes (the first empty line of the cell): above it ô 7a (authority
 * and position), below it the other titles (ô 7b) and the name, last. Without a gap, all but the name are ô 7a.
 */
function splitBlock(lines: Para[], paragraphs: Para[]): { titles: Para[]; others: Para[]; name: Para } {
  const name = lines[lines.length - 1];
  const cell = lines[0].cell ? paragraphs.filter((p) => sameCell(p, lines[0])) : [];
  const gap = cell.findIndex((p, i) => i > 0 && !p.text.trim());
  const gapIndex = gap >= 0 ? cell[gap].index : Infinity;
  const titles = lines.filter((l) => l !== name && l.index < gapIndex);
  return { titles: titles.length ? titles : lines.slice(0, -1), others: lines.filter((l) => l !== name && l.index > gapIndex), name };
}

/**
 * Authority/position lines upper case bold 13–14 pt, in an order the decree allows (TM. first, then at most one of
 * KT./Q./TL./TUQ., a deputy signing for a collective body with KT.); other titles and the name bold 13–14 pt, the
 * name without academic titles.
 */
export const signer: Rule = ({ parts: { signer: lines }, paragraphs }) => {
  const f = findings('chu-ky');
  if (!lines) return f.out;
  if (lines.length < 2) {
    f.error('the signer block (authority/position and name) is missing beside Nơi nhận');
    return f.out;
  }
  const { titles, others, name } = splitBlock(lines, paragraphs);
  for (const tp of titles) {
    if (!isUpper(tp.text)) f.error(`"${tp.text}": authority and position are upper case`);
    if (!allBold(tp)) f.error(`"${tp.text}": authority and position are bold`);
    if (!sizesOk(tp, SIZE.signer)) f.error(`"${tp.text}": size ${sizesOf(tp)}; must be ${ptRange(SIZE.signer)}`);
  }
  for (const p of signerLineProblems(titles.map((t) => t.text.trim()))) {
    if (p.message !== 'upper case, as printed') f.error(`"${titles[p.index].text.trim()}": ${p.message}`);
  }
  for (const o of others) {
    if (!allBold(o)) f.error(`"${o.text}": a title above the name is bold`);
    if (!sizesOk(o, SIZE.signer)) f.error(`"${o.text}": size ${sizesOf(o)}; must be ${ptRange(SIZE.signer)}`);
  }
  if (!allBold(name)) f.error('the signer name must be bold');
  if (!sizesOk(name, SIZE.signer)) f.error(`signer name size ${sizesOf(name)}; must be ${ptRange(SIZE.signer)}`);
  if (ACADEMIC_TITLE_RE.test(name.text.trim())) f.error(`no academic titles before the signer's name: "${name.text.trim()}"`);
  return f.out;
};
