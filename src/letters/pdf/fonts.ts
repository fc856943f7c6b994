/**
 * The PDF face: Tinos (Apache/OFL, metric-compatible with Times New Roman) from @fontsource/tinos, which ships it
 * as per-script WOFF subsets. Vietnamese needs three of them (latin, vietnamese, latin-ext): each character is
 * drawn with the first subset that has it. The WOFF files are unpacked to TrueType once per process.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type * as Fontkit from '@pdf-lib/fontkit';
import { PDFString, type PDFDocument, type PDFRef } from 'pdf-lib';

export type FontStyle = 'regular' | 'bold' | 'italic' | 'boldItalic';
export const STYLES: readonly FontStyle[] = ['regular', 'bold', 'italic', 'boldItalic'];
const FILE_STYLE: Record<FontStyle, string> = { regular: '400-normal', bold: '700-normal', italic: '400-italic', boldItalic: '700-italic' };
/** Tried in this order for every character. */
const SUBSETS = ['latin', 'vietnamese', 'latin-ext'] as const;

export const FONT_FAMILY = 'Tinos';

/** fontkit's font object, only what we use. */
interface FkFont {
  unitsPerEm: number;
  ascent: number;
  descent: number;
  lineGap: number;
  underlinePosition: number;
  underlineThickness: number;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): { advanceWidth: number };
}

const FILES_DIR = path.join(path.dirname(require.resolve('@fontsource/tinos/package.json')), 'files');

/** WOFF 1.0 → sfnt (TrueType) bytes. */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.readUInt32BE(0) !== 0x774f4646) throw new Error('not a WOFF file');
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables: { tag: number; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const e = 44 + i * 20;
    const tag = woff.readUInt32BE(e);
    const offset = woff.readUInt32BE(e + 4);
    const compLength = woff.readUInt32BE(e + 8);
    const origLength = woff.readUInt32BE(e + 12);
    const checksum = woff.readUInt32BE(e + 16);
    const raw = woff.subarray(offset, offset + compLength);
    tables.push({ tag, checksum, data: compLength < origLength ? zlib.inflateSync(raw) : Buffer.from(raw) });
  }
  let pow = 1;
  let log = 0;
  while (pow * 2 <= numTables) {
    pow *= 2;
    log++;
  }
  const headerLen = 12 + numTables * 16;
  const total = headerLen + tables.reduce((n, t) => n + ((t.data.length + 3) & ~3), 0);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(pow * 16, 6);
  out.writeUInt16BE(log, 8);
  out.writeUInt16BE(numTables * 16 - pow * 16, 10);
  let at = headerLen;
  tables.forEach((t, i) => {
    const r = 12 + i * 16;
    out.writeUInt32BE(t.tag, r);
    out.writeUInt32BE(t.checksum, r + 4);
    out.writeUInt32BE(at, r + 8);
    out.writeUInt32BE(t.data.length, r + 12);
    t.data.copy(out, at);
    at += (t.data.length + 3) & ~3;
  });
  return out;
}

interface Face {
  bytes: Buffer;
  font: FkFont;
}

const faces = new Map<string, Face>();

// fontkit costs ~0.25 s of CPU to load, at every start and in every test suite: loaded when a first face is read.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous on purpose: text measuring is synchronous
const fontkit = (): typeof Fontkit => require('@pdf-lib/fontkit') as typeof Fontkit;

function face(style: FontStyle, subset: number): Face {
  const key = `${style}:${subset}`;
  let f = faces.get(key);
  if (!f) {
    const bytes = woffToSfnt(fs.readFileSync(path.join(FILES_DIR, `tinos-${SUBSETS[subset]}-${FILE_STYLE[style]}.woff`)));
    f = { bytes, font: fontkit().create(bytes) as unknown as FkFont };
    faces.set(key, f);
  }
  return f;
}

/** Per style: character → [subset index, advance in em]. */
const glyphCache = new Map<FontStyle, Map<string, [number, number]>>();

function glyph(style: FontStyle, ch: string): [number, number] {
  let cache = glyphCache.get(style);
  if (!cache) {
    cache = new Map<string, [number, number]>();
    glyphCache.set(style, cache);
  }
  let g = cache.get(ch);
  if (!g) {
    const cp = ch.codePointAt(0)!;
    const cpForGlyph = cp === 0xa0 ? 0x20 : cp; // a no-break space is drawn as a space
    let found = -1;
    for (let i = 0; i < SUBSETS.length && found < 0; i++) if (face(style, i).font.hasGlyphForCodePoint(cpForGlyph)) found = i;
    if (found < 0) found = 0; // .notdef of the latin face
    const f = face(style, found).font;
    g = [found, f.glyphForCodePoint(cpForGlyph).advanceWidth / f.unitsPerEm];
    cache.set(ch, g);
  }
  return g;
}

/** Width in points of `text` at `size`. */
export function textWidth(text: string, size: number, style: FontStyle): number {
  let em = 0;
  for (const ch of text) em += glyph(style, ch)[1];
  return em * size;
}

/** Vertical metrics in em (all subsets share them). */
export function metrics(): { ascent: number; descent: number; lineGap: number; lineHeight: number; underlinePosition: number; underlineThickness: number } {
  const f = face('regular', 0).font;
  const u = f.unitsPerEm;
  return {
    ascent: f.ascent / u,
    descent: -f.descent / u,
    lineGap: f.lineGap / u,
    lineHeight: (f.ascent - f.descent + f.lineGap) / u,
    underlinePosition: f.underlinePosition / u,
    underlineThickness: f.underlineThickness / u,
  };
}

export interface Segment {
  text: string;
  subset: number;
  width: number;
}

/** Splits text into runs drawn with one subset each, with their widths at `size`. */
export function segments(text: string, size: number, style: FontStyle): Segment[] {
  const out: Segment[] = [];
  for (const ch of text) {
    const [subset, em] = glyph(style, ch);
    const last = out[out.length - 1];
    const drawn = ch === '\u00a0' ? ' ' : ch;
    if (last && last.subset === subset) {
      last.text += drawn;
      last.width += em * size;
    } else out.push({ text: drawn, subset, width: em * size });
  }
  return out;
}

/** What a face needs in a PDF, computed once per process and shared by every document. */
interface FaceObjects {
  /** Deflated TrueType bytes (FontFile2). */
  fontFile: Buffer;
  length1: number;
  toUnicode: Buffer;
  widths: (number | number[])[];
  bbox: number[];
  italicAngle: number;
  ascent: number;
  descent: number;
  capHeight: number;
  gid: Map<string, number>;
  name: string;
}

const faceObjects = new Map<string, FaceObjects>();
const SUBSET_TAGS = ['TNLATN', 'TNVIET', 'TNLEXT'];
const PS_STYLE: Record<FontStyle, string> = { regular: 'Regular', bold: 'Bold', italic: 'Italic', boldItalic: 'BoldItalic' };

function objectsOf(style: FontStyle, subset: number): FaceObjects {
  const key = `${style}:${subset}`;
  let fo = faceObjects.get(key);
  if (fo) return fo;
  const { bytes, font } = face(style, subset);
  const f = font as FkFont & {
    numGlyphs: number;
    characterSet: number[];
    bbox: { minX: number; minY: number; maxX: number; maxY: number };
    italicAngle: number;
    capHeight: number;
    getGlyph(id: number): { advanceWidth: number };
  };
  const scale = 1000 / f.unitsPerEm;
  const gid = new Map<string, number>();
  const cmap: [number, number][] = [];
  for (const cp of f.characterSet) {
    const g = f.glyphForCodePoint(cp) as unknown as { id: number };
    gid.set(String.fromCodePoint(cp), g.id);
    cmap.push([g.id, cp]);
  }
  const ws: number[] = [];
  for (let i = 0; i < f.numGlyphs; i++) ws.push(Math.round(f.getGlyph(i).advanceWidth * scale));
  const hex4 = (n: number) => n.toString(16).padStart(4, '0');
  const utf16 = (cp: number) => Buffer.from(String.fromCodePoint(cp), 'utf16le').swap16().toString('hex');
  const seen = new Set<number>();
  const pairs = cmap.filter(([g]) => (seen.has(g) ? false : (seen.add(g), true))).sort((a, b) => a[0] - b[0]);
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 100) {
    const part = pairs.slice(i, i + 100);
    chunks.push(`${part.length} beginbfchar\n${part.map(([g, cp]) => `<${hex4(g)}> <${utf16(cp)}>`).join('\n')}\nendbfchar`);
  }
  const toUnicode = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <ffff>',
    'endcodespacerange',
    ...chunks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
  fo = {
    fontFile: zlib.deflateSync(bytes),
    length1: bytes.length,
    toUnicode: zlib.deflateSync(Buffer.from(toUnicode, 'latin1')),
    widths: [0, ws],
    bbox: [f.bbox.minX, f.bbox.minY, f.bbox.maxX, f.bbox.maxY].map((v) => Math.round(v * scale)),
    italicAngle: f.italicAngle,
    ascent: Math.round(f.ascent * scale),
    descent: Math.round(f.descent * scale),
    capHeight: Math.round((f.capHeight || f.ascent * 0.66) * scale),
    gid,
    name: `${SUBSET_TAGS[subset]}+Tinos-${PS_STYLE[style]}`,
  };
  faceObjects.set(key, fo);
  return fo;
}

/** A run of text ready for a content stream: the font resource, the glyph ids as hex, its width. */
export interface EncodedRun {
  font: string;
  hex: string;
  width: number;
  /** Only spaces: advances, draws nothing. */
  blank: boolean;
}

/**
 * The faces embedded in one PDF (whole: the faces are already small subsets of Tinos), as Type0/CIDFontType2
 * fonts with Identity-H and a ToUnicode map, so text can be searched and copied.
 */
export class EmbeddedFonts {
  private readonly refs = new Map<string, { name: string; ref: PDFRef }>();
  /** Prefix of this document's resource names. */
  readonly prefix: string;

  constructor(private readonly pdf: PDFDocument) {
    // Resource names that do not collide with a loaded document's own fonts.
    this.prefix = `VD${(pdf.context.largestObjectNumber + 1).toString(36)}`;
  }

  private embed(style: FontStyle, subset: number): { name: string; ref: PDFRef } {
    const key = `${style}:${subset}`;
    let r = this.refs.get(key);
    if (r) return r;
    const fo = objectsOf(style, subset);
    const ctx = this.pdf.context;
    const file = ctx.register(ctx.stream(fo.fontFile, { Filter: 'FlateDecode', Length1: fo.length1 }));
    const descriptor = ctx.register(
      ctx.obj({
        Type: 'FontDescriptor',
        FontName: fo.name,
        Flags: 34 + (style === 'italic' || style === 'boldItalic' ? 64 : 0),
        FontBBox: fo.bbox,
        ItalicAngle: fo.italicAngle,
        Ascent: fo.ascent,
        Descent: fo.descent,
        CapHeight: fo.capHeight,
        StemV: style === 'bold' || style === 'boldItalic' ? 140 : 80,
        FontFile2: file,
      }),
    );
    const cid = ctx.register(
      ctx.obj({
        Type: 'Font',
        Subtype: 'CIDFontType2',
        BaseFont: fo.name,
        CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
        FontDescriptor: descriptor,
        W: fo.widths,
        CIDToGIDMap: 'Identity',
      }),
    );
    const toUnicode = ctx.register(ctx.stream(fo.toUnicode, { Filter: 'FlateDecode' }));
    const ref = ctx.register(ctx.obj({ Type: 'Font', Subtype: 'Type0', BaseFont: fo.name, Encoding: 'Identity-H', DescendantFonts: [cid], ToUnicode: toUnicode }));
    r = { name: `${this.prefix}${style[0]}${subset}${style === 'boldItalic' ? 'x' : ''}`, ref };
    this.refs.set(key, r);
    return r;
  }

  /** Text → runs of one face each (embedding the faces it needs). */
  encode(text: string, size: number, style: FontStyle): EncodedRun[] {
    return segments(text, size, style).map((seg) => {
      const fo = objectsOf(style, seg.subset);
      let hex = '';
      for (const ch of seg.text) hex += (fo.gid.get(ch === '\u00a0' ? ' ' : ch) ?? 0).toString(16).padStart(4, '0');
      return { font: this.embed(style, seg.subset).name, hex, width: seg.width, blank: !seg.text.trim() };
    });
  }

  /** The Font resource dictionary entries used so far: name → font. */
  resources(): Record<string, PDFRef> {
    return Object.fromEntries([...this.refs.values()].map((r) => [r.name, r.ref]));
  }
}
