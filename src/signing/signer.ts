/**
 * The signing step as an interface: the workflow asks for "the signer of this person / this organisation" and
 * gets something that holds a certificate chain and signs bytes. The PKCS#12 signer (a key file kept on the
 * server, its password encrypted at rest) is the first implementation; a USB-token plugin (PKCS#11) or a remote
 * signing service registers another kind with `registerSignerKind` and needs no change to the workflow.
 */
import crypto from 'node:crypto';

export interface Signer {
  /** Which implementation, e.g. "pkcs12", "usb-token", "remote". */
  readonly kind: string;
  /** The signing certificate first, then its chain (DER). */
  readonly chain: Buffer[];
  /** 'rsa' (PKCS#1 v1.5) or 'ecdsa'. */
  readonly algorithm: 'rsa' | 'ecdsa';
  /** Signs `data` (the DER of the CMS signed attributes) with SHA-256; returns the signature value. */
  sign(data: Buffer): Promise<Buffer>;
}

/** A signer over a private key held in this process (what a PKCS#12 gives). */
export class KeySigner implements Signer {
  readonly algorithm: 'rsa' | 'ecdsa';

  constructor(
    readonly kind: string,
    private readonly key: crypto.KeyObject,
    readonly chain: Buffer[],
  ) {
    this.algorithm = key.asymmetricKeyType === 'ec' ? 'ecdsa' : 'rsa';
  }

  async sign(data: Buffer): Promise<Buffer> {
    return crypto.sign('sha256', data, this.algorithm === 'ecdsa' ? { key: this.key, dsaEncoding: 'der' } : this.key);
  }
}

/** What a signer implementation is given to open the stored key material of one certificate record. */
export interface SignerSource {
  kind: string;
  /** The stored key material (for pkcs12: the file), if the kind keeps any. */
  material: Buffer | null;
  /** The decrypted secret (for pkcs12: its password), if any. */
  secret: string | null;
  /** The certificate chain recorded at upload (DER). */
  chain: Buffer[];
  /** Implementation-specific settings (e.g. a token slot, a remote account id). */
  options: Record<string, unknown>;
}

export type SignerFactory = (source: SignerSource) => Promise<Signer>;

const kinds = new Map<string, SignerFactory>();

export function registerSignerKind(kind: string, factory: SignerFactory): void {
  kinds.set(kind, factory);
}

export function signerFactory(kind: string): SignerFactory | undefined {
  return kinds.get(kind);
}
