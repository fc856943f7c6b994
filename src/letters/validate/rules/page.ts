/** §1 Page: size, margins, page numbers. */
import { A4, MARGIN_RANGE, PAGE_SIZE_TOLERANCE, ptRange, SIZE, TWIPS_PER_MM, TWIPS_TOLERANCE } from '../../format';
import { findings } from '../finding';
import type { Rule } from '../model';

const near = (a: number, b: number) => Math.abs(a - b) <= PAGE_SIZE_TOLERANCE;

/** A4 portrait; landscape is a warning (allowed for wide tables). */
export const pageSize: Rule = ({ page: { width: w, height: h } }) => {
  const f = findings('page.size');
  if (w == null || h == null || !near(w, A4.width) || !near(h, A4.height)) {
    if (w != null && h != null && near(w, A4.height) && near(h, A4.width)) f.warning('A4 landscape: allowed only when the body has tables that are not split out as phụ lục');
    else f.error(`page is ${w}×${h} twips, not A4 (${A4.width}×${A4.height})`);
  }
  return f.out;
};

/** Each margin within its range, ±2 twips. */
export const pageMargins: Rule = ({ page }) => {
  const f = findings('page.margins');
  for (const [side, { min, max, mm }] of Object.entries(MARGIN_RANGE)) {
    const v = page.margins[side as keyof typeof MARGIN_RANGE];
    if (v == null || v < min - TWIPS_TOLERANCE || v > max + TWIPS_TOLERANCE) f.error(`${side} margin is ${v == null ? 'missing' : `${v} twips (${(v / TWIPS_PER_MM).toFixed(1)} mm)`}; must be ${mm}`);
  }
  return f.out;
};

/** A PAGE field centred in the default header at 13–14 pt; page 1 (w:titlePg) shows none; none in the body. */
export const pageNumbers: Rule = ({ page, defaults, paragraphs }) => {
  const f = findings('page.numbers');
  const numbered = page.defaultHeader?.find((p) => p.hasPageField);
  if (!numbered) f.error('no page number field in the page header');
  else {
    if (numbered.align !== 'center') f.error('the page number is not centred');
    const sz = numbered.runs.find((r) => r.size != null)?.size ?? defaults.size;
    if (sz == null || sz < SIZE.pageNumber.min || sz > SIZE.pageNumber.max) f.error(`page number size ${sz == null ? '?' : sz / 2} pt; must be ${ptRange(SIZE.pageNumber)}`);
  }
  if (!page.titlePage) f.error('page 1 must show no number (w:titlePg missing)');
  else if (page.firstHeader?.some((p) => p.hasPageField || p.text.trim())) f.error('the first-page header is not empty');
  if (paragraphs.some((p) => p.hasPageField)) f.error('a page number field appears in the body');
  return f.out;
};
