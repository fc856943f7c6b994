/**
 * A throwaway certificate authority and PKCS#12 files in pure JavaScript (node-forge, keys from node:crypto),
 * for `npm run seed:demo` and the tests: nobody needs openssl to see a signed letter.
 */
import crypto from 'node:crypto';
import forge from 'node-forge';

export interface Issued {
  keyPem: string;
  certPem: string;
  certDer: Buffer;
}

export interface DemoCertOptions {
  commonName: string;
  organisation?: string;
  /** Default: one hour ago. */
  notBefore?: Date;
  /** Default: two years after notBefore. */
  notAfter?: Date;
  serial?: string;
  keyUsage?: { digitalSignature?: boolean; nonRepudiation?: boolean; keyCertSign?: boolean };
}

/** Where a certificate's key pair comes from (PEM): a fresh 2048-bit RSA key each time, unless told otherwise. */
export type KeySource = () => { privateKey: string; publicKey: string };

/** A fresh 2048-bit RSA key pair in PEM (the default KeySource). */
export function rsaKey(): { privateKey: string; publicKey: string } {
  return crypto.generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

function attrs(o: DemoCertOptions): forge.pki.CertificateField[] {
  return [
    { shortName: 'C', value: 'VN' },
    ...(o.organisation ? [{ shortName: 'O', value: o.organisation, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class }] : []),
    { shortName: 'CN', value: o.commonName, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
  ];
}

function build(o: DemoCertOptions, issuer: { cert: forge.pki.Certificate | null; key: forge.pki.PrivateKey | null }, ca: boolean, keys: KeySource): Issued & { cert: forge.pki.Certificate; key: forge.pki.PrivateKey } {
  const pair = keys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  cert.serialNumber = o.serial ?? `01${crypto.randomBytes(8).toString('hex')}`;
  const from = o.notBefore ?? new Date(Date.now() - 3600_000);
  cert.validity.notBefore = from;
  cert.validity.notAfter = o.notAfter ?? new Date(from.getTime() + 2 * 365 * 86400_000);
  cert.setSubject(attrs(o));
  cert.setIssuer(issuer.cert ? issuer.cert.subject.attributes : attrs(o));
  const ku = o.keyUsage ?? (ca ? { keyCertSign: true, digitalSignature: true } : { digitalSignature: true, nonRepudiation: true });
  cert.setExtensions([
    { name: 'basicConstraints', cA: ca, critical: true },
    { name: 'keyUsage', critical: true, digitalSignature: !!ku.digitalSignature, nonRepudiation: !!ku.nonRepudiation, keyCertSign: !!ku.keyCertSign, cRLSign: !!ku.keyCertSign },
    { name: 'subjectKeyIdentifier' },
  ]);
  const key = forge.pki.privateKeyFromPem(pair.privateKey);
  cert.sign((issuer.key ?? key) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { cert, key, keyPem: pair.privateKey, certPem, certDer: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary') };
}

export class DemoCa {
  private constructor(
    private readonly cert: forge.pki.Certificate,
    private readonly key: forge.pki.PrivateKey,
    readonly root: Issued,
    private readonly keys: KeySource,
  ) {}

  /** `keys`: the tests hand out keys made once (2048-bit generation costs 0.1–0.4 s, and they issue dozens). */
  static create(o: Partial<DemoCertOptions> = {}, keys: KeySource = rsaKey): DemoCa {
    const ca = build({ commonName: 'Vận Động Demo Root CA', organisation: 'Vận Động (demo, không có giá trị pháp lý)', notAfter: new Date(Date.now() + 10 * 365 * 86400_000), ...o }, { cert: null, key: null }, true, keys);
    return new DemoCa(ca.cert, ca.key, ca, keys);
  }

  issue(o: DemoCertOptions): Issued {
    const { keyPem, certPem, certDer } = build(o, { cert: this.cert, key: this.key }, false, this.keys);
    return { keyPem, certPem, certDer };
  }

  /** A PKCS#12 with the key, its certificate and the root. */
  pkcs12(o: DemoCertOptions, password: string): { p12: Buffer; cert: Issued } {
    const issued = this.issue(o);
    const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(issued.keyPem), [forge.pki.certificateFromPem(issued.certPem), this.cert], password, { algorithm: '3des', friendlyName: o.commonName });
    return { p12: Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'), cert: issued };
  }
}
