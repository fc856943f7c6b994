import type { Q } from '../db';
import { whereContains } from '../shared/paging';
import { chunked } from '../db';
import type { DeliveryChannel, DeliveryState, OutboxState } from './states';

/** The only file of the dispatch feature that builds queries. Functions are named for what they answer or do. */

export interface OutboxRow {
  id: number;
  kind: string;
  dedupe_key: string;
  org_id: number | null;
  to_address: string;
  subject: string;
  text: string;
  html: string | null;
  attachments: string;
  message_id: string;
  status: OutboxState;
  attempts: number;
  next_attempt_at: string;
  claimed_by: string | null;
  claim_token: string | null;
  claimed_at: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
}

export type NewOutboxRow = Omit<OutboxRow, 'id' | 'status' | 'attempts' | 'claimed_by' | 'claim_token' | 'claimed_at' | 'last_error' | 'sent_at'>;

// ---------------------------------------------------------------- outbox

/** Inserts unless a message with the same dedupe key exists. No error is raised (so a caller's PostgreSQL transaction stays usable). */
export async function insertOutboxUnlessDuplicate(q: Q, row: NewOutboxRow): Promise<void> {
  await q('mail_outbox').insert({ ...row, status: 'queued', attempts: 0 }).onConflict('dedupe_key').ignore();
}

export async function insertOutboxManyUnlessDuplicate(q: Q, rows: NewOutboxRow[]): Promise<void> {
  for (const part of chunked(rows)) await q('mail_outbox').insert(part.map((r) => ({ ...r, status: 'queued', attempts: 0 }))).onConflict('dedupe_key').ignore();
}

export async function outboxIdsByDedupeKeys(q: Q, keys: string[]): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (const part of chunked(keys, 500)) {
    const rows = await q('mail_outbox').whereIn('dedupe_key', part).select('id', 'dedupe_key');
    for (const r of rows as { id: number; dedupe_key: string }[]) map.set(r.dedupe_key, Number(r.id));
  }
  return map;
}

export async function outboxIdByDedupeKey(q: Q, dedupeKey: string): Promise<number | undefined> {
  const row = await q<{ id: number; dedupe_key: string }>('mail_outbox').where({ dedupe_key: dedupeKey }).first('id');
  return row ? Number(row.id) : undefined;
}

export async function findOutbox(q: Q, id: number): Promise<OutboxRow | undefined> {
  return q<OutboxRow>('mail_outbox').where({ id }).first();
}

export async function dueOutboxIds(q: Q, now: string, limit: number): Promise<number[]> {
  const rows = await q('mail_outbox').where({ status: 'queued' }).andWhere('next_attempt_at', '<=', now).orderBy('id').limit(limit).select('id');
  return rows.map((r: { id: number }) => Number(r.id));
}

/** Moves due queued messages to "sending" under one claim token; one conditional UPDATE, so two workers never claim the same row. */
export async function claimOutbox(q: Q, ids: number[], claim: { by: string; token: string; at: string }): Promise<number> {
  if (ids.length === 0) return 0;
  return q('mail_outbox')
    .whereIn('id', ids)
    .andWhere({ status: 'queued' })
    .update({ status: 'sending', claimed_by: claim.by, claim_token: claim.token, claimed_at: claim.at, attempts: q.raw('attempts + 1') });
}

export async function outboxClaimedWith(q: Q, token: string): Promise<OutboxRow[]> {
  return q<OutboxRow>('mail_outbox').where({ claim_token: token, status: 'sending' }).orderBy('id');
}

export async function outboxInSending(q: Q): Promise<OutboxRow[]> {
  return q<OutboxRow>('mail_outbox').where({ status: 'sending' }).orderBy('id');
}

/** Marks a claimed message sent (one statement: the crash window is this write). Returns false if the claim was lost. */
export async function markOutboxSent(q: Q, id: number, token: string, at: string): Promise<boolean> {
  const n = await q('mail_outbox').where({ id, claim_token: token, status: 'sending' }).update({ status: 'sent', sent_at: at, last_error: null });
  return n > 0;
}

export async function markOutboxRetry(q: Q, id: number, token: string, nextAttemptAt: string, error: string): Promise<boolean> {
  const n = await q('mail_outbox').where({ id, claim_token: token, status: 'sending' }).update({ status: 'queued', next_attempt_at: nextAttemptAt, last_error: error.slice(0, 2000) });
  return n > 0;
}

export async function markOutboxFailed(q: Q, id: number, token: string, error: string): Promise<boolean> {
  const n = await q('mail_outbox').where({ id, claim_token: token, status: 'sending' }).update({ status: 'failed', last_error: error.slice(0, 2000) });
  return n > 0;
}

/**
 * Brings letter deliveries in line with their messages' final outcome (sent | failed). The worker calls it
 * every few dozen outcomes and at the end of a drain, not per message, to keep the send loop to one write.
 */
export async function syncDeliveryStatuses(q: Q, at: string, outboxIds?: number[]): Promise<void> {
  for (const status of ['sent', 'failed'] as const) {
    const finished = q('mail_outbox').select('id').where({ status });
    if (outboxIds) finished.whereIn('id', outboxIds);
    await q('deliveries').where({ status: 'queued' }).whereIn('outbox_id', finished).update({ status, updated_at: at });
  }
}

/** A message left in "sending" by a dead process goes back to the queue (same Message-ID). */
export async function requeueInterrupted(q: Q, id: number, token: string | null, now: string, note: string): Promise<boolean> {
  const query = q('mail_outbox').where({ id, status: 'sending' });
  if (token) query.andWhere({ claim_token: token });
  else query.whereNull('claim_token');
  const n = await query.update({ status: 'queued', next_attempt_at: now, last_error: note });
  return n > 0;
}

export interface OutboxFilter {
  orgId?: number;
  status?: OutboxState;
  beforeId?: number;
  /** Recipient address or subject containing it. */
  q?: string;
  limit: number;
  offset?: number;
}

function outboxOf(q: Q, f: Omit<OutboxFilter, 'limit' | 'offset'>) {
  const query = q<OutboxRow>('mail_outbox');
  if (f.orgId !== undefined) query.where({ org_id: f.orgId });
  if (f.status) query.where({ status: f.status });
  if (f.beforeId) query.where('id', '<', f.beforeId);
  if (f.q) whereContains(query, ['to_address', 'subject'], f.q);
  return query;
}

/** Newest first: one page of the filter and how many match in all. */
export async function listOutbox(q: Q, f: OutboxFilter): Promise<{ rows: OutboxRow[]; total: number }> {
  const counted = await outboxOf(q, f).count({ n: '*' }).first();
  const n = Number(counted?.n ?? 0);
  const rows = await outboxOf(q, f).orderBy('id', 'desc').limit(f.limit).offset(f.offset ?? 0);
  return { rows, total: Number(n) };
}

export async function outboxCountsByStatus(q: Q, orgId?: number): Promise<Record<string, number>> {
  const query = q('mail_outbox').select('status').count({ n: '*' }).groupBy('status');
  if (orgId !== undefined) query.where({ org_id: orgId });
  const rows = (await query) as { status: string; n: number | string }[];
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

// ---------------------------------------------------------------- letter dispatches

export interface DispatchRow {
  letter_id: number;
  issuing_org_id: number;
  number_symbol: string;
  subject: string;
  dispatched_by: number | null;
  first_dispatched_at: string;
  last_dispatched_at: string;
}

export async function findDispatch(q: Q, letterId: number): Promise<DispatchRow | undefined> {
  return q<DispatchRow>('letter_dispatches').where({ letter_id: letterId }).first();
}

export async function dispatchedLetterIds(q: Q, letterIds: number[]): Promise<Set<number>> {
  if (letterIds.length === 0) return new Set();
  const rows = await q('letter_dispatches').whereIn('letter_id', letterIds).select('letter_id');
  return new Set(rows.map((r: { letter_id: number }) => r.letter_id));
}

export async function recordDispatch(q: Q, row: DispatchRow): Promise<void> {
  const n = await q('letter_dispatches').where({ letter_id: row.letter_id }).update({ last_dispatched_at: row.last_dispatched_at, number_symbol: row.number_symbol, subject: row.subject });
  if (n === 0) await q('letter_dispatches').insert(row).onConflict('letter_id').ignore();
}

// ---------------------------------------------------------------- deliveries

export interface DeliveryRow {
  id: number;
  letter_id: number;
  recipient_key: string;
  recipient_name: string;
  org_id: number | null;
  email: string | null;
  status: DeliveryState;
  channel: DeliveryChannel;
  outbox_id: number | null;
  ack_token_hash: string | null;
  error_code: string | null;
  resend_count: number;
  acknowledged_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A delivery with what its outbox message says: attempts, sent time, the server's last reply. */
export interface DeliveryView extends DeliveryRow {
  attempts: number | null;
  sent_at: string | null;
  last_error: string | null;
  outbox_status: OutboxState | null;
}

export async function deliveriesOfLetter(q: Q, letterId: number): Promise<DeliveryView[]> {
  return q('deliveries as d')
    .leftJoin('mail_outbox as m', 'm.id', 'd.outbox_id')
    .where('d.letter_id', letterId)
    .orderBy('d.id')
    .select('d.*', 'm.attempts as attempts', 'm.sent_at as sent_at', 'm.last_error as last_error', 'm.status as outbox_status');
}

export async function deliveriesByKey(q: Q, letterId: number): Promise<Map<string, DeliveryRow>> {
  const rows = await q<DeliveryRow>('deliveries').where({ letter_id: letterId });
  return new Map(rows.map((r) => [r.recipient_key, r]));
}

export async function insertDeliveriesUnlessPresent(q: Q, rows: Omit<DeliveryRow, 'id'>[]): Promise<void> {
  for (const part of chunked(rows)) await q('deliveries').insert(part).onConflict(['letter_id', 'recipient_key']).ignore();
}

export async function updateDelivery(q: Q, id: number, patch: Partial<Omit<DeliveryRow, 'id'>>): Promise<void> {
  await q('deliveries').where({ id }).update(patch);
}

/** Every acknowledgement link ever sent for a delivery stays valid: one row per token. */
export async function insertAckTokens(q: Q, rows: { token_hash: string; delivery_id: number; created_at: string }[]): Promise<void> {
  for (const part of chunked(rows)) await q('delivery_ack_tokens').insert(part).onConflict('token_hash').ignore();
}

export async function deliveryByTokenHash(q: Q, hash: string): Promise<DeliveryRow | undefined> {
  return q('deliveries as d').join('delivery_ack_tokens as k', 'k.delivery_id', 'd.id').where('k.token_hash', hash).first('d.*');
}

/** Records the acknowledgement unless one is recorded already; true when this call recorded it. */
export async function acknowledgeOnce(q: Q, id: number, at: string): Promise<boolean> {
  const n = await q('deliveries').where({ id }).whereNull('acknowledged_at').update({ acknowledged_at: at, status: 'acknowledged', updated_at: at });
  return n > 0;
}

/** Delivery statuses of many letters at once (the campaign page). */
export async function deliveriesOfLetters(q: Q, letterIds: number[]): Promise<{ letter_id: number; recipient_name: string; status: DeliveryState; channel: DeliveryChannel }[]> {
  if (letterIds.length === 0) return [];
  return q('deliveries').whereIn('letter_id', letterIds).orderBy([{ column: 'letter_id' }, { column: 'recipient_name' }]).select('letter_id', 'recipient_name', 'status', 'channel');
}
