/** The PDF of a stored letter, as served and dispatched. */
import type { Deps } from '../../deps';
import type { Actor } from '../../auth/roles';
import { getLetter } from '../service';
import { letterDocument } from '../build';
import { renderLetterPdf } from '../pdf';

/** "1399-STTTT-TTBCXB.pdf", or "du-thao-<id>.pdf" before issue. */
export function pdfFilename(row: { id: number; symbol: string | null }): string {
  return row.symbol ? `${row.symbol.replace(/\//g, '-')}.pdf` : `du-thao-${row.id}.pdf`;
}

export async function letterPdf(deps: Pick<Deps, 'db'>, actor: Actor, letterId: number): Promise<{ filename: string; content: Buffer }> {
  await getLetter(deps.db, actor, letterId); // authorises
  const { doc, row } = await letterDocument(deps.db, letterId);
  return { filename: pdfFilename(row), content: (await renderLetterPdf(doc)).bytes };
}
