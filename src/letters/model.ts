/** Row → wire shape. The API promises these names; the tables may change. */
import type { AttachmentRow, LetterRow, RecipientRow, RegisterRow, TemplateRow } from './repo';
import type { TemplateVariable } from './schemas';
import type { SignerAuthority, Urgency } from './document';
import { linesFromFields } from './signer-lines';

export interface LetterTemplate {
  id: number;
  name: string;
  subject: string;
  body: string;
  variables: TemplateVariable[];
  source: string;
  updatedAt: string;
}

export function toTemplate(row: TemplateRow): LetterTemplate {
  return { id: row.id, name: row.name, subject: row.subject, body: row.body, variables: JSON.parse(row.variables || '[]') as TemplateVariable[], source: row.source, updatedAt: row.updated_at };
}

export interface Recipient {
  orgId: number | null;
  name: string;
  email: string | null;
}

export function toRecipient(row: RecipientRow): Recipient {
  return { orgId: row.org_id, name: row.org_id ? row.org_name ?? row.name ?? '' : row.name ?? '', email: row.org_id ? row.org_email ?? null : row.email };
}

export interface Attachment {
  id: number;
  name: string;
  size: number;
  sha256: string;
  mime: string;
}

export function toAttachment(row: AttachmentRow): Attachment {
  return { id: row.id, name: row.name, size: Number(row.size), sha256: row.sha256, mime: row.mime };
}

export interface Signer {
  authority: SignerAuthority | null;
  authorityTitle: string | null;
  title: string;
  name: string;
  /** ô 7a as given (null: printed from authority, authorityTitle and title). */
  lines: string[] | null;
  /** ô 7b lines above the name. */
  otherTitles: string[];
}

const jsonList = (s: string | null | undefined): string[] | null => (s ? (JSON.parse(s) as string[]) : null);

export function signerOf(row: Pick<LetterRow, 'signer_authority' | 'signer_authority_title' | 'signer_title' | 'signer_name' | 'signer_lines' | 'signer_other_titles'>): Signer {
  return {
    authority: (row.signer_authority as SignerAuthority) ?? null,
    authorityTitle: row.signer_authority_title,
    title: row.signer_title,
    name: row.signer_name,
    lines: jsonList(row.signer_lines),
    otherTitles: jsonList(row.signer_other_titles) ?? [],
  };
}

/** The printed ô 7a lines of a signer: the given ones, or those the older fields make. */
export function printedSignerLines(s: Pick<Signer, 'authority' | 'authorityTitle' | 'title' | 'lines'>): string[] {
  return s.lines?.length ? s.lines : linesFromFields(s);
}

export interface Letter {
  id: number;
  status: string;
  issuingOrgId: number;
  templateId: number | null;
  variables: Record<string, unknown> | null;
  subject: string;
  body: string;
  place: string;
  urgency: Urgency | null;
  signer: Signer;
  unitCode: string;
  /** What follows "Lưu: " (null: "VT, <unitCode>"). */
  archive: string | null;
  drafterInitials: string | null;
  copies: number | null;
  campaignId: number | null;
  recipients: Recipient[];
  legalBases: string[];
  distribution: string[];
  attachments: Attachment[];
  number: number | null;
  year: number | null;
  /** "1399/STTTT-TTBCXB" once issued; the unnumbered "/STTTT-TTBCXB" before. */
  symbol: string;
  issuedAt: string | null;
  rejectReason: string | null;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

export function toLetter(
  row: LetterRow,
  parts: { recipients: RecipientRow[]; legalBases: string[]; distribution: string[]; attachments: AttachmentRow[]; kyHieu: string },
): Letter {
  return {
    id: row.id,
    status: row.status,
    issuingOrgId: row.issuing_org_id,
    templateId: row.template_id,
    variables: row.variables ? (JSON.parse(row.variables) as Record<string, unknown>) : null,
    subject: row.subject,
    body: row.body,
    place: row.place,
    urgency: (row.urgency as Urgency) ?? null,
    signer: signerOf(row),
    unitCode: row.unit_code,
    archive: row.archive ?? null,
    drafterInitials: row.drafter_initials ?? null,
    copies: row.copies == null ? null : Number(row.copies),
    campaignId: row.campaign_id,
    recipients: parts.recipients.map(toRecipient),
    legalBases: parts.legalBases,
    distribution: parts.distribution,
    attachments: parts.attachments.map(toAttachment),
    number: row.number,
    year: row.year,
    symbol: row.symbol ?? `/${parts.kyHieu}`,
    issuedAt: row.issued_at,
    rejectReason: row.reject_reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface RegisterEntry {
  number: number;
  symbol: string;
  issuedAt: string;
  subject: string;
  signer: string;
  signerTitle: string;
  recipients: string[];
  letterId: number;
}

export function toRegisterEntry(row: RegisterRow, recipients: string[]): RegisterEntry {
  const s = signerOf(row);
  return {
    number: Number(row.number),
    symbol: row.symbol,
    issuedAt: row.issued_at,
    subject: row.subject,
    signer: s.name,
    signerTitle: printedSignerLines(s).join(' / '),
    recipients,
    letterId: row.letter_id,
  };
}

/** "01".."09", then plain digits (NĐ 30/2020, ô 3). */
export function formatNumber(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
