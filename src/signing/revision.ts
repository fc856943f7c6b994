/**
 * Incremental updates (ISO 32000-1, 7.5.6): the original bytes stay as they are and the new and changed objects
 * are appended with their own cross-reference section, so signatures already in the file stay valid.
 * pdf-lib parses the document (classic or stream cross-references, object streams); we write only the objects
 * that the caller added or changed, found by comparing them with a snapshot taken when the file was opened.
 */
import crypto from 'node:crypto';
import { PDFArray, PDFDocument, PDFHexString, PDFName, PDFRef, PDFStream, type PDFObject } from 'pdf-lib';
import { invalid } from '../shared/errors';

export interface OpenRevision {
  pdf: PDFDocument;
  original: Buffer;
  /** Offset of the last cross-reference section. */
  startxref: number;
  xrefStream: boolean;
  snapshot: Map<string, string>;
  largest: number;
}

function lastStartxref(bytes: Buffer): number {
  const tail = bytes.subarray(Math.max(0, bytes.length - 2048)).toString('latin1');
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail) ?? [...tail.matchAll(/startxref\s+(\d+)/g)].pop();
  if (!m) throw invalid('PDF_UNREADABLE', 'The PDF has no cross-reference table');
  return Number(m[1]);
}

const serialize = (o: PDFObject) => (o instanceof PDFStream ? null : o.toString());

export async function openRevision(bytes: Buffer): Promise<OpenRevision> {
  if (bytes.subarray(0, 1024).indexOf('%PDF-') < 0) throw invalid('PDF_UNREADABLE', 'The file is not a PDF');
  let pdf: PDFDocument;
  try {
    pdf = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: false });
  } catch (err) {
    if (/encrypted/i.test((err as Error).message)) throw invalid('PDF_ENCRYPTED', 'The PDF is encrypted; it cannot be signed');
    throw invalid('PDF_UNREADABLE', 'The PDF could not be read');
  }
  if (pdf.context.trailerInfo.Encrypt) throw invalid('PDF_ENCRYPTED', 'The PDF is encrypted; it cannot be signed');
  const startxref = lastStartxref(bytes);
  const at = bytes.subarray(startxref, startxref + 20).toString('latin1');
  // Object numbers already used by the file, also those pdf-lib does not keep (object and xref streams): new
  // objects must not take them, or the older cross-references would point into the wrong object.
  const sizeMatch = /\/Size\s+(\d+)/.exec(bytes.subarray(startxref, startxref + 4096).toString('latin1'));
  if (sizeMatch) pdf.context.largestObjectNumber = Math.max(pdf.context.largestObjectNumber, Number(sizeMatch[1]) - 1);
  for (const m of bytes.toString('latin1').matchAll(/(\d+)\s+\d+\s+obj\b/g)) {
    const n = Number(m[1]);
    if (n > pdf.context.largestObjectNumber && n < 10_000_000) pdf.context.largestObjectNumber = n;
  }
  const snapshot = new Map<string, string>();
  for (const [ref, obj] of pdf.context.enumerateIndirectObjects()) {
    const s = serialize(obj);
    snapshot.set(ref.toString(), s ?? '<stream>');
  }
  return { pdf, original: bytes, startxref, xrefStream: !at.startsWith('xref'), snapshot, largest: pdf.context.largestObjectNumber };
}

function objectBytes(num: number, gen: number, obj: PDFObject): Buffer {
  const body = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(body, 0);
  return Buffer.concat([Buffer.from(`${num} ${gen} obj\n`, 'latin1'), Buffer.from(body), Buffer.from('\nendobj\n', 'latin1')]);
}

function idArray(rev: OpenRevision): string {
  const old = rev.pdf.context.trailerInfo.ID;
  const fresh = crypto.randomBytes(16).toString('hex').toUpperCase();
  let first = fresh;
  if (old instanceof PDFArray) {
    const o = old.get(0);
    if (o instanceof PDFHexString) first = o.asString();
  }
  return `[<${first}> <${fresh}>]`;
}

export interface AppendResult {
  bytes: Buffer;
  /** Offset of each written object in the new file. */
  offsets: Map<number, number>;
}

/**
 * Appends the objects added or changed since `openRevision`. `raw` gives objects written as given bytes (the
 * signature dictionary, whose /Contents is filled in after the layout is known).
 */
export async function appendRevision(rev: OpenRevision, raw: Map<number, Buffer> = new Map()): Promise<AppendResult> {
  await rev.pdf.flush();
  const ctx = rev.pdf.context;
  const changed: [PDFRef, PDFObject][] = [];
  for (const [ref, obj] of ctx.enumerateIndirectObjects()) {
    if (raw.has(ref.objectNumber)) continue;
    const before = rev.snapshot.get(ref.toString());
    if (before === undefined || (before !== '<stream>' && before !== serialize(obj))) changed.push([ref, obj]);
  }
  const parts: Buffer[] = [rev.original];
  let offset = rev.original.length;
  if (rev.original[rev.original.length - 1] !== 0x0a) {
    parts.push(Buffer.from('\n'));
    offset += 1;
  }
  const offsets = new Map<number, number>();
  const entries: { num: number; gen: number; offset: number }[] = [];
  const write = (num: number, gen: number, bytes: Buffer) => {
    offsets.set(num, offset);
    entries.push({ num, gen, offset });
    parts.push(bytes);
    offset += bytes.length;
  };
  for (const [ref, obj] of changed) write(ref.objectNumber, ref.generationNumber, objectBytes(ref.objectNumber, ref.generationNumber, obj));
  for (const [num, bytes] of raw) write(num, 0, Buffer.concat([Buffer.from(`${num} 0 obj\n`, 'latin1'), bytes, Buffer.from('\nendobj\n', 'latin1')]));

  const info = ctx.trailerInfo;
  const root = info.Root as PDFRef;
  const infoRef = info.Info instanceof PDFRef ? info.Info : null;
  let size = Math.max(ctx.largestObjectNumber, rev.largest, ...entries.map((e) => e.num)) + 1;
  const trailerFields = `/Root ${root.toString()}${infoRef ? ` /Info ${infoRef.toString()}` : ''} /ID ${idArray(rev)} /Prev ${rev.startxref}`;
  const xrefAt = offset;
  entries.sort((a, b) => a.num - b.num);
  if (rev.xrefStream) {
    // The previous section is a cross-reference stream: continue with one (the stream describes itself too).
    const selfNum = size++;
    entries.push({ num: selfNum, gen: 0, offset: xrefAt });
    const index: number[] = [];
    const rows: Buffer[] = [];
    for (const e of entries) {
      const last = index.length ? index[index.length - 2] + index[index.length - 1] : -1;
      if (last === e.num) index[index.length - 1]++;
      else index.push(e.num, 1);
      const row = Buffer.alloc(7);
      row[0] = 1;
      row.writeUInt32BE(e.offset, 1);
      row.writeUInt16BE(e.gen, 5);
      rows.push(row);
    }
    const data = Buffer.concat(rows);
    const dict = `<< /Type /XRef /Size ${size} /Index [${index.join(' ')}] /W [1 4 2] ${trailerFields} /Length ${data.length} >>`;
    parts.push(Buffer.from(`${selfNum} 0 obj\n${dict}\nstream\n`, 'latin1'), data, Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
  } else {
    const lines: string[] = ['xref'];
    let i = 0;
    while (i < entries.length) {
      let j = i;
      while (j + 1 < entries.length && entries[j + 1].num === entries[j].num + 1) j++;
      lines.push(`${entries[i].num} ${j - i + 1}`);
      for (let k = i; k <= j; k++) lines.push(`${String(entries[k].offset).padStart(10, '0')} ${String(entries[k].gen).padStart(5, '0')} n\r`);
      i = j + 1;
    }
    lines.push(`trailer\n<< /Size ${size} ${trailerFields} >>\nstartxref\n${xrefAt}\n%%EOF\n`);
    parts.push(Buffer.from(lines.join('\n'), 'latin1'));
  }
  return { bytes: Buffer.concat(parts), offsets };
}

/** The page's /Annots array, created on the page when it has none. */
export function annotsOf(pdf: PDFDocument, pageIndex: number): PDFArray {
  const page = pdf.getPage(pageIndex);
  const existing = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
  if (existing) return existing;
  const arr = pdf.context.obj([]);
  page.node.set(PDFName.of('Annots'), arr);
  return arr;
}
