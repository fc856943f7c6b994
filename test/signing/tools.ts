/**
 * The outside tools the e-letter tests check our PDFs with: poppler (pdfsig, pdftotext, pdfinfo, pdftoppm,
 * Debian poppler-utils) and LibreOffice (soffice, libreoffice-writer-nogui). In CI (CI=true) a missing tool is a
 * failure; locally the test that needs it is skipped with a note.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const found = new Map<string, boolean>();

export function hasTool(name: string): boolean {
  if (!found.has(name)) found.set(name, spawnSync('sh', ['-c', `command -v ${name}`]).status === 0);
  return found.get(name)!;
}

/** True when the tools are there; throws in CI when they are not (a silent skip would hide a broken check). */
export function tools(...names: string[]): boolean {
  const missing = names.filter((n) => !hasTool(n));
  if (!missing.length) return true;
  const msg = `missing ${missing.join(', ')}: apt-get install poppler-utils libreoffice-writer-nogui`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`skipped: ${msg}`);
  return false;
}

function withFile<T>(buf: Buffer, ext: string, fn: (file: string, dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-pdf-'));
  const file = path.join(dir, `in${ext}`);
  fs.writeFileSync(file, buf);
  try {
    return fn(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function pdftotext(pdf: Buffer, opts: { first?: number; last?: number; layout?: boolean } = {}): string {
  return withFile(pdf, '.pdf', (file) => {
    const args = [...(opts.first ? ['-f', String(opts.first)] : []), ...(opts.last ? ['-l', String(opts.last)] : []), ...(opts.layout ? ['-layout'] : []), file, '-'];
    return execFileSync('pdftotext', args, { encoding: 'utf8' }).normalize('NFC');
  });
}

export function pdfPageCount(pdf: Buffer): number {
  return withFile(pdf, '.pdf', (file) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]));
}

export function pdffonts(pdf: Buffer): string {
  return withFile(pdf, '.pdf', (file) => execFileSync('pdffonts', [file], { encoding: 'utf8' }));
}

/** pdfsig's report (it exits non-zero when a signature is broken, so the status is returned too). */
export function pdfsig(pdf: Buffer): { status: number; out: string } {
  return withFile(pdf, '.pdf', (file) => {
    const r = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  });
}

/** Page 1 as a greyscale PGM at `dpi`: [width, height, pixels]. */
export function renderPage(pdf: Buffer, dpi = 40, page = 1): { width: number; height: number; pixels: Buffer } {
  return withFile(pdf, '.pdf', (file, dir) => {
    execFileSync('pdftoppm', ['-gray', '-r', String(dpi), '-f', String(page), '-l', String(page), file, path.join(dir, 'p')]);
    const out = fs.readdirSync(dir).find((f) => f.endsWith('.pgm'))!;
    const data = fs.readFileSync(path.join(dir, out));
    const m = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 50).toString('latin1'))!;
    return { width: Number(m[1]), height: Number(m[2]), pixels: data.subarray(m[0].length) };
  });
}

/**
 * One LibreOffice profile per test process, made on first use and reused: making a profile costs seconds on each
 * start, and two processes never share one (LibreOffice locks it).
 */
let profileDir: string | null = null;
function libreOfficeProfile(): string {
  if (!profileDir) {
    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), `vd-lo-${process.pid}-`));
    process.once('exit', () => fs.rmSync(profileDir!, { recursive: true, force: true }));
  }
  return profileDir;
}

/** DOCX files converted to PDF by LibreOffice, all in one start of soffice (each start costs seconds). */
export function libreOfficePdfs(docxs: Buffer[]): Buffer[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-docx-'));
  try {
    const files = docxs.map((buf, i) => {
      const file = path.join(dir, `letter-${i}.docx`);
      fs.writeFileSync(file, buf);
      return file;
    });
    execFileSync('soffice', [`-env:UserInstallation=file://${libreOfficeProfile()}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, ...files], { stdio: 'ignore', timeout: 180_000 });
    return files.map((f) => fs.readFileSync(f.replace(/\.docx$/, '.pdf')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The number of pages LibreOffice lays a DOCX out on. */
export function libreOfficePages(docx: Buffer): number {
  return pdfPageCount(libreOfficePdfs([docx])[0]);
}
