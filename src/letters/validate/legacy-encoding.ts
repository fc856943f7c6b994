/**
 * The validator's view of TCVN3 / VNI text (src/shared/legacy-text.ts holds the tables and the recognition):
 * which encoding a line is in, a few of its words as written and as they read once decoded.
 */
import { decodeLegacy, detectLegacy, encodeLegacy, type LegacyEncoding } from '../../shared/legacy-text';

export type { LegacyEncoding };
export const decode = decodeLegacy;
export const encode = encodeLegacy;

export interface LegacyText {
  encoding: LegacyEncoding;
  /** A few words as written, and as they read once decoded. */
  sample: string;
  decoded: string;
}

export function detectLegacyEncoding(text: string): LegacyText | null {
  const encoding = detectLegacy(text);
  if (!encoding) return null;
  const sample = text.trim().split(/\s+/).slice(0, 6).join(' ');
  return { encoding, sample, decoded: decodeLegacy(sample, encoding) };
}
