/**
 * What other features hand to the dispatch feature, and what it offers them.
 * Implementations: src/letters/dispatch-package.ts (getDispatchPackage) and src/dispatch/outbox.ts (enqueueMail).
 */

/** Everything needed to e-mail one issued letter. Built by the letters feature. */
export interface DispatchPackage {
  letterId: number;
  issuingOrgId: number;
  issuingOrgName: string;
  status: string;
  /** "1399/STTTT-TTBCXB" */
  numberSymbol: string;
  subject: string;
  issuedAt: string;
  /** Where it was issued ("Hà Tĩnh"), who signed it (name and title as printed), its urgency (độ khẩn) if any. */
  place: string;
  signer: { name: string; title: string };
  urgency: string | null;
  /** The Kính gửi recipients; orgId null for free-form names. email null → "no e-mail", delivered by hand. */
  recipients: { orgId: number | null; name: string; email: string | null }[];
  docx: { filename: string; content: Buffer };
  /** The letter as PDF: the signed one when it was signed (letter-format.md 3.12). */
  pdf: { filename: string; content: Buffer };
  /** Who signed the PDF, e.g. ["Trần Văn Hùng", "Sở Thông tin và Truyền thông"]; empty when unsigned. */
  signedBy: { kind: 'signer' | 'organisation'; name: string }[];
  /** Attachments; a PDF attachment signed at issue is given as its signed copy. */
  attachments: { filename: string; path: string; contentType: string; sha256: string }[];
}

/** A message for the outbox. Used by letter dispatch and by report reminders. */
export interface MailRequest {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** `path`: absolute, or relative to MEDIA_DIR (preferred: store the file by hash first). `content`: small files only (≤ 256 KB, kept inline). */
  attachments?: { filename: string; path?: string; content?: Buffer; contentType?: string }[];
  /** What the message is about, for listing and reconciliation, e.g. "delivery", "reminder". */
  kind: string;
  /** Unique per logical message: enqueueing the same key twice stores one message. */
  dedupeKey: string;
  /** Organisation the message is sent for: its secretaries see it on the outbox page. Null/absent: admins only. */
  orgId?: number | null;
}
