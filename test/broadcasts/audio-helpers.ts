import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { resolveFfmpeg } from '../../src/broadcasts/ffmpeg';
import type { TestContext, TestUser } from '../helpers/context';

/** The same binary the app uses, to make test audio and to check what the app produced. */
export const FFMPEG = resolveFfmpeg(process.env).path;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-audio-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ENCODE: Record<string, string[]> = {
  wav: ['-c:a', 'pcm_s16le'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '96k'],
  m4a: ['-c:a', 'aac', '-b:a', '96k', '-f', 'mp4'],
  ogg: ['-c:a', 'libopus', '-b:a', '64k', '-f', 'ogg'],
  amr: ['-ar', '8000', '-ac', '1', '-c:a', 'libopencore_amrnb', '-b:a', '12.2k', '-f', 'amr'],
  webm: ['-c:a', 'libopus', '-b:a', '64k', '-f', 'webm'],
};

/**
 * A 1 kHz tone of `toneSec` seconds at -20 dBFS with `padSec` of digital silence before and after, stereo 48 kHz
 * (what a phone recorder gives), encoded as `format`.
 */
export function toneFile(format: keyof typeof ENCODE, opts: { toneSec?: number; padSec?: number; rate?: number } = {}): string {
  const tone = opts.toneSec ?? 3;
  const pad = opts.padSec ?? 2;
  const rate = opts.rate ?? 48000;
  const out = path.join(dir, `tone-${tone}-${pad}-${rate}.${format}`);
  if (fs.existsSync(out)) return out;
  const expr = `if(between(t,${pad},${pad + tone}),0.1*sin(2*PI*1000*t),0)`;
  execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='${expr}|${expr}':s=${rate}:d=${tone + 2 * pad}`, ...ENCODE[format], out]);
  return out;
}

export interface Checked {
  codec: string;
  sampleRate: number;
  channels: string;
  durationSec: number;
  integratedLufs: number;
  leadingSilenceSec: number;
}

/** ffmpeg's report (stderr) of a run; it exits non-zero for `-i` alone, which is fine here. */
function ffmpegReport(args: string[]): string {
  return spawnSync(FFMPEG, ['-hide_banner', ...args], { encoding: 'utf8' }).stderr;
}

/** What ffmpeg itself says about a file: stream, decoded duration, EBU R128 integrated loudness, silence at the start. */
export function inspect(file: string): Checked {
  const info = ffmpegReport(['-i', file]);
  const stream = /Audio: (\w+)[^,\n]*, (\d+) Hz, (\w+)/.exec(info)!;
  const report = ffmpegReport(['-i', file, '-af', 'silencedetect=n=-50dB:d=0.1,ebur128', '-f', 'null', '-']);
  const times = [...report.matchAll(/time=(\d+):(\d+):([\d.]+)/g)].pop()!;
  const firstStart = /silence_start: (-?[\d.]+)/.exec(report);
  const firstEnd = /silence_end: ([\d.]+)/.exec(report);
  return {
    codec: stream[1],
    sampleRate: Number(stream[2]),
    channels: stream[3],
    durationSec: +times[1] * 3600 + +times[2] * 60 + +times[3],
    integratedLufs: Number(/I:\s+(-?[\d.]+) LUFS/.exec(report.slice(report.lastIndexOf('Summary')))![1]),
    leadingSilenceSec: firstStart && Number(firstStart[1]) < 0.05 && firstEnd ? Number(firstEnd[1]) : 0,
  };
}

/** Uploads and waits until the conversion has finished (ready or failed). */
export async function uploadAndWait(ctx: TestContext, user: TestUser, body: Buffer | string, name: string, title = 'Bản tin tiêm chủng'): Promise<{ id: number; audio: Record<string, any> }> {
  const data = typeof body === 'string' ? fs.readFileSync(body) : body;
  const res = await ctx.as(user).post('/api/v1/audio').field('title', title).attach('file', data, name);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  const started = Date.now();
  for (;;) {
    const got = await ctx.as(user).get(`/api/v1/audio/${res.body.id}`);
    if (got.body.status !== 'processing') return { id: res.body.id, audio: got.body };
    if (Date.now() - started > 45_000) throw new Error('conversion did not finish');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The master file on disk, found through its content hash. */
export function masterPath(ctx: TestContext, sha256: string): string {
  return path.join(ctx.mediaDir, 'audio', sha256.slice(0, 2), `${sha256}.mp3`);
}

export { binary, text } from '../helpers/parsers';
