/** Reading a PKCS#12 (.p12/.pfx): the private key, its certificate and the chain above it (node-forge). */
import crypto from 'node:crypto';
import forge from 'node-forge';
import { invalid } from '../shared/errors';

export interface Pkcs12Contents {
  key: crypto.KeyObject;
  /** The certificate of the key first, then the others in the file (its chain), DER. */
  chain: Buffer[];
}

export function readPkcs12(bytes: Buffer, password: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
    } catch (err) {
      const msg = (err as Error).message ?? '';
      if (/password|MAC could not be verified|decrypt/i.test(msg)) throw invalid('CERTIFICATE_PASSWORD', 'The PKCS#12 password is wrong', { password: 'wrong password' });
      throw err;
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'CERTIFICATE_PASSWORD') throw err;
    const msg = (err as Error).message ?? '';
    if (/unsupported|OID/i.test(msg)) throw invalid('CERTIFICATE_UNSUPPORTED', 'The PKCS#12 uses a key type or cipher we cannot read (use an RSA key)', { file: 'unsupported PKCS#12' });
    throw invalid('CERTIFICATE_UNREADABLE', 'The file is not a PKCS#12 (.p12/.pfx) we can read', { file: 'not a PKCS#12 file' });
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const keyBag = keyBags.find((b) => b.key);
  if (!keyBag?.key) {
    const unsupported = keyBags.some((b) => !b.key);
    throw invalid(unsupported ? 'CERTIFICATE_UNSUPPORTED' : 'CERTIFICATE_NO_KEY', unsupported ? 'The PKCS#12 key is not an RSA key' : 'The PKCS#12 holds no private key', { file: 'no usable private key' });
  }
  const key = crypto.createPrivateKey(forge.pki.privateKeyToPem(keyBag.key));
  const pub = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
  const certs = certBags.filter((b) => b.cert).map((b) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert!)).getBytes(), 'binary'));
  const own = certs.findIndex((der) => new crypto.X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' }).equals(pub));
  if (own < 0) throw invalid('CERTIFICATE_NO_KEY', 'No certificate in the PKCS#12 matches its private key', { file: 'key and certificate do not match' });
  return { key, chain: [certs[own], ...certs.filter((_, i) => i !== own)] };
}
