import crypto from 'node:crypto';
import type { Q } from '../db';
import type { Deps } from '../deps';
import type { MailRequest } from './contract';
import { insertOutboxUnlessDuplicate, insertOutboxManyUnlessDuplicate, outboxIdByDedupeKey, outboxIdsByDedupeKeys, type NewOutboxRow } from './repo';

/** Attachments given as bytes are kept inline only when small; bigger files must be stored in MEDIA_DIR first. */
export const INLINE_ATTACHMENT_MAX = 256 * 1024;

/** How an attachment is recorded in mail_outbox.attachments (JSON). */
export interface StoredAttachment {
  filename: string;
  contentType?: string;
  /** Relative to MEDIA_DIR, or absolute. */
  path?: string;
  /** Small attachments only. */
  contentBase64?: string;
}

/** A Message-ID of our own, fixed before the first attempt so a crash can be reconciled by it. */
export function newMessageId(domain = 'vandong.local'): string {
  return `<${crypto.randomUUID()}@${domain}>`;
}

/** The domain of our Message-IDs: that of MAIL_FROM. */
export function messageIdDomain(mailFrom: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(mailFrom)?.[1] ?? 'vandong.local';
}

export function serializeAttachments(list: MailRequest['attachments']): string {
  const out: StoredAttachment[] = (list ?? []).map((a) => {
    if (a.path) return { filename: a.filename, path: a.path, contentType: a.contentType };
    if (a.content) {
      if (a.content.length > INLINE_ATTACHMENT_MAX) {
        throw new Error(`attachment ${a.filename} is ${a.content.length} bytes: store it in MEDIA_DIR and pass its path`);
      }
      return { filename: a.filename, contentBase64: a.content.toString('base64'), contentType: a.contentType };
    }
    throw new Error(`attachment ${a.filename} has neither path nor content`);
  });
  return JSON.stringify(out);
}

export function parseAttachments(json: string): StoredAttachment[] {
  return JSON.parse(json) as StoredAttachment[];
}

/** The outbox row of a request, due at once. */
function toRow(req: MailRequest, now: string, domain: string): NewOutboxRow {
  return {
    kind: req.kind,
    dedupe_key: req.dedupeKey,
    org_id: req.orgId ?? null,
    to_address: req.to,
    subject: req.subject,
    text: req.text,
    html: req.html ?? null,
    attachments: serializeAttachments(req.attachments),
    message_id: newMessageId(domain),
    next_attempt_at: now,
    created_at: now,
  };
}

/**
 * Puts a message in the outbox, written with `q` (the caller's transaction, or deps.db); the worker sends it.
 * Idempotent: the same dedupeKey stores one message and returns its id with created=false. Safe inside a
 * caller's transaction on both engines (no error is raised on a duplicate). Its time is deps.clock(), its
 * Message-ID domain MAIL_FROM's. Callers that commit a transaction should then call `kickOutbox(deps)`
 * (src/dispatch/worker.ts) so the message leaves without waiting for the next job tick.
 */
export async function enqueueMail(deps: Deps, q: Q, req: MailRequest): Promise<{ id: number; created: boolean }> {
  const existing = await outboxIdByDedupeKey(q, req.dedupeKey);
  if (existing !== undefined) return { id: existing, created: false };
  await insertOutboxUnlessDuplicate(q, toRow(req, deps.clock().toISOString(), messageIdDomain(deps.config.MAIL_FROM)));
  const id = await outboxIdByDedupeKey(q, req.dedupeKey);
  if (id === undefined) throw new Error(`outbox insert for ${req.dedupeKey} vanished`);
  return { id, created: true };
}

/**
 * enqueueMail for many messages at once (a dispatch to 1,000 recipients): a few multi-row inserts instead of
 * thousands of round trips. Same idempotency per dedupeKey; returns the ids in the order of `reqs`.
 */
export async function enqueueMails(deps: Deps, q: Q, reqs: MailRequest[]): Promise<number[]> {
  const now = deps.clock().toISOString();
  const domain = messageIdDomain(deps.config.MAIL_FROM);
  await insertOutboxManyUnlessDuplicate(q, reqs.map((r) => toRow(r, now, domain)));
  const ids = await outboxIdsByDedupeKeys(q, reqs.map((r) => r.dedupeKey));
  return reqs.map((r) => {
    const id = ids.get(r.dedupeKey);
    if (id === undefined) throw new Error(`outbox insert for ${r.dedupeKey} vanished`);
    return id;
  });
}
