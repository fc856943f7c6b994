/**
 * The electronic letter (NĐ 30/2020, Điều 13.7, 14, 15.3; letter-format.md 3.12):
 * - approving signs the PDF with the approver's certificate, the signature image between position and name, the
 *   number and date lines left empty;
 * - issuing writes the number and date in an incremental update, then adds the organisation's signature with the
 *   seal over the left third of the signer's image (a further update), and signs each PDF attachment (top right
 *   of page 1, no image: "Số: 01/STTTT-TTBCXB" and the time in ISO 8601, Times 10 pt).
 * Each signature is its own revision, so the earlier ones stay valid.
 */
import fs from 'node:fs';
import type { Ctx } from '../../deps';
import type { Q } from '../../db';
import { conflict } from '../../shared/errors';
import { mediaPath, storeBuffer } from '../../shared/media';
import { formatIsoVn } from './time';
import {
  appendRevision,
  imageOf,
  openRevision,
  signerOf,
  signPdf,
  type OwnerImage,
  type OwnerSigner,
} from '../../signing';
import type { LetterDocument } from '../document';
import { dateLine, numberLine } from '../docx';
import { GEOMETRY, renderLetterPdf, type Mark } from '../pdf';
import { Content } from './content';
import { EmbeddedFonts, textWidth } from './fonts';
import * as repo from './repo';
import type { PDFDocument } from 'pdf-lib';

type Rect = [number, number, number, number];

/** What the next incremental update needs to know about a stored PDF. */
interface StoredLayout {
  marks: Record<string, Mark>;
  /** Where the signer's image is, PDF coordinates. */
  signatureRect?: Rect;
}

const MM = 72 / 25.4;
const H = GEOMETRY.height;

/** A mark (top-left coordinates) → PDF rectangle [x1, y1, x2, y2]. */
const rectOf = (m: Mark): Rect => [m.x, H - (m.y + m.h), m.x + m.w, H - m.y];

/** Fits an image of w×h px into `box`, centred, at most `maxWidth` wide. */
function fit(box: Rect, w: number, h: number, maxWidth: number): Rect {
  const bw = box[2] - box[0];
  const bh = box[3] - box[1];
  const scale = Math.min((bh - 4) / h, Math.min(maxWidth, bw) / w);
  const iw = w * scale;
  const ih = h * scale;
  const x = box[0] + (bw - iw) / 2;
  const y = box[1] + (bh - ih) / 2;
  return [x, y, x + iw, y + ih];
}

async function imageAppearance(pdf: PDFDocument, png: Buffer, width: number, height: number) {
  const img = await pdf.embedPng(png);
  await pdf.flush();
  const content = new Content(new EmbeddedFonts(pdf));
  content.image(img.ref, 0, 0, width, height);
  return content.formXObject(pdf, width, height);
}

/** A text appearance in the blue of a signature, when the signer has no image. */
function textAppearance(pdf: PDFDocument, lines: string[], width: number, height: number, size: number) {
  const fonts = new EmbeddedFonts(pdf);
  const content = new Content(fonts);
  lines.forEach((line, i) => {
    const w = textWidth(line, size, 'italic');
    content.text(line, Math.max(0, (width - w) / 2), height / 2 + (lines.length / 2 - i - 0.8) * size * 1.2, size, 'italic', { color: [0.05, 0.15, 0.65] });
  });
  return content.formXObject(pdf, width, height);
}

export interface SignedPdf {
  bytes: Buffer;
  layout: StoredLayout;
}

/**
 * The approver's signature on the approval PDF; null when the approver has no certificate and the installation
 * allows unsigned letters (409 SIGNER_CERTIFICATE_MISSING when it does not).
 */
export async function signForApproval(ctx: Ctx, doc: LetterDocument): Promise<{ pdf: SignedPdf; signer: OwnerSigner } | null> {
  const signer = await signerOf(ctx, { type: 'user', id: ctx.actor.id });
  if (!signer) {
    if (ctx.config.REQUIRE_DIGITAL_SIGNATURE) throw conflict('SIGNER_CERTIFICATE_MISSING', 'The approver has no signing certificate, and this installation requires one');
    return null;
  }
  const image = await imageOf(ctx, { type: 'user', id: ctx.actor.id }, 'signature');
  const rendered = await renderLetterPdf({ ...doc, number: null, date: null }, { blankNumberAndDate: true });
  const gap = rendered.marks.signatureGap;
  const box = rectOf(gap);
  const rect = image ? fit(box, image.width, image.height, 60 * MM) : fit(box, 400, 110, 55 * MM);
  const w = rect[2] - rect[0];
  const h = rect[3] - rect[1];
  const bytes = await signPdf(rendered.bytes, {
    signer: signer.signer,
    time: ctx.clock(),
    name: ctx.actor.name,
    reason: 'Phê duyệt, ký ban hành văn bản',
    location: doc.place,
    appearance: {
      page: gap.page,
      rect,
      draw: (pdf) => (image ? imageAppearance(pdf, image.png, w, h) : textAppearance(pdf, [`Đã ký số: ${signer.info.subject}`], w, h, 9)),
    },
  });
  return { pdf: { bytes, layout: { marks: rendered.marks, signatureRect: rect } }, signer };
}

/** Number and date written into the empty lines of the approval PDF, as an incremental update. */
export async function stampNumberAndDate(pdfBytes: Buffer, marks: Record<string, Mark>, doc: LetterDocument): Promise<Buffer> {
  const rev = await openRevision(pdfBytes);
  const page = rev.pdf.getPage(marks.number.page);
  const content = new Content(new EmbeddedFonts(rev.pdf));
  const put = (m: Mark, text: string, style: 'regular' | 'italic') => {
    const w = textWidth(text, m.size, style);
    content.text(text, m.x + (m.w - w) / 2, H - m.baseline, m.size, style);
  };
  put(marks.number, numberLine(doc), 'regular');
  put(marks.date, dateLine(doc), 'italic');
  content.appendTo(rev.pdf, page);
  return (await appendRevision(rev)).bytes;
}

/** The organisation's signature with its seal over the left third of the signer's image. */
async function organisationSignature(ctx: Ctx, bytes: Buffer, layout: StoredLayout, doc: LetterDocument, org: OwnerSigner, seal: OwnerImage | null, time: Date): Promise<Buffer> {
  const gap = layout.marks.signatureGap;
  const sig = layout.signatureRect ?? fit(rectOf(gap), 400, 110, 55 * MM);
  let rect: Rect;
  if (seal) {
    const sw = seal.widthMm * MM;
    const sh = (sw * seal.height) / seal.width;
    const right = sig[0] + (sig[2] - sig[0]) / 3;
    const cy = (sig[1] + sig[3]) / 2;
    rect = [right - sw, cy - sh / 2, right, cy + sh / 2];
  } else rect = [sig[0], sig[1] - 14, sig[2], sig[1]];
  const w = rect[2] - rect[0];
  const h = rect[3] - rect[1];
  return signPdf(bytes, {
    signer: org.signer,
    time,
    name: org.info.subject,
    reason: `Ban hành văn bản số ${numberLine(doc).replace(/^Số:\s*/, '')}`,
    location: doc.place,
    appearance: {
      page: gap.page,
      rect,
      draw: (pdf) => (seal ? imageAppearance(pdf, seal.png, w, h) : textAppearance(pdf, [org.info.subject], w, h, 8)),
    },
  });
}

/** An attachment signed by the organisation: top right of page 1, no image, number/ký hiệu and time, 10 pt. */
export async function signAttachment(bytes: Buffer, org: OwnerSigner, symbol: string, time: Date): Promise<Buffer> {
  const lines = [`Số: ${symbol}`, formatIsoVn(time)];
  const size = 10;
  const width = Math.max(...lines.map((l) => textWidth(l, size, 'regular'))) + 8;
  const height = size * 1.2 * lines.length + 6;
  return signPdf(bytes, {
    signer: org.signer,
    time,
    name: org.info.subject,
    reason: `Văn bản kèm theo văn bản số ${symbol}`,
    appearance: {
      page: 0,
      // Placed when the page is known: top right, inside a 10 mm margin.
      rect: [0, 0, width, height],
      draw: (pdf, w, h) => {
        const fonts = new EmbeddedFonts(pdf);
        const content = new Content(fonts);
        lines.forEach((line, i) => content.text(line, 4, h - 4 - size * (i + 1) * 1.1 + 2, size, 'regular'));
        return content.formXObject(pdf, w, h);
      },
      place: (pageWidth: number, pageHeight: number, x0: number, y0: number) => {
        const margin = 10 * MM;
        return [x0 + pageWidth - margin - width, y0 + pageHeight - margin - height, x0 + pageWidth - margin, y0 + pageHeight - margin];
      },
    },
  });
}

export interface IssueInput {
  letterId: number;
  symbol: string;
  issuedAt: Date;
  doc: LetterDocument;
  attachments: { id: number; mime: string; rel_path: string }[];
}

export interface IssueSigners {
  org: OwnerSigner | null;
  seal: OwnerImage | null;
  approved: repo.LetterPdfRow | undefined;
}

/** Before the issuing transaction: the organisation's signer and seal, the approval PDF; refusals when required. */
export async function prepareIssue(ctx: Ctx, orgId: number, letterId: number): Promise<IssueSigners> {
  const org = await signerOf(ctx, { type: 'org', id: orgId });
  const approved = await repo.latestPdf(ctx.db, letterId, 'approved');
  if (ctx.config.REQUIRE_DIGITAL_SIGNATURE) {
    if (!org) throw conflict('ORG_CERTIFICATE_MISSING', 'The organisation has no signing certificate, and this installation requires one');
    if (!approved) throw conflict('APPROVAL_NOT_SIGNED', 'The letter was approved without a digital signature');
  }
  return { org, seal: org ? await imageOf(ctx, { type: 'org', id: orgId }, 'seal') : null, approved };
}

/** Inside the issuing transaction (`q`): the issued PDF and the signed attachments, stored and recorded. */
export async function issuePdfs(ctx: Ctx, q: Q, input: IssueInput, s: IssueSigners): Promise<void> {
  const media = ctx.config.MEDIA_DIR;
  let base: Buffer;
  let layout: StoredLayout;
  if (s.approved) {
    base = await fs.promises.readFile(mediaPath(media, s.approved.rel_path));
    layout = JSON.parse(s.approved.layout) as StoredLayout;
  } else {
    const rendered = await renderLetterPdf({ ...input.doc, number: null, date: null }, { blankNumberAndDate: true });
    base = rendered.bytes;
    layout = { marks: rendered.marks };
  }
  let bytes = await stampNumberAndDate(base, layout.marks, input.doc);
  const time = input.issuedAt;
  if (s.org) bytes = await organisationSignature(ctx, bytes, layout, input.doc, s.org, s.seal, time);
  const stored = await storeBuffer(media, 'letters-signed', bytes, '.pdf');
  const now = time.toISOString();
  await repo.insertPdf(q, { letter_id: input.letterId, attachment_id: null, stage: 'issued', rel_path: stored.relPath, sha256: stored.sha256, size: stored.size, layout: JSON.stringify(layout), created_at: now });
  if (!s.org) return;
  const orgSig = { certificate_id: s.org.certificateId, subject: s.org.info.subject, issuer: s.org.info.issuer, serial: s.org.info.serial, signed_at: now, signed_by: ctx.actor.id };
  await repo.insertSignature(q, { letter_id: input.letterId, attachment_id: null, kind: 'organisation', ...orgSig });
  for (const a of input.attachments.filter((x) => x.mime === 'application/pdf')) {
    let signed: Buffer;
    try {
      signed = await signAttachment(await fs.promises.readFile(mediaPath(media, a.rel_path)), s.org, input.symbol, time);
    } catch (err) {
      if (ctx.config.REQUIRE_DIGITAL_SIGNATURE) throw conflict('ATTACHMENT_NOT_SIGNABLE', `Attachment ${a.id} could not be signed: ${(err as Error).message}`);
      ctx.log.warn({ err, attachmentId: a.id }, 'attachment not signed');
      continue;
    }
    const file = await storeBuffer(media, 'letters-signed', signed, '.pdf');
    await repo.insertPdf(q, { letter_id: input.letterId, attachment_id: a.id, stage: 'issued', rel_path: file.relPath, sha256: file.sha256, size: file.size, layout: '{}', created_at: now });
    await repo.insertSignature(q, { letter_id: input.letterId, attachment_id: a.id, kind: 'organisation', ...orgSig });
  }
}

/** Records the approval PDF and the approver's signature (in the approving transaction). */
export async function recordApproval(ctx: Ctx, q: Q, letterId: number, signed: { pdf: SignedPdf; signer: OwnerSigner }): Promise<void> {
  const stored = await storeBuffer(ctx.config.MEDIA_DIR, 'letters-signed', signed.pdf.bytes, '.pdf');
  const now = ctx.clock().toISOString();
  await repo.clearApproval(q, letterId);
  await repo.insertPdf(q, { letter_id: letterId, attachment_id: null, stage: 'approved', rel_path: stored.relPath, sha256: stored.sha256, size: stored.size, layout: JSON.stringify(signed.pdf.layout), created_at: now });
  await repo.insertSignature(q, {
    letter_id: letterId,
    attachment_id: null,
    kind: 'signer',
    certificate_id: signed.signer.certificateId,
    subject: signed.signer.info.subject,
    issuer: signed.signer.info.issuer,
    serial: signed.signer.info.serial,
    signed_at: now,
    signed_by: ctx.actor.id,
  });
}
