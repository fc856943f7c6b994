/**
 * The trust list for verification: every certificate (PEM or DER; .pem .crt .cer .der) in SIGNING_TRUST_DIR,
 * by default MEDIA_DIR/signing/trust (where `npm run seed:demo` puts its demo root). In production: the national
 * root CA (Root CA của Ban Cơ yếu Chính phủ / VGCA, and the public CAs' roots an office accepts).
 * Re-read when the folder changes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { TrustStore } from './verify';
import { pemCertificates } from './x509';

export function trustDir(config: Pick<Config, 'SIGNING_TRUST_DIR' | 'MEDIA_DIR'>): string {
  return config.SIGNING_TRUST_DIR || path.join(config.MEDIA_DIR, 'signing', 'trust');
}

const cache = new Map<string, { stamp: string; store: TrustStore }>();

export function trustStore(config: Pick<Config, 'SIGNING_TRUST_DIR' | 'MEDIA_DIR'>): TrustStore {
  const dir = trustDir(config);
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => /\.(pem|crt|cer|der)$/i.test(f)).sort();
  } catch {
    return { anchors: [] };
  }
  const stamp = files.map((f) => `${f}:${fs.statSync(path.join(dir, f)).mtimeMs}`).join('|');
  const hit = cache.get(dir);
  if (hit && hit.stamp === stamp) return hit.store;
  const anchors: crypto.X509Certificate[] = [];
  for (const f of files) {
    const data = fs.readFileSync(path.join(dir, f));
    try {
      if (data.includes('-----BEGIN CERTIFICATE-----')) anchors.push(...pemCertificates(data.toString('latin1')));
      else anchors.push(new crypto.X509Certificate(data));
    } catch {
      // not a certificate: ignored
    }
  }
  const store = { anchors };
  cache.set(dir, { stamp, store });
  return store;
}

/** Adds a root to the trust folder (the demo seed). */
export function addTrustedRoot(config: Pick<Config, 'SIGNING_TRUST_DIR' | 'MEDIA_DIR'>, name: string, pem: string): string {
  const dir = trustDir(config);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, pem);
  return file;
}
