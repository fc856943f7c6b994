/**
 * Recognises Vietnamese text typed in the pre-Unicode 8-bit encodings and pasted as Latin-1 characters:
 * TCVN3 (ABC, ".VnTime" fonts), one character per letter — "Ch­¬ng tr×nh" — and VNI (VNI-Times), a base
 * letter followed by its marks — "Chöông trình". Both read "Chương trình".
 *
 * A word is suspect when it holds a Latin-1 character Vietnamese Unicode text never uses (ö, ¬, ×, ø…). The text
 * is flagged when at least two suspect words decode, in one of the encodings, to valid Vietnamese syllables.
 */

/** VNI tones in the order none, sắc, huyền, hỏi, ngã, nặng. */
const VNI_TONES = ['', '\u0301', '\u0300', '\u0309', '\u0303', '\u0323'];

/** TCVN3: the byte of each letter, tones in the order none, huyền, sắc, hỏi, ngã, nặng; upper case only for the 7 letters it has. */
const TCVN3_TONES = ['', '\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
const TCVN3_LETTERS: Record<string, string> = {
  a: 'aµ¸¶·¹',
  ă: '¨»¾¼½Æ',
  â: '©ÇÊÈÉË',
  e: 'eÌÐÎÏÑ',
  ê: 'ªÒÕÓÔÖ',
  i: 'i×ÝØÜÞ',
  o: 'oßãáâä',
  ô: '«åèæçé',
  ơ: '¬êíëìî',
  u: 'uïóñòô',
  ư: '\u00adõøö÷ù',
  y: 'yúýûüþ',
};
const TCVN3_SINGLE: Record<string, string> = { '®': 'đ', '¡': 'Ă', '¢': 'Â', '£': 'Ê', '¤': 'Ô', '¥': 'Ơ', '¦': 'Ư', '§': 'Đ' };

/** VNI: the byte sequence of each letter (base + tone index 0–5), lower case; upper case is the same sequence upper-cased. */
const VNI_LETTERS: Record<string, string[]> = {
  a: ['a', 'aù', 'aø', 'aû', 'aõ', 'aï'],
  ă: ['aê', 'aé', 'aè', 'aú', 'aü', 'aë'],
  â: ['aâ', 'aá', 'aà', 'aå', 'aã', 'aä'],
  e: ['e', 'eù', 'eø', 'eû', 'eõ', 'eï'],
  ê: ['eâ', 'eá', 'eà', 'eå', 'eã', 'eä'],
  i: ['i', 'í', 'ì', 'æ', 'ó', 'ò'],
  o: ['o', 'où', 'oø', 'oû', 'oõ', 'oï'],
  ô: ['oâ', 'oá', 'oà', 'oå', 'oã', 'oä'],
  ơ: ['ô', 'ôù', 'ôø', 'ôû', 'ôõ', 'ôï'],
  u: ['u', 'uù', 'uø', 'uû', 'uõ', 'uï'],
  ư: ['ö', 'öù', 'öø', 'öû', 'öõ', 'öï'],
  y: ['y', 'yù', 'yø', 'yû', 'yõ', 'î'],
  đ: ['ñ'],
};

const letter = (base: string, mark: string) => (base + mark).normalize('NFC');

const TCVN3 = new Map<string, string>(Object.entries(TCVN3_SINGLE));
for (const [base, bytes] of Object.entries(TCVN3_LETTERS)) [...bytes].forEach((b, tone) => b !== base && TCVN3.set(b, letter(base, TCVN3_TONES[tone])));

const VNI = new Map<string, string>();
for (const [base, seqs] of Object.entries(VNI_LETTERS)) {
  seqs.forEach((seq, tone) => {
    if (seq.length === 1 && seq === base) return;
    VNI.set(seq, letter(base, VNI_TONES[tone]));
    VNI.set(seq.toUpperCase(), letter(base, VNI_TONES[tone]).toUpperCase());
  });
}

export type LegacyEncoding = 'TCVN3' | 'VNI';

export function decode(text: string, enc: LegacyEncoding): string {
  if (enc === 'TCVN3') return [...text].map((c) => TCVN3.get(c) ?? c).join('');
  let out = '';
  for (let i = 0; i < text.length; ) {
    const two = VNI.get(text.slice(i, i + 2));
    if (two && i + 1 < text.length) {
      out += two;
      i += 2;
    } else {
      out += VNI.get(text[i]) ?? text[i];
      i += 1;
    }
  }
  return out;
}

/** Latin-1 letters Vietnamese Unicode uses; any other character of U+00A1–U+00FF inside a word is suspect. */
const VIETNAMESE_LATIN1 = new Set([...'ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý']);
const isSuspect = (c: string) => c >= '\u00a1' && c <= '\u00ff' && !VIETNAMESE_LATIN1.has(c);

/** One Vietnamese syllable (tones ignored): onset, vowels, coda. */
const SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[aăâeêioôơuưy]{1,3}(ch|ng|nh|[cmnpt])?$/u;
function isSyllable(word: string): boolean {
  const bare = word
    .toLocaleLowerCase('vi')
    .normalize('NFD')
    .replace(/[\u0300\u0301\u0303\u0309\u0323]/g, '')
    .normalize('NFC');
  const tones = (word.normalize('NFD').match(/[\u0300\u0301\u0303\u0309\u0323]/g) ?? []).length;
  return tones <= 1 && SYLLABLE.test(bare);
}

/** Words: runs of anything but white space and ASCII punctuation (TCVN3 letters include Latin-1 signs such as ¬ « ×). */
const words = (text: string) => text.split(/[\s!-@[-`{-~]+/u).filter(Boolean);

export interface LegacyText {
  encoding: LegacyEncoding;
  /** A few suspect words as written, and as they read once decoded. */
  sample: string;
  decoded: string;
}

export function detectLegacyEncoding(text: string): LegacyText | null {
  const suspects = words(text).filter((w) => [...w].some(isSuspect));
  if (suspects.length < 2) return null;
  let best: { encoding: LegacyEncoding; valid: number } | null = null;
  for (const encoding of ['TCVN3', 'VNI'] as const) {
    const valid = suspects.filter((w) => isSyllable(decode(w, encoding))).length;
    if (!best || valid > best.valid) best = { encoding, valid };
  }
  if (!best || best.valid < 2 || best.valid < suspects.length * 0.6) return null;
  const sample = text.trim().split(/\s+/).slice(0, 6).join(' ');
  return { encoding: best.encoding, sample, decoded: decode(sample, best.encoding) };
}

/** Unicode → the legacy encoding (for test letters; TCVN3 has upper case for 7 letters only, the others keep their lower-case byte). */
export function encode(text: string, enc: LegacyEncoding): string {
  const table = new Map<string, string>();
  for (const [seq, ch] of enc === 'TCVN3' ? TCVN3 : VNI) if (!table.has(ch)) table.set(ch, seq);
  return [...text.normalize('NFC')]
    .map((c) => table.get(c) ?? (enc === 'TCVN3' && c !== c.toLocaleLowerCase('vi') ? table.get(c.toLocaleLowerCase('vi')) : undefined) ?? c)
    .join('');
}
