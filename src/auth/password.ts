import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (pw: crypto.BinaryLike, salt: crypto.BinaryLike, keylen: number, opts: crypto.ScryptOptions) => Promise<Buffer>;

// N=2^15 (PASSWORD_SCRYPT_N's default) costs ~50 ms per hash on these machines: slow for guessing, fast enough
// for logins. The test suites lower it (they make a thousand accounts); verifying reads N from the stored hash.
const PARAMS = { r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEYLEN = 32;

/** Format: scrypt$N$r$p$salt$hash (base64url), so parameters can be raised later without breaking old hashes. */
export async function hashPassword(config: { PASSWORD_SCRYPT_N: number }, password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const N = config.PASSWORD_SCRYPT_N;
  const hash = await scrypt(password.normalize('NFC'), salt, KEYLEN, { ...PARAMS, N });
  return ['scrypt', N, PARAMS.r, PARAMS.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return crypto.timingSafeEqual(expected, actual);
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string | Buffer): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

/** A password we print once at first start when the operator gave none. */
export function generatePassword(): string {
  return crypto.randomBytes(12).toString('base64url');
}
