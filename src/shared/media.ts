import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * Files live under MEDIA_DIR by content hash (sha256), never by a name a user chose:
 * <media>/<kind>/<ab>/<abcdef…>. Writing the same content twice stores it once.
 */
export interface StoredFile {
  sha256: string;
  size: number;
  /** Path relative to the media root; what the database records. */
  relPath: string;
}

export function mediaPath(mediaDir: string, relPath: string): string {
  const full = path.resolve(mediaDir, relPath);
  if (!full.startsWith(path.resolve(mediaDir) + path.sep)) throw new Error('path escapes media dir');
  return full;
}

export function tmpDir(mediaDir: string): string {
  const dir = path.join(mediaDir, 'tmp');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A temp file untouched this long belongs to no upload or transcode still running (both write continuously). */
export const TMP_STALE_MS = 60 * 60_000;

/**
 * Removes what a crash or a killed process left in MEDIA_DIR/tmp: files not modified for `olderThanMs` (younger
 * ones may be uploads or transcodes of another instance sharing the directory). Returns how many were removed.
 */
export async function sweepTmp(mediaDir: string, olderThanMs = TMP_STALE_MS, now = Date.now()): Promise<number> {
  const dir = tmpDir(mediaDir);
  let removed = 0;
  for (const name of await fs.promises.readdir(dir)) {
    const file = path.join(dir, name);
    const stat = await fs.promises.lstat(file).catch(() => null);
    if (!stat || now - stat.mtimeMs < olderThanMs) continue;
    await fs.promises.rm(file, { recursive: true, force: true }).then(() => removed++, () => undefined);
  }
  return removed;
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Moves a finished temp file into the store (atomic rename on the same disk). */
export async function storeFile(mediaDir: string, kind: string, tempFile: string, ext = ''): Promise<StoredFile> {
  const sha256 = await sha256File(tempFile);
  const size = (await fs.promises.stat(tempFile)).size;
  const relPath = path.join(kind, sha256.slice(0, 2), sha256 + ext);
  const dest = mediaPath(mediaDir, relPath);
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  if (fs.existsSync(dest)) await fs.promises.unlink(tempFile);
  else await fs.promises.rename(tempFile, dest);
  return { sha256, size, relPath };
}

export async function storeBuffer(mediaDir: string, kind: string, data: Buffer, ext = ''): Promise<StoredFile> {
  const temp = path.join(tmpDir(mediaDir), crypto.randomBytes(12).toString('hex'));
  await fs.promises.writeFile(temp, data);
  return storeFile(mediaDir, kind, temp, ext);
}

/**
 * A file size as a person reads it: "512 B", "12,5 KB", "4,2 MB" (1 KB = 1024 B; one decimal, in the locale's
 * way of writing it: a comma in Vietnamese, a point in English). Audio, attachments and upload limits use this.
 */
export function formatSize(bytes: number, locale: 'vi' | 'en' = 'vi'): string {
  const n = (v: number) => new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 1 }).format(v);
  if (bytes < 1024) return `${n(bytes)} B`;
  if (bytes < 1024 * 1024) return `${n(bytes / 1024)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${n(bytes / 1024 / 1024)} MB`;
  return `${n(bytes / 1024 / 1024 / 1024)} GB`;
}
