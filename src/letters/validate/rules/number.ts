/** §3.3 Số, ký hiệu and §4 type codes. */
import { CONG_VAN_CODE, NUMBER_LINE_RE, OUTDATED_CODES, ptRange, SIZE, TYPE_CODES } from '../../format';
import { findings } from '../finding';
import type { Rule } from '../model';
import { anyBold, anyItalic, sizesOf, sizesOk } from '../text';

/** "Số: 05/BNV-VP": 01…09 padded, 10+ not; no spaces inside the symbol; 13 pt upright. A blank number is a draft. */
export const numberLine: Rule = ({ parts: { number } }) => {
  const f = findings('so-ky-hieu');
  if (!number) {
    f.error('the "Số: …/…" line is missing');
    return f.out;
  }
  const { para, text: t, draft } = number;
  if (draft) f.info('draft: the number is left blank');
  else if (!NUMBER_LINE_RE.test(t)) {
    const m = /^Số:\s*(\d+)/.exec(t);
    if (m && /^0\d{2,}|^0$/.test(m[1])) f.error(`"${t}": only numbers below 10 get a leading zero`);
    else if (m && /^[1-9]$/.test(m[1])) f.error(`"${t}": numbers below 10 are written 01…09`);
    else f.error(`"${t}" does not match "Số: <number>/<AGENCY>-<UNIT>" (no spaces inside the symbol, a space after the colon)`);
  }
  if (!sizesOk(para, SIZE.number)) f.error(`Số/ký hiệu size ${sizesOf(para)}; must be ${ptRange(SIZE.number)}`);
  if (anyBold(para) || anyItalic(para)) f.error('Số/ký hiệu must be upright, not bold');
  return f.out;
};

/** A công văn symbol is <agency>-<unit>: no "CV", no Phụ lục III type code first, no outdated code anywhere. */
export const symbolTypeCode: Rule = ({ parts: { number } }) => {
  const f = findings('ky-hieu.type-code');
  if (!number) return f.out;
  const symbol = number.text.split('/')[1]?.trim() ?? '';
  const groups = symbol.split('-');
  const first = groups[0] ?? '';
  if (first === CONG_VAN_CODE) f.error(`công văn have no type code: "${CONG_VAN_CODE}" is not used`);
  else if (TYPE_CODES.includes(first)) f.error(`"${first}" is a document-type code; a công văn symbol is <agency>-<unit>`);
  if (groups.some((s) => OUTDATED_CODES.includes(s))) f.error(`outdated type code (TT 01/2011) in "${symbol}"`);
  return f.out;
};
