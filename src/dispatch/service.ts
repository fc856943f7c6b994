import crypto from 'node:crypto';
import path from 'node:path';
import type { Deps } from '../deps';
import type { Q } from '../db';
import type { Actor } from '../auth';
import { authorize, requireRole, can } from '../auth';
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
import type { DeliveryState } from './states';
import { kickOutbox } from './worker';
import { listLetters } from '../letters';
import type { Letter } from '../letters';
import { deliverySummary, toDelivery, type Delivery, type DeliverySummary } from './model';

/** Who may dispatch a letter and resend it: the issuing organisation's drafters and secretaries (and admins). */
export const DISPATCH_ROLES = ['admin', 'drafter', 'secretary'] as const;
/** Who may follow its deliveries. */
export const FOLLOW_ROLES = ['admin', 'drafter', 'approver', 'secretary'] as const;
/** Who may read the outbox: admins (all of it) and secretaries (their organisation's messages). */
export const OUTBOX_ROLES = ['admin', 'secretary'] as const;

export type PackageLoader = () => Promise<DispatchPackage>;

export interface DispatchResult {
  /** Messages newly put in the outbox by this call. */
  queued: number;
  /** Recipients without an e-mail address (to be delivered by hand). */
  noEmail: number;
  /** Recipients whose address is unusable. */
  failed: number;
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

function messageIdDomain(mailFrom: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(mailFrom)?.[1] ?? 'vandong.local';
}

function isUsableEmail(address: string): boolean {
  return emailSchema().safeParse(address).success;
}

interface Prepared {
  pkg: DispatchPackage;
  attachments: { filename: string; path: string; contentType: string }[];
  fileNames: string[];
  issuedDate: string;
}

/** Outbox rows name files relative to MEDIA_DIR where they can, so the media folder can move. */
function underMedia(mediaDir: string, file: string): string {
  const root = path.resolve(mediaDir) + path.sep;
  return path.isAbsolute(file) && file.startsWith(root) ? path.relative(root, file) : file;
}

/** Stores the DOCX once by content hash: 1,000 messages point at one file. */
async function prepare(deps: Deps, pkg: DispatchPackage): Promise<Prepared> {
  const docx = await storeBuffer(deps.config.MEDIA_DIR, 'dispatch', pkg.docx.content, '.docx');
  const attachments = [
    { filename: pkg.docx.filename, path: docx.relPath, contentType: DOCX_TYPE },
    ...pkg.attachments.map((a) => ({ filename: a.filename, path: underMedia(deps.config.MEDIA_DIR, a.path), contentType: a.contentType })),
  ];
  return { pkg, attachments, fileNames: attachments.map((a) => a.filename), issuedDate: pkg.issuedAt ? formatLegalDate(pkg.issuedAt) : '' };
}

interface Plan {
  key: string;
  recipient: DispatchPackage['recipients'][number];
  existing?: DeliveryRow;
  round: number;
  status: DeliveryState;
  address: string | null;
  errorCode: string | null;
  tokenHash: string | null;
  mail?: MailRequest;
  outboxId?: number;
}

/**
 * Decides what one recipient's delivery becomes: no_email, failed (INVALID_EMAIL), or queued with a new
 * acknowledgement token and its message. `round` makes each resend a new message (its own dedupe key).
 */
function planRecipient(deps: Deps, prep: Prepared, recipient: DispatchPackage['recipients'][number], existing: DeliveryRow | undefined, round: number, reminder = false): Plan {
  const key = recipientKey(recipient);
  const address = recipient.email?.trim() || null;
  const base = { key, recipient, existing, round, address, errorCode: null, tokenHash: existing?.ack_token_hash ?? null };
  if (!address) return { ...base, status: 'no_email' };
  if (!isUsableEmail(address)) return { ...base, status: 'failed', errorCode: 'INVALID_EMAIL' };
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
  return { ...base, status: 'queued', tokenHash: hash, mail };
}

/** Writes the planned deliveries and their messages in a few statements (1,000 recipients are one dispatch). */
async function writePlans(deps: Deps, q: Q, letterId: number, plans: Plan[]): Promise<void> {
  const now = deps.clock().toISOString();
  const withMail = plans.filter((p) => p.mail);
  const ids = await enqueueMails(q, withMail.map((p) => p.mail!), { messageIdDomain: messageIdDomain(deps.config.MAIL_FROM), now });
  withMail.forEach((p, i) => (p.outboxId = ids[i]));
  const fields = (p: Plan) => ({ recipient_name: p.recipient.name, org_id: p.recipient.orgId, email: p.address, status: p.status, outbox_id: p.outboxId ?? null, ack_token_hash: p.tokenHash, error_code: p.errorCode, resend_count: p.round, updated_at: now });
  await repo.insertDeliveriesUnlessPresent(q, plans.filter((p) => !p.existing).map((p) => ({ letter_id: letterId, recipient_key: p.key, ...fields(p), acknowledged_at: null, created_at: now })));
  for (const p of plans) if (p.existing) await repo.updateDelivery(q, p.existing.id, fields(p));
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

function count(result: DispatchResult, status: DeliveryState): void {
  if (status === 'queued') result.queued += 1;
  else if (status === 'no_email') result.noEmail += 1;
  else if (status === 'failed') result.failed += 1;
}

async function recordDispatch(deps: Deps, q: Q, actor: Actor, pkg: DispatchPackage): Promise<void> {
  const now = deps.clock().toISOString();
  await repo.recordDispatch(q, { letter_id: pkg.letterId, issuing_org_id: pkg.issuingOrgId, number_symbol: pkg.numberSymbol, subject: pkg.subject, dispatched_by: actor.id, first_dispatched_at: now, last_dispatched_at: now });
}

/**
 * Dispatches an issued letter: one delivery per recipient. Recipients already dispatched are left alone
 * (dispatching twice sends nothing twice); a recipient that had no e-mail and has one now is queued.
 */
export async function dispatchLetter(deps: Deps, actor: Actor, pkg: DispatchPackage): Promise<DispatchResult> {
  authorize(actor, DISPATCH_ROLES, pkg.issuingOrgId);
  if (pkg.status !== 'issued') throw conflict('LETTER_NOT_ISSUED', 'Only an issued letter can be dispatched');
  const prep = await prepare(deps, pkg);
  const recipients = uniqueRecipients(pkg);
  const result: DispatchResult = { queued: 0, noEmail: 0, failed: 0, total: recipients.length };
  await deps.db.transaction(async (trx) => {
    await recordDispatch(deps, trx, actor, pkg);
    const existing = await repo.deliveriesByKey(trx, pkg.letterId);
    const plans: Plan[] = [];
    for (const r of recipients) {
      const prior = existing.get(recipientKey(r));
      if (prior && !(prior.status === 'no_email' && r.email)) {
        if (prior.status === 'no_email') result.noEmail += 1;
        continue;
      }
      plans.push(planRecipient(deps, prep, r, prior, prior ? prior.resend_count + 1 : 0));
    }
    await writePlans(deps, trx, pkg.letterId, plans);
    for (const p of plans) count(result, p.status);
  });
  if (result.queued > 0) kickOutbox(deps);
  return result;
}

/**
 * Who a second sending goes to: `failed` — deliveries that failed, at the address the letter now gives;
 * `unacknowledged` — deliveries sent but not acknowledged, as a reminder. Each gets a new message with a
 * new acknowledgement link (the old link stops working: only one token hash is kept per delivery).
 */
export type ResendTarget = 'failed' | 'unacknowledged';
const RESEND_FROM: Record<ResendTarget, DeliveryState> = { failed: 'failed', unacknowledged: 'sent' };

export async function resendTo(deps: Deps, actor: Actor, pkg: DispatchPackage, target: ResendTarget): Promise<DispatchResult> {
  authorize(actor, DISPATCH_ROLES, pkg.issuingOrgId);
  if (pkg.status !== 'issued') throw conflict('LETTER_NOT_ISSUED', 'Only an issued letter can be dispatched');
  const prep = await prepare(deps, pkg);
  const byKey = new Map(uniqueRecipients(pkg).map((r) => [recipientKey(r), r]));
  const result: DispatchResult = { queued: 0, noEmail: 0, failed: 0, total: 0 };
  await deps.db.transaction(async (trx) => {
    await recordDispatch(deps, trx, actor, pkg);
    const plans: Plan[] = [];
    for (const d of (await repo.deliveriesByKey(trx, pkg.letterId)).values()) {
      if (d.status !== RESEND_FROM[target]) continue;
      const r = byKey.get(d.recipient_key) ?? { orgId: d.org_id, name: d.recipient_name, email: d.email };
      plans.push(planRecipient(deps, prep, r, d, d.resend_count + 1, target === 'unacknowledged'));
    }
    await writePlans(deps, trx, pkg.letterId, plans);
    result.total = plans.length;
    for (const p of plans) count(result, p.status);
  });
  if (result.queued > 0) kickOutbox(deps);
  return result;
}

/**
 * The deliveries of a letter with a summary. A letter never dispatched is looked up through the letters
 * feature (to answer 404 or 403 correctly) and has none.
 */
export async function listDeliveries(deps: Deps, actor: Actor, letterId: number, loadPackage: PackageLoader): Promise<{ letter: { id: number; numberSymbol: string; subject: string; issuingOrgId: number; status?: string }; items: Delivery[]; summary: DeliverySummary }> {
  const dispatch = await repo.findDispatch(deps.db, letterId);
  if (!dispatch) {
    const pkg = await loadPackage();
    authorize(actor, FOLLOW_ROLES, pkg.issuingOrgId);
    return { letter: { id: letterId, numberSymbol: pkg.numberSymbol, subject: pkg.subject, issuingOrgId: pkg.issuingOrgId, status: pkg.status }, items: [], summary: deliverySummary([]) };
  }
  authorize(actor, FOLLOW_ROLES, dispatch.issuing_org_id);
  const items = (await repo.deliveriesOfLetter(deps.db, letterId)).map((v) => toDelivery(v, actor.locale));
  return { letter: { id: letterId, numberSymbol: dispatch.number_symbol, subject: dispatch.subject, issuingOrgId: dispatch.issuing_org_id, status: 'issued' }, items, summary: deliverySummary(items) };
}

export interface AckOutcome {
  recorded: boolean;
  recipient: string;
  acknowledgedAt: string;
  numberSymbol: string;
  subject: string;
}

/** One-click acknowledgement: recorded once; a second click changes nothing; an unknown token is 404. */
export async function acknowledge(deps: Deps, token: string): Promise<AckOutcome> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw notFound('Acknowledgement', 'ACK_NOT_FOUND');
  const delivery = await repo.deliveryByTokenHash(deps.db, hashAckToken(token));
  if (!delivery) throw notFound('Acknowledgement', 'ACK_NOT_FOUND');
  const now = deps.clock().toISOString();
  const recorded = await repo.acknowledgeOnce(deps.db, delivery.id, now);
  const after = recorded ? now : ((await repo.deliveryByTokenHash(deps.db, hashAckToken(token)))?.acknowledged_at ?? now);
  const dispatch = await repo.findDispatch(deps.db, delivery.letter_id);
  return { recorded, recipient: delivery.recipient_name, acknowledgedAt: after, numberSymbol: dispatch?.number_symbol ?? '', subject: dispatch?.subject ?? '' };
}

// ---------------------------------------------------------------- outbox page

export async function listOutbox(deps: Deps, actor: Actor, filter: { status?: repo.OutboxFilter['status']; beforeId?: number }) {
  requireRole(actor, OUTBOX_ROLES);
  const orgId = can(actor, ['admin'], []) ? undefined : actor.orgId;
  const rows = await repo.listOutbox(deps.db, { ...filter, orgId, limit: 100 });
  return { rows, counts: await repo.outboxCountsByStatus(deps.db, orgId) };
}

export async function getOutboxMessage(deps: Deps, actor: Actor, id: number): Promise<repo.OutboxRow> {
  const row = await repo.findOutbox(deps.db, id);
  if (!row) throw notFound('Message', 'MESSAGE_NOT_FOUND');
  authorize(actor, OUTBOX_ROLES, [row.org_id]);
  return row;
}

/** For pages: whether to show the dispatch and resend buttons. */
/** Issued letters of the actor's organisation that have not been e-mailed yet (the secretary's home page). */
export async function lettersAwaitingDispatch(db: Q, actor: Actor): Promise<Letter[]> {
  if (!can(actor, DISPATCH_ROLES, actor.orgId)) return [];
  const issued = await listLetters(db, actor, { status: 'issued' });
  const dispatched = await repo.dispatchedLetterIds(db, issued.map((l) => l.id));
  return issued.filter((l) => !dispatched.has(l.id));
}

/** Per letter: its delivery summary and the recipients who have the letter but have not acknowledged it. */
export async function deliveryOverview(db: Q, letterIds: number[]): Promise<Map<number, { summary: DeliverySummary; unacknowledged: string[] }>> {
  const rows = await repo.deliveriesOfLetters(db, letterIds);
  const out = new Map<number, { summary: DeliverySummary; unacknowledged: string[] }>();
  for (const letterId of letterIds) {
    const mine = rows.filter((r) => r.letter_id === letterId);
    out.set(letterId, { summary: deliverySummary(mine), unacknowledged: mine.filter((r) => r.status === 'sent').map((r) => r.recipient_name) });
  }
  return out;
}

export function canDispatch(actor: Actor, issuingOrgId: number): boolean {
  return can(actor, DISPATCH_ROLES, issuingOrgId);
}
