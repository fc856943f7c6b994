import type { Q } from '../db';
import { isPostgres } from '../db';
import { containsPattern } from '../shared/paging';

/** The only file of the inbox feature that builds queries. */

export const INBOX_STATES = ['new', 'received', 'assigned', 'done'] as const;
export type InboxState = (typeof INBOX_STATES)[number];

export interface InboxRow {
  id: number;
  org_id: number;
  source_key: string;
  source: 'system' | 'edxml';
  letter_id: number | null;
  delivery_id: number | null;
  from_org_id: number | null;
  from_code: string | null;
  from_name: string;
  symbol: string;
  subject: string;
  document_type: string;
  place: string | null;
  letter_date: string | null;
  signer_name: string | null;
  signer_title: string | null;
  urgency: string | null;
  files: string;
  status: InboxState;
  arrived_at: string;
  incoming_year: number | null;
  incoming_number: number | null;
  received_at: string | null;
  received_by: number | null;
  assignee_id: number | null;
  assigned_by: number | null;
  assigned_at: string | null;
  due_date: string | null;
  assign_note: string | null;
  done_at: string | null;
  done_note: string | null;
  updated_at: string;
}

export type NewInboxRow = Omit<InboxRow, 'id' | 'status' | 'incoming_year' | 'incoming_number' | 'received_at' | 'received_by' | 'assignee_id' | 'assigned_by' | 'assigned_at' | 'due_date' | 'assign_note' | 'done_at' | 'done_note'>;

/** Inserts unless the organisation already has this letter (same source key); the id, or undefined for a duplicate. */
export async function insertItemUnlessPresent(q: Q, row: NewInboxRow): Promise<number | undefined> {
  // No error on a duplicate, so a caller's PostgreSQL transaction (the dispatch) stays usable.
  const res = (await q('inbox_items').insert({ ...row, status: 'new' }).onConflict(['org_id', 'source_key']).ignore().returning('id')) as unknown[];
  const first = res[0];
  if (first == null) return undefined;
  return typeof first === 'object' ? Number((first as { id: number }).id) : Number(first);
}

export async function hasSourceKey(q: Q, orgId: number, sourceKey: string): Promise<boolean> {
  return Boolean(await q('inbox_items').where({ org_id: orgId, source_key: sourceKey }).first('id'));
}

export async function findItem(q: Q, id: number): Promise<InboxRow | undefined> {
  return q<InboxRow>('inbox_items').where({ id }).first();
}

export interface ItemFilter {
  orgId?: number;
  assigneeId?: number;
  status?: InboxState[];
  q?: string;
  dueBefore?: string;
  limit: number;
  offset: number;
}

function filtered(q: Q, f: Omit<ItemFilter, 'limit' | 'offset'>) {
  const query = q('inbox_items');
  if (f.orgId !== undefined) query.where({ org_id: f.orgId });
  if (f.assigneeId !== undefined) query.where({ assignee_id: f.assigneeId });
  if (f.status?.length) query.whereIn('status', f.status);
  if (f.dueBefore) query.whereNotNull('due_date').andWhere('due_date', '<', f.dueBefore);
  if (f.q) {
    const like = containsPattern(f.q);
    query.where((w) => w.whereRaw(`subject like ? escape '\\'`, [like]).orWhereRaw(`symbol like ? escape '\\'`, [like]).orWhereRaw(`from_name like ? escape '\\'`, [like]));
  }
  return query;
}

export async function listItems(q: Q, f: ItemFilter): Promise<{ rows: InboxRow[]; total: number }> {
  const rows = (await filtered(q, f).orderBy('arrived_at', 'desc').orderBy('id', 'desc').limit(f.limit).offset(f.offset).select('*')) as InboxRow[];
  const count = (await filtered(q, f).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return { rows, total: Number(count?.n ?? 0) };
}

/** Moves an item from one of `from` to its next state with `patch`: one conditional UPDATE; true when it moved. */
export async function updateItemIn(q: Q, id: number, from: readonly InboxState[], patch: Partial<InboxRow>): Promise<boolean> {
  return (await q('inbox_items').where({ id }).whereIn('status', from).update(patch)) > 0;
}

/** The organisation's row, locked on PostgreSQL while a number is taken (SQLite has a single writer): as the outgoing register does. */
export async function lockOrg(q: Q, orgId: number): Promise<void> {
  if (isPostgres(q)) await q('orgs').where({ id: orgId }).forNoKeyUpdate().select('id');
}

export async function lastIncomingNumber(q: Q, orgId: number, year: number): Promise<number> {
  const row = (await q('incoming_register').where({ org_id: orgId, year }).max({ n: 'number' }).first()) as { n: number | string | null } | undefined;
  return Number(row?.n ?? 0);
}

export async function insertRegisterEntry(q: Q, row: { org_id: number; year: number; number: number; inbox_item_id: number; received_at: string; received_by: number | null }): Promise<void> {
  await q('incoming_register').insert(row);
}

export interface IncomingRegisterRow extends InboxRow {
  number: number;
}

export async function registerEntries(q: Q, orgId: number, year: number): Promise<IncomingRegisterRow[]> {
  return q('incoming_register as g').join('inbox_items as i', 'i.id', 'g.inbox_item_id').where({ 'g.org_id': orgId, 'g.year': year }).orderBy('g.number').select('i.*', 'g.number as number');
}

export async function registerYears(q: Q, orgId: number): Promise<number[]> {
  const rows = (await q('incoming_register').where({ org_id: orgId }).distinct('year').orderBy('year', 'desc')) as { year: number }[];
  return rows.map((r) => Number(r.year));
}

/** Items of one letter (the sender's side: which recipients have it in their inbox, and how far they are). */
export async function itemsOfLetters(q: Q, letterIds: number[]): Promise<InboxRow[]> {
  if (letterIds.length === 0) return [];
  return q<InboxRow>('inbox_items').whereIn('letter_id', letterIds);
}
