/** Queries of the letters' signed PDFs (letter_pdfs) and their signatures (letter_signatures). */
import type { Q } from '../../db';
import { insertId } from '../../db';

export interface LetterPdfRow {
  id: number;
  letter_id: number;
  attachment_id: number | null;
  stage: 'approved' | 'issued';
  rel_path: string;
  sha256: string;
  size: number;
  layout: string;
  created_at: string;
}

export interface LetterSignatureRow {
  id: number;
  letter_id: number;
  attachment_id: number | null;
  kind: 'signer' | 'organisation';
  certificate_id: number | null;
  subject: string;
  issuer: string;
  serial: string;
  signed_at: string;
  signed_by: number | null;
}

export async function insertPdf(q: Q, row: Omit<LetterPdfRow, 'id'>): Promise<number> {
  return insertId(q, 'letter_pdfs', row);
}

export async function insertSignature(q: Q, row: Omit<LetterSignatureRow, 'id'>): Promise<number> {
  return insertId(q, 'letter_signatures', row);
}

/** A new approval replaces the previous one (a letter sent back and approved again). */
export async function clearApproval(q: Q, letterId: number): Promise<void> {
  await q('letter_pdfs').where({ letter_id: letterId, stage: 'approved' }).delete();
  await q('letter_signatures').where({ letter_id: letterId, kind: 'signer' }).delete();
}

export async function latestPdf(q: Q, letterId: number, stage: 'approved' | 'issued', attachmentId: number | null = null): Promise<LetterPdfRow | undefined> {
  const query = q('letter_pdfs').where({ letter_id: letterId, stage });
  if (attachmentId == null) query.whereNull('attachment_id');
  else query.where({ attachment_id: attachmentId });
  return (await query.orderBy('id', 'desc').first()) as LetterPdfRow | undefined;
}

export async function issuedAttachmentPdfs(q: Q, letterId: number): Promise<LetterPdfRow[]> {
  return q('letter_pdfs').where({ letter_id: letterId, stage: 'issued' }).whereNotNull('attachment_id').orderBy('id');
}

export async function signaturesOf(q: Q, letterId: number): Promise<LetterSignatureRow[]> {
  return q('letter_signatures').where({ letter_id: letterId }).whereNull('attachment_id').orderBy('id');
}
