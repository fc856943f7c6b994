/** §3.8 the body. */
import { BODY_FIRST_LINE, BODY_LINE_SPACING, BODY_SPACE_AFTER, ptRange, SINGLE_LINE, SIZE, TWIPS_PER_PT, TWIPS_TOLERANCE } from '../../format';
import { findings } from '../finding';
import type { Para, Rule } from '../model';
import { anyBold, sizesOf, sizesOk, textRuns } from '../text';

/** 13–14 pt, justified, first-line indent 1 or 1.27 cm, ≥ 6 pt after, single to 1.5 line spacing. */
export const body: Rule = ({ parts: { body: paras } }) => {
  const f = findings('noi-dung');
  if (!paras.length) f.error('the letter has no body text');
  const seen = new Set<number>();
  for (const p of paras) {
    const where = `"${p.text.trim().slice(0, 40)}…"`;
    if (!sizesOk(p, SIZE.body)) f.error(`${where}: body size ${sizesOf(p)}; must be ${ptRange(SIZE.body)}`);
    // Paragraph properties once per paragraph (its lines after a soft break share them).
    const first = !seen.has(p.source);
    seen.add(p.source);
    if (first) paragraphChecks(p, where);
    if (anyBold(p) && textRuns(p).every((r) => r.bold)) f.warning(`${where}: a whole body paragraph in bold`);
  }
  return f.out;

  function paragraphChecks(p: Para, where: string) {
    if (p.align !== 'both' && p.align !== 'distribute') f.error(`${where}: the body must be justified`);
    const fl = p.firstLine ?? 0;
    if (!BODY_FIRST_LINE.allowed.some((v) => Math.abs(fl - v) <= TWIPS_TOLERANCE)) f.error(`${where}: first-line indent ${fl} twips; must be 1 cm (567) or 1.27 cm (720)`);
    const after = p.after ?? 0;
    if (after < BODY_SPACE_AFTER.min) f.error(`${where}: ${after / TWIPS_PER_PT} pt after the paragraph; must be at least 6 pt`);
    if (p.line != null && (p.lineRule == null || p.lineRule === 'auto') && (p.line < BODY_LINE_SPACING.min || p.line > BODY_LINE_SPACING.max)) {
      f.error(`${where}: line spacing ${p.line / SINGLE_LINE}; must be single to 1.5 lines`);
    }
  }
};
