import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rsaKey, type KeySource } from '../../src/signing';

const POOL_SIZE = 12;

/**
 * RSA-2048 key pairs made once per machine (in the temp folder) and handed out in turn, each distinct from the
 * last eleven: a fresh key costs 0.1–0.4 s and the signing suites issue dozens of certificates.
 */
export function pooledKeys(): KeySource {
  const file = path.join(os.tmpdir(), `vandong-test-rsa-keys-${POOL_SIZE}.json`);
  let keys: { privateKey: string; publicKey: string }[];
  try {
    keys = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof keys;
  } catch {
    keys = Array.from({ length: POOL_SIZE }, rsaKey);
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, JSON.stringify(keys));
    fs.renameSync(partial, file);
  }
  let next = 0;
  return () => keys[next++ % keys.length];
}
