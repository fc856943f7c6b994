/**
 * TCVN3 (ABC) and VNI → Unicode. The expected pairs are the published charts, typed out here row by row
 * (Unicode letter → legacy characters), not generated from the module's tables.
 */
import fs from 'node:fs';
import path from 'node:path';
import { convertLegacy, decodeLegacy, detectLegacy, encodeLegacy } from '../../src/shared/legacy-text';

/** Each vowel with the tones none, sắc, huyền, hỏi, ngã, nặng. */
const UNICODE_ROWS: Record<string, string> = {
  a: 'aáàảãạ', ă: 'ăắằẳẵặ', â: 'âấầẩẫậ', e: 'eéèẻẽẹ', ê: 'êếềểễệ', i: 'iíìỉĩị', o: 'oóòỏõọ',
  ô: 'ôốồổỗộ', ơ: 'ơớờởỡợ', u: 'uúùủũụ', ư: 'ưứừửữự', y: 'yýỳỷỹỵ',
};

/** TCVN3 chart: one byte per letter (same tone order). */
const TCVN3_CHART: Record<string, string[]> = {
  a: ['a', '¸', 'µ', '¶', '·', '¹'],
  ă: ['¨', '¾', '»', '¼', '½', 'Æ'],
  â: ['©', 'Ê', 'Ç', 'È', 'É', 'Ë'],
  e: ['e', 'Ð', 'Ì', 'Î', 'Ï', 'Ñ'],
  ê: ['ª', 'Õ', 'Ò', 'Ó', 'Ô', 'Ö'],
  i: ['i', 'Ý', '×', 'Ø', 'Ü', 'Þ'],
  o: ['o', 'ã', 'ß', 'á', 'â', 'ä'],
  ô: ['«', 'è', 'å', 'æ', 'ç', 'é'],
  ơ: ['¬', 'í', 'ê', 'ë', 'ì', 'î'],
  u: ['u', 'ó', 'ï', 'ñ', 'ò', 'ô'],
  ư: ['\u00ad', 'ø', 'õ', 'ö', '÷', 'ù'],
  y: ['y', 'ý', 'ú', 'û', 'ü', 'þ'],
};

/** VNI chart: base letter + marks (same tone order); capitals are written with capital marks. */
const VNI_CHART: Record<string, string[]> = {
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
};

const pairs = (chart: Record<string, string[]>) =>
  Object.entries(chart).flatMap(([base, legacy]) => legacy.map((l, tone) => [[...UNICODE_ROWS[base]][tone], l] as const));

describe('TCVN3 chart', () => {
  it.each(pairs(TCVN3_CHART))('%s is written %s', (unicode, legacy) => {
    expect(decodeLegacy(`t${legacy}`, 'TCVN3')).toBe(`t${unicode}`);
  });
  it('has đ and the seven capitals', () => {
    expect(decodeLegacy('®¡¢£¤¥¦§', 'TCVN3')).toBe('đĂÂÊÔƠƯĐ');
  });
  it('reads a word typed in the capital font (.VnTimeH) as capitals, a capitalised word as such', () => {
    expect(decodeLegacy('CH¦¥NG TR×NH', 'TCVN3')).toBe('CHƯƠNG TRÌNH');
    expect(decodeLegacy('Hµ TÜnh', 'TCVN3')).toBe('Hà Tĩnh');
  });
});

describe('VNI chart', () => {
  it.each(pairs(VNI_CHART))('%s is written %s', (unicode, legacy) => {
    expect(decodeLegacy(`t${legacy}`, 'VNI')).toBe(`t${unicode}`);
    expect(decodeLegacy(`T${legacy}`.toLocaleUpperCase('vi'), 'VNI')).toBe(`T${unicode}`.toLocaleUpperCase('vi'));
  });
  it('has đ, Đ', () => {
    expect(decodeLegacy('ñi Ñaø', 'VNI')).toBe('đi Đà');
  });
  it('keeps ư / ơ with their tone: "Töï" is "Tự", never "Tưï"; "Tröôøng" is "Trường"', () => {
    expect(decodeLegacy('Töï do', 'VNI')).toBe('Tự do');
    expect(decodeLegacy('Tröôøng', 'VNI')).toBe('Trường');
    expect(decodeLegacy('ÔÛ TRÖÔØNG', 'VNI')).toBe('Ở TRƯỜNG');
    expect(decodeLegacy('Ñoäc laäp - Töï do - Haïnh phuùc', 'VNI')).toBe('Độc lập - Tự do - Hạnh phúc');
  });
});

const SEED_DIR = '/work/shared/seeds';
const seedSentences = fs.existsSync(SEED_DIR)
  ? fs
      .readdirSync(SEED_DIR)
      .filter((f) => f.endsWith('.txt'))
      .map((f) => fs.readFileSync(path.join(SEED_DIR, f), 'utf8').split('\n').find((l) => l.length > 120 && /[ơư]/.test(l))!)
      .filter(Boolean)
  : [];
const SENTENCES = [
  'Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị tiếp tục tuyên truyền, hướng dẫn người dân cài đặt ứng dụng.',
  'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  'Ủy ban nhân dân các huyện, thị xã, thành phố; Phòng Văn hóa và Thông tin.',
  ...seedSentences,
];

describe('whole sentences (and the seed letters) both ways', () => {
  it('finds sentences in the seed letters', () => {
    expect(seedSentences.length).toBeGreaterThanOrEqual(3);
  });
  it.each(SENTENCES.map((s) => [s.slice(0, 50), s]))('%s…', (_, sentence) => {
    const nfc = sentence.normalize('NFC');
    for (const enc of ['VNI', 'TCVN3'] as const) {
      const legacy = encodeLegacy(nfc, enc);
      expect(legacy).not.toBe(nfc);
      const back = convertLegacy(legacy);
      expect(back.from).toBe(enc);
      // TCVN3 has no byte for a toned capital: "Ủy" comes back "ủy" inside a sentence, exact in an all-capitals line.
      if (enc === 'VNI' || nfc === nfc.toLocaleUpperCase('vi')) expect(back.text).toBe(nfc);
      else expect(back.text.toLocaleLowerCase('vi')).toBe(nfc.toLocaleLowerCase('vi'));
    }
  });
});

describe('recognition does not misfire', () => {
  it.each([
    'Sở Thông tin và Truyền thông đề nghị các cơ quan cài đặt ứng dụng.',
    'Cà Mau', // Unicode with only Latin-1 letters
    'có', // a Vietnamese word made of Latin-1 letters only
    'The quick brown fox jumps over the lazy dog.',
    'Le café où nous étions, à côté de la gare, était très élégant.',
    'Noël à Paris: un garçon naïve, Zoë et Françoise sont allées là-bas.',
    'Herr Müller aus München grüßt Frau Björk; Øresund, Ångström.',
    'El año pasado, la señora dijo: sí, mañana.',
    'Price: 25 £, 2×3 m², © 2021, 25°C, ½ hour.',
    'Où? Là où.',
    '',
  ])('%s stays as it is', (text) => {
    expect(detectLegacy(text)).toBeNull();
    expect(convertLegacy(text)).toEqual({ text: text.normalize('NFC'), from: 'UNICODE' });
  });

  it('recognises short fields: a place, a name, a title', () => {
    expect(convertLegacy('Hµ Néi')).toEqual({ text: 'Hà Nội', from: 'TCVN3' });
    expect(convertLegacy('Nguyeãn Vaên An')).toEqual({ text: 'Nguyễn Văn An', from: 'VNI' });
    expect(convertLegacy('PHOÙ GIAÙM ÑOÁC')).toEqual({ text: 'PHÓ GIÁM ĐỐC', from: 'VNI' });
    expect(convertLegacy('Gi¸m ®èc')).toEqual({ text: 'Giám đốc', from: 'TCVN3' });
  });

  it('answers NFC for NFD Unicode input', () => {
    expect(convertLegacy('Tiếng Việt'.normalize('NFD'))).toEqual({ text: 'Tiếng Việt', from: 'UNICODE' });
  });
});
