/**
 * Checks a DOCX công văn against the checkable rules of letter-format.md (sections 1, 3 and 4). Used by the tests
 * on every generated letter and by `npm run check-letter -- file.docx`.
 *
 * validate/reader.ts reads the DOCX once into a Letter (page setup, paragraphs with resolved run properties, the
 * located parts); each rule in validate/rules/ checks one concern and returns its findings.
 */
import { readLetterDocx } from './validate/reader';
import { RULES } from './validate/rules';
import type { Finding } from './validate/finding';

export type { Finding, Severity } from './validate/finding';
export interface ValidationResult {
  ok: boolean;
  findings: Finding[];
}

export async function validateLetterDocx(buf: Buffer): Promise<ValidationResult> {
  const read = await readLetterDocx(buf);
  if (!read.ok) return { ok: false, findings: [read.finding] };
  const findings = RULES.flatMap((rule) => rule(read.letter));
  return { ok: !findings.some((f) => f.severity === 'error'), findings };
}
