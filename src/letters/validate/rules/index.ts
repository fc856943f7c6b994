/** The rules validate() runs, in the order their findings are reported (page, fonts, then the parts top to bottom). */
import type { Rule } from '../model';
import { body } from './body';
import { placeAndDate } from './date';
import { fontColour, fontFamily } from './fonts';
import { agencyName, motto, nationalName } from './header';
import { numberLine, symbolTypeCode } from './number';
import { pageMargins, pageNumbers, pageSize } from './page';
import { kinhGui, noiNhan } from './recipients';
import { signer } from './signer';
import { subject, urgencyMark } from './subject';
import { signatureKept } from './keep';
import { decomposedText, legacyEncoding } from './text';

export const RULES: Rule[] = [
  pageSize,
  pageMargins,
  fontFamily,
  fontColour,
  legacyEncoding,
  decomposedText,
  pageNumbers,
  nationalName,
  motto,
  agencyName,
  numberLine,
  symbolTypeCode,
  placeAndDate,
  subject,
  urgencyMark,
  kinhGui,
  noiNhan,
  signer,
  signatureKept,
  body,
];
