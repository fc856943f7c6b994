/** §3.9 the signature block. */
import { ACADEMIC_TITLE_RE, PREFIXES_NEEDING_POSITION, ptRange, SIGNING_PREFIXES, SIZE } from '../../format';
import { findings } from '../finding';
import type { Rule } from '../model';
import { allBold, isUpper, sizesOf, sizesOk } from '../text';

/** Authority/position lines upper case bold 13–14 pt with a known prefix; the name bold 13–14 pt without academic titles. */
export const signer: Rule = ({ parts: { signer: lines } }) => {
  const f = findings('chu-ky');
  if (!lines) return f.out;
  if (lines.length < 2) {
    f.error('the signer block (authority/position and name) is missing beside Nơi nhận');
    return f.out;
  }
  const name = lines[lines.length - 1];
  const titles = lines.slice(0, -1);
  for (const tp of titles) {
    if (!isUpper(tp.text)) f.error(`"${tp.text}": authority and position are upper case`);
    if (!allBold(tp)) f.error(`"${tp.text}": authority and position are bold`);
    if (!sizesOk(tp, SIZE.signer)) f.error(`"${tp.text}": size ${sizesOf(tp)}; must be ${ptRange(SIZE.signer)}`);
  }
  const first = titles[0].text.trim();
  const prefix = /^([A-ZĐ]+)\.\s/.exec(first)?.[1];
  if (prefix && !SIGNING_PREFIXES.includes(prefix)) f.error(`unknown signing prefix "${prefix}."`);
  if (prefix && PREFIXES_NEEDING_POSITION.includes(prefix) && titles.length < 2) f.error(`"${titles[0].text}" needs the signer's own position on the next line`);
  if (!allBold(name)) f.error('the signer name must be bold');
  if (!sizesOk(name, SIZE.signer)) f.error(`signer name size ${sizesOf(name)}; must be ${ptRange(SIZE.signer)}`);
  if (ACADEMIC_TITLE_RE.test(name.text.trim())) f.error(`no academic titles before the signer's name: "${name.text.trim()}"`);
  return f.out;
};
