import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Ctx, Deps } from '../deps';
import { ADMIN_ROLES, PREPARER_ROLES, STAFF_ROLES, authorize, can, hasRole } from '../auth';
import { invalid, notFound, tooLarge, unsupportedType } from '../shared/errors';
import { mediaPath, storeFile, tmpDir } from '../shared/media';
import * as repo from './repo';
import { toAudio, type Audio } from './model';
import {
  analysisArgs,
  encoderLevelDb,
  REMEASURE_BELOW_SEC,
  spanLoudnessArgs,
  audibleSpan,
  FfmpegTimeout,
  ffmpegVersion,
  masterArgs,
  MIME,
  parseEbur128,
  probe,
  resolveFfmpeg,
  runFfmpeg,
  sniffAudio,
  type AudioFormat,
  DEMUXER,
  type FfmpegBinary,
  type MasterSettings,
} from './ffmpeg';

/** The commune's own loudspeaker operator: confirms what played, reads its schedule, fetches the audio. */
export const BROADCASTER_ROLES = ['broadcaster'] as const;

/** A transcode holds its row this long and renews it while it runs; a dead process's row is picked up after that. */
export const JOB_LEASE_SECONDS = 60;
const HEARTBEAT_MS = 15_000;
export const MAX_ATTEMPTS = 3;

const binaries = new Map<string, FfmpegBinary>();
export function ffmpegOf(deps: Deps): FfmpegBinary {
  const key = deps.config.FFMPEG_PATH ?? '';
  if (!binaries.has(key)) binaries.set(key, resolveFfmpeg(deps.config));
  return binaries.get(key)!;
}

/**
 * Start-up: remove what conversions killed with a previous process left in MEDIA_DIR/tmp, say which ffmpeg runs
 * (and fail loudly if it cannot), then take back jobs a crash left behind.
 */
export async function startupAudio(deps: Deps): Promise<void> {
  await sweepTranscodeTemp(deps);
  const bin = ffmpegOf(deps);
  try {
    const version = await ffmpegVersion(bin.path);
    deps.log.info({ ffmpeg: bin.path, source: bin.source, version }, 'ffmpeg ready');
  } catch (err) {
    deps.log.error({ err, ffmpeg: bin.path, source: bin.source }, 'ffmpeg does not run: audio uploads will fail');
    return;
  }
  await resumeAudioJobs(deps);
}

const settingsOf = (deps: Deps): MasterSettings => ({
  bitrateKbps: deps.config.AUDIO_BITRATE_KBPS,
  targetLufs: deps.config.AUDIO_TARGET_LUFS,
  truePeakDbtp: deps.config.AUDIO_TRUE_PEAK_DBTP,
});

const unlinkQuiet = (file: string) => fs.promises.unlink(file).catch(() => undefined);

export interface UploadedAudio {
  path: string;
  size: number;
  originalName: string;
}

/**
 * Accepts an upload when its bytes are audio ffmpeg can read (whatever the file is called), keeps the original
 * by hash and queues the master. Anything refused leaves nothing behind.
 */
export async function uploadAudio(ctx: Ctx, file: UploadedAudio, title: string): Promise<Audio> {
  const { actor, ...deps } = ctx; // the conversion queued below runs for nobody: it keeps the Deps alone
  authorize(actor, PREPARER_ROLES, [actor.orgId]);
  try {
    if (file.size > deps.config.AUDIO_MAX_MB * 1024 * 1024) throw tooLarge(`Audio files are limited to ${deps.config.AUDIO_MAX_MB} MB`, 'AUDIO_TOO_LARGE');
    if (file.size === 0) throw invalid('AUDIO_EMPTY', 'The file is empty', { file: 'empty file' });
    const head = Buffer.alloc(4096);
    const fd = await fs.promises.open(file.path, 'r');
    const { bytesRead } = await fd.read(head, 0, head.length, 0).finally(() => fd.close());
    const format = sniffAudio(head.subarray(0, bytesRead));
    if (!format) throw unsupportedType('The file is not MP3, WAV, M4A/AAC, OGG/Opus, AMR or WebM audio', 'AUDIO_UNSUPPORTED_TYPE');
    const { probe: p, reason } = await probe(ffmpegOf(deps).path, file.path, format);
    if (!p || !p.durationSec || p.durationSec <= 0) {
      throw invalid('AUDIO_UNREADABLE', `The audio cannot be read (damaged or incomplete file)${reason ? `: ${reason}` : ''}`, { file: 'unreadable audio' });
    }
    const stored = await storeFile(deps.config.MEDIA_DIR, 'audio-original', file.path, `.${format}`);
    const now = deps.clock().toISOString();
    const id = await repo.insertAudio(deps.db, {
      owner_org_id: actor.orgId,
      title,
      status: 'processing',
      progress: 0,
      original_sha256: stored.sha256,
      original_rel_path: stored.relPath,
      original_mime: MIME[format],
      original_format: format,
      original_name: file.originalName.normalize('NFC').slice(0, 300) || null,
      original_size: stored.size,
      master_sha256: null,
      master_rel_path: null,
      master_size: null,
      duration_sec: null,
      sample_rate: null,
      channels: null,
      loudness_lufs: null,
      true_peak_dbtp: null,
      error: null,
      job_attempts: 0,
      job_started_at: null,
      job_lease_until: null,
      created_by: actor.id,
      created_at: now,
      updated_at: now,
    });
    void enqueueAudioJob(deps, id, p.durationSec);
    return toAudio((await repo.findAudio(deps.db, id))!, deps.config.publicUrl);
  } finally {
    await unlinkQuiet(file.path); // gone already when stored (renamed); removed here when refused
  }
}

/** Owners' staff see their audio; a broadcaster sees audio scheduled in its own commune. */
export async function getAudio(ctx: Ctx, id: number): Promise<Audio> {
  return toAudio(await readableAudioRow(ctx, id), ctx.config.publicUrl);
}

/** The audio's row, once the actor may read it (404 when there is none, 403 when they may not). */
export async function readableAudioRow(ctx: Ctx, id: number): Promise<repo.AudioRow> {
  const row = await repo.findAudio(ctx.db, id);
  if (!row) throw notFound('Audio', 'AUDIO_NOT_FOUND');
  if (can(ctx.actor, STAFF_ROLES, [row.owner_org_id])) return row;
  const scheduledHere = await repo.audioScheduledIn(ctx.db, row.id, ctx.actor.orgId);
  authorize(ctx.actor, BROADCASTER_ROLES, scheduledHere ? [ctx.actor.orgId] : []);
  return row;
}

/** The audio the actor's department may look at (an administrator: every department's). */
export async function listAudio(ctx: Ctx): Promise<Audio[]> {
  const { actor } = ctx;
  const rows = await repo.listAudioOfOrg(ctx.db, hasRole(actor, ADMIN_ROLES) ? null : actor.orgId);
  return rows.filter((r) => can(actor, STAFF_ROLES, [r.owner_org_id])).map((r) => toAudio(r, ctx.config.publicUrl));
}

// ---- the transcode job ----

/**
 * Conversions run in a small pool: at most MAX_TRANSCODES at once (the machine's cores are shared with web
 * requests), of which at most one is a long recording, so a short clip never waits behind an hour-long upload.
 * "Short" is the probed duration of the original; a job whose duration is unknown counts as long. Jobs start in
 * the order they were queued, except that short ones may pass a long one waiting for the long slot.
 */
export const MAX_TRANSCODES = 2;
export const SHORT_AUDIO_SECONDS = 300;

interface Waiting {
  short: boolean;
  start: () => void;
}
const waiting: Waiting[] = [];
const running = { all: 0, long: 0 };
const jobs = new Map<string, Promise<void>>();

function startWaiting(): void {
  for (let i = 0; i < waiting.length && running.all < MAX_TRANSCODES; ) {
    const job = waiting[i];
    if (!job.short && running.long >= MAX_TRANSCODES - 1) {
      i++;
      continue;
    }
    waiting.splice(i, 1);
    running.all += 1;
    if (!job.short) running.long += 1;
    job.start();
  }
}

/** Queues the conversion; resolves when it has run. `durationSec` is the original's, when the caller probed it. */
export function enqueueAudioJob(deps: Deps, id: number, durationSec?: number | null): Promise<void> {
  const key = `${deps.config.DATABASE_URL}#${id}`;
  const queued = jobs.get(key);
  if (queued) return queued;
  const job = (async () => {
    const seconds = durationSec !== undefined ? durationSec : await originalDuration(deps, id);
    const short = seconds !== null && seconds <= SHORT_AUDIO_SECONDS;
    await new Promise<void>((start) => {
      waiting.push({ short, start });
      startWaiting();
    });
    try {
      await processAudio(deps, id);
    } finally {
      running.all -= 1;
      if (!short) running.long -= 1;
      startWaiting();
    }
  })()
    .catch((err) => deps.log.error({ err, audioId: id }, 'audio job crashed'))
    .finally(() => jobs.delete(key));
  jobs.set(key, job);
  return job;
}

/** The probed duration of a queued job's original (a job resumed after a crash), or null when unknown. */
async function originalDuration(deps: Deps, id: number): Promise<number | null> {
  const row = await repo.findAudio(deps.db, id);
  if (!row || row.status !== 'processing' || !Object.hasOwn(DEMUXER, row.original_format)) return null;
  try {
    const { probe: p } = await probe(ffmpegOf(deps).path, mediaPath(deps.config.MEDIA_DIR, row.original_rel_path), row.original_format as AudioFormat);
    return p?.durationSec ?? null;
  } catch {
    return null;
  }
}

/** Every processing job nobody holds (after a crash, or queued by an instance that died) is queued here. */
export async function resumeAudioJobs(deps: Deps): Promise<number> {
  const ids = await repo.unclaimedAudioJobs(deps.db, deps.clock().toISOString());
  for (const id of ids) void enqueueAudioJob(deps, id);
  if (ids.length) deps.log.info({ audioIds: ids }, 'resuming audio jobs');
  return ids.length;
}

// ---- temp files of conversions ----

/**
 * A conversion writes its master to MEDIA_DIR/tmp/transcode-<host>-<pid>-<random>.mp3 and moves it into the store
 * when done. A process killed mid-way leaves that file behind; the start-up sweep removes the ones of processes
 * that are gone (same host, pid not running or our own pid before any job of ours started), and on any host the
 * ones nobody has written to for a long while (an ffmpeg at work writes continuously).
 */
const HOST = os.hostname().replace(/[^A-Za-z0-9]/g, '') || 'host';
const TEMP_NAME = /^transcode-([A-Za-z0-9]+)-(\d+)-[0-9a-f]+\.mp3$/;
const activeTemp = new Set<string>();

function transcodeTempFile(deps: Deps): string {
  return path.join(tmpDir(deps.config.MEDIA_DIR), `transcode-${HOST}-${process.pid}-${crypto.randomBytes(8).toString('hex')}.mp3`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function sweepTranscodeTemp(deps: Deps): Promise<number> {
  const dir = tmpDir(deps.config.MEDIA_DIR);
  // File times are real: compared with the wall clock, not deps.clock (which tests move).
  const staleBefore = Date.now() - Math.max(2 * deps.config.AUDIO_JOB_TIMEOUT_SECONDS, 600) * 1000;
  let removed = 0;
  for (const name of await fs.promises.readdir(dir)) {
    const m = TEMP_NAME.exec(name);
    const file = path.join(dir, name);
    if (!m || activeTemp.has(file)) continue;
    const pid = Number(m[2]);
    const dead = m[1] === HOST && (pid === process.pid || !processAlive(pid));
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat || (!dead && stat.mtimeMs > staleBefore)) continue;
    await unlinkQuiet(file);
    removed += 1;
  }
  if (removed) deps.log.info({ removed }, 'removed temp files of interrupted audio conversions');
  return removed;
}

const leaseUntil = (deps: Deps) => new Date(deps.clock().getTime() + JOB_LEASE_SECONDS * 1000).toISOString();

/** Claims the job, runs both ffmpeg passes under the hard time limit, records the master or the failure. */
export async function processAudio(deps: Deps, id: number): Promise<boolean> {
  const now = deps.clock().toISOString();
  if (!(await repo.claimAudioJob(deps.db, id, now, leaseUntil(deps)))) return false;
  const row = (await repo.findAudio(deps.db, id))!;
  if (row.job_attempts > MAX_ATTEMPTS) {
    await fail(deps, id, `Stopped after ${MAX_ATTEMPTS} attempts: the conversion kept being interrupted`);
    return true;
  }
  let lastProgress = -1;
  let lastWrite = 0;
  const heartbeat = setInterval(() => void repo.renewAudioJob(deps.db, id, null, leaseUntil(deps)).catch(() => undefined), HEARTBEAT_MS);
  const report = (pct: number) => {
    const p = Math.max(0, Math.min(99, Math.floor(pct)));
    if (p === lastProgress || Date.now() - lastWrite < 500) return;
    lastProgress = p;
    lastWrite = Date.now();
    void repo.renewAudioJob(deps.db, id, p, leaseUntil(deps)).catch(() => undefined);
  };
  try {
    const result = await makeMaster(deps, row, report);
    await repo.updateAudio(deps.db, id, {
      status: 'ready',
      progress: 100,
      master_sha256: result.sha256,
      master_rel_path: result.relPath,
      master_size: result.size,
      duration_sec: result.durationSec,
      sample_rate: result.sampleRate,
      channels: result.channels,
      loudness_lufs: result.loudnessLufs,
      true_peak_dbtp: result.truePeakDbtp,
      error: null,
      job_lease_until: null,
      updated_at: deps.clock().toISOString(),
    });
    deps.log.info({ audioId: id, durationSec: result.durationSec, loudnessLufs: result.loudnessLufs }, 'audio master ready');
  } catch (err) {
    const message = err instanceof MasterError || err instanceof FfmpegTimeout ? err.message : `Conversion failed: ${(err as Error).message}`;
    if (!(err instanceof MasterError || err instanceof FfmpegTimeout)) deps.log.error({ err, audioId: id }, 'audio job error');
    await fail(deps, id, message);
  } finally {
    clearInterval(heartbeat);
  }
  return true;
}

async function fail(deps: Deps, id: number, message: string): Promise<void> {
  await repo.updateAudio(deps.db, id, { status: 'failed', error: message, job_lease_until: null, updated_at: deps.clock().toISOString() });
}

class MasterError extends Error {}

export interface MasterResult {
  sha256: string;
  relPath: string;
  size: number;
  durationSec: number;
  sampleRate: number;
  channels: number;
  loudnessLufs: number;
  truePeakDbtp: number;
}

/** Two ffmpeg passes: measure (silence + loudness), then trim, gain + limiter and encode. Progress 0–15 % then 15–100 %. */
export async function makeMaster(deps: Deps, row: repo.AudioRow, onProgress: (pct: number) => void): Promise<MasterResult> {
  const bin = ffmpegOf(deps).path;
  const input = mediaPath(deps.config.MEDIA_DIR, row.original_rel_path);
  if (!fs.existsSync(input)) throw new MasterError('The original upload is missing from storage');
  const deadline = Date.now() + deps.config.AUDIO_JOB_TIMEOUT_SECONDS * 1000;
  const remaining = () => {
    const ms = deadline - Date.now();
    if (ms <= 0) throw new FfmpegTimeout(`The conversion took longer than ${deps.config.AUDIO_JOB_TIMEOUT_SECONDS} s and was stopped`);
    return ms;
  };
  const timeoutMessage = `The conversion took longer than ${deps.config.AUDIO_JOB_TIMEOUT_SECONDS} s and was stopped`;
  const base = settingsOf(deps);
  const settings = { ...base, encoderLevelDb: await encoderLevelDb(bin, base) };

  const format = row.original_format as AudioFormat;
  if (!Object.hasOwn(DEMUXER, format)) throw new MasterError('The original upload is not an accepted audio format');
  const { probe: p } = await probe(bin, input, format, remaining());
  const total = p?.durationSec ?? 0;
  if (!p || total <= 0) throw new MasterError('The file is not readable audio');

  const run = async (args: string[], from: number, span: number, seconds: number) => {
    try {
      return await runFfmpeg(bin, args, { timeoutMs: remaining(), onProgress: (t) => onProgress(from + (span * Math.min(t, seconds)) / seconds) });
    } catch (err) {
      if (err instanceof FfmpegTimeout) throw new FfmpegTimeout(timeoutMessage);
      throw err;
    }
  };

  const analysis = await run(analysisArgs(input, format, settings), 0, 15, total);
  let measured = parseEbur128(analysis.stderr);
  if (analysis.code !== 0 || !measured) throw new MasterError(`The audio cannot be decoded: ${lastError(analysis.stderr)}`);
  const span = audibleSpan(analysis.stderr, total);
  if (!span || !Number.isFinite(measured.integrated)) throw new MasterError('The recording is silent');
  if (span.end - span.start < REMEASURE_BELOW_SEC && (span.start > 0 || span.end < total)) {
    const again = await run(spanLoudnessArgs(input, format, span), 15, 0, span.end - span.start);
    const trimmed = parseEbur128(again.stderr);
    if (again.code === 0 && trimmed && Number.isFinite(trimmed.integrated)) measured = trimmed;
  }

  const out = transcodeTempFile(deps);
  activeTemp.add(out);
  try {
    const encode = await run(masterArgs(input, format, out, settings, span, measured), 15, 85, span.end - span.start);
    const result = parseEbur128(encode.stderr);
    if (encode.code !== 0 || !result) throw new MasterError(`The audio cannot be converted: ${lastError(encode.stderr)}`);
    const { probe: master } = await probe(bin, out, 'mp3', remaining());
    if (!master || master.codec !== 'mp3' || !master.durationSec) throw new MasterError('The converted file is not valid MP3');
    const stored = await storeFile(deps.config.MEDIA_DIR, 'audio', out, '.mp3');
    return {
      ...stored,
      durationSec: master.durationSec,
      sampleRate: master.sampleRate ?? 44100,
      channels: master.channels ?? 1,
      // as the MP3 measures: the meter stood before the encoder
      loudnessLufs: result.integrated + settings.encoderLevelDb,
      truePeakDbtp: result.peak + settings.encoderLevelDb,
    };
  } finally {
    activeTemp.delete(out);
    await unlinkQuiet(out);
  }
}

function lastError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.filter((l) => /error|invalid|failed/i.test(l)).pop() ?? lines.pop() ?? 'unknown error').slice(0, 300);
}
