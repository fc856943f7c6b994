/** §1 Times New Roman, black, everywhere (body, headers and footers). */
import { FONT_FAMILY } from '../../format';
import { findings } from '../finding';
import type { Letter, Para, Rule } from '../model';
import { visible } from '../text';

/** Visible runs of the body, headers and footers (the runs of a page-number field count though they hold no text). */
function* checkedRuns({ paragraphs, headerFooter }: Letter) {
  const all: Para[] = [...paragraphs, ...headerFooter];
  for (const p of all) for (const r of p.runs) if (visible(r) || p.hasPageField) yield r;
}

export const fontFamily: Rule = (letter) => {
  const f = findings('font.family');
  const bad = new Set<string>();
  for (const r of checkedRuns(letter)) {
    if (r.fonts.length === 0) bad.add('(no font set, none inherited)');
    for (const font of r.fonts) if (font !== FONT_FAMILY) bad.add(font);
  }
  if (letter.defaults.fonts.some((font) => font !== FONT_FAMILY)) bad.add(`default ${letter.defaults.fonts.join('/')}`);
  if (bad.size) f.error(`fonts other than ${FONT_FAMILY}: ${[...bad].join(', ')}`);
  return f.out;
};

export const fontColour: Rule = (letter) => {
  const f = findings('font.color');
  const bad = new Set<string>();
  for (const r of checkedRuns(letter)) if (r.color && !/^(000000|auto)$/i.test(r.color)) bad.add(r.color);
  if (bad.size) f.error(`text colours other than black: ${[...bad].join(', ')}`);
  return f.out;
};
