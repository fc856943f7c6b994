/**
 * PKCS#12 passwords at rest: AES-256-GCM under a key from SIGNING_KEY (any string, stretched with scrypt), or —
 * the embedded default — a random key created once in MEDIA_DIR/signing/secret.key (mode 0600), with a warning in
 * the log: anyone who can read the media folder and the database can then sign, so production sets SIGNING_KEY.
 * Stored as "v1:<key id>:<base64 of iv | tag | ciphertext>"; the key id tells a wrong key from a damaged value.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

interface Logger {
  warn: (obj: unknown, msg?: string) => void;
}

const keys = new Map<string, Buffer>();

export function signingKey(config: Pick<Config, 'SIGNING_KEY' | 'MEDIA_DIR'>, log: Logger): Buffer {
  const cacheKey = config.SIGNING_KEY ? `env:${config.SIGNING_KEY}` : `file:${path.resolve(config.MEDIA_DIR)}`;
  let key = keys.get(cacheKey);
  if (key) return key;
  if (config.SIGNING_KEY) key = crypto.scryptSync(config.SIGNING_KEY, 'vandong-signing-key', 32);
  else {
    const file = path.join(config.MEDIA_DIR, 'signing', 'secret.key');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      try {
        fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    log.warn({ file }, 'SIGNING_KEY is not set: certificate passwords are encrypted with a key kept in the media folder; set SIGNING_KEY in production');
  }
  keys.set(cacheKey, key);
  return key;
}

const keyId = (key: Buffer) => crypto.createHash('sha256').update(key).digest('hex').slice(0, 8);

export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1:${keyId(key)}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
}

export function decryptSecret(key: Buffer, stored: string): string {
  const [v, id, data] = stored.split(':');
  if (v !== 'v1' || !data) throw new Error('unknown secret format');
  if (id !== keyId(key)) throw new Error('the certificate password was encrypted with another SIGNING_KEY');
  const raw = Buffer.from(data, 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
