/** Attachments of a draft (installation guides…): PDF, DOCX, PNG or JPEG, recognised by their bytes, stored by hash. */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import type { Ctx } from '../deps';
import { authorize, PREPARER_ROLES, STAFF_ROLES } from '../auth';
import type { Q } from '../db';
import { conflict, notFound, unsupportedType } from '../shared/errors';
import { mediaPath, storeFile } from '../shared/media';
import { adminScope } from '../orgs';
import * as repo from './repo';
import { toAttachment, type Attachment } from './model';
import { DRAFTERS, findLetterOr404 } from './service';

export const KINDS = {
  pdf: { mime: 'application/pdf', ext: ['.pdf'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: ['.docx'] },
  png: { mime: 'image/png', ext: ['.png'] },
  jpeg: { mime: 'image/jpeg', ext: ['.jpg', '.jpeg'] },
} as const;
export type Kind = keyof typeof KINDS;

/** What the bytes are, whatever the name says. */
export async function sniff(file: string): Promise<Kind | null> {
  const fd = await fs.promises.open(file, 'r');
  const head = Buffer.alloc(16);
  try {
    await fd.read(head, 0, 16, 0);
  } finally {
    await fd.close();
  }
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    try {
      const zip = await JSZip.loadAsync(await fs.promises.readFile(file));
      if (zip.file('word/document.xml') && zip.file('[Content_Types].xml')) return 'docx';
    } catch {
      return null;
    }
  }
  return null;
}

/** Stores an uploaded file on a draft; the temp file is removed whatever happens. */
export async function addAttachment(ctx: Ctx, letterId: number, upload: { path: string; originalname: string }): Promise<Attachment> {
  const { db, actor } = ctx;
  const mediaDir = ctx.config.MEDIA_DIR;
  try {
    const letter = await findLetterOr404(db, letterId);
    authorize(actor, DRAFTERS, letter.issuing_org_id);
    if (letter.status !== 'draft') throw conflict('LETTER_NOT_DRAFT', 'Attachments can be added to a draft only');
    const kind = await sniff(upload.path);
    if (!kind) throw unsupportedType('Attach a PDF, DOCX, PNG or JPEG file', 'ATTACHMENT_TYPE');
    const name = path.basename(upload.originalname.normalize('NFC')).slice(0, 255) || `attachment${KINDS[kind].ext[0]}`;
    const ext = path.extname(name).toLowerCase();
    if (ext && !(KINDS[kind].ext as readonly string[]).includes(ext)) {
      throw unsupportedType(`The file is named ${ext} but its content is ${kind.toUpperCase()}`, 'ATTACHMENT_MISMATCH');
    }
    const stored = await storeFile(mediaDir, 'letters', upload.path, KINDS[kind].ext[0]);
    const id = await repo.insertAttachment(db, {
      letter_id: letterId,
      name: ext ? name : name + KINDS[kind].ext[0],
      size: stored.size,
      sha256: stored.sha256,
      mime: KINDS[kind].mime,
      rel_path: stored.relPath,
      created_by: actor.id,
      created_at: ctx.clock().toISOString(),
    });
    return toAttachment((await repo.findAttachment(db, letterId, id))!);
  } finally {
    await fs.promises.unlink(upload.path).catch(() => undefined);
  }
}

export async function attachmentFile(ctx: Ctx, letterId: number, id: number): Promise<repo.AttachmentRow> {
  const letter = await findLetterOr404(ctx.db, letterId);
  authorize(ctx.actor, STAFF_ROLES, letter.issuing_org_id);
  const row = await repo.findAttachment(ctx.db, letterId, id);
  if (!row) throw notFound('Attachment', 'ATTACHMENT_NOT_FOUND');
  return row;
}

/**
 * Who may delete a draft or its files: the organisation's preparers (the drafter, the secretary) and the
 * administrators of its tree; and only while it is a draft (409 otherwise).
 */
async function deletableDraft(ctx: Ctx, letterId: number): Promise<repo.LetterRow> {
  const letter = await findLetterOr404(ctx.db, letterId);
  authorize(ctx.actor, PREPARER_ROLES, letter.issuing_org_id, await adminScope(ctx.db, ctx.actor));
  if (letter.status !== 'draft') throw conflict('LETTER_NOT_DELETABLE', `Only a draft can be deleted (this letter is ${letter.status})`);
  return letter;
}

/** Removes stored files no attachment uses any more (files are stored by content: another letter may share one). */
async function removeUnusedFiles(ctx: Ctx, q: Q, relPaths: string[]): Promise<void> {
  for (const relPath of new Set(relPaths)) {
    if (await repo.fileInUse(q, relPath)) continue;
    await fs.promises.unlink(mediaPath(ctx.config.MEDIA_DIR, relPath)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') ctx.log.warn({ err, relPath }, 'could not remove an attachment file');
    });
  }
}

/** Deletes a draft with its recipients, texts, events and attachments (their files too, when no other letter has them). */
export async function deleteLetter(ctx: Ctx, letterId: number): Promise<void> {
  await deletableDraft(ctx, letterId);
  const files = await ctx.db.transaction(async (tx) => {
    const attachments = await repo.attachmentsOf(tx, letterId);
    if ((await repo.deleteDraft(tx, letterId)) !== 1) throw conflict('LETTER_NOT_DELETABLE', 'The letter changed meanwhile; only a draft can be deleted');
    return attachments.map((a) => a.rel_path);
  });
  await removeUnusedFiles(ctx, ctx.db, files);
}

/** Deletes one attachment of a draft (and its file when no other attachment has it). */
export async function deleteAttachment(ctx: Ctx, letterId: number, attachmentId: number): Promise<void> {
  await deletableDraft(ctx, letterId);
  const relPath = await ctx.db.transaction(async (tx) => {
    const row = await repo.findAttachment(tx, letterId, attachmentId);
    if (!row) throw notFound('Attachment', 'ATTACHMENT_NOT_FOUND');
    if ((await repo.findLetter(tx, letterId))?.status !== 'draft') throw conflict('LETTER_NOT_DELETABLE', 'The letter changed meanwhile; only a draft can be changed');
    await repo.deleteAttachment(tx, letterId, attachmentId);
    return row.rel_path;
  });
  await removeUnusedFiles(ctx, ctx.db, [relPath]);
}
