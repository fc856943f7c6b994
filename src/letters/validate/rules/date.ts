/** §3.4 Địa danh và thời gian. */
import { ptRange, SIZE } from '../../format';
import { findings } from '../finding';
import type { Rule } from '../model';
import { DATE_RE } from '../parts';
import { allItalic, anyBold, sizesOf, sizesOk } from '../text';

/** 28–31 (February by the Gregorian leap-year rule). */
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** "<Place>, ngày dd tháng m năm yyyy": a real date, days < 10 and months 1–2 padded, 13–14 pt italic, on the Số line. */
export const placeAndDate: Rule = ({ parts: { date: p, number } }) => {
  const f = findings('ngay-thang');
  if (!p) {
    f.error('the place and date line ("<Place>, ngày dd tháng m năm yyyy") is missing');
    return f.out;
  }
  const draft = number?.draft ?? false;
  const t = p.text.trim();
  const m = DATE_RE.exec(t);
  if (m) {
    const [, place, day, month, year] = m;
    const d = Number(day);
    const mo = Number(month);
    if (d < 1 || mo < 1 || mo > 12 || d > daysInMonth(Number(year), mo)) f.error(`"${t}" is not a real date`);
    if (d < 10 && day.length !== 2) f.error(`day ${day}: days below 10 are written with a leading zero (0${d})`);
    if (mo <= 2 && month.length !== 2) f.error(`month ${month}: months 1 and 2 are written 01 and 02`);
    if (mo >= 3 && month.length === 2 && month.startsWith('0')) f.warning(`month ${month}: months 3–12 are written plainly ("tháng ${mo}")`);
    if (place[0] !== place[0].toLocaleUpperCase('vi')) f.error('the place name must be capitalised');
    if (draft) f.warning('a draft with a date filled in');
  } else if (!draft) f.error(`"${t}": the date is blank on a numbered letter`);
  if (!sizesOk(p, SIZE.date)) f.error(`date line size ${sizesOf(p)}; must be ${ptRange(SIZE.date)}`);
  if (!allItalic(p)) f.error('the place and date line must be italic');
  if (anyBold(p)) f.error('the place and date line must not be bold');
  const numberCell = number?.para.cell;
  if (numberCell && p.cell && (numberCell.table !== p.cell.table || numberCell.row !== p.cell.row)) f.error('the place and date must be on the same line as Số/ký hiệu');
  else if (number && (!numberCell || !p.cell)) f.warning('cannot tell whether the date is on the same line as Số/ký hiệu');
  return f.out;
};
