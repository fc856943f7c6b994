/**
 * PAdES signing (ETSI EN 319 142-1 B-B, /SubFilter /ETSI.CAdES.detached) as an incremental update: a signature
 * field with a widget (visible with an appearance, or invisible), the signature dictionary with a reserved
 * /Contents, then the CMS over the two byte ranges around it.
 */
import crypto from 'node:crypto';
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFString, type PDFDocument, type PDFRef } from 'pdf-lib';
import { buildCms } from './cms';
import { annotsOf, appendRevision, openRevision, type OpenRevision } from './revision';
import type { Signer } from './signer';

export interface Appearance {
  page: number;
  /** [x1, y1, x2, y2] in PDF user space. */
  rect: [number, number, number, number];
  /** Places the rect on the page instead (given the page box: width, height, origin x, y). */
  place?: (width: number, height: number, x0: number, y0: number) => [number, number, number, number];
  /** Builds the appearance stream (a form XObject of the rect's size) in the document being signed. */
  draw(pdf: PDFDocument, width: number, height: number): PDFRef | Promise<PDFRef>;
}

export interface SignOptions {
  signer: Signer;
  /** The signing time: /M of the signature dictionary. */
  time: Date;
  reason?: string;
  location?: string;
  /** Shown name of the signer (/Name). */
  name?: string;
  /** Visible signature; absent → an invisible one. */
  appearance?: Appearance;
  /** Changes made in the same revision before signing (e.g. page content), on the opened document. */
  before?: (rev: OpenRevision) => Promise<void> | void;
}

/** A PDF text string: UTF-16BE with its byte-order mark, as hex. */
export function pdfText(s: string): string {
  return `<FEFF${Buffer.from(s.normalize('NFC'), 'utf16le').swap16().toString('hex').toUpperCase()}>`;
}

/** D:YYYYMMDDHHmmSS+07'00' (Vietnam time). */
export function pdfDate(d: Date): string {
  const local = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `D:${local.getUTCFullYear()}${p(local.getUTCMonth() + 1)}${p(local.getUTCDate())}${p(local.getUTCHours())}${p(local.getUTCMinutes())}${p(local.getUTCSeconds())}+07'00'`;
}

const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';

function nextFieldName(acroForm: PDFDict | undefined, pdf: PDFDocument): string {
  const names = new Set<string>();
  const fields = acroForm?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  for (let i = 0; fields && i < fields.size(); i++) {
    const f = pdf.context.lookup(fields.get(i));
    const t = f instanceof PDFDict ? f.lookup(PDFName.of('T')) : undefined;
    if (t instanceof PDFString) names.add(t.decodeText());
  }
  let n = 1;
  while (names.has(`Signature${n}`)) n++;
  return `Signature${n}`;
}

export async function signPdf(bytes: Buffer, o: SignOptions): Promise<Buffer> {
  const rev = await openRevision(bytes);
  const { pdf } = rev;
  const ctx = pdf.context;
  if (o.before) await o.before(rev);

  const sigRef = ctx.nextRef();
  const pageIndex = o.appearance?.page ?? 0;
  const page = pdf.getPage(Math.min(pageIndex, pdf.getPageCount() - 1));
  let rect = o.appearance?.rect ?? [0, 0, 0, 0];
  if (o.appearance?.place) {
    const box = page.getCropBox();
    rect = o.appearance.place(box.width, box.height, box.x, box.y);
  }
  const w = Math.abs(rect[2] - rect[0]);
  const h = Math.abs(rect[3] - rect[1]);
  let acroForm = pdf.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  const fieldName = nextFieldName(acroForm, pdf);
  const widget: Record<string, unknown> = {
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(fieldName),
    V: sigRef,
    Rect: rect,
    F: 132, // print, locked
    P: page.ref,
  };
  if (o.appearance) widget.AP = { N: await o.appearance.draw(pdf, w, h) };
  const widgetRef = ctx.register(ctx.obj(widget as never));
  annotsOf(pdf, pdf.getPages().indexOf(page)).push(widgetRef);
  if (!acroForm) {
    acroForm = ctx.obj({ Fields: [] });
    pdf.catalog.set(PDFName.of('AcroForm'), ctx.register(acroForm));
  }
  let fields = acroForm.lookupMaybe(PDFName.of('Fields'), PDFArray);
  if (!fields) {
    fields = ctx.obj([]);
    acroForm.set(PDFName.of('Fields'), fields);
  }
  fields.push(widgetRef);
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(3));

  // Room for the CMS: the certificates plus the signature and attributes, with a margin.
  const reserve = Math.max(8192, o.signer.chain.reduce((n, c) => n + c.length, 0) + 4096);
  const dict = [
    '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached',
    BYTE_RANGE_PLACEHOLDER,
    `/Contents <${'0'.repeat(reserve * 2)}>`,
    `/M (${pdfDate(o.time)})`,
    ...(o.name ? [`/Name ${pdfText(o.name)}`] : []),
    ...(o.reason ? [`/Reason ${pdfText(o.reason)}`] : []),
    ...(o.location ? [`/Location ${pdfText(o.location)}`] : []),
    '/Prop_Build << /App << /Name /VanDong >> >>',
    '>>',
  ].join('\n');
  const { bytes: out, offsets } = await appendRevision(rev, new Map([[sigRef.objectNumber, Buffer.from(dict, 'latin1')]]));

  const objAt = offsets.get(sigRef.objectNumber)!;
  const contentsAt = out.indexOf('/Contents <', objAt, 'latin1') + '/Contents '.length;
  const contentsEnd = contentsAt + reserve * 2 + 2;
  const byteRange = [0, contentsAt, contentsEnd, out.length - contentsEnd];
  const brAt = out.indexOf(BYTE_RANGE_PLACEHOLDER, objAt, 'latin1');
  const brText = `/ByteRange [${byteRange.join(' ')}]`.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' ');
  out.write(brText, brAt, 'latin1');

  const digest = crypto.createHash('sha256').update(out.subarray(0, contentsAt)).update(out.subarray(contentsEnd)).digest();
  const cms = await buildCms(o.signer, digest);
  if (cms.length > reserve) throw new Error(`signature of ${cms.length} bytes does not fit the ${reserve} reserved`);
  out.write(cms.toString('hex').toUpperCase(), contentsAt + 1, 'latin1');
  return out;
}
