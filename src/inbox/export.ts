/** An issued letter as an edXML envelope (QCVN 102:2016), for the national document exchange or another installation. */
import fs from 'node:fs';
import type { Ctx } from '../deps';
import { conflict } from '../shared/errors';
import { localDate } from '../shared/time';
import { getDispatchPackage, getLetter } from '../letters';
import { findOrgsByIds } from '../orgs';
import { buildEdxml, PRIORITY_OF_URGENCY, splitSymbol, type EdxmlFile } from './edxml';

/** DocumentType/Type of the standard for an administrative letter (văn bản hành chính); TypeName says which. */
const ADMINISTRATIVE_DOCUMENT = 2;

/**
 * The envelope of an issued letter, for its organisation's staff (the letters feature authorises the read): From is
 * the issuing organisation by its code (mã định danh, required), To every recipient (organisations by their code),
 * the body the signed PDF (the unsigned one until it is signed) and the attachments, byte for byte.
 */
export async function exportEdxml(ctx: Ctx, letterId: number): Promise<{ filename: string; xml: string }> {
  const letter = await getLetter(ctx, letterId);
  if (letter.status !== 'issued' || !letter.issuedAt) throw conflict('LETTER_NOT_ISSUED', 'Only an issued letter can be exchanged');
  const pkg = await getDispatchPackage(ctx, letterId);
  const orgs = new Map((await findOrgsByIds(ctx.db, [letter.issuingOrgId, ...letter.recipients.flatMap((r) => (r.orgId ? [r.orgId] : []))])).map((o) => [o.id, o]));
  const issuer = orgs.get(letter.issuingOrgId);
  if (!issuer?.code) throw conflict('ORG_CODE_MISSING', 'The issuing organisation has no identifier code (mã định danh): set it in the organisation directory first');
  const files: EdxmlFile[] = [
    { name: pkg.pdf.filename, contentType: 'application/pdf', content: pkg.pdf.content, description: 'Văn bản' },
    ...(await Promise.all(pkg.attachments.map(async (a) => ({ name: a.filename, contentType: a.contentType, content: await fs.promises.readFile(a.path), description: 'Tệp đính kèm' })))),
  ];
  const s = letter.signer;
  const xml = buildEdxml({
    documentId: `${issuer.code},${localDate(new Date(letter.issuedAt))},${letter.symbol}`,
    from: { organId: issuer.code, organName: issuer.name, email: issuer.email },
    to: letter.recipients.map((r) => {
      const org = r.orgId ? orgs.get(r.orgId) : undefined;
      return { organId: org?.code ?? '', organName: org?.name ?? r.name, email: org?.email ?? r.email };
    }),
    ...splitSymbol(letter.symbol),
    place: letter.place,
    promulgationDate: localDate(new Date(letter.issuedAt)),
    documentType: { type: ADMINISTRATIVE_DOCUMENT, typeName: 'Công văn' },
    subject: letter.subject,
    signer: { competence: [s.authority, s.authorityTitle].filter(Boolean).join(' '), position: s.title, fullName: s.name },
    priority: letter.urgency ? (PRIORITY_OF_URGENCY[letter.urgency] ?? 0) : 0,
    files,
  });
  return { filename: `${letter.symbol.replace(/\//g, '-')}.edxml`, xml };
}
