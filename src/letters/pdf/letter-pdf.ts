/** The PDF of a stored letter, as served and dispatched: the signed one once approved or issued. */
import fs from 'node:fs';
import type { Ctx } from '../../deps';
import type { Q } from '../../db';
import { mediaPath } from '../../shared/media';
import { getLetter } from '../service';
import { letterDocument } from '../build';
import { renderLetterPdf } from '../pdf';
import * as repo from './repo';

/** "1399-STTTT-TTBCXB.pdf", or "du-thao-<id>.pdf" before issue. */
export function pdfFilename(row: { id: number; symbol: string | null }): string {
  return row.symbol ? `${row.symbol.replace(/\//g, '-')}.pdf` : `du-thao-${row.id}.pdf`;
}

/** The stored signed PDF of an approved or issued letter, else a fresh render (a draft: unnumbered, DỰ THẢO). */
export async function currentPdf(q: Q, mediaDir: string, letterId: number): Promise<{ filename: string; content: Buffer; stored: boolean }> {
  const { doc, row } = await letterDocument(q, letterId);
  const stage = row.status === 'issued' ? 'issued' : row.status === 'approved' ? 'approved' : null;
  const stored = stage ? await repo.latestPdf(q, letterId, stage) : undefined;
  if (stored) return { filename: pdfFilename(row), content: await fs.promises.readFile(mediaPath(mediaDir, stored.rel_path)), stored: true };
  const rendered = await renderLetterPdf(doc, row.status === 'approved' ? { blankNumberAndDate: true } : {});
  return { filename: pdfFilename(row), content: rendered.bytes, stored: false };
}

export async function letterPdf(ctx: Ctx, letterId: number): Promise<{ filename: string; content: Buffer }> {
  await getLetter(ctx, letterId); // authorises
  return currentPdf(ctx.db, ctx.config.MEDIA_DIR, letterId);
}

/** The signed copy of each PDF attachment of an issued letter, by attachment id. */
export async function signedAttachments(q: Q, mediaDir: string, letterId: number): Promise<Map<number, string>> {
  const rows = await repo.issuedAttachmentPdfs(q, letterId);
  return new Map(rows.map((r) => [r.attachment_id!, mediaPath(mediaDir, r.rel_path)]));
}
