/** A stored letter → the LetterDocument the renderers print (resolved names, numbering, distribution). */
import type { Q } from '../db';
import { ancestry } from '../orgs';
import { localDate } from '../shared/time';
import { notFound } from '../shared/errors';
import type { BodyBlock, LetterDocument, Urgency } from './document';
import * as repo from './repo';
import { signerOf, toRecipient } from './model';
import { textToBlocks } from './templates';

/** The parent line abbreviates the common phrases ("UBND TỈNH HÀ TĨNH"), as the annex allows. */
export function parentAgencyLine(name: string): string {
  return name
    .normalize('NFC')
    .replace(/^(Ủy|Uỷ) ban nhân dân/iu, 'UBND')
    .replace(/^Hội đồng nhân dân/iu, 'HĐND')
    .toLocaleUpperCase('vi');
}

/** Nơi nhận: "Như trên" first when there are Kính gửi recipients, the given items, "Lưu: <archive>" last (default "VT, <unit>"). */
export function standardDistribution(hasRecipients: boolean, items: string[], unitCode: string, archive?: string | null): string[] {
  const middle = items
    .map((s) => s.replace(/^[-–]\s*/, '').replace(/[;.,\s]+$/u, '').trim())
    .filter((s) => s && !/^Như trên$/iu.test(s) && !/^Lưu\s*:/iu.test(s));
  return [...(hasRecipients ? ['Như trên'] : []), ...middle, `Lưu: ${archive ?? `VT, ${unitCode}`}`];
}

/** ô 12: "PL.(300)", "PL." or "(300)"; null when neither is given. */
export function drafterMark(initials: string | null | undefined, copies: number | null | undefined): string | null {
  if (!initials && copies == null) return null;
  return `${initials ? `${initials}.` : ''}${copies != null ? `(${copies})` : ''}`;
}

/** A legal basis reads "Căn cứ …" unless the drafter already opened it with such a word. */
function withBasisWord(basis: string): string {
  return /^(căn cứ|thực hiện|theo|thi hành)(?=\s|$)/iu.test(basis) ? basis : `Căn cứ ${basis}`;
}

const punctuate = (line: string) => (/[;,.:]$/.test(line) ? line : `${line};`);

/** Legal bases become the opening paragraphs of the body. */
export function bodyBlocks(legalBases: string[], body: string): BodyBlock[] {
  const bases: BodyBlock[] = legalBases.map((b) => ({ type: 'paragraph', text: punctuate(withBasisWord(b.trim())) }));
  return [...bases, ...textToBlocks(body)];
}

/** The issuing name as the header prints it: the organisation's header name, else its name in upper case. */
function headerName(org: { name: string; headerName?: string | null }): string {
  return org.headerName || org.name.toLocaleUpperCase('vi');
}

export function kyHieu(orgShortName: string, unitCode: string): string {
  return `${orgShortName}-${unitCode}`;
}

/** The header facts of an issuer, for other features that build a LetterDocument themselves (reports summary). */
export async function issuerHeader(q: Q, orgId: number): Promise<{ parentAgency: string | null; issuingAgency: string; place: string; shortName: string }> {
  const [org, parent] = await ancestry(q, orgId);
  if (!org) throw notFound('Organisation', 'ORG_NOT_FOUND');
  return {
    parentAgency: parent ? parentAgencyLine(parent.name) : null,
    issuingAgency: headerName(org),
    place: org.place ?? parent?.place ?? '',
    shortName: org.shortName,
  };
}

export async function letterDocument(q: Q, letterId: number): Promise<{ doc: LetterDocument; row: repo.LetterRow }> {
  const row = await repo.findLetter(q, letterId);
  if (!row) throw notFound('Letter', 'LETTER_NOT_FOUND');
  const [chain, recipients, legalBases, distribution] = await Promise.all([
    ancestry(q, row.issuing_org_id),
    repo.recipientsOf(q, letterId),
    repo.legalBasesOf(q, letterId),
    repo.distributionOf(q, letterId),
  ]);
  const org = chain[0];
  const parent = chain[1];
  const names = recipients.map((r) => toRecipient(r).name);
  const doc: LetterDocument = {
    parentAgency: parent ? parentAgencyLine(parent.name) : null,
    issuingAgency: headerName(org),
    number: row.number,
    symbol: kyHieu(org.shortName, row.unit_code),
    place: row.place,
    date: row.issued_at ? localDate(new Date(row.issued_at)) : null,
    subject: row.subject,
    urgency: (row.urgency as Urgency) ?? null,
    recipients: names,
    body: bodyBlocks(legalBases, row.body),
    signer: signerOf(row),
    distribution: standardDistribution(names.length > 0, distribution, row.unit_code, row.archive),
    drafterMark: drafterMark(row.drafter_initials, row.copies == null ? null : Number(row.copies)),
  };
  return { doc, row };
}
