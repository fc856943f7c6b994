/**
 * Vietnamese text typed in the pre-Unicode 8-bit encodings and pasted as Latin-1 characters, recognised and
 * converted to Unicode NFC:
 * - TCVN3 (ABC, ".VnTime" fonts): one byte per letter — "Ch­¬ng tr×nh". Upper case exists for the seven letters
 *   Ă Â Ê Ô Ơ Ư Đ only; capitals with a tone were typed with the lower-case byte in an upper-case font (.VnTimeH).
 * - VNI (VNI-Windows, "VNI-Times"): a base letter followed by its marks — "Chöông trình". ơ, ư, đ and the toned
 *   i / ỵ have a byte of their own; capitals use the capital marks ("COÂNG VAÊN").
 * Both read "Chương trình". The tables are written from the published charts and checked letter by letter in
 * test/shared/legacy-text.test.ts (every vowel with every tone, upper and lower case).
 */

export type LegacyEncoding = 'TCVN3' | 'VNI';
export type TextEncoding = LegacyEncoding | 'UNICODE';

const COMBINING = { sac: '\u0301', huyen: '\u0300', hoi: '\u0309', nga: '\u0303', nang: '\u0323' };
/** Tones in the order of the tables below: none, sắc, huyền, hỏi, ngã, nặng. */
const TONES = ['', COMBINING.sac, COMBINING.huyen, COMBINING.hoi, COMBINING.nga, COMBINING.nang];
const withTone = (base: string, tone: number) => (base + TONES[tone]).normalize('NFC');

/** TCVN3: the byte of each lower-case letter, tones in the order none, sắc, huyền, hỏi, ngã, nặng. */
const TCVN3_VOWELS: Record<string, string> = {
  a: 'a¸µ¶·¹',
  ă: '¨¾»¼½Æ',
  â: '©ÊÇÈÉË',
  e: 'eÐÌÎÏÑ',
  ê: 'ªÕÒÓÔÖ',
  i: 'iÝ×ØÜÞ',
  o: 'oãßáâä',
  ô: '«èåæçé',
  ơ: '¬íêëìî',
  u: 'uóïñòô',
  ư: '\u00adøõö÷ù',
  y: 'yýúûüþ',
};
const TCVN3_OTHERS: Record<string, string> = { '®': 'đ', '¡': 'Ă', '¢': 'Â', '£': 'Ê', '¤': 'Ô', '¥': 'Ơ', '¦': 'Ư', '§': 'Đ' };

/** VNI: the characters of each lower-case letter (tones none, sắc, huyền, hỏi, ngã, nặng); capitals are the same upper-cased. */
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

/** Legacy character(s) → Unicode letter, for each encoding; and the reverse (for tests and fixtures). */
const TCVN3 = new Map<string, string>(Object.entries(TCVN3_OTHERS));
for (const [base, bytes] of Object.entries(TCVN3_VOWELS)) [...bytes].forEach((b, tone) => b !== base && TCVN3.set(b, withTone(base, tone)));

const VNI = new Map<string, string>();
for (const [base, seqs] of Object.entries(VNI_LETTERS)) {
  seqs.forEach((seq, tone) => {
    if (seq === base) return;
    const lower = withTone(base, tone);
    const upper = lower.toLocaleUpperCase('vi');
    VNI.set(seq, lower);
    VNI.set(seq.toLocaleUpperCase('vi'), upper);
    // A capital base with a lower-case mark (title case typed in some fonts) reads as the capital letter.
    if (seq.length === 2) VNI.set(seq[0].toLocaleUpperCase('vi') + seq[1], upper);
  });
}

const UPPER_ASCII = /[A-Z]/g;
const LOWER_ASCII = /[a-z]/;

/** Latin letters all capitals (two or more): typed in the capital font (.VnTimeH), so the toned letters are capitals too. */
const allCapitals = (s: string) => (s.match(UPPER_ASCII) ?? []).length >= 2 && !LOWER_ASCII.test(s);

/** TCVN3 → Unicode: a text, or else a word, whose Latin letters are all capitals is in capitals ("X·" in "CéNG HOµ X· HéI"). */
function decodeTcvn3(text: string): string {
  const decode = (s: string) => [...s].map((c) => TCVN3.get(c) ?? c).join('');
  if (allCapitals(text)) return decode(text).toLocaleUpperCase('vi');
  return text.replace(/[^\s]+/gu, (word) => (allCapitals(word) ? decode(word).toLocaleUpperCase('vi') : decode(word)));
}

/** VNI → Unicode: the longest sequence first, so "Töï" is "Tự" (ư + nặng), never "Tưï". */
function decodeVni(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const two = i + 1 < text.length ? VNI.get(text.slice(i, i + 2)) : undefined;
    if (two) {
      out += two;
      i += 2;
    } else {
      out += VNI.get(text[i]) ?? text[i];
      i += 1;
    }
  }
  return out;
}

/** Legacy text → Unicode NFC (characters that are not part of the encoding are kept). */
export function decodeLegacy(text: string, encoding: LegacyEncoding): string {
  return (encoding === 'TCVN3' ? decodeTcvn3(text) : decodeVni(text)).normalize('NFC');
}

/** Unicode → the legacy encoding (test data and fixtures). TCVN3 capitals beyond its seven take the lower-case byte. */
export function encodeLegacy(text: string, encoding: LegacyEncoding): string {
  const table = new Map<string, string>();
  for (const [seq, ch] of encoding === 'TCVN3' ? TCVN3 : VNI) if (!table.has(ch)) table.set(ch, seq);
  return [...text.normalize('NFC')]
    .map((c) => table.get(c) ?? (encoding === 'TCVN3' && c !== c.toLocaleLowerCase('vi') ? table.get(c.toLocaleLowerCase('vi')) : undefined) ?? c)
    .join('');
}

// ---- recognition ----

/** Letters only Unicode Vietnamese has (ă đ ĩ ũ ơ ư, the Latin Extended Additional block) and combining tone marks. */
const UNICODE_VIETNAMESE = /[ĂăĐđĨĩŨũƠơƯư\u1EA0-\u1EF9]|[\u0300\u0301\u0303\u0309\u0323]/u;
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/gu;

const ONSETS = 'ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|q|r|s|t|v|x';
/** Every vowel group of Vietnamese spelling (tones removed), longest first so the pattern tries them first. */
const NUCLEI = [
  'iêu', 'oai', 'oao', 'oay', 'oeo', 'uây', 'uôi', 'uya', 'uyê', 'uyu', 'ươi', 'ươu', 'yêu',
  'ai', 'ao', 'au', 'ay', 'âu', 'ây', 'eo', 'êu', 'ia', 'iê', 'iu', 'oa', 'oă', 'oe', 'oi', 'oo', 'ôi', 'ơi', 'ua', 'uâ', 'uê', 'ui', 'uô', 'uơ', 'uy', 'ưa', 'ưi', 'ươ', 'ưu', 'yê',
  'a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y',
].join('|');
const SYLLABLE = new RegExp(`^(?:${ONSETS})?(?:${NUCLEI})(?:ch|ng|nh|c|m|n|p|t)?$`, 'u');

/** One Vietnamese syllable in Unicode, at most one tone. */
function isSyllable(word: string): boolean {
  const nfd = word.toLocaleLowerCase('vi').normalize('NFD');
  if ((nfd.match(TONE_MARKS) ?? []).length > 1) return false;
  return SYLLABLE.test(nfd.replace(TONE_MARKS, '').normalize('NFC'));
}

/** Words: runs of anything but white space, digits and ASCII punctuation (TCVN3 letters include Latin-1 signs such as ¬ « ×). */
const words = (text: string) => text.split(/[\s!-@[-`{-~]+/u).filter(Boolean);
const LATIN1 = /[\u00a1-\u00ff]/u;

/**
 * The legacy encoding the text is written in, or null (Unicode, or plain ASCII, English, French…).
 * A word is a suspect when it holds a Latin-1 character and is not a Vietnamese syllable as it stands; the text is
 * legacy when, in one encoding, most suspects (60 %) decode to Vietnamese syllables and at least one of those has
 * two letters or more (a lone "où" or "×" proves nothing). Text holding any letter only Unicode Vietnamese has is Unicode.
 */
export function detectLegacy(text: string): LegacyEncoding | null {
  if (!LATIN1.test(text) || UNICODE_VIETNAMESE.test(text)) return null;
  const suspects = words(text).filter((w) => LATIN1.test(w) && !isSyllable(w));
  if (!suspects.length) return null;
  let best: { encoding: LegacyEncoding; valid: number; long: boolean } | null = null;
  for (const encoding of ['VNI', 'TCVN3'] as const) {
    const valid = suspects.map((w) => decodeLegacy(w, encoding)).filter(isSyllable);
    const candidate = { encoding, valid: valid.length, long: valid.some((d) => [...d].length >= 2) };
    if (!best || candidate.valid > best.valid) best = candidate;
  }
  if (!best || !best.long || best.valid < suspects.length * 0.6) return null;
  return best.encoding;
}

/** The text in Unicode NFC, and what it was written in. */
export function convertLegacy(text: string): { text: string; from: TextEncoding } {
  const from = detectLegacy(text);
  return from ? { text: decodeLegacy(text, from), from } : { text: text.normalize('NFC'), from: 'UNICODE' };
}
