/** §1 Unicode text (TCVN 6909:2001): no legacy 8-bit encodings, precomposed (NFC) characters. */
import { findings } from '../finding';
import { detectLegacyEncoding } from '../legacy-encoding';
import type { Letter, Rule } from '../model';

const ENCODING_NAME = { TCVN3: 'TCVN3 (ABC, .VnTime)', VNI: 'VNI (VNI-Times)' };
const allLines = ({ paragraphs, headerFooter }: Letter) => [...paragraphs, ...headerFooter];

/** Text typed in TCVN3 or VNI and pasted as Latin-1 characters: unreadable without the old fonts. */
export const legacyEncoding: Rule = (letter) => {
  const f = findings('text.encoding');
  const hits = allLines(letter)
    .map((p) => detectLegacyEncoding(p.text))
    .filter((h) => h != null);
  for (const encoding of ['TCVN3', 'VNI'] as const) {
    const of = hits.filter((h) => h.encoding === encoding);
    if (of.length) f.error(`${of.length} line(s) look like ${ENCODING_NAME[encoding]} text pasted as Unicode, e.g. "${of[0].sample}" (reads "${of[0].decoded}"); convert them to Unicode`);
  }
  return f.out;
};

/** Decomposed (NFD) text: the validator reads it, but it renders and searches badly; save it precomposed. */
export const decomposedText: Rule = (letter) => {
  const f = findings('text.nfd');
  const lines = allLines(letter).filter((p) => p.decomposed);
  if (lines.length) f.warning(`${lines.length} line(s) in decomposed Unicode (NFD), e.g. "${lines[0].text.trim().slice(0, 40)}"; save the text precomposed (NFC, Unicode dựng sẵn)`);
  return f.out;
};
