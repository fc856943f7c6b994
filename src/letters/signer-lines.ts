/**
 * The signer's authority and position lines (ô 7a, letter-format.md §3.9) as a văn thư prints them:
 * "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH". One set of rules for the API (a 400 naming the line)
 * and the validator (an error on the printed line).
 */
import type { SignerAuthority } from './document';
import { COLLECTIVE_PREFIX, PREFIXES_NEEDING_POSITION, SINGLE_PREFIXES } from './format';

/** "KT." from "KT. GIÁM ĐỐC"; any "<letters>." opening counts as a prefix, so unknown ones are caught. */
export function prefixOf(line: string): string | null {
  return /^(\p{Lu}+)\.(\s|$)/u.exec(line.trim())?.[1]?.concat('.') ?? null;
}

const isDeputy = (line: string) => /^PHÓ\s/u.test(line.trim());

export interface LineProblem {
  /** Which line (0-based). */
  index: number;
  /** English message; validation.json translates it. */
  message: string;
}

/** What is wrong with a block of authority/position lines; empty when it is one the decree allows. */
export function signerLineProblems(lines: string[]): LineProblem[] {
  const out: LineProblem[] = [];
  let single: number | null = null;
  let collective = false;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line !== line.toLocaleUpperCase('vi')) out.push({ index, message: 'upper case, as printed' });
    const prefix = prefixOf(line);
    if (!prefix) return;
    if (prefix === COLLECTIVE_PREFIX) {
      if (index !== 0) out.push({ index, message: 'TM. only on the first line' });
      else collective = true;
    } else if (SINGLE_PREFIXES.includes(prefix)) {
      if (single !== null) out.push({ index, message: 'only one of KT., Q., TL., TUQ.' });
      else if (index !== (collective ? 1 : 0)) out.push({ index, message: 'KT., Q., TL. or TUQ. comes first, or right after TM.' });
      single ??= index;
    } else out.push({ index, message: 'unknown prefix: use TM., KT., Q., TL. or TUQ.' });
    if (PREFIXES_NEEDING_POSITION.includes(prefix) && index === lines.length - 1) out.push({ index, message: "needs the signer's own position on the next line" });
  });
  const last = lines.length - 1;
  // A vice-chairman signs for the chairman on behalf of the committee: "TM. … / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".
  if (collective && single === null && last > 0 && isDeputy(lines[last])) out.push({ index: last, message: 'a deputy signing for a collective body needs "KT. <head\'s title>" before the position' });
  return out;
}

/**
 * The printed lines from the older fields (authority, authorityTitle, title). A deputy signing on behalf of a
 * collective body gets the "KT. <head>" line the decree requires: TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH.
 */
export function linesFromFields(s: { authority: SignerAuthority | null; authorityTitle: string | null; title: string }): string[] {
  const up = (x: string) => x.toLocaleUpperCase('vi').trim();
  const title = up(s.title);
  const lines: string[] = [];
  if (s.authority) lines.push(`${s.authority} ${up(s.authorityTitle ?? '')}`.trim());
  if (s.authority === 'TM.' && isDeputy(title)) lines.push(`KT. ${title.replace(/^PHÓ\s+/u, '')}`);
  lines.push(title);
  return lines;
}
