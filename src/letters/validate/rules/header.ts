/** §3.1 Quốc hiệu and Tiêu ngữ, §3.2 the agency name, each with its rule line. */
import { AGENCY_RULE_RATIO, MOTTO, MOTTO_RULE_TOLERANCE, NATIONAL_NAME, ptRange, SIZE } from '../../format';
import { textWidthTwips } from '../../text-width';
import { findings } from '../finding';
import type { Rule } from '../model';
import { allBold, anyBold, anyItalic, isUpper, ruleWidth, sizesOf, sizesOk, textRuns } from '../text';

export const nationalName: Rule = ({ parts: { nationalName: p } }) => {
  const f = findings('quoc-hieu');
  if (!p) f.error(`Quốc hiệu "${NATIONAL_NAME}" is missing`);
  else {
    if (!sizesOk(p, SIZE.nationalName)) f.error(`Quốc hiệu size ${sizesOf(p)}; must be ${ptRange(SIZE.nationalName)}`);
    if (!allBold(p)) f.error('Quốc hiệu must be bold');
    if (anyItalic(p)) f.error('Quốc hiệu must be upright');
  }
  return f.out;
};

/** Bold 13–14 pt, right under the Quốc hiệu, with a rule as long as the text: an underline or a bordered line below. */
export const motto: Rule = ({ parts: { motto: p, nationalName, afterMotto: next } }) => {
  const f = findings('tieu-ngu');
  if (!p) {
    f.error(`Tiêu ngữ "${MOTTO}" is missing (hyphens with spaces around them)`);
    return f.out;
  }
  if (!sizesOk(p, SIZE.motto)) f.error(`Tiêu ngữ size ${sizesOf(p)}; must be ${ptRange(SIZE.motto)}`);
  if (!allBold(p)) f.error('Tiêu ngữ must be bold');
  if (anyItalic(p)) f.error('Tiêu ngữ must be upright');
  if (nationalName && p.index !== nationalName.index + 1) f.warning('Tiêu ngữ should be the line right under the Quốc hiệu');
  if (textRuns(p).every((r) => r.underline)) return f.out;
  if (next && !next.text.trim() && next.borders.has('bottom') && p.cell?.width) {
    const textW = textWidthTwips(p.text, textRuns(p)[0]?.size ?? SIZE.motto.print, true);
    const ruleW = p.cell.width - next.left - next.right;
    if (Math.abs(ruleW - textW) / textW > MOTTO_RULE_TOLERANCE) f.error('the rule under the Tiêu ngữ must be as long as the text');
  } else f.error('no solid rule under the Tiêu ngữ');
  return f.out;
};

/** Parent agency upper case, not bold; issuing agency upper case, bold; both 12–13 pt; a rule of 1/3–1/2 of the line under it. */
export const agencyName: Rule = ({ parts: { agency } }) => {
  const f = findings('co-quan');
  const { issuing, issuingLines, parents, rule } = agency;
  if (!issuing) {
    f.error('agency name (top left) is missing');
    return f.out;
  }
  if (!issuingLines.every((l) => isUpper(l.text))) f.error('issuing agency name must be upper case');
  for (const l of issuingLines) if (!sizesOk(l, SIZE.issuingAgency)) f.error(`issuing agency size ${sizesOf(l)}; must be ${ptRange(SIZE.issuingAgency)}`);
  if (!issuingLines.every(allBold)) f.error('issuing agency name must be bold');
  for (const parent of parents) {
    if (!isUpper(parent.text)) f.error(`parent agency "${parent.text}" must be upper case`);
    if (!sizesOk(parent, SIZE.parentAgency)) f.error(`parent agency size ${sizesOf(parent)}; must be ${ptRange(SIZE.parentAgency)}`);
    if (anyBold(parent)) f.error('parent agency line must not be bold');
  }
  if (!rule) f.error('no solid rule under the issuing agency name');
  else if (rule.cell?.width) {
    // The printed line is the issuing name's widest line.
    const widest = Math.max(...issuingLines.map((l) => textWidthTwips(l.text, textRuns(l)[0]?.size ?? SIZE.issuingAgency.print, true)));
    const textW = Math.min(rule.cell.width, widest);
    const ratio = ruleWidth(rule) / textW;
    const { min, max, tolerance } = AGENCY_RULE_RATIO;
    if (ratio < min - tolerance || ratio > max + tolerance) f.error(`the rule under the agency name is ${(ratio * 100).toFixed(0)}% of the text line; must be 1/3–1/2`);
  }
  return f.out;
};
