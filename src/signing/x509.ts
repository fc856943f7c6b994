/** Certificates: facts read from X.509 (Node's crypto) and the parts of its DER a CMS signature names. */
import crypto from 'node:crypto';
import { parse } from './der';

export interface CertificateInfo {
  subject: string;
  /** Common name (CN) of the subject. */
  commonName: string;
  /** Organisation (O) of the subject, if any. */
  organisation: string | null;
  issuer: string;
  issuerCommonName: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
}

/** "CN=Sở X\nO=UBND tỉnh Y" → { CN: 'Sở X', O: 'UBND tỉnh Y' } (first value of each). */
export function nameFields(dn: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of dn.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0 && !(line.slice(0, i) in out)) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Node prints non-ASCII names with \\xHH escapes of their UTF-8 bytes; this undoes that. */
function unescapeDn(dn: string): string {
  if (!dn.includes('\\x')) return dn;
  const bytes: number[] = [];
  for (let i = 0; i < dn.length; i++) {
    if (dn[i] === '\\' && dn[i + 1] === 'x' && /^[0-9A-Fa-f]{2}$/.test(dn.slice(i + 2, i + 4))) {
      bytes.push(parseInt(dn.slice(i + 2, i + 4), 16));
      i += 3;
    } else bytes.push(...Buffer.from(dn[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function certificateInfo(cert: crypto.X509Certificate): CertificateInfo {
  const subject = unescapeDn(cert.subject).normalize('NFC');
  const issuer = unescapeDn(cert.issuer).normalize('NFC');
  const s = nameFields(subject);
  const i = nameFields(issuer);
  return {
    subject,
    commonName: s.CN ?? subject,
    organisation: s.O ?? null,
    issuer,
    issuerCommonName: i.CN ?? issuer,
    serial: cert.serialNumber.toUpperCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprint256: cert.fingerprint256,
  };
}

/** The issuer Name and serial INTEGER as they are encoded in the certificate (for IssuerAndSerialNumber). */
export function issuerAndSerial(der: Buffer): { issuer: Buffer; serial: Buffer } {
  const tbs = parse(der).children[0];
  const hasVersion = tbs.children[0].tag === 0xa0;
  const serial = tbs.children[hasVersion ? 1 : 0];
  const issuer = tbs.children[hasVersion ? 3 : 2];
  return { issuer: issuer.raw, serial: serial.raw };
}

export function validAt(cert: crypto.X509Certificate, at: Date): 'valid' | 'expired' | 'not_yet_valid' {
  if (at.getTime() < new Date(cert.validFrom).getTime()) return 'not_yet_valid';
  if (at.getTime() > new Date(cert.validTo).getTime()) return 'expired';
  return 'valid';
}

function extension(der: Buffer, idHex: string): Buffer | null {
  const tbs = parse(der).children[0];
  const ext = tbs.children.find((c) => c.tag === 0xa3);
  if (!ext) return null;
  for (const e of ext.children[0].children) {
    if (e.children[0].content.toString('hex') === idHex) return e.children[e.children.length - 1].content;
  }
  return null;
}

/** The subjectKeyIdentifier extension, hex. */
export function subjectKeyId(der: Buffer): string | null {
  const v = extension(der, '551d0e');
  return v ? parse(v).content.toString('hex') : null;
}

/** Key usage allows signing documents (digitalSignature or nonRepudiation), when the certificate says at all. */
export function allowsSigning(der: Buffer): boolean {
  const value = extension(der, '551d0f'); // 2.5.29.15 keyUsage
  if (!value) return true;
  const bits = parse(value).content; // BIT STRING: unused-bits byte, then the bits
  const first = bits[1] ?? 0;
  return (first & 0x80) !== 0 || (first & 0x40) !== 0;
}

export function toPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** Every certificate in a PEM text. */
export function pemCertificates(text: string): crypto.X509Certificate[] {
  const out: crypto.X509Certificate[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)) out.push(new crypto.X509Certificate(m[0]));
  return out;
}
