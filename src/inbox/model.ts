import type { InboxRow, InboxState } from './repo';

/** A file kept with an incoming letter: the letter itself (main, the signed PDF) or an attachment. */
export interface InboxFile {
  name: string;
  /** Relative to MEDIA_DIR (or absolute for a file the letters feature keeps elsewhere). */
  path: string;
  contentType: string;
  sha256: string;
  size: number | null;
  main: boolean;
}

export function filesOf(row: Pick<InboxRow, 'files'>): InboxFile[] {
  return JSON.parse(row.files) as InboxFile[];
}

/** An incoming letter as the API promises it (api.md "Incoming letters"). */
export interface InboxItem {
  id: number;
  letterId: number | null;
  from: { orgId: number | null; name: string; code: string | null };
  symbol: string;
  subject: string;
  documentType: string;
  /** The letter's date (ngày văn bản), YYYY-MM-DD. */
  issuedAt: string | null;
  arrivedAt: string;
  receivedAt: string | null;
  incomingNumber: number | null;
  status: InboxState;
  /** system (dispatched inside this installation) | edxml (imported envelope) */
  source: InboxRow['source'];
  assignee: { id: number; name: string } | null;
  dueDate: string | null;
  overdue: boolean;
  assignNote: string | null;
  doneAt: string | null;
  doneNote: string | null;
  urgency: string | null;
  signer: { name: string | null; title: string | null };
  files: { index: number; name: string; contentType: string; main: boolean }[];
}

export function toInboxItem(row: InboxRow, names: ReadonlyMap<number, string>, today: string): InboxItem {
  return {
    id: row.id,
    letterId: row.letter_id,
    from: { orgId: row.from_org_id, name: row.from_name, code: row.from_code },
    symbol: row.symbol,
    subject: row.subject,
    documentType: row.document_type,
    issuedAt: row.letter_date,
    arrivedAt: row.arrived_at,
    receivedAt: row.received_at,
    incomingNumber: row.incoming_number == null ? null : Number(row.incoming_number),
    status: row.status,
    source: row.source,
    assignee: row.assignee_id == null ? null : { id: row.assignee_id, name: names.get(row.assignee_id) ?? '' },
    dueDate: row.due_date,
    overdue: row.status === 'assigned' && row.due_date != null && row.due_date < today,
    assignNote: row.assign_note,
    doneAt: row.done_at,
    doneNote: row.done_note,
    urgency: row.urgency,
    signer: { name: row.signer_name, title: row.signer_title },
    files: filesOf(row).map((f, index) => ({ index, name: f.name, contentType: f.contentType, main: f.main })),
  };
}

/** One line of the incoming register (sổ đăng ký văn bản đến, NĐ 30/2020 Phụ lục IV). */
export interface IncomingRegisterEntry {
  number: number;
  receivedAt: string;
  from: string;
  symbol: string;
  letterDate: string | null;
  subject: string;
  /** Who it was handed to (người nhận). */
  recipient: string | null;
  note: string | null;
  itemId: number;
}
