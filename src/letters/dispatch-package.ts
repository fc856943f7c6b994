/** What the dispatch feature needs to e-mail one letter (contract: src/dispatch/contract.ts). */
import type { Deps } from '../deps';
import { mediaPath } from '../shared/media';
import type { DispatchPackage } from '../dispatch';
import { findOrgById } from '../orgs';
import * as repo from './repo';
import { toRecipient } from './model';
import { letterDocument } from './build';
import { renderLetterDocx } from './docx';
import { currentPdf, signedAttachments } from './pdf/letter-pdf';
import * as pdfRepo from './pdf/repo';

/** The DOCX file name of a letter: "1399-STTTT-TTBCXB.docx", or "du-thao-<id>.docx" before issue. */
export function docxFilename(row: { id: number; symbol: string | null }): string {
  return row.symbol ? `${row.symbol.replace(/\//g, '-')}.docx` : `du-thao-${row.id}.docx`;
}

/**
 * Recipients with an organisation get the organisation's e-mail; free-form recipients the e-mail given with them.
 * Works for any status (the caller checks that the letter is issued); throws LETTER_NOT_FOUND for an unknown id.
 */
export async function getDispatchPackage(deps: Deps, letterId: number): Promise<DispatchPackage> {
  const { doc, row } = await letterDocument(deps.db, letterId);
  const [recipients, attachments, org, pdf, signatures, signed] = await Promise.all([
    repo.recipientsOf(deps.db, letterId),
    repo.attachmentsOf(deps.db, letterId),
    findOrgById(deps.db, row.issuing_org_id),
    currentPdf(deps.db, deps.config.MEDIA_DIR, letterId),
    pdfRepo.signaturesOf(deps.db, letterId),
    signedAttachments(deps.db, deps.config.MEDIA_DIR, letterId),
  ]);
  return {
    letterId,
    issuingOrgId: row.issuing_org_id,
    issuingOrgName: org?.name ?? '',
    status: row.status,
    numberSymbol: row.symbol ?? `/${doc.symbol}`,
    subject: row.subject,
    issuedAt: row.issued_at ?? '',
    place: row.place,
    signer: { name: row.signer_name, title: row.signer_title },
    urgency: row.urgency,
    recipients: recipients.map((r) => {
      const rec = toRecipient(r);
      return { orgId: rec.orgId, name: rec.name, email: rec.email };
    }),
    docx: { filename: docxFilename(row), content: await renderLetterDocx(doc) },
    pdf: { filename: pdf.filename, content: pdf.content },
    signedBy: signatures.map((s) => ({ kind: s.kind, name: s.subject })),
    attachments: attachments.map((a) => {
      const signedPath = signed.get(a.id);
      return { filename: a.name, path: signedPath ?? mediaPath(deps.config.MEDIA_DIR, a.rel_path), contentType: a.mime, sha256: a.sha256 };
    }),
  };
}
