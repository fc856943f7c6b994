/** §3.7 Kính gửi and §3.10 Nơi nhận. */
import { ptRange, SIZE } from '../../format';
import { findings } from '../finding';
import type { Rule } from '../model';
import { allBold, allItalic, anyBold, anyItalic, sizesOf, sizesOk } from '../text';

/** One recipient on the line (no ";"), several as "- name;" lines ending "."; 13–14 pt upright. */
export const kinhGui: Rule = ({ parts: { kinhGui: kg } }) => {
  const f = findings('kinh-gui');
  if (!kg) {
    f.error('"Kính gửi:" is missing');
    return f.out;
  }
  if (kg.rest) {
    if (/[;]$/.test(kg.rest)) f.error('a single recipient stays on the Kính gửi line with no ";"');
  } else {
    if (kg.items.length === 0) f.error('no recipient after "Kính gửi:"');
    if (kg.items.length === 1) f.warning('one recipient should be on the Kính gửi line itself');
    kg.items.forEach((it, k) => {
      const t = it.text.trim();
      const last = k === kg.items.length - 1;
      if (last && !t.endsWith('.')) f.error(`the last recipient must end with ".": "${t}"`);
      if (!last && !t.endsWith(';')) f.error(`each recipient but the last ends with ";": "${t}"`);
    });
  }
  for (const g of [kg.label, ...kg.items]) {
    if (!sizesOk(g, SIZE.kinhGui)) f.error(`Kính gửi size ${sizesOf(g)}; must be ${ptRange(SIZE.kinhGui)}`);
    if (anyBold(g) || anyItalic(g)) f.error('Kính gửi must be upright and not bold');
  }
  return f.out;
};

/** "Nơi nhận:" 12 pt bold italic; items "- …;" 11 pt upright; "- Như trên;" first when there are recipients; "- Lưu: VT[, …]." last. */
export const noiNhan: Rule = ({ parts: { noiNhan: nn, kinhGui: kg } }) => {
  const f = findings('noi-nhan');
  if (!nn) {
    f.error('"Nơi nhận:" is missing');
    return f.out;
  }
  const { title, items } = nn;
  if (!allBold(title) || !allItalic(title)) f.error('"Nơi nhận:" must be bold italic');
  if (!sizesOk(title, SIZE.noiNhanTitle)) f.error(`"Nơi nhận:" size ${sizesOf(title)}; must be ${ptRange(SIZE.noiNhanTitle)}`);
  if (!items.length) f.error('Nơi nhận has no items');
  items.forEach((it, k) => {
    const t = it.text.trim();
    const last = k === items.length - 1;
    if (!/^- /.test(t)) f.error(`Nơi nhận items start with "- ": "${t}"`);
    if (!last && !t.endsWith(';')) f.error(`Nơi nhận items end with ";": "${t}"`);
    if (!sizesOk(it, SIZE.noiNhanItem)) f.error(`Nơi nhận item size ${sizesOf(it)}; must be ${ptRange(SIZE.noiNhanItem)}`);
    if (anyBold(it) || anyItalic(it)) f.error(`Nơi nhận items are upright, not bold: "${t}"`);
  });
  const lastItem = items[items.length - 1]?.text.trim();
  // "- Lưu: VT, TTBCXB.", "- Lưu: VT, NVY/nthvan.", or the văn thư's copy alone, "- Lưu: VT." (§3.10).
  if (lastItem && !/^- Lưu: VT(, \S.*)?\.$/u.test(lastItem)) f.error(`the last Nơi nhận item must be "- Lưu: VT, <unit>." or "- Lưu: VT." (got "${lastItem}")`);
  const recipientCount = kg ? (kg.rest ? 1 : kg.items.length) : 0;
  if (recipientCount > 0 && items[0] && items[0].text.trim() !== '- Như trên;') f.error('the first Nơi nhận item of a công văn is "- Như trên;"');
  return f.out;
};
