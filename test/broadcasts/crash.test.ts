import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createDb, migrate, type Db } from '../../src/db';
import { storeFile } from '../../src/shared/media';
import { ROOT } from '../../src/shared/paths';
import { FFMPEG } from './audio-helpers';

/**
 * Story: the server is killed (kill -9) while it converts a long recording. Its ffmpeg must die with it (it used
 * to run on, orphaned, and leave its half-written MP3 in MEDIA_DIR/tmp); the next start takes the job back,
 * finishes it and sweeps the leftover. The server side runs in a child process against a SQLite file.
 */
const CHILD = path.join(__dirname, 'fixtures', 'transcode-child.ts');

function start(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** Live processes whose command line mentions `needle` (ffmpeg and its watchdog name the media directory). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /^State:\s+(\w)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (cmd.includes(needle) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

(fs.existsSync('/proc/self/cmdline') ? describe : describe.skip)('audio conversion killed with the server', () => {
  let dir: string;
  let mediaDir: string;
  let db: Db;
  let env: Record<string, string>;
  let audioId: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-transcode-crash-'));
    mediaDir = path.join(dir, 'media');
    fs.mkdirSync(path.join(mediaDir, 'tmp'), { recursive: true });
    const url = `sqlite://${path.join(dir, 'crash.sqlite')}`;
    db = createDb({ url });
    await migrate(db);
    env = { DATABASE_URL: url, MEDIA_DIR: mediaDir, LOG_LEVEL: 'silent' };
    // 400 s of tone at 8 kHz: the encoding pass (one pass, LAME quality 7) takes a few seconds, long enough to be killed in the middle.
    const wav = path.join(dir, 'long.wav');
    execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=400:sample_rate=8000', '-af', 'volume=-20dB', '-c:a', 'pcm_s16le', wav]);
    const stored = await storeFile(mediaDir, 'audio-original', wav, '.wav');
    const ts = new Date().toISOString();
    const [org] = await db('orgs').insert({ kind: 'department', name: 'Sở Y tế', short_name: 'SYT', created_at: ts, updated_at: ts }).returning('id');
    const [row] = await db('audio_assets')
      .insert({ owner_org_id: Number(typeof org === 'object' ? org.id : org), title: 'Hội nghị', status: 'processing', progress: 0, original_sha256: stored.sha256, original_rel_path: stored.relPath, original_mime: 'audio/wav', original_format: 'wav', original_size: stored.size, created_at: ts, updated_at: ts })
      .returning('id');
    audioId = Number(typeof row === 'object' ? row.id : row);
  });

  afterAll(async () => {
    for (const pid of processesMentioning(mediaDir)) process.kill(pid, 'SIGKILL');
    await db?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ffmpeg dies with the process; a restart resumes the job and removes the half-written file', async () => {
    const tmp = path.join(mediaDir, 'tmp');
    const first = start(env);
    // kill once the encoding pass has started writing its output
    await waitFor('the encoding pass to start', () => fs.readdirSync(tmp).length > 0 && processesMentioning(mediaDir).length > 0);
    const leftovers = fs.readdirSync(tmp);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    // no ffmpeg (nor its watchdog) outlives the server by more than a moment
    await waitFor('ffmpeg to exit after its parent died', () => processesMentioning(mediaDir).length === 0, 1500).catch(() => undefined);
    expect(processesMentioning(mediaDir)).toEqual([]);
    expect(fs.readdirSync(tmp)).toEqual(leftovers); // the crash left its temp file
    expect((await db('audio_assets').where({ id: audioId }).first()).status).toBe('processing');

    // the next start, after the dead process's lease has run out
    const second = start({ ...env, CLOCK_OFFSET_MS: '120000' });
    await waitFor('the leftover to be swept', () => leftovers.every((f) => !fs.existsSync(path.join(tmp, f))), 5000);
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('idle');
    const row = await db('audio_assets').where({ id: audioId }).first();
    expect(row).toMatchObject({ status: 'ready', job_attempts: 2 });
    expect(fs.existsSync(path.join(mediaDir, row.master_rel_path))).toBe(true);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('the sweep leaves the files of conversions still running elsewhere alone', async () => {
    const { sweepTranscodeTemp } = await import('../../src/broadcasts/audio');
    const { loadConfig } = await import('../../src/config');
    const { createLogger } = await import('../../src/logger');
    const tmp = path.join(mediaDir, 'tmp');
    const host = os.hostname().replace(/[^A-Za-z0-9]/g, '') || 'host';
    const name = (h: string, pid: number) => `transcode-${h}-${pid}-0123456789abcdef.mp3`;
    const files = {
      liveHere: name(host, process.ppid), // a running process on this host
      otherHost: name('otherserver', 999999), // another server sharing MEDIA_DIR: its pids mean nothing here
      staleOtherHost: name('otherserver', 999998),
      upload: 'a1b2c3d4e5f6', // not a conversion's file
    };
    for (const f of Object.values(files)) fs.writeFileSync(path.join(tmp, f), 'x');
    const old = new Date(Date.now() - 3 * 3600_000);
    fs.utimesSync(path.join(tmp, files.staleOtherHost), old, old);
    const deps = { db, config: loadConfig(env), log: createLogger('silent'), clock: () => new Date() };
    expect(await sweepTranscodeTemp(deps)).toBe(1);
    expect(fs.readdirSync(tmp).sort()).toEqual([files.liveHere, files.otherHost, files.upload].sort());
    for (const f of fs.readdirSync(tmp)) fs.unlinkSync(path.join(tmp, f));
  });
});
