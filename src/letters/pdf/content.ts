/** A page content stream (or a form XObject's) written as PDF operators, with text in the embedded Tinos faces. */
import zlib from 'node:zlib';
import { PDFName, type PDFDocument, type PDFPage, type PDFRef } from 'pdf-lib';
import type { EmbeddedFonts } from './fonts';
import type { FontStyle } from './fonts';

const n = (v: number) => {
  const s = v.toFixed(3);
  return s.includes('.') ? s.replace(/\.?0+$/, '') || '0' : s;
};

export interface TextOptions {
  /** Degrees, counter-clockwise around (x, y). */
  rotate?: number;
  /** RGB 0..1. */
  color?: [number, number, number];
  /** Name of an ExtGState resource (opacity). */
  gs?: string;
}

export class Content {
  private readonly ops: string[] = [];
  private readonly xobjects = new Map<string, PDFRef>();
  private readonly states = new Map<string, PDFRef>();

  constructor(readonly fonts: EmbeddedFonts) {}

  /** Text with its baseline starting at (x, y), PDF coordinates (origin bottom left). */
  text(text: string, x: number, y: number, size: number, style: FontStyle, o: TextOptions = {}): this {
    const runs = this.fonts.encode(text, size, style);
    const wrap = !!(o.color || o.gs);
    if (wrap) this.ops.push('q');
    if (o.gs) this.ops.push(`/${o.gs} gs`);
    if (o.color) this.ops.push(`${o.color.map(n).join(' ')} rg`);
    const a = ((o.rotate ?? 0) * Math.PI) / 180;
    const c = Math.cos(a);
    const s = Math.sin(a);
    this.ops.push('BT');
    let offset = 0;
    let font = '';
    for (const r of runs) {
      if (!r.blank) {
        if (r.font !== font) this.ops.push(`/${(font = r.font)} ${n(size)} Tf`);
        this.ops.push(`${n(c)} ${n(s)} ${n(-s)} ${n(c)} ${n(x + c * offset)} ${n(y + s * offset)} Tm <${r.hex}> Tj`);
      }
      offset += r.width;
    }
    this.ops.push('ET');
    if (wrap) this.ops.push('Q');
    return this;
  }

  line(x1: number, y1: number, x2: number, y2: number, width: number): this {
    this.ops.push(`${n(width)} w ${n(x1)} ${n(y1)} m ${n(x2)} ${n(y2)} l S`);
    return this;
  }

  /** A stroked rectangle. */
  box(x: number, y: number, w: number, h: number, width: number, color: [number, number, number] = [0, 0, 0]): this {
    this.ops.push(`q ${color.map(n).join(' ')} RG ${n(width)} w ${n(x)} ${n(y)} ${n(w)} ${n(h)} re S Q`);
    return this;
  }

  /** Draws a registered image XObject into the rectangle. */
  image(ref: PDFRef, x: number, y: number, w: number, h: number): this {
    const name = `${this.fonts.prefix}Im${this.xobjects.size + 1}`;
    this.xobjects.set(name, ref);
    this.ops.push(`q ${n(w)} 0 0 ${n(h)} ${n(x)} ${n(y)} cm /${name} Do Q`);
    return this;
  }

  /** Declares an ExtGState (e.g. { ca: 0.2 }) usable by name in `text(..., { gs })`. */
  state(name: string, ref: PDFRef): this {
    this.states.set(name, ref);
    return this;
  }

  bytes(): Buffer {
    return Buffer.from(this.ops.join('\n'), 'latin1');
  }

  /** Resources of this content: fonts, images, graphics states. */
  resources(): { Font: Record<string, PDFRef>; XObject: Record<string, PDFRef>; ExtGState: Record<string, PDFRef> } {
    return { Font: this.fonts.resources(), XObject: Object.fromEntries(this.xobjects), ExtGState: Object.fromEntries(this.states) };
  }

  /** Appends this content as a new content stream of the page, adding its resources to the page's. */
  appendTo(pdf: PDFDocument, page: PDFPage): void {
    const ctx = pdf.context;
    const ref = ctx.register(ctx.stream(zlib.deflateSync(this.bytes()), { Filter: 'FlateDecode' }));
    const res = this.resources();
    for (const [k, v] of Object.entries(res.Font)) page.node.setFontDictionary(PDFName.of(k), v);
    for (const [k, v] of Object.entries(res.XObject)) page.node.setXObject(PDFName.of(k), v);
    for (const [k, v] of Object.entries(res.ExtGState)) page.node.setExtGState(PDFName.of(k), v);
    page.node.addContentStream(ref);
  }

  /** This content as a form XObject of the given size (a signature appearance). */
  formXObject(pdf: PDFDocument, width: number, height: number): PDFRef {
    const ctx = pdf.context;
    const res = this.resources();
    const dict: Record<string, unknown> = { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, width, height], Filter: 'FlateDecode', Resources: {} };
    const resources: Record<string, unknown> = {};
    if (Object.keys(res.Font).length) resources.Font = res.Font;
    if (Object.keys(res.XObject).length) resources.XObject = res.XObject;
    if (Object.keys(res.ExtGState).length) resources.ExtGState = res.ExtGState;
    dict.Resources = resources;
    return ctx.register(ctx.stream(zlib.deflateSync(this.bytes()), dict as never));
  }
}
