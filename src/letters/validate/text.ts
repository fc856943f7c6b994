/** Questions the rules ask about a paragraph's visible runs. */
import type { SizeRange } from '../format';
import type { Para, Run } from './model';

export const visible = (r: Run) => r.text.trim().length > 0;
export const textRuns = (p: Para) => p.runs.filter(visible);
export const sizesOk = (p: Para, range: Pick<SizeRange, 'min' | 'max'>) => textRuns(p).every((r) => r.size != null && r.size >= range.min && r.size <= range.max);
export const allBold = (p: Para) => textRuns(p).length > 0 && textRuns(p).every((r) => r.bold);
export const anyBold = (p: Para) => textRuns(p).some((r) => r.bold);
export const allItalic = (p: Para) => textRuns(p).length > 0 && textRuns(p).every((r) => r.italic);
export const anyItalic = (p: Para) => textRuns(p).some((r) => r.italic);
export const sizesOf = (p: Para) => [...new Set(textRuns(p).map((r) => (r.size == null ? '?' : `${r.size / 2}pt`)))].join(', ');
export const isUpper = (s: string) => s === s.toLocaleUpperCase('vi');
/** NFC, trimmed, inner white space collapsed. */
export const norm = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ');
/** Twips of a paragraph's rule line drawn as its bottom border inside a cell: the cell width minus the indents. */
export const ruleWidth = (rule: Para) => (rule.cell?.width ?? 0) - rule.left - rule.right;
