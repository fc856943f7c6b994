import crypto from 'node:crypto';
import path from 'node:path';
import { offsetOf, pageOf, type ListQuery } from '../shared/paging';
import type { Ctx, Deps } from '../deps';
import type { Q } from '../db';
import { ADMIN_ROLES, authorize, can, hasRole, orgsWithActiveUsers, PREPARER_ROLES, requireRole, STAFF_ROLES } from '../auth';
import { conflict, notFound } from '../shared/errors';
import { storeBuffer } from '../shared/media';
import { formatLegalDate } from '../shared/time';
import { email as emailSchema } from '../shared/validate';
import { t } from '../shared/i18n';
import type { DispatchPackage, MailRequest } from './contract';
import { enqueueMails } from './outbox';
import { renderEmail } from './mail';
import * as repo from './repo';
import type { DeliveryRow } from './repo';
import type { DeliveryChannel, DeliveryState } from './states';
import { kickOutbox } from './worker';
import { getDispatchPackage, getLetter, listLetters, recordLetterEvent } from '../letters';
import { findOrgById } from '../orgs';
import type { Letter } from '../letters';
import { deliverToInboxes, type ArrivingLetter, type InboxFile } from '../inbox';
import { deliverySummary, toDelivery, type Delivery, type DeliverySummary } from './model';

/**
 * Who may do what: the issuing organisation's preparers (PREPARER_ROLES: drafters, secretaries, admins) dispatch
 * a letter and resend it; its staff (STAFF_ROLES) follow its deliveries. The outbox is this feature's own:
 * admins read all of it, secretaries their organisation's messages.
 */
export const OUTBOX_ROLES = ['admin', 'secretary'] as const;

export interface DispatchResult {
  /** Messages newly put in the outbox by this call. */
  queued: number;
  /** Recipients without an e-mail address (to be delivered by hand). */
  noEmail: number;
  /** Recipients whose address is unusable. */
  failed: number;
  /** Organisations with users here that got the letter in their inbox by this call. */
  inSystem: number;
  total: number;
}

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export function recipientKey(r: { orgId: number | null; name: string }): string {
  return r.orgId != null ? `org:${r.orgId}` : `name:${r.name.normalize('NFC').trim().toLowerCase()}`.slice(0, 340);
}

export function hashAckToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

function newAckToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashAckToken(token) };
}

function isUsableEmail(address: string): boolean {
  return emailSchema().safeParse(address).success;
}

interface Prepared {
  pkg: DispatchPackage;
  attachments: { filename: string; path: string; contentType: string }[];
  /** The signed PDF and the attachments (no DOCX: the exchanged file is the signed PDF), for the inboxes. */
  inboxFiles: InboxFile[];
  fileNames: string[];
  issuedDate: string;
}

/** Outbox rows name files relative to MEDIA_DIR where they can, so the media folder can move. */
function underMedia(mediaDir: string, file: string): string {
  const root = path.resolve(mediaDir) + path.sep;
  return path.isAbsolute(file) && file.startsWith(root) ? path.relative(root, file) : file;
}

/** Stores the PDF and the DOCX once by content hash: 1,000 messages point at one file each. */
async function prepare(deps: Deps, pkg: DispatchPackage): Promise<Prepared> {
  const pdf = await storeBuffer(deps.config.MEDIA_DIR, 'dispatch', pkg.pdf.content, '.pdf');
  const docx = await storeBuffer(deps.config.MEDIA_DIR, 'dispatch', pkg.docx.content, '.docx');
  const attachments = [
    { filename: pkg.pdf.filename, path: pdf.relPath, contentType: 'application/pdf' },
    { filename: pkg.docx.filename, path: docx.relPath, contentType: DOCX_TYPE },
    ...pkg.attachments.map((a) => ({ filename: a.filename, path: underMedia(deps.config.MEDIA_DIR, a.path), contentType: a.contentType })),
  ];
  const inboxFiles: InboxFile[] = [
    { name: pkg.pdf.filename, path: pdf.relPath, contentType: 'application/pdf', sha256: pdf.sha256, size: pdf.size, main: true },
    ...pkg.attachments.map((a) => ({ name: a.filename, path: underMedia(deps.config.MEDIA_DIR, a.path), contentType: a.contentType, sha256: a.sha256, size: null, main: false })),
  ];
  return { pkg, attachments, inboxFiles, fileNames: attachments.map((a) => a.filename), issuedDate: pkg.issuedAt ? formatLegalDate(pkg.issuedAt) : '' };
}

interface Plan {
  key: string;
  recipient: DispatchPackage['recipients'][number];
  existing?: DeliveryRow;
  round: number;
  status: DeliveryState;
  channel: DeliveryChannel;
  address: string | null;
  errorCode: string | null;
  /** The hash of the acknowledgement link this plan's message carries (added to the delivery's links). */
  tokenHash: string | null;
  mail?: MailRequest;
  outboxId?: number;
}

/**
 * Decides what one recipient's delivery becomes: delivered (an organisation with users here: its inbox, no e-mail),
 * no_email, failed (INVALID_EMAIL), or queued with a new acknowledgement link and its message. `round` makes each
 * resend a new message (its own dedupe key).
 */
function planRecipient(deps: Deps, prep: Prepared, recipient: DispatchPackage['recipients'][number], existing: DeliveryRow | undefined, round: number, inSystem: ReadonlySet<number>, reminder = false): Plan {
  const key = recipientKey(recipient);
  const address = recipient.email?.trim() || null;
  const base = { key, recipient, existing, round, address, errorCode: null, tokenHash: null };
  if (recipient.orgId != null && inSystem.has(recipient.orgId)) return { ...base, status: 'delivered', channel: 'system' };
  if (!address) return { ...base, status: 'no_email', channel: 'hand' };
  if (!isUsableEmail(address)) return { ...base, status: 'failed', channel: 'email', errorCode: 'INVALID_EMAIL' };
  const { token, hash } = newAckToken();
  const { pkg } = prep;
  const body = renderEmail('letter', {
    recipientName: recipient.name,
    issuingOrgName: pkg.issuingOrgName,
    numberSymbol: pkg.numberSymbol,
    subject: pkg.subject,
    issuedDate: prep.issuedDate,
    fileNames: prep.fileNames,
    attachmentNames: pkg.attachments.map((a) => a.filename),
    pdfName: pkg.pdf.filename,
    docxName: pkg.docx.filename,
    signer: pkg.signedBy.find((s) => s.kind === 'signer')?.name ?? null,
    organisation: pkg.signedBy.find((s) => s.kind === 'organisation')?.name ?? null,
    signed: pkg.signedBy.length > 0,
    verifyUrl: `${deps.config.publicUrl}/verify`,
    ackUrl: `${deps.config.publicUrl}/ack/${token}`,
  });
  const mail: MailRequest = {
    kind: 'letter',
    dedupeKey: `letter:${pkg.letterId}:${key}:${round}`,
    orgId: pkg.issuingOrgId,
    to: address,
    subject: t('vi', reminder ? 'dispatch.mail.reminderSubject' : 'dispatch.mail.subject', { numberSymbol: pkg.numberSymbol, subject: pkg.subject }),
    text: body.text,
    html: body.html,
    attachments: prep.attachments,
  };
  return { ...base, status: 'queued', channel: 'email', tokenHash: hash, mail };
}

/**
 * Writes the planned deliveries, their messages and their new acknowledgement links in a few statements (1,000
 * recipients are one dispatch), then puts the letter into the inbox of every recipient organisation in the system —
 * all in the caller's transaction.
 */
async function writePlans(deps: Deps, q: Q, prep: Prepared, plans: Plan[]): Promise<void> {
  const letterId = prep.pkg.letterId;
  const now = deps.clock().toISOString();
  const withMail = plans.filter((p) => p.mail);
  const ids = await enqueueMails(deps, q, withMail.map((p) => p.mail!));
  withMail.forEach((p, i) => (p.outboxId = ids[i]));
  const fields = (p: Plan) => ({ recipient_name: p.recipient.name, org_id: p.recipient.orgId, email: p.address, status: p.status, channel: p.channel, outbox_id: p.outboxId ?? null, error_code: p.errorCode, resend_count: p.round, updated_at: now });
  await repo.insertDeliveriesUnlessPresent(q, plans.filter((p) => !p.existing).map((p) => ({ letter_id: letterId, recipient_key: p.key, ...fields(p), ack_token_hash: null, acknowledged_at: null, created_at: now })));
  for (const p of plans) if (p.existing) await repo.updateDelivery(q, p.existing.id, fields(p));
  const byKey = await repo.deliveriesByKey(q, letterId);
  await repo.insertAckTokens(q, plans.filter((p) => p.tokenHash && byKey.has(p.key)).map((p) => ({ token_hash: p.tokenHash!, delivery_id: byKey.get(p.key)!.id, created_at: now })));
  const toInbox = plans.filter((p) => p.channel === 'system' && byKey.has(p.key));
  if (toInbox.length > 0) {
    await deliverToInboxes(deps, q, arrivingLetter(prep), toInbox.map((p) => ({ orgId: p.recipient.orgId!, deliveryId: byKey.get(p.key)!.id })));
  }
}

/** The letter as the recipients' inboxes keep it: its particulars and the files (the signed PDF first). */
function arrivingLetter(prep: Prepared): ArrivingLetter {
  const { pkg } = prep;
  return {
    letterId: pkg.letterId,
    fromOrgId: pkg.issuingOrgId,
    fromName: pkg.issuingOrgName,
    symbol: pkg.numberSymbol,
    subject: pkg.subject,
    place: pkg.place,
    issuedAt: pkg.issuedAt,
    signerName: pkg.signer.name,
    signerTitle: pkg.signer.title,
    urgency: pkg.urgency,
    files: prep.inboxFiles,
  };
}

function uniqueRecipients(pkg: DispatchPackage): DispatchPackage['recipients'] {
  const seen = new Set<string>();
  return pkg.recipients.filter((r) => {
    const k = recipientKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Counts a recipient in the answer: newly queued messages, and where each recipient stands (by hand, refused, in the system). */
function count(result: DispatchResult, status: DeliveryState, planned = false): void {
  if (status === 'queued' && planned) result.queued += 1;
  else if (status === 'no_email') result.noEmail += 1;
  else if (status === 'failed' && planned) result.failed += 1;
  else if (status === 'delivered' && planned) result.inSystem += 1;
}

/** Recipient organisations that have users here: they get the letter in their inbox instead of an e-mail. */
async function recipientsInSystem(q: Q, recipients: DispatchPackage['recipients']): Promise<Set<number>> {
  return orgsWithActiveUsers(q, recipients.flatMap((r) => (r.orgId != null ? [r.orgId] : [])));
}

async function recordDispatch(ctx: Ctx, q: Q, pkg: DispatchPackage): Promise<void> {
  const now = ctx.clock().toISOString();
  await repo.recordDispatch(q, { letter_id: pkg.letterId, issuing_org_id: pkg.issuingOrgId, number_symbol: pkg.numberSymbol, subject: pkg.subject, dispatched_by: ctx.actor.id, first_dispatched_at: now, last_dispatched_at: now });
  await recordLetterEvent(ctx, q, pkg.letterId, 'dispatched');
}

/** The letter as the letters feature hands it over, if this person may send it and it is issued. */
async function sendable(ctx: Ctx, letterId: number): Promise<DispatchPackage> {
  const pkg = await getDispatchPackage(ctx, letterId);
  authorize(ctx.actor, PREPARER_ROLES, pkg.issuingOrgId);
  if (pkg.status !== 'issued') throw conflict('LETTER_NOT_ISSUED', 'Only an issued letter can be dispatched');
  return pkg;
}

/**
 * Dispatches an issued letter: one delivery per recipient. Recipients already dispatched are left alone
 * (dispatching twice sends nothing twice); a recipient that had no e-mail and has one now is queued.
 */
export async function dispatchLetter(ctx: Ctx, letterId: number): Promise<DispatchResult> {
  const pkg = await sendable(ctx, letterId);
  const prep = await prepare(ctx, pkg);
  const recipients = uniqueRecipients(pkg);
  const result: DispatchResult = { queued: 0, noEmail: 0, failed: 0, inSystem: 0, total: recipients.length };
  await ctx.db.transaction(async (trx) => {
    await recordDispatch(ctx, trx, pkg);
    const existing = await repo.deliveriesByKey(trx, pkg.letterId);
    const inSystem = await recipientsInSystem(trx, recipients);
    const plans: Plan[] = [];
    for (const r of recipients) {
      const prior = existing.get(recipientKey(r));
      const reachableNow = Boolean(r.email) || (r.orgId != null && inSystem.has(r.orgId));
      if (prior && !(prior.status === 'no_email' && reachableNow)) {
        count(result, prior.status);
        continue;
      }
      plans.push(planRecipient(ctx, prep, r, prior, prior ? prior.resend_count + 1 : 0, inSystem));
    }
    await writePlans(ctx, trx, prep, plans);
    for (const p of plans) count(result, p.status, true);
  });
  // In-system recipients' văn thư are told by e-mail too (queued in the same transaction).
  if (result.queued > 0 || result.inSystem > 0) kickOutbox(ctx);
  return result;
}

/**
 * Who a second sending goes to: `failed` — deliveries that failed, at the address the letter now gives;
 * `unacknowledged` — e-mails sent but not acknowledged, as a reminder. Each gets a new message with a new
 * acknowledgement link; every earlier link keeps working (the recipient may click the first e-mail's).
 */
export type ResendTarget = 'failed' | 'unacknowledged';
const RESEND_FROM: Record<ResendTarget, DeliveryState> = { failed: 'failed', unacknowledged: 'sent' };

export async function resendTo(ctx: Ctx, letterId: number, target: ResendTarget): Promise<DispatchResult> {
  const pkg = await sendable(ctx, letterId);
  const prep = await prepare(ctx, pkg);
  const byKey = new Map(uniqueRecipients(pkg).map((r) => [recipientKey(r), r]));
  const result: DispatchResult = { queued: 0, noEmail: 0, failed: 0, inSystem: 0, total: 0 };
  await ctx.db.transaction(async (trx) => {
    await recordDispatch(ctx, trx, pkg);
    const due = [...(await repo.deliveriesByKey(trx, pkg.letterId)).values()].filter((d) => d.status === RESEND_FROM[target]);
    const recipients = due.map((d) => byKey.get(d.recipient_key) ?? { orgId: d.org_id, name: d.recipient_name, email: d.email });
    // A reminder stays an e-mail; a failed address may have become an organisation with users here.
    const inSystem = target === 'failed' ? await recipientsInSystem(trx, recipients) : new Set<number>();
    const plans = due.map((d, i) => planRecipient(ctx, prep, recipients[i], d, d.resend_count + 1, inSystem, target === 'unacknowledged'));
    await writePlans(ctx, trx, prep, plans);
    result.total = plans.length;
    for (const p of plans) count(result, p.status, true);
  });
  // In-system recipients' văn thư are told by e-mail too (queued in the same transaction).
  if (result.queued > 0 || result.inSystem > 0) kickOutbox(ctx);
  return result;
}

/**
 * The deliveries of a letter with a summary. A letter never dispatched is read through the letters feature
 * (which answers 404, or 403 to whoever may not read it) and has none.
 */
export async function listDeliveries(ctx: Ctx, letterId: number): Promise<{ letter: { id: number; numberSymbol: string; subject: string; issuingOrgId: number; status?: string }; items: Delivery[]; summary: DeliverySummary }> {
  const { db, actor } = ctx;
  const dispatch = await repo.findDispatch(db, letterId);
  if (!dispatch) {
    const letter = await getLetter(ctx, letterId);
    authorize(actor, STAFF_ROLES, letter.issuingOrgId);
    return { letter: { id: letterId, numberSymbol: letter.symbol, subject: letter.subject, issuingOrgId: letter.issuingOrgId, status: letter.status }, items: [], summary: deliverySummary([]) };
  }
  authorize(actor, STAFF_ROLES, dispatch.issuing_org_id);
  const items = (await repo.deliveriesOfLetter(db, letterId)).map((v) => toDelivery(v, actor.locale));
  return { letter: { id: letterId, numberSymbol: dispatch.number_symbol, subject: dispatch.subject, issuingOrgId: dispatch.issuing_org_id, status: 'issued' }, items, summary: deliverySummary(items) };
}

export interface AckOutcome {
  recorded: boolean;
  /** Null while the link has only been opened (GET): the page shows the letter and the button. */
  acknowledgedAt: string | null;
  recipient: string;
  numberSymbol: string;
  subject: string;
  issuingOrgName: string;
}

async function deliveryOfLink(deps: Deps, token: string): Promise<DeliveryRow> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw notFound('Acknowledgement', 'ACK_NOT_FOUND');
  const delivery = await repo.deliveryByTokenHash(deps.db, hashAckToken(token));
  if (!delivery) throw notFound('Acknowledgement', 'ACK_NOT_FOUND');
  return delivery;
}

async function outcome(deps: Deps, delivery: DeliveryRow, recorded: boolean, acknowledgedAt: string | null): Promise<AckOutcome> {
  const dispatch = await repo.findDispatch(deps.db, delivery.letter_id);
  const org = dispatch ? await findOrgById(deps.db, dispatch.issuing_org_id) : undefined;
  return { recorded, recipient: delivery.recipient_name, acknowledgedAt, numberSymbol: dispatch?.number_symbol ?? '', subject: dispatch?.subject ?? '', issuingOrgName: org?.name ?? '' };
}

/**
 * What an acknowledgement link shows before anything is recorded (GET: mail scanners follow links, so opening one
 * records nothing): the letter, and whether it was acknowledged already. Any link ever sent for the delivery works.
 */
export async function ackLinkInfo(deps: Deps, token: string): Promise<AckOutcome> {
  const delivery = await deliveryOfLink(deps, token);
  return outcome(deps, delivery, false, delivery.acknowledged_at);
}

/** The recipient's button (POST): recorded once; a second press changes nothing; an unknown link is 404. */
export async function acknowledge(deps: Deps, token: string): Promise<AckOutcome> {
  const delivery = await deliveryOfLink(deps, token);
  const now = deps.clock().toISOString();
  const recorded = await repo.acknowledgeOnce(deps.db, delivery.id, now);
  const after = recorded ? now : ((await repo.deliveryByTokenHash(deps.db, hashAckToken(token)))?.acknowledged_at ?? now);
  return outcome(deps, delivery, recorded, after);
}

/**
 * The receiving organisation's văn thư recorded receipt in the system (inbox feature, inside its transaction): the
 * sender's delivery shows acknowledged, channel "system". False when it already was.
 */
export async function acknowledgeInSystem(q: Q, deliveryId: number, at: string): Promise<boolean> {
  return repo.acknowledgeOnce(q, deliveryId, at);
}

/**
 * Records a delivery as acknowledged at the current time, without its link (the demo seed acknowledges for the
 * recipients it invents; it cannot know their tokens, of which only hashes are kept). False when it already was.
 */
export async function acknowledgeDelivery(deps: Deps, deliveryId: number): Promise<boolean> {
  return repo.acknowledgeOnce(deps.db, deliveryId, deps.clock().toISOString());
}

// ---------------------------------------------------------------- outbox page

/** One page of the outbox (newest first), searched by recipient address or subject, with the counts by status. */
export async function listOutbox(ctx: Ctx, filter: { status?: repo.OutboxFilter['status']; beforeId?: number } & ListQuery) {
  const { db, actor } = ctx;
  requireRole(actor, OUTBOX_ROLES);
  const orgId = hasRole(actor, ADMIN_ROLES) ? undefined : actor.orgId;
  const { rows, total } = await repo.listOutbox(db, { status: filter.status, beforeId: filter.beforeId, q: filter.q, orgId, limit: filter.pageSize, offset: offsetOf(filter) });
  return { rows, total, page: pageOf(rows, total, filter), counts: await repo.outboxCountsByStatus(db, orgId) };
}

export async function getOutboxMessage(ctx: Ctx, id: number): Promise<repo.OutboxRow> {
  const row = await repo.findOutbox(ctx.db, id);
  if (!row) throw notFound('Message', 'MESSAGE_NOT_FOUND');
  authorize(ctx.actor, OUTBOX_ROLES, [row.org_id]);
  return row;
}

/** Issued letters of the actor's organisation that have not been e-mailed yet (the secretary's home page). */
export async function lettersAwaitingDispatch(ctx: Ctx): Promise<Letter[]> {
  if (!can(ctx.actor, PREPARER_ROLES, ctx.actor.orgId)) return [];
  const issued = await listLetters(ctx, { status: 'issued' });
  const dispatched = await repo.dispatchedLetterIds(ctx.db, issued.map((l) => l.id));
  return issued.filter((l) => !dispatched.has(l.id));
}

/**
 * Per letter: its delivery summary and the recipients who have the letter but have not acknowledged it. For a
 * feature that has already read those letters for its user (the campaign page); it authorises nothing itself.
 */
export async function deliveryOverview(deps: Deps, letterIds: number[]): Promise<Map<number, { summary: DeliverySummary; unacknowledged: string[] }>> {
  const rows = await repo.deliveriesOfLetters(deps.db, letterIds);
  const out = new Map<number, { summary: DeliverySummary; unacknowledged: string[] }>();
  for (const letterId of letterIds) {
    const mine = rows.filter((r) => r.letter_id === letterId);
    // Waiting: an e-mail sent and not confirmed, or a letter in a recipient's inbox not yet received there.
    out.set(letterId, { summary: deliverySummary(mine), unacknowledged: mine.filter((r) => r.status === 'sent' || r.status === 'delivered').map((r) => r.recipient_name) });
  }
  return out;
}

/** For pages: whether to show the dispatch and resend buttons. */
export function canDispatch(ctx: Ctx, issuingOrgId: number): boolean {
  return can(ctx.actor, PREPARER_ROLES, issuingOrgId);
}
