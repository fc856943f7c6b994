import crypto from 'node:crypto';
import { loadExcelJs } from '../shared/xlsx';
import path from 'node:path';
import type { Ctx, Deps } from '../deps';
import type { Q } from '../db';
import { isUniqueViolation } from '../db';
import type { Actor, Role } from '../auth';
import { activeUsersOf, authorize, can, findActorById, hasRole, STAFF_ROLES, userNames } from '../auth';
import { adminScope, findOrgByCode, findOrgById } from '../orgs';
import { acknowledgeInSystem } from '../dispatch';
import { notify, sendNotificationMail } from '../notifications';
import { conflict, forbidden, invalid, notFound, tooLarge } from '../shared/errors';
import { mediaPath, storeBuffer } from '../shared/media';
import { offsetOf, pageOf, type Page } from '../shared/paging';
import { formatVnDate, formatVnDateTime, localDate, localParts } from '../shared/time';
import * as repo from './repo';
import type { InboxRow } from './repo';
import { filesOf, toInboxItem, type InboxFile, type InboxItem, type IncomingRegisterEntry } from './model';
import { joinSymbol, parseEdxml, URGENCY_OF_PRIORITY } from './edxml';
import type { AssignBody, DoneBody, InboxQuery } from './schemas';

/**
 * Who may do what. The receiving organisation's staff (STAFF_ROLES) read its incoming letters; its văn thư
 * (secretary) and administrators (KEEPERS) receive, hand on and import them; the colleague a letter is handed to
 * reads it and marks it done. The sending organisation's staff read the letter they sent (its files included).
 * Administrators act only inside their tree (adminScope).
 */
export const KEEPERS = ['admin', 'secretary'] as const satisfies readonly Role[];

/** Largest edXML file accepted (the letter and its attachments, base64: a third larger than the files). */
export const EDXML_MAX_BYTES = 40 * 1024 * 1024;

/** What the dispatch feature hands over for each recipient organisation in the system (in its transaction). */
export interface ArrivingLetter {
  letterId: number;
  fromOrgId: number;
  fromName: string;
  symbol: string;
  subject: string;
  place: string;
  issuedAt: string;
  signerName: string;
  signerTitle: string;
  urgency: string | null;
  /** The signed PDF first, then the attachments. */
  files: InboxFile[];
}

/**
 * "An incoming letter arrived": puts a dispatched letter into each recipient organisation's inbox, in the caller's
 * transaction `q` (dispatch calls it with its own). An organisation that has the letter already keeps its item.
 * Returns the new items' ids (notifications hook in after the caller's commit).
 */
export async function deliverToInboxes(deps: Deps, q: Q, letter: ArrivingLetter, recipients: { orgId: number; deliveryId: number | null }[]): Promise<number[]> {
  const now = deps.clock().toISOString();
  const from = await findOrgById(q, letter.fromOrgId);
  const ids: number[] = [];
  for (const r of recipients) {
    const id = await repo.insertItemUnlessPresent(q, {
      org_id: r.orgId,
      source_key: `letter:${letter.letterId}`,
      source: 'system',
      letter_id: letter.letterId,
      delivery_id: r.deliveryId,
      from_org_id: letter.fromOrgId,
      from_code: from?.code ?? null,
      from_name: letter.fromName,
      symbol: letter.symbol,
      subject: letter.subject,
      document_type: 'Công văn',
      place: letter.place || null,
      letter_date: letter.issuedAt ? localDate(new Date(letter.issuedAt)) : null,
      signer_name: letter.signerName || null,
      signer_title: letter.signerTitle || null,
      urgency: letter.urgency,
      files: JSON.stringify(letter.files),
      arrived_at: now,
      updated_at: now,
    });
    if (id !== undefined) {
      ids.push(id);
      await announceArrival(deps, q, { id, orgId: r.orgId, subject: letter.subject, from: letter.fromName });
    }
  }
  return ids;
}

/**
 * Tells the receiving organisation's văn thư that a letter waits to be received, in the transaction that put it
 * in the inbox (the caller kicks the outbox after its commit).
 */
async function announceArrival(deps: Deps, q: Q, item: { id: number; orgId: number; subject: string; from: string }): Promise<void> {
  await notify(deps, q, {
    recipients: { orgId: item.orgId, roles: [...KEEPERS] },
    kind: 'letter.received',
    params: { subject: item.subject, from: item.from },
    link: `/inbox/${item.id}`,
    orgId: item.orgId,
  });
}

// ---------------------------------------------------------------- reading

const today = (ctx: Deps) => localDate(ctx.clock());

async function scopeOf(ctx: Ctx) {
  return adminScope(ctx.db, ctx.actor);
}

/** May the actor read this item: the recipient's staff, its assignee, the sender's staff. */
async function mayRead(ctx: Ctx, row: InboxRow): Promise<boolean> {
  const scope = await scopeOf(ctx);
  return can(ctx.actor, STAFF_ROLES, [row.org_id, row.from_org_id], scope) || row.assignee_id === ctx.actor.id;
}

async function itemOr404(q: Q, id: number): Promise<InboxRow> {
  const row = await repo.findItem(q, id);
  if (!row) throw notFound('Incoming letter', 'INBOX_ITEM_NOT_FOUND');
  return row;
}

async function readable(ctx: Ctx, id: number): Promise<InboxRow> {
  const row = await itemOr404(ctx.db, id);
  if (!(await mayRead(ctx, row))) throw forbidden();
  return row;
}

async function wire(ctx: Deps, rows: InboxRow[]): Promise<InboxItem[]> {
  const names = await userNames(ctx.db, rows.flatMap((r) => (r.assignee_id == null ? [] : [r.assignee_id])));
  const day = today(ctx);
  return rows.map((r) => toInboxItem(r, names, day));
}

/**
 * An organisation's incoming letters (default: the actor's own), newest first, searched by subject, symbol and
 * sender. Its staff read them all; anybody else of the organisation sees those handed to them.
 */
export async function listInbox(ctx: Ctx, query: InboxQuery): Promise<Page<InboxItem>> {
  const orgId = query.orgId ?? ctx.actor.orgId;
  const staff = can(ctx.actor, STAFF_ROLES, orgId, await scopeOf(ctx));
  if (!staff && orgId !== ctx.actor.orgId) throw forbidden();
  const { rows, total } = await repo.listItems(ctx.db, {
    orgId,
    assigneeId: staff ? undefined : ctx.actor.id,
    status: query.status ? [query.status] : undefined,
    q: query.q || undefined,
    limit: query.pageSize,
    offset: offsetOf(query),
  });
  return pageOf(await wire(ctx, rows), total, query);
}

export interface InboxDetail {
  item: InboxItem;
  orgId: number;
  orgName: string;
  canReceive: boolean;
  canAssign: boolean;
  canComplete: boolean;
  colleagues: { id: number; name: string }[];
}

export async function getInboxItem(ctx: Ctx, id: number): Promise<InboxDetail> {
  const row = await readable(ctx, id);
  const keeper = can(ctx.actor, KEEPERS, row.org_id, await scopeOf(ctx));
  const [item] = await wire(ctx, [row]);
  const org = await findOrgById(ctx.db, row.org_id);
  return {
    item,
    orgId: row.org_id,
    orgName: org?.name ?? '',
    canReceive: keeper && row.status === 'new',
    canAssign: keeper && (row.status === 'received' || row.status === 'assigned'),
    canComplete: row.status === 'assigned' && row.assignee_id === ctx.actor.id,
    colleagues: keeper ? await activeUsersOf(ctx.db, row.org_id) : [],
  };
}

/** One file of an incoming letter (0 = the letter's PDF), for whoever may read the letter. */
export async function inboxFile(ctx: Ctx, id: number, index: number): Promise<{ name: string; contentType: string; file: string }> {
  const row = await readable(ctx, id);
  const f = filesOf(row)[index];
  if (!f) throw notFound('File', 'INBOX_FILE_NOT_FOUND');
  return { name: f.name, contentType: f.contentType, file: path.isAbsolute(f.path) ? f.path : mediaPath(ctx.config.MEDIA_DIR, f.path) };
}

// ---------------------------------------------------------------- receiving, handing on, closing

/** Unique violation (a racing receipt) or a PostgreSQL serialization failure / deadlock: safe to run again. */
function retryable(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return isUniqueViolation(err) || code === '40001' || code === '40P01';
}

/**
 * The văn thư records receipt: the next number of the organisation's incoming register (per organisation and
 * calendar year in Vietnam, from 1, no gaps), in one transaction with the item and — for a letter dispatched here —
 * the sender's delivery, which shows acknowledged (channel "system") at once. Locking as the outgoing register
 * does (letters/register.ts): the organisation's row on PostgreSQL, SQLite's single writer; retried on a conflict.
 */
export async function receiveItem(ctx: Ctx, id: number): Promise<{ incomingNumber: number; receivedAt: string }> {
  const first = await itemOr404(ctx.db, id);
  authorize(ctx.actor, KEEPERS, first.org_id, await scopeOf(ctx));
  const now = ctx.clock();
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction(async (tx) => {
        await repo.lockOrg(tx, first.org_id);
        const row = await itemOr404(tx, id);
        if (row.status !== 'new') throw conflict('INBOX_ALREADY_RECEIVED', `This letter was already received as number ${row.incoming_number}`);
        const year = localParts(now).year;
        const number = (await repo.lastIncomingNumber(tx, row.org_id, year)) + 1;
        const receivedAt = now.toISOString();
        await repo.insertRegisterEntry(tx, { org_id: row.org_id, year, number, inbox_item_id: id, received_at: receivedAt, received_by: ctx.actor.id });
        const moved = await repo.updateItemIn(tx, id, ['new'], { status: 'received', incoming_year: year, incoming_number: number, received_at: receivedAt, received_by: ctx.actor.id, updated_at: receivedAt });
        if (!moved) throw conflict('INBOX_ALREADY_RECEIVED', 'The letter changed meanwhile');
        if (row.delivery_id != null) await acknowledgeInSystem(tx, row.delivery_id, receivedAt);
        return { incomingNumber: number, receivedAt };
      });
    } catch (err) {
      if (attempt < 20 && retryable(err)) continue;
      throw err;
    }
  }
}

/** Hands a received letter to a colleague of the same organisation (again: to another one), with a due date and a note. */
export async function assignItem(ctx: Ctx, id: number, body: AssignBody): Promise<InboxItem> {
  const row = await itemOr404(ctx.db, id);
  authorize(ctx.actor, KEEPERS, row.org_id, await scopeOf(ctx));
  if (row.status === 'new') throw conflict('INBOX_NOT_RECEIVED', 'Record receipt before handing the letter on');
  if (row.status === 'done') throw conflict('INBOX_ALREADY_DONE', 'This letter has been dealt with already');
  const colleague: Actor | undefined = await findActorById(ctx.db, body.userId);
  const active = colleague && (await activeUsersOf(ctx.db, row.org_id)).some((u) => u.id === colleague.id);
  if (!colleague || colleague.orgId !== row.org_id || !active) {
    throw invalid('INBOX_NOT_A_COLLEAGUE', 'Choose an active colleague of the receiving organisation', { userId: 'not a colleague of this organisation' });
  }
  const now = ctx.clock().toISOString();
  await ctx.db.transaction(async (tx) => {
    const moved = await repo.updateItemIn(tx, id, ['received', 'assigned'], {
      status: 'assigned',
      assignee_id: colleague.id,
      assigned_by: ctx.actor.id,
      assigned_at: now,
      due_date: body.dueDate ?? null,
      assign_note: body.note || null,
      updated_at: now,
    });
    if (!moved) throw conflict('INBOX_ALREADY_DONE', 'The letter changed meanwhile');
    await notify(ctx, tx, { recipients: { userIds: [colleague.id] }, kind: 'inbox.assigned', params: { subject: row.subject, by: ctx.actor.name }, link: `/inbox/${id}`, exceptUserId: ctx.actor.id, orgId: row.org_id });
  });
  sendNotificationMail(ctx);
  return (await wire(ctx, [await itemOr404(ctx.db, id)]))[0];
}

/** The colleague it was handed to marks it done, with a note. */
export async function completeItem(ctx: Ctx, id: number, body: DoneBody): Promise<InboxItem> {
  const row = await readable(ctx, id);
  if (row.assignee_id !== ctx.actor.id) throw forbidden('Only the colleague the letter was handed to can close it', 'INBOX_NOT_ASSIGNEE');
  const now = ctx.clock().toISOString();
  const moved = await repo.updateItemIn(ctx.db, id, ['assigned'], { status: 'done', done_at: now, done_note: body.note || null, updated_at: now });
  if (!moved) throw conflict('INBOX_ALREADY_DONE', 'This letter has been dealt with already');
  return (await wire(ctx, [await itemOr404(ctx.db, id)]))[0];
}

// ---------------------------------------------------------------- home panels

/** Letters waiting for the actor's organisation to receive them (the văn thư's home). */
export async function lettersToReceive(ctx: Ctx): Promise<InboxItem[]> {
  if (!can(ctx.actor, KEEPERS, ctx.actor.orgId)) return [];
  const { rows } = await repo.listItems(ctx.db, { orgId: ctx.actor.orgId, status: ['new'], limit: 50, offset: 0 });
  return wire(ctx, rows);
}

/** Letters handed to the actor and not yet done, overdue first (a colleague's home). */
export async function lettersAssignedToMe(ctx: Ctx): Promise<InboxItem[]> {
  const { rows } = await repo.listItems(ctx.db, { assigneeId: ctx.actor.id, status: ['assigned'], limit: 100, offset: 0 });
  const items = await wire(ctx, rows);
  return items.sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999'));
}

// ---------------------------------------------------------------- the incoming register

export interface IncomingRegister {
  orgId: number;
  orgName: string;
  year: number;
  years: number[];
  items: IncomingRegisterEntry[];
}

export async function getIncomingRegister(ctx: Ctx, query: { orgId?: number; year?: number }): Promise<IncomingRegister> {
  const orgId = query.orgId ?? ctx.actor.orgId;
  authorize(ctx.actor, STAFF_ROLES, orgId, await scopeOf(ctx));
  const year = query.year ?? localParts(ctx.clock()).year;
  const rows = await repo.registerEntries(ctx.db, orgId, year);
  const names = await userNames(ctx.db, rows.flatMap((r) => (r.assignee_id == null ? [] : [r.assignee_id])));
  const years = await repo.registerYears(ctx.db, orgId);
  const org = await findOrgById(ctx.db, orgId);
  return {
    orgId,
    orgName: org?.name ?? '',
    year,
    years: years.includes(year) ? years : [year, ...years].sort((a, b) => b - a),
    items: rows.map((r) => ({
      number: Number(r.number),
      receivedAt: r.received_at ?? '',
      from: r.from_name,
      symbol: r.symbol,
      letterDate: r.letter_date,
      subject: r.subject,
      recipient: r.assignee_id == null ? null : (names.get(r.assignee_id) ?? null),
      note: [r.assign_note, r.done_note].filter(Boolean).join(' — ') || null,
      itemId: r.id,
    })),
  };
}

// ---------------------------------------------------------------- edXML import

const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * An edXML file from another system: the organisation of this installation whose code is in To gets an inbox item
 * with the letter and its attachments. Refused with a reason and nothing stored: a file that is too large, not
 * well-formed or not an envelope, lacks a part, names no organisation here, or was imported already (409). Only the
 * recipient organisation's KEEPERS may import it.
 */
export async function importEdxml(ctx: Ctx, content: Buffer): Promise<InboxItem[]> {
  if (content.length > EDXML_MAX_BYTES) throw tooLarge('The edXML file is larger than allowed', 'EDXML_TOO_LARGE', { maxMb: EDXML_MAX_BYTES / 1024 / 1024 });
  const message = parseEdxml(content);
  const recipients = (await Promise.all(message.to.filter((t) => t.organId).map((t) => findOrgByCode(ctx.db, t.organId)))).filter((o) => o !== undefined);
  if (recipients.length === 0) {
    const codes = message.to.map((t) => t.organId).filter(Boolean).join(', ');
    throw invalid('EDXML_UNKNOWN_RECIPIENT', `No organisation here has the code in To (${codes || 'none'})`, { file: 'unknown recipient' }, { codes: codes.slice(0, 200) || '—' });
  }
  const scope = await scopeOf(ctx);
  const mine = recipients.filter((o) => can(ctx.actor, KEEPERS, o.id, scope));
  if (mine.length === 0) throw forbidden('Only the receiving organisation can import this letter');
  const symbol = joinSymbol(message);
  const sourceKey = `edxml:${sha256([message.from.organId, symbol, message.promulgationDate].join('|'))}`;
  for (const org of mine) {
    if (await repo.hasSourceKey(ctx.db, org.id, sourceKey)) throw conflict('INBOX_DUPLICATE', `${org.name} already has letter ${symbol}`);
  }
  const files: InboxFile[] = [];
  for (const [i, f] of message.files.entries()) {
    const stored = await storeBuffer(ctx.config.MEDIA_DIR, 'inbox', f.content, path.extname(f.name).slice(0, 10).replace(/[^.A-Za-z0-9]/g, ''));
    files.push({ name: f.name, path: stored.relPath, contentType: f.contentType, sha256: stored.sha256, size: stored.size, main: i === 0 });
  }
  const sender = message.from.organId ? await findOrgByCode(ctx.db, message.from.organId) : undefined;
  const now = ctx.clock().toISOString();
  const ids = await ctx.db.transaction(async (tx) => {
    const out: number[] = [];
    for (const org of mine) {
      const id = await repo.insertItemUnlessPresent(tx, {
        org_id: org.id,
        source_key: sourceKey,
        source: 'edxml',
        letter_id: null,
        delivery_id: null,
        from_org_id: sender?.id ?? null,
        from_code: message.from.organId,
        from_name: message.from.organName,
        symbol,
        subject: message.subject,
        document_type: message.documentType.typeName,
        place: message.place || null,
        letter_date: message.promulgationDate,
        signer_name: message.signer.fullName || null,
        signer_title: message.signer.position || null,
        urgency: URGENCY_OF_PRIORITY[message.priority] ?? null,
        files: JSON.stringify(files),
        arrived_at: now,
        updated_at: now,
      });
      if (id === undefined) throw conflict('INBOX_DUPLICATE', `${org.name} already has letter ${symbol}`);
      out.push(id);
      await announceArrival(ctx, tx, { id, orgId: org.id, subject: message.subject, from: message.from.organName });
    }
    return out;
  });
  sendNotificationMail(ctx);
  const rows = await Promise.all(ids.map((id) => itemOr404(ctx.db, id)));
  return wire(ctx, rows);
}

/** Whether the actor may import edXML for their organisation and see its register (the pages' buttons). */
export function isKeeper(ctx: Ctx): boolean {
  return hasRole(ctx.actor, KEEPERS);
}

/** The incoming register as a spreadsheet, in the columns of NĐ 30/2020 Phụ lục IV; times in Vietnam. */
export async function incomingRegisterXlsx(register: IncomingRegister): Promise<Buffer> {
  const wb = new (await loadExcelJs()).Workbook();
  wb.creator = 'Vận Động';
  const ws = wb.addWorksheet(`Sổ văn bản đến ${register.year}`);
  ws.addRow([`SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM ${register.year}`]).font = { bold: true, size: 14 };
  ws.addRow([register.orgName]);
  ws.addRow([]);
  ws.addRow(['Số đến', 'Ngày đến', 'Nơi gửi', 'Số, ký hiệu', 'Ngày văn bản', 'Trích yếu', 'Người nhận', 'Ghi chú']).font = { bold: true };
  for (const e of register.items) {
    ws.addRow([e.number, formatVnDateTime(e.receivedAt), e.from, e.symbol, e.letterDate ? formatVnDate(e.letterDate) : '', `V/v ${e.subject}`, e.recipient ?? '', e.note ?? '']);
  }
  ws.columns.forEach((c, i) => {
    c.width = [8, 18, 36, 22, 22, 60, 24, 40][i];
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
