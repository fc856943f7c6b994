/**
 * The outgoing register (sổ đăng ký văn bản đi): issuing takes the next number of (issuer, calendar year in
 * Vietnam) in one transaction, behind UNIQUE(issuing_org_id, year, number) and UNIQUE(letter_id).
 * From 01 each year (or from the start an office set when it moved to the system mid-year), no gaps, never
 * reused; a failed issue consumes nothing (the transaction rolls back).
 */
import { loadExcelJs } from '../shared/xlsx';
import type { Ctx } from '../deps';
import { isUniqueViolation, type Q } from '../db';
import { authorize, STAFF_ROLES } from '../auth';
import type { Role } from '../auth';
import { AppError, conflict, invalid, notFound } from '../shared/errors';
import { formatVnDateTime, localParts } from '../shared/time';
import { adminScope, findOrgById } from '../orgs';
import * as repo from './repo';
import { formatNumber, toRecipient, toRegisterEntry, type RegisterEntry } from './model';
import { currentYear, findLetterOr404, ISSUERS, notifyLetterStep, refreshSearch } from './service';
import { sendNotificationMail } from '../notifications';
import { kyHieu, letterDocument } from './build';
import { issuePdfs, prepareIssue } from './pdf/esign';
import { recordLetterEvent } from './history';

export interface IssueResult {
  number: number;
  symbol: string;
  issuedAt: string;
}

/** Unique violation (a racing issue) or a PostgreSQL serialization failure / deadlock: safe to run again. */
function retryable(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return isUniqueViolation(err) || code === '40001' || code === '40P01';
}

/**
 * Issuing: the next number, the issued PDF (number and date written into the approval PDF, then the
 * organisation's signature with its seal) and each PDF attachment signed by the organisation, in one transaction.
 */
export async function issueLetter(ctx: Ctx, id: number): Promise<IssueResult> {
  const { db, actor } = ctx;
  const now = ctx.clock();
  const first = await findLetterOr404(db, id);
  authorize(actor, ISSUERS, first.issuing_org_id);
  const org = await findOrgById(db, first.issuing_org_id);
  if (!org) throw notFound('Organisation', 'ORG_NOT_FOUND');
  const signers = await prepareIssue(ctx, first.issuing_org_id, id);
  for (let attempt = 1; ; attempt++) {
    try {
      const issued = await db.transaction(async (tx) => {
        await repo.lockIssuer(tx, first.issuing_org_id);
        const row = await findLetterOr404(tx, id);
        if (row.status === 'issued') throw conflict('LETTER_ALREADY_ISSUED', `This letter was already issued as ${row.symbol}`);
        if (row.status !== 'approved') throw conflict('LETTER_NOT_APPROVED', `Only an approved letter can be issued (this one is ${row.status})`);
        const year = localParts(now).year;
        const number = await nextRegisterNumber(tx, row.issuing_org_id, year);
        const symbol = `${formatNumber(number)}/${kyHieu(org.shortName, row.unit_code)}`;
        const issuedAt = now.toISOString();
        await repo.insertRegisterEntry(tx, { issuing_org_id: row.issuing_org_id, year, number, letter_id: id, symbol, issued_at: issuedAt, issued_by: actor.id });
        const changed = await repo.updateLetterIn(tx, id, 'approved', { status: 'issued', number, year, symbol, issued_at: issuedAt, updated_at: issuedAt });
        if (changed !== 1) throw conflict('LETTER_NOT_APPROVED', 'The letter changed meanwhile');
        await refreshSearch(tx, id);
        const { doc } = await letterDocument(tx, id);
        await recordLetterEvent(ctx, tx, id, 'issued', symbol);
        await issuePdfs(ctx, tx, { letterId: id, symbol, issuedAt: now, doc, attachments: await repo.attachmentsOf(tx, id) }, signers);
        await notifyLetterStep(ctx, tx, row, 'letter.issued', { symbol });
        return { number, symbol, issuedAt };
      });
      sendNotificationMail(ctx);
      return issued;
    } catch (err) {
      if (attempt < 20 && retryable(err)) continue;
      throw err;
    }
  }
}

/** The number the register gives next: one after the last issued, or the start set for the year if that is higher. */
async function nextRegisterNumber(q: Q, orgId: number, year: number): Promise<number> {
  const [last, start] = await Promise.all([repo.lastRegisterNumber(q, orgId, year), repo.registerStart(q, orgId, year)]);
  return Math.max(last + 1, start ?? 1);
}

/** Who sets where a register starts: the organisation's secretary (văn thư), or an administrator of its tree. */
export const REGISTER_KEEPERS = ['secretary', 'admin'] as const satisfies readonly Role[];

export interface RegisterStart {
  orgId: number;
  year: number;
  nextNumber: number;
  /** The highest number issued in that year so far (0: none). */
  lastIssued: number;
}

/**
 * Sets the number the register gives next in `year` (an office moving to the system mid-year continues its
 * series). Refused (409, naming nextNumber) at or below a number already issued. Under the issuer's lock, so a
 * letter being issued meanwhile either comes before (and is checked against) or after (and takes the start).
 */
export async function setRegisterStart(ctx: Ctx, input: { orgId: number; year: number; nextNumber: number }): Promise<RegisterStart> {
  const { db, actor } = ctx;
  authorize(actor, REGISTER_KEEPERS, input.orgId, await adminScope(db, actor));
  if (!(await findOrgById(db, input.orgId))) throw invalid('ORG_NOT_FOUND', 'Unknown organisation', { orgId: 'no such organisation' });
  return db.transaction(async (tx) => {
    await repo.lockIssuer(tx, input.orgId);
    const lastIssued = await repo.lastRegisterNumber(tx, input.orgId, input.year);
    if (input.nextNumber <= lastIssued) {
      throw new AppError('conflict', 'REGISTER_START_BELOW_ISSUED', `Number ${lastIssued} is already issued in ${input.year}: the register can only continue above it`, { nextNumber: 'above the last number issued' }, { last: lastIssued, year: input.year });
    }
    await repo.saveRegisterStart(tx, { issuing_org_id: input.orgId, year: input.year, next_number: input.nextNumber, set_by: actor.id, set_at: ctx.clock().toISOString() });
    return { orgId: input.orgId, year: input.year, nextNumber: input.nextNumber, lastIssued };
  });
}

export interface Register {
  orgId: number;
  orgName: string;
  year: number;
  years: number[];
  items: RegisterEntry[];
  /** The number the next issued letter of that year takes. */
  nextNumber: number;
}

export async function getRegister(ctx: Ctx, query: { orgId?: number; year?: number }): Promise<Register> {
  const { db, actor } = ctx;
  const orgId = query.orgId ?? actor.orgId;
  authorize(actor, STAFF_ROLES, orgId);
  const year = query.year ?? currentYear(ctx);
  const rows = await repo.registerEntries(db, orgId, year);
  const recipients = await repo.recipientsOfLetters(db, rows.map((r) => r.letter_id));
  const byLetter = new Map<number, string[]>();
  for (const r of recipients) byLetter.set(r.letter_id, [...(byLetter.get(r.letter_id) ?? []), toRecipient(r).name]);
  const org = await findOrgById(db, orgId);
  const years = await repo.registerYears(db, orgId);
  return {
    orgId,
    orgName: org?.name ?? '',
    year,
    years: years.includes(year) ? years : [year, ...years].sort((a, b) => b - a),
    items: rows.map((r) => toRegisterEntry(r, byLetter.get(r.letter_id) ?? [])),
    nextNumber: await nextRegisterNumber(db, orgId, year),
  };
}

/** The register as a spreadsheet (one row per number). */
export async function registerXlsx(register: Register): Promise<Buffer> {
  const wb = new (await loadExcelJs()).Workbook();
  wb.creator = 'Vận Động';
  const ws = wb.addWorksheet(`Sổ văn bản đi ${register.year}`);
  ws.addRow([`SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM ${register.year}`]).font = { bold: true, size: 14 };
  ws.addRow([register.orgName]);
  ws.addRow([]);
  const head = ws.addRow(['Số', 'Số, ký hiệu', 'Ngày ban hành', 'Trích yếu', 'Người ký', 'Chức vụ', 'Nơi nhận']);
  head.font = { bold: true };
  for (const e of register.items) {
    ws.addRow([e.number, e.symbol, formatVnDateTime(e.issuedAt), `V/v ${e.subject}`, e.signer, e.signerTitle, e.recipients.join('; ')]);
  }
  ws.columns.forEach((c, i) => {
    c.width = [6, 22, 18, 60, 24, 30, 60][i];
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
