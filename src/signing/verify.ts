/**
 * Verifying the signatures of any PDF: for each signature dictionary (found by its /ByteRange, whose gap is by
 * definition the /Contents hex string), whether the signed bytes are intact (the CMS message digest equals the
 * hash of the ranges and the signature value verifies), whether it covers the whole file, and whether the
 * signer's certificate chains to a trusted root and was valid when it signed.
 */
import crypto from 'node:crypto';
import { readCms } from './cms';
import { certificateInfo, validAt } from './x509';

export interface SignatureReport {
  subject: string;
  /** Subject organisation (O), if any. */
  organisation: string | null;
  issuer: string;
  serial: string | null;
  /** ISO 8601; from the CMS signing time, else the signature dictionary's /M. */
  signedAt: string | null;
  reason: string | null;
  intact: boolean;
  coversWholeDocument: boolean;
  certificateTrusted: boolean;
  /** Why a check failed, when one did (machine codes). */
  problems: string[];
  byteRange: number[];
}

export interface VerifyReport {
  signatures: SignatureReport[];
}

/** PDF text string → JS string (hex or literal; UTF-16BE with BOM or PDFDocEncoding ~ latin1). */
function pdfString(raw: string): string {
  let bytes: Buffer;
  if (raw.startsWith('<')) bytes = Buffer.from(raw.slice(1, -1).replace(/\s+/g, ''), 'hex');
  else {
    const body = raw.slice(1, -1).replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, e: string) => {
      const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };
      return map[e] ?? String.fromCharCode(parseInt(e, 8));
    });
    bytes = Buffer.from(body, 'latin1');
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('latin1');
}

function dictValue(dict: string, key: string): string | null {
  const m = new RegExp(`/${key}\\s*(\\((?:\\\\.|[^\\\\)])*\\)|<[0-9A-Fa-f\\s]*>)`).exec(dict);
  return m ? pdfString(m[1]) : null;
}

/** D:YYYYMMDDHHmmSS+HH'mm' → Date. */
function pdfDateValue(s: string | null): Date | null {
  const m = s && /D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?/.exec(s);
  if (!m) return null;
  const sign = m[7] === '-' ? -1 : 1;
  const offset = m[7] && m[7] !== 'Z' && m[7] !== 'z' ? sign * (Number(m[8] ?? 0) * 60 + Number(m[9] ?? 0)) : 0;
  const utc = Date.UTC(Number(m[1]), Number(m[2] ?? 1) - 1, Number(m[3] ?? 1), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  return new Date(utc - offset * 60_000);
}

interface Found {
  byteRange: number[];
  dict: string;
}

function findSignatures(pdf: Buffer): Found[] {
  const text = pdf.toString('latin1');
  const seen = new Set<string>();
  const out: Found[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const br = m.slice(1, 5).map(Number);
    const key = br.join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    // The signature dictionary: from the object start before /ByteRange to its end.
    const start = Math.max(text.lastIndexOf(' obj', m.index), 0);
    const endAt = text.indexOf('endobj', m.index);
    const dictText = text.slice(start, endAt < 0 ? m.index + 4096 : endAt).replace(/\/Contents\s*<[0-9A-Fa-f\s]*>/, '');
    out.push({ byteRange: br, dict: dictText });
  }
  return out.sort((a, b) => a.byteRange[2] + a.byteRange[3] - (b.byteRange[2] + b.byteRange[3]));
}

/** Certificates trusted as roots (anchors); may also hold intermediates an installation trusts directly. */
export interface TrustStore {
  anchors: crypto.X509Certificate[];
}

function chainTrusted(signer: crypto.X509Certificate, pool: crypto.X509Certificate[], trust: TrustStore, at: Date, problems: string[]): boolean {
  const anchors = new Set(trust.anchors.map((c) => c.fingerprint256));
  const candidates = [...pool, ...trust.anchors];
  let cert = signer;
  for (let depth = 0; depth < 10; depth++) {
    if (validAt(cert, at) !== 'valid') {
      problems.push(cert === signer ? 'CERTIFICATE_NOT_VALID_AT_SIGNING_TIME' : 'CHAIN_CERTIFICATE_NOT_VALID');
      return false;
    }
    if (anchors.has(cert.fingerprint256)) return true;
    const issuer = candidates.find((c) => c.fingerprint256 !== cert.fingerprint256 && cert.checkIssued(c) && cert.verify(c.publicKey));
    if (!issuer) {
      const selfSigned = cert.checkIssued(cert);
      problems.push(selfSigned ? 'ROOT_NOT_TRUSTED' : 'ISSUER_NOT_FOUND');
      return false;
    }
    cert = issuer;
  }
  problems.push('CHAIN_TOO_LONG');
  return false;
}

/** `now`: the time a signature that names no signing time is checked at (the caller's clock). */
export function verifyPdf(pdf: Buffer, trust: TrustStore, now: Date): VerifyReport {
  const signatures: SignatureReport[] = [];
  for (const found of findSignatures(pdf)) {
    const br = found.byteRange;
    const problems: string[] = [];
    const report: SignatureReport = {
      subject: '',
      organisation: null,
      issuer: '',
      serial: null,
      signedAt: null,
      reason: dictValue(found.dict, 'Reason'),
      intact: false,
      coversWholeDocument: false,
      certificateTrusted: false,
      problems,
      byteRange: br,
    };
    signatures.push(report);
    const [a, b, c, d] = br;
    const sane = a === 0 && b > 0 && c > b && c + d <= pdf.length && pdf[b] === 0x3c && pdf[c - 1] === 0x3e;
    if (!sane) {
      problems.push('BYTE_RANGE_INVALID');
      continue;
    }
    // Whole document: the ranges end at the end of the file (a trailing line end is allowed).
    report.coversWholeDocument = c + d >= pdf.length - 2 && /^\s*$/.test(pdf.subarray(c + d).toString('latin1'));
    const hex = pdf.subarray(b + 1, c - 1).toString('latin1').replace(/\s+/g, ''); // zero padding after the DER is ignored by the parser
    let cms;
    try {
      cms = readCms(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
    } catch {
      problems.push('SIGNATURE_UNREADABLE');
      continue;
    }
    const signedAt = cms.signingTime ?? pdfDateValue(dictValue(found.dict, 'M'));
    report.signedAt = signedAt ? signedAt.toISOString() : null;
    if (!cms.signer) {
      problems.push('SIGNER_CERTIFICATE_MISSING');
      continue;
    }
    const info = certificateInfo(cms.signer);
    report.subject = info.commonName;
    report.organisation = info.organisation;
    report.issuer = info.issuerCommonName;
    report.serial = info.serial;
    const digestOk = !!cms.digestAlgorithm && !!cms.messageDigest && crypto.createHash(cms.digestAlgorithm).update(pdf.subarray(a, a + b)).update(pdf.subarray(c, c + d)).digest().equals(cms.messageDigest);
    if (!digestOk) problems.push('DIGEST_MISMATCH');
    if (!cms.signatureValid) problems.push('SIGNATURE_INVALID');
    report.intact = digestOk && cms.signatureValid;
    report.certificateTrusted = chainTrusted(cms.signer, cms.certificates, trust, signedAt ?? now, problems);
  }
  return { signatures };
}
