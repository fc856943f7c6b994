/** Every query of the letters feature; functions are named for what they answer. */
import type { Q } from '../db';
import { chunked, insertId, isPostgres } from '../db';
import { foldForSearch, fts5Query, searchWords, tsQuery } from '../shared/search';

export interface TemplateRow {
  id: number;
  name: string;
  subject: string;
  body: string;
  variables: string;
  source: string;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface LetterRow {
  id: number;
  issuing_org_id: number;
  template_id: number | null;
  variables: string | null;
  subject: string;
  body: string;
  place: string;
  urgency: string | null;
  signer_authority: string | null;
  signer_authority_title: string | null;
  signer_title: string;
  signer_name: string;
  /** JSON arrays of the printed ô 7a lines and the ô 7b titles; null when not given. */
  signer_lines?: string | null;
  signer_other_titles?: string | null;
  archive?: string | null;
  drafter_initials?: string | null;
  copies?: number | null;
  unit_code: string;
  campaign_id: number | null;
  status: string;
  reject_reason: string | null;
  number: number | null;
  year: number | null;
  symbol: string | null;
  issued_at: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface RecipientRow {
  id: number;
  letter_id: number;
  org_id: number | null;
  name: string | null;
  email: string | null;
  position: number;
  org_name?: string | null;
  org_email?: string | null;
}

export interface AttachmentRow {
  id: number;
  letter_id: number;
  name: string;
  size: number;
  sha256: string;
  mime: string;
  rel_path: string;
  created_by: number | null;
  created_at: string;
}

export interface RegisterRow {
  issuing_org_id: number;
  year: number;
  number: number;
  letter_id: number;
  symbol: string;
  issued_at: string;
  subject: string;
  signer_authority: string | null;
  signer_authority_title: string | null;
  signer_title: string;
  signer_name: string;
  signer_lines?: string | null;
}

// ---- templates ----

export async function insertTemplate(q: Q, row: Omit<TemplateRow, 'id'>): Promise<number> {
  return insertId(q, 'letter_templates', row);
}
export async function updateTemplate(q: Q, id: number, row: Partial<Omit<TemplateRow, 'id'>>): Promise<void> {
  await q('letter_templates').where({ id }).update(row);
}
export async function findTemplate(q: Q, id: number): Promise<TemplateRow | undefined> {
  return q<TemplateRow>('letter_templates').where({ id }).first();
}
export async function findTemplateByName(q: Q, name: string): Promise<TemplateRow | undefined> {
  return q<TemplateRow>('letter_templates').where({ name }).first();
}
export async function deleteTemplate(q: Q, id: number): Promise<void> {
  await q('letter_templates').where({ id }).delete();
}
export async function templateInUse(q: Q, id: number): Promise<boolean> {
  return !!(await q('letters').where({ template_id: id }).first('id'));
}
export async function listTemplates(q: Q): Promise<TemplateRow[]> {
  return q<TemplateRow>('letter_templates').orderBy('name');
}

// ---- letters ----

export async function insertLetter(q: Q, row: Omit<LetterRow, 'id'>): Promise<number> {
  return insertId(q, 'letters', row);
}
export async function findLetter(q: Q, id: number): Promise<LetterRow | undefined> {
  return q<LetterRow>('letters').where({ id }).first();
}
/** Updates a letter only while it is in `status`; returns how many rows changed (0 = it moved on meanwhile). */
export async function updateLetterIn(q: Q, id: number, status: string, row: Partial<Omit<LetterRow, 'id'>>): Promise<number> {
  return q('letters').where({ id, status }).update(row);
}
export interface LetterFilter {
  orgIds?: number[];
  status?: string;
  year?: number;
  campaignId?: number;
  /** Full-text search over subject, symbol, body and recipients (accents and case ignored). */
  q?: string;
}

/** The letters of a filter, newest first: one page of them and how many there are in all. */
export async function listLetters(q: Q, filter: LetterFilter, page: { limit: number; offset: number }): Promise<{ rows: LetterRow[]; total: number }> {
  const query = q<LetterRow>('letters');
  if (filter.campaignId) query.where({ campaign_id: filter.campaignId });
  if (filter.orgIds) query.whereIn('issuing_org_id', filter.orgIds);
  if (filter.status) query.where({ status: filter.status });
  if (filter.year) query.where((w) => w.where({ year: filter.year }).orWhere((x) => x.whereNull('year').where('created_at', '>=', `${filter.year}-01-01`).where('created_at', '<', `${filter.year! + 1}-01-01`)));
  const words = filter.q ? searchWords(filter.q) : [];
  if (filter.q && words.length === 0) return { rows: [], total: 0 };
  if (words.length) {
    if (isPostgres(q)) query.whereRaw(`to_tsvector('simple', coalesce(search_text, '')) @@ to_tsquery('simple', ?)`, [tsQuery(words)]);
    else query.whereRaw('id in (select rowid from letters_fts where letters_fts match ?)', [fts5Query(words)]);
  }
  const counted = await query.clone().count({ n: '*' }).first();
  const n = Number(counted?.n ?? 0);
  const rows = await query.orderBy('id', 'desc').limit(page.limit).offset(page.offset).select('*');
  return { rows, total: Number(n) };
}

/**
 * Writes the letter's search text from what it says now: subject, symbol (or its ký hiệu before issue), body and
 * recipients' names, folded (src/shared/search.ts). Called in the same transaction as every write that changes
 * one of them; on SQLite triggers copy it into the FTS5 table, on PostgreSQL the GIN index follows it.
 */
export async function refreshSearchText(q: Q, letterId: number, kyHieu: string): Promise<void> {
  const row = (await q('letters').where({ id: letterId }).select('subject', 'body', 'symbol').first()) as Pick<LetterRow, 'subject' | 'body' | 'symbol'> | undefined;
  if (!row) return;
  const recipients = await recipientsOf(q, letterId);
  const text = [row.subject, row.symbol ?? '', kyHieu, row.body, ...recipients.map((r) => r.org_name ?? r.name ?? '')].join(' ');
  await q('letters').where({ id: letterId }).update({ search_text: foldForSearch(text) });
}

/** A person's drafts that carry an approver's reason for sending them back, newest first. */
export async function returnedDrafts(q: Q, userId: number, limit: number): Promise<LetterRow[]> {
  return q<LetterRow>('letters').where({ created_by: userId, status: 'draft' }).whereNotNull('reject_reason').orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit);
}

// ---- recipients, legal bases, distribution ----

export async function replaceRecipients(q: Q, letterId: number, rows: { org_id: number | null; name: string | null; email: string | null }[]): Promise<void> {
  await q('letter_recipients').where({ letter_id: letterId }).delete();
  const numbered = rows.map((r, i) => ({ ...r, letter_id: letterId, position: i + 1 }));
  for (const part of chunked(numbered)) await q('letter_recipients').insert(part);
}
export async function recipientsOf(q: Q, letterId: number): Promise<RecipientRow[]> {
  return recipientsOfLetters(q, [letterId]);
}
export async function recipientsOfLetters(q: Q, letterIds: number[]): Promise<RecipientRow[]> {
  if (!letterIds.length) return [];
  return q('letter_recipients as r')
    .leftJoin('orgs as o', 'o.id', 'r.org_id')
    .whereIn('r.letter_id', letterIds)
    .orderBy([{ column: 'r.letter_id' }, { column: 'r.position' }])
    .select('r.*', 'o.name as org_name', 'o.email as org_email');
}

async function replaceTexts(q: Q, table: string, letterId: number, texts: string[]): Promise<void> {
  await q(table).where({ letter_id: letterId }).delete();
  for (const part of chunked(texts.map((text, i) => ({ letter_id: letterId, text, position: i + 1 })))) await q(table).insert(part);
}
/** The ordered texts (legal bases, distribution) of many letters in one query, by letter id. */
async function textsOfLetters(q: Q, table: string, letterIds: number[]): Promise<Map<number, string[]>> {
  const map = new Map<number, string[]>(letterIds.map((id) => [id, []]));
  if (!letterIds.length) return map;
  const rows = await q(table).whereIn('letter_id', letterIds).orderBy([{ column: 'letter_id' }, { column: 'position' }]).select('letter_id', 'text');
  for (const r of rows as { letter_id: number; text: string }[]) map.get(Number(r.letter_id))?.push(r.text);
  return map;
}
export const replaceLegalBases = (q: Q, letterId: number, texts: string[]) => replaceTexts(q, 'letter_legal_bases', letterId, texts);
export const legalBasesOfLetters = (q: Q, letterIds: number[]) => textsOfLetters(q, 'letter_legal_bases', letterIds);
export const legalBasesOf = async (q: Q, letterId: number) => (await legalBasesOfLetters(q, [letterId])).get(letterId)!;
export const replaceDistribution = (q: Q, letterId: number, texts: string[]) => replaceTexts(q, 'letter_distribution', letterId, texts);
export const distributionOfLetters = (q: Q, letterIds: number[]) => textsOfLetters(q, 'letter_distribution', letterIds);
export const distributionOf = async (q: Q, letterId: number) => (await distributionOfLetters(q, [letterId])).get(letterId)!;

// ---- attachments ----

export async function insertAttachment(q: Q, row: Omit<AttachmentRow, 'id'>): Promise<number> {
  return insertId(q, 'letter_attachments', row);
}
export async function attachmentsOf(q: Q, letterId: number): Promise<AttachmentRow[]> {
  return attachmentsOfLetters(q, [letterId]);
}
export async function attachmentsOfLetters(q: Q, letterIds: number[]): Promise<AttachmentRow[]> {
  if (!letterIds.length) return [];
  return q<AttachmentRow>('letter_attachments').whereIn('letter_id', letterIds).orderBy('id');
}
export async function findAttachment(q: Q, letterId: number, id: number): Promise<AttachmentRow | undefined> {
  return q<AttachmentRow>('letter_attachments').where({ letter_id: letterId, id }).first();
}

// ---- outgoing register ----

/**
 * Serialises issuing for one organisation: on PostgreSQL a row lock on the issuer (FOR NO KEY UPDATE, so
 * foreign-key inserts elsewhere are not blocked) held until the transaction ends; SQLite runs one writer at a time.
 */
export async function lockIssuer(q: Q, orgId: number): Promise<void> {
  if (isPostgres(q)) await q('orgs').where({ id: orgId }).forNoKeyUpdate().select('id');
}
export async function lastRegisterNumber(q: Q, orgId: number, year: number): Promise<number> {
  const row = await q('outgoing_register').where({ issuing_org_id: orgId, year }).max({ n: 'number' }).first();
  return Number(row?.n ?? 0);
}
export async function insertRegisterEntry(q: Q, row: { issuing_org_id: number; year: number; number: number; letter_id: number; symbol: string; issued_at: string; issued_by: number | null }): Promise<void> {
  await q('outgoing_register').insert(row);
}
export async function registerEntries(q: Q, orgId: number, year: number): Promise<RegisterRow[]> {
  return q('outgoing_register as g')
    .join('letters as l', 'l.id', 'g.letter_id')
    .where({ 'g.issuing_org_id': orgId, 'g.year': year })
    .orderBy('g.number')
    .select('g.issuing_org_id', 'g.year', 'g.number', 'g.letter_id', 'g.symbol', 'g.issued_at', 'l.subject', 'l.signer_authority', 'l.signer_authority_title', 'l.signer_title', 'l.signer_name', 'l.signer_lines');
}
export async function registerYears(q: Q, orgId: number): Promise<number[]> {
  const rows = await q('outgoing_register').where({ issuing_org_id: orgId }).distinct('year').orderBy('year', 'desc');
  return rows.map((r: { year: number }) => Number(r.year));
}

/** The number an organisation's register starts from in a year, when one was set (an office that moved mid-year). */
export async function registerStart(q: Q, orgId: number, year: number): Promise<number | null> {
  const row = await q('register_starts').where({ issuing_org_id: orgId, year }).first<{ next_number: number } | undefined>('next_number');
  return row ? Number(row.next_number) : null;
}
export async function saveRegisterStart(q: Q, row: { issuing_org_id: number; year: number; next_number: number; set_by: number | null; set_at: string }): Promise<void> {
  await q('register_starts').insert(row).onConflict(['issuing_org_id', 'year']).merge(['next_number', 'set_by', 'set_at']);
}

// ---- history ----

export interface LetterEventRow {
  id: number;
  letter_id: number;
  at: string;
  action: string;
  user_id: number | null;
  note: string | null;
  user_name?: string | null;
  subject?: string;
  symbol?: string | null;
}

export async function insertEvent(q: Q, row: Omit<LetterEventRow, 'id'>): Promise<void> {
  await q('letter_events').insert(row);
}
/** Events with the name of who acted (the users table is read for the name only). */
function eventsQuery(q: Q) {
  return q<LetterEventRow>('letter_events as e').leftJoin('users as u', 'u.id', 'e.user_id').select('e.*', 'u.name as user_name');
}
export async function eventsOf(q: Q, letterId: number): Promise<LetterEventRow[]> {
  return eventsQuery(q).where('e.letter_id', letterId).orderBy('e.id');
}
export async function recentEvents(q: Q, orgId: number, limit: number): Promise<LetterEventRow[]> {
  return eventsQuery(q)
    .join('letters as l', 'l.id', 'e.letter_id')
    .where('l.issuing_org_id', orgId)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .select('l.subject', 'l.symbol');
}

// ---- deleting drafts ----

/** Deletes a letter while it is a draft (its recipients, texts, attachments and events go with it); 0 = not a draft. */
export async function deleteDraft(q: Q, id: number): Promise<number> {
  return q('letters').where({ id, status: 'draft' }).delete();
}
export async function deleteAttachment(q: Q, letterId: number, id: number): Promise<number> {
  return q('letter_attachments').where({ letter_id: letterId, id }).delete();
}
/** Is a stored file still used by an attachment (files are stored by content: two letters may share one)? */
export async function fileInUse(q: Q, relPath: string): Promise<boolean> {
  return !!(await q('letter_attachments').where({ rel_path: relPath }).first('id'));
}
