import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

/**
 * The ffmpeg binary and what we ask of it: recognise an upload, measure it, and make the loudspeaker master.
 * No ffprobe ships with @ffmpeg-installer, so probing reads `ffmpeg -i` and filter reports on stderr.
 */
export interface FfmpegBinary {
  path: string;
  source: 'FFMPEG_PATH' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg';
}

/** FFMPEG_PATH, else ffmpeg-static when its (install-time downloaded) binary is present, else @ffmpeg-installer's bundled one. */
export function resolveFfmpeg(env: { FFMPEG_PATH?: string }): FfmpegBinary {
  if (env.FFMPEG_PATH) return { path: env.FFMPEG_PATH, source: 'FFMPEG_PATH' };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional dependency, may be absent
    const p = require('ffmpeg-static') as string | null;
    if (p && fs.existsSync(p)) return { path: p, source: 'ffmpeg-static' };
  } catch {
    // not installed: fall through
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolves the bundled binary's path
  const installer = require('@ffmpeg-installer/ffmpeg') as { path: string };
  return { path: installer.path, source: '@ffmpeg-installer/ffmpeg' };
}

const versions = new Map<string, Promise<string>>();

/** First line of `ffmpeg -version`, e.g. "ffmpeg version 4.1 …". */
export function ffmpegVersion(bin: string): Promise<string> {
  if (!versions.has(bin)) {
    versions.set(
      bin,
      runFfmpeg(bin, ['-version'], { timeoutMs: 10_000 }).then((r) => {
        if (r.code !== 0) throw new Error(`ffmpeg at ${bin} does not run: ${r.stderr.slice(-300)}`);
        return r.stdout.split('\n')[0].trim();
      }),
    );
  }
  return versions.get(bin)!;
}

export class FfmpegTimeout extends Error {}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Killed (SIGKILL) when it runs longer than this. */
  timeoutMs: number;
  /** Called with each `-progress pipe:1` block's out_time in seconds. */
  onProgress?: (seconds: number) => void;
}

const MAX_CAPTURE = 4 * 1024 * 1024;

/**
 * ffmpeg runs under a tiny POSIX shell watchdog so that it dies with this process, however this process ends
 * (kill -9 included: nothing in Node runs then). The watchdog holds the read end of a pipe whose only writer is
 * this process; the kernel closes it when this process dies, `read` returns, and ffmpeg is killed. When ffmpeg
 * ends first the watchdog is stopped and ffmpeg's exit status is passed on. ffmpeg itself gets /dev/null as stdin.
 */
const WATCHDOG = 'exec 3<&0; "$@" </dev/null 3<&- & c=$!; (read _ <&3; kill -9 $c 2>/dev/null) & w=$!; exec 3<&-; wait $c; s=$?; kill $w 2>/dev/null; exit $s';

function spawnTied(bin: string, args: string[]): ChildProcessByStdio<Writable, Readable, Readable> {
  if (process.platform === 'win32') return spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  return spawn('/bin/sh', ['-c', WATCHDOG, 'ffmpeg-watchdog', bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

export function runFfmpeg(bin: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnTied(bin, args);
    child.stdin.on('error', () => undefined); // the watchdog may be gone already
    /** Closing our end of the pipe makes the watchdog kill ffmpeg; the shell then exits. */
    const stop = () => {
      child.stdin.destroy();
      if (process.platform === 'win32') child.kill('SIGKILL');
    };
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, Math.max(1, opts.timeoutMs));
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (opts.onProgress) {
        for (const m of chunk.matchAll(/out_time_ms=(\d+)/g)) opts.onProgress(Number(m[1]) / 1e6);
        return;
      }
      if (stdout.length < MAX_CAPTURE) stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      if (timedOut) reject(new FfmpegTimeout(`ffmpeg ran longer than ${Math.round(opts.timeoutMs / 1000)} s and was stopped`));
      else resolve({ code, stdout, stderr });
    });
  });
}

// ---- recognising uploads by their content ----

export type AudioFormat = 'mp3' | 'aac' | 'wav' | 'm4a' | 'ogg' | 'opus' | 'amr' | 'webm';

export const MIME: Record<AudioFormat, string> = {
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  opus: 'audio/ogg; codecs=opus',
  amr: 'audio/amr',
  webm: 'audio/webm',
};

/**
 * The demuxer each accepted kind is read with. Every ffmpeg run on an upload names it (`-f`): left to guess,
 * ffmpeg probes the content, and a file that starts like an MP3 (an ID3 tag) but continues as an HLS playlist or
 * a concat script is read as that, and opens whatever files or URLs it lists.
 */
export const DEMUXER: Record<AudioFormat, string> = {
  mp3: 'mp3',
  aac: 'aac',
  wav: 'wav',
  m4a: 'mov',
  ogg: 'ogg',
  opus: 'ogg',
  amr: 'amr',
  webm: 'matroska',
};

/** Input options for a file of a known kind: its demuxer, and local files only (no network, no nested protocols). */
export function inputArgs(file: string, format: AudioFormat): string[] {
  return ['-protocol_whitelist', 'file', '-f', DEMUXER[format], '-i', file];
}

/** An MPEG audio frame header (layer I, II or III) at `at`. */
const mpegFrameAt = (head: Buffer, at: number) => head[at] === 0xff && (head[at + 1] & 0xe0) === 0xe0 && ((head[at + 1] >> 1) & 0x03) !== 0x00;
/** An ADTS (AAC) frame header at `at`. */
const adtsAt = (head: Buffer, at: number) => head[at] === 0xff && (head[at + 1] & 0xf6) === 0xf0;

/** The container named by the first bytes, or null when they are none of the accepted audio kinds. */
export function sniffAudio(head: Buffer): AudioFormat | null {
  const ascii = (start: number, end: number) => head.subarray(start, end).toString('latin1');
  if (head.length < 4) return null;
  if (ascii(0, 3) === 'ID3') {
    // ID3v2: 10-byte header, syncsafe size, optional 10-byte footer; what follows must be MPEG audio or ADTS.
    if (head.length < 10) return null;
    const size = ((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f);
    let at = 10 + size + (head[5] & 0x10 ? 10 : 0);
    if (at + 4 > head.length) return 'mp3'; // a long tag (cover art): the explicit `-f mp3` decides
    while (at < head.length - 4 && head[at] === 0) at++; // padding some taggers leave after the tag
    if (adtsAt(head, at)) return 'aac';
    if (mpegFrameAt(head, at)) return 'mp3';
    return null;
  }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (ascii(4, 8) === 'ftyp') return 'm4a';
  if (ascii(0, 4) === 'OggS') return head.includes(Buffer.from('OpusHead')) ? 'opus' : 'ogg';
  if (ascii(0, 5) === '#!AMR') return 'amr';
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'webm';
  if (adtsAt(head, 0)) return 'aac';
  if (mpegFrameAt(head, 0) && ((head[1] >> 1) & 0x03) === 0x01) return 'mp3'; // MPEG layer III frame sync
  return null;
}

export interface Probe {
  container: string;
  codec: string;
  durationSec: number | null;
  sampleRate: number | null;
  channels: number | null;
}

/** Reads `ffmpeg -i` output; null when ffmpeg finds no audio stream (unreadable, truncated, not audio). */
export function parseProbe(stderr: string): Probe | null {
  const input = /Input #0, ([^,\s]+(?:,[^,\s]+)*), from/.exec(stderr);
  const audio = /Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: Audio: ([^\s,]+)[^\n]*?(?:, (\d+) Hz)?(?:, ([^,\n]+))?(?:,|\n|$)/.exec(stderr);
  if (!input || !audio) return null;
  const line = stderr.slice(audio.index).split('\n')[0];
  const rate = /, (\d+) Hz/.exec(line);
  const layout = /Hz, ([^,]+)/.exec(line)?.[1]?.trim() ?? '';
  const dur = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  return {
    container: input[1],
    codec: audio[1],
    durationSec: dur ? +dur[1] * 3600 + +dur[2] * 60 + +dur[3] : null,
    sampleRate: rate ? Number(rate[1]) : null,
    channels: channelsOf(layout),
  };
}

function channelsOf(layout: string): number | null {
  if (layout === 'mono') return 1;
  if (layout === 'stereo') return 2;
  const n = /^(\d+) channels/.exec(layout) ?? /^(\d+)\.(\d+)/.exec(layout);
  if (!n) return null;
  return n[2] !== undefined && layout.includes('.') ? Number(n[1]) + Number(n[2]) : Number(n[1]);
}

/** What ffmpeg reads in `file`, read as `format` (never guessed from the content). */
export async function probe(bin: string, file: string, format: AudioFormat, timeoutMs = 20_000): Promise<{ probe: Probe | null; reason: string }> {
  const r = await runFfmpeg(bin, ['-hide_banner', '-nostdin', ...inputArgs(file, format)], { timeoutMs });
  const p = parseProbe(r.stderr);
  const reason = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /invalid|error|not found|could not|failed/i.test(l))
    .slice(-1)[0] ?? '';
  return { probe: p, reason: reason.replace(file, 'file') };
}

// ---- the loudspeaker master ----

export interface MasterSettings {
  bitrateKbps: number;
  targetLufs: number;
  truePeakDbtp: number;
  /** Quieter than this counts as silence when trimming the ends. */
  silenceDb?: number;
  /** What the MP3 encoder does to the level, dB (encoderLevelDb): pass 2 makes up for it. Default 0. */
  encoderLevelDb?: number;
}

/** An EBU R128 / BS.1770 measurement (ffmpeg's ebur128 summary). Silence: integrated = -Infinity. */
export interface Loudness {
  /** Integrated loudness, LUFS. */
  integrated: number;
  /** Loudness range, LU. */
  lra: number;
  /** Sample peak, dBFS (the limiter of pass 2 works on samples). */
  peak: number;
}

/**
 * The last ebur128 summary in an ffmpeg report. Silence gives I = -70 LUFS (the absolute gate): integrated is then
 * -Infinity. Null when there is no summary (nothing decoded).
 */
export function parseEbur128(stderr: string): Loudness | null {
  const at = stderr.lastIndexOf('Summary:');
  if (at < 0) return null;
  const summary = stderr.slice(at);
  const num = (re: RegExp) => {
    const m = re.exec(summary);
    return m ? Number(m[1].replace(/^-inf$/, '-Infinity').replace(/^inf$/, 'Infinity')) : NaN;
  };
  const i = num(/Integrated loudness:\s*I:\s*(-?[\d.]+|-?inf) LUFS/);
  const lra = num(/LRA:\s*(-?[\d.]+) LU/);
  const peak = num(/(?:True|Sample) peak:\s*Peak:\s*(-?[\d.]+|-?inf) dBFS/);
  if (Number.isNaN(i)) return null;
  const silent = i <= -70 || !Number.isFinite(peak);
  return { integrated: silent ? -Infinity : i, lra: Number.isNaN(lra) ? 0 : lra, peak };
}

/** The audible part [start, end) from silencedetect's report, or null when everything is silent. */
export function audibleSpan(stderr: string, totalSec: number): { start: number; end: number } | null {
  const events: { kind: 'start' | 'end'; t: number }[] = [];
  for (const m of stderr.matchAll(/silence_(start|end): (-?[\d.]+)/g)) events.push({ kind: m[1] as 'start' | 'end', t: Math.max(0, Number(m[2])) });
  let start = 0;
  let end = totalSec;
  if (events[0]?.kind === 'start' && events[0].t < 0.05) {
    const firstEnd = events.find((e) => e.kind === 'end');
    if (!firstEnd) return null; // silent from start to finish
    start = firstEnd.t;
  }
  const last = events[events.length - 1];
  if (last?.kind === 'start' && last.t > start) end = last.t; // silence runs to the end (older ffmpeg prints no end)
  else if (last?.kind === 'end' && last.t >= totalSec - 0.05) {
    const lastStart = [...events].reverse().find((e) => e.kind === 'start');
    if (lastStart && lastStart.t > start) end = lastStart.t;
  }
  if (end - start < 0.05) return null;
  return { start, end };
}

/**
 * Mono at 44.1 kHz before anything else: cheaper analysis, and the same signal both passes see. Converting to
 * float first matters: swresample downmixes integer input with a normalised matrix and float input without,
 * which would make the two passes disagree by 3 dB on a 16-bit WAV.
 */
const MONO_44K = 'aformat=sample_fmts=fltp,aresample=44100,aformat=channel_layouts=mono';

/**
 * Pass 1: where the sound starts and ends, and how loud it is (read with parseEbur128 and audibleSpan), on the
 * decoded mono 44.1 kHz copy. The sample peak, not the true peak: BS.1770's 4× oversampling would double this
 * pass for a figure the limiter of pass 2 does not use. Frame-by-frame lines go to the verbose level, so stderr
 * stays small however long the recording.
 */
export function analysisArgs(input: string, format: AudioFormat, s: MasterSettings): string[] {
  return [
    '-hide_banner', '-nostdin', '-nostats', ...inputArgs(input, format), '-vn', '-sn',
    '-af', `${MONO_44K},silencedetect=n=${s.silenceDb ?? -50}dB:d=0.3,ebur128=peak=sample:framelog=verbose`,
    '-progress', 'pipe:1', '-f', 'null', '-',
  ];
}

/**
 * Below this audible length pass 1's loudness is measured again on the trimmed span: the 400 ms blocks that straddle
 * a trimmed edge pull the whole file's figure down by up to 0.4 LU on a 3 s clip, and by under 0.05 LU past a minute.
 */
export const REMEASURE_BELOW_SEC = 60;

/** The loudness of the span that pass 2 keeps, exactly as pass 2 trims it (read with parseEbur128). */
export function spanLoudnessArgs(input: string, format: AudioFormat, span: { start: number; end: number }): string[] {
  return [
    '-hide_banner', '-nostdin', '-nostats', ...inputArgs(input, format), '-vn', '-sn',
    '-af', `${MONO_44K},${trimFilter(span)},ebur128=peak=sample:framelog=verbose`,
    '-f', 'null', '-',
  ];
}

const trimFilter = (span: { start: number; end: number }) => `atrim=start=${span.start.toFixed(4)}:end=${span.end.toFixed(4)},asetpts=PTS-STARTPTS`;

/** The linear gain (dB) that brings a measured recording to the target integrated loudness, in the MP3. */
export const gainToTarget = (s: MasterSettings, m: Loudness) => s.targetLufs - m.integrated - (s.encoderLevelDb ?? 0);

/** The MP3 encoding of the master: CBR mono 44.1 kHz, LAME's quality 7 (see masterArgs). */
const encoderArgs = (s: MasterSettings) => ['-ac', '1', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', `${s.bitrateKbps}k`, '-compression_level', '7', '-write_xing', '1'];

const encoderLevels = new Map<string, Promise<number>>();

/**
 * The level change (dB) of this ffmpeg's MP3 encoder at these settings, measured once per binary and bitrate on a
 * 3 s tone at 1 kHz: the ebur128 meter before the encoder against the same meter on the decoded MP3. LAME 3.100
 * (in @ffmpeg-installer's build) encodes 0.44 dB quieter than its input, which left every master 0.4–0.6 LU under
 * the target; pass 2 adds it to the gain. 0 when it cannot be measured (the conversion then says why itself).
 */
export function encoderLevelDb(bin: string, s: MasterSettings): Promise<number> {
  const key = `${bin}\0${s.bitrateKbps}`;
  if (!encoderLevels.has(key)) {
    const measure = async () => {
      const file = path.join(os.tmpdir(), `vandong-encoder-level-${crypto.randomBytes(6).toString('hex')}.mp3`);
      try {
        const tone = ['-hide_banner', '-nostdin', '-nostats', '-y', '-f', 'lavfi', '-i', 'sine=f=1000:d=3:r=44100', '-af', 'volume=-12dB,ebur128=peak=sample'];
        const encoded = await runFfmpeg(bin, [...tone, ...encoderArgs(s), '-f', 'mp3', file], { timeoutMs: 20_000 });
        const decoded = await runFfmpeg(bin, ['-hide_banner', '-nostdin', '-nostats', '-f', 'mp3', '-i', file, '-af', 'ebur128=peak=sample', '-f', 'null', '-'], { timeoutMs: 20_000 });
        const before = parseEbur128(encoded.stderr)?.integrated;
        const after = parseEbur128(decoded.stderr)?.integrated;
        if (encoded.code !== 0 || decoded.code !== 0 || !Number.isFinite(before) || !Number.isFinite(after)) return 0;
        return Math.max(-3, Math.min(3, Math.round((after! - before!) * 100) / 100));
      } finally {
        await fs.promises.unlink(file).catch(() => undefined);
      }
    };
    encoderLevels.set(key, measure().catch(() => 0));
  }
  return encoderLevels.get(key)!;
}

/**
 * Pass 2, one encoding pass: trim, a linear gain to the target (integrated loudness moves by exactly the gain),
 * a peak limiter at the ceiling for the few peaks the gain pushes over it, encode MP3 CBR mono 44.1 kHz. An
 * ebur128 meter after the limiter reports what was encoded (the MP3 measures that plus the encoder's level). Not loudnorm: it resamples to 192 kHz and runs its
 * dynamic normaliser for the same linear result. LAME's quality 7 ("fast") at the same bitrate: the encoder is
 * most of this pass, and at 128 kbit/s mono speech its finer searches are not audible on a loudspeaker.
 */
export function masterArgs(input: string, format: AudioFormat, output: string, s: MasterSettings, span: { start: number; end: number }, m: Loudness): string[] {
  const ceiling = 10 ** (s.truePeakDbtp / 20);
  return [
    '-hide_banner', '-nostdin', '-nostats', '-y', ...inputArgs(input, format), '-vn', '-sn', '-map_metadata', '-1',
    '-af',
    `${MONO_44K},${trimFilter(span)},` +
      `volume=${gainToTarget(s, m).toFixed(2)}dB,alimiter=limit=${ceiling.toFixed(4)}:attack=5:release=50:level=false,ebur128=peak=sample:framelog=verbose`,
    ...encoderArgs(s),
    '-progress', 'pipe:1', '-f', 'mp3', output,
  ];
}
