/** §3.5 Trích yếu (V/v) and §3.6 urgency marks. */
import { ptRange, SIZE } from '../../format';
import { findings } from '../finding';
import type { Rule } from '../model';
import { allBold, anyBold, anyItalic, sizesOf, sizesOk } from '../text';

/** "V/v …": 12–13 pt upright, centred, under Số/ký hiệu. */
export const subject: Rule = ({ parts: { subject: p, number } }) => {
  const f = findings('trich-yeu');
  if (!p) {
    f.error('the trích yếu "V/v …" is missing');
    return f.out;
  }
  if (!sizesOk(p, SIZE.subject)) f.error(`V/v size ${sizesOf(p)}; must be ${ptRange(SIZE.subject)}`);
  if (anyBold(p) || anyItalic(p)) f.error('V/v must be upright: neither bold nor italic');
  if (p.align !== 'center') f.warning('V/v should be centred under Số/ký hiệu');
  if (number && p.index < number.para.index) f.error('V/v must be under Số/ký hiệu');
  return f.out;
};

/** KHẨN / THƯỢNG KHẨN / HỎA TỐC: bold, 13–14 pt, in a box. */
export const urgencyMark: Rule = ({ parts: { urgency } }) => {
  const f = findings('do-khan');
  for (const p of urgency) {
    if (!allBold(p)) f.error(`${p.text}: the urgency mark must be bold`);
    if (!sizesOk(p, SIZE.urgency)) f.error(`${p.text}: size ${sizesOf(p)}; must be ${ptRange(SIZE.urgency)}`);
    if (!['top', 'bottom', 'left', 'right'].every((b) => p.borders.has(b))) f.error(`${p.text}: the urgency mark must be in a box`);
  }
  return f.out;
};
