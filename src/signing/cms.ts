/**
 * CMS SignedData for PAdES (ETSI EN 319 142-1, baseline B-B; SubFilter ETSI.CAdES.detached): detached content,
 * signed attributes content-type, message-digest and signing-certificate-v2 (no signing-time: the time is the
 * signature dictionary's /M). And the reading side, for verification.
 */
import crypto from 'node:crypto';
import { explicit, HASH_OF_OID, implicitConstructed, int, nul, octets, OID, oid, oidString, parse, seq, set, tlv, type Node } from './der';
import { issuerAndSerial, subjectKeyId } from './x509';
import type { Signer } from './signer';

const attribute = (type: string, value: Buffer) => seq(oid(type), set(value));

/** The CMS (DER) signing `digest` (SHA-256 of the signed byte ranges). */
export async function buildCms(signer: Signer, digest: Buffer): Promise<Buffer> {
  const [leaf, ...rest] = signer.chain;
  const certHash = crypto.createHash('sha256').update(leaf).digest();
  const { issuer, serial } = issuerAndSerial(leaf);
  const issuerSerial = seq(seq(explicit(4, issuer)), serial); // IssuerSerial: GeneralNames [4] directoryName, serial
  const signedAttrs = set(
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(digest)),
    attribute(OID.signingCertificateV2, seq(seq(seq(octets(certHash), issuerSerial)))),
  );
  const signature = await signer.sign(signedAttrs);
  const sha256 = seq(oid(OID.sha256));
  const sigAlg = signer.algorithm === 'ecdsa' ? seq(oid(OID.ecdsaWithSHA256)) : seq(oid(OID.rsaEncryption), nul());
  const signerInfo = seq(int(1), seq(issuer, serial), sha256, implicitConstructed(0, signedAttrs), sigAlg, octets(signature));
  const signedData = seq(int(1), set(sha256), seq(oid(OID.data)), tlv(0xa0, Buffer.concat([leaf, ...rest])), set(signerInfo));
  return seq(oid(OID.signedData), explicit(0, signedData));
}

export interface ParsedCms {
  certificates: crypto.X509Certificate[];
  signer: crypto.X509Certificate | null;
  digestAlgorithm: string | null;
  messageDigest: Buffer | null;
  signingTime: Date | null;
  /** The signature over the signed attributes verifies with the signer's public key. */
  signatureValid: boolean;
}

function timeOf(n: Node): Date | null {
  const s = n.content.toString('latin1');
  const m = n.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?/.exec(s);
  if (!m) return null;
  const year = n.tag === 0x17 ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}

/** Reads a CMS SignedData and checks its signature value; throws on bytes that are not one. */
export function readCms(der: Buffer): ParsedCms {
  const ci = parse(der);
  if (oidString(ci.children[0].content) !== OID.signedData) throw new Error('not a CMS SignedData');
  const sd = ci.children[1].children[0];
  let i = 3;
  const certificates: crypto.X509Certificate[] = [];
  if (sd.children[i]?.tag === 0xa0) {
    for (const c of sd.children[i].children) if (c.tag === 0x30) certificates.push(new crypto.X509Certificate(c.raw));
    i++;
  }
  if (sd.children[i]?.tag === 0xa1) i++; // CRLs
  const si = sd.children[i].children[0];
  const sid = si.children[1];
  let signer: crypto.X509Certificate | null = null;
  if (sid.tag === 0x30) {
    const [issuer, serial] = sid.children;
    signer = certificates.find((c) => {
      const ids = issuerAndSerial(c.raw);
      return ids.issuer.equals(issuer.raw) && ids.serial.equals(serial.raw);
    }) ?? null;
  } else if (sid.tag === 0x80) {
    const ski = sid.content.toString('hex');
    signer = certificates.find((c) => subjectKeyId(c.raw) === ski) ?? null;
  }
  const digestAlgorithm = HASH_OF_OID[oidString(si.children[2].children[0].content)] ?? null;
  let k = 3;
  let messageDigest: Buffer | null = null;
  let signingTime: Date | null = null;
  let signedAttrs: Buffer | null = null;
  if (si.children[k]?.tag === 0xa0) {
    const attrs = si.children[k];
    signedAttrs = Buffer.concat([Buffer.from([0x31]), attrs.raw.subarray(1)]);
    for (const a of attrs.children) {
      const type = oidString(a.children[0].content);
      const value = a.children[1].children[0];
      if (type === OID.messageDigest) messageDigest = Buffer.from(value.content);
      if (type === OID.signingTime) signingTime = timeOf(value);
    }
    k++;
  }
  const sigAlg = oidString(si.children[k].children[0].content);
  const signature = si.children[k + 1].content;
  let signatureValid = false;
  if (signer && signedAttrs && digestAlgorithm) {
    try {
      const ec = signer.publicKey.asymmetricKeyType === 'ec';
      const hash = sigAlg === OID.sha256WithRSA || sigAlg === OID.ecdsaWithSHA256 ? 'sha256' : digestAlgorithm;
      signatureValid = crypto.verify(hash, signedAttrs, ec ? { key: signer.publicKey, dsaEncoding: 'der' } : signer.publicKey, signature);
    } catch {
      signatureValid = false;
    }
  }
  return { certificates, signer, digestAlgorithm, messageDigest, signingTime, signatureValid };
}
