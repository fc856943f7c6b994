/**
 * Broadcasts: (1) the loudspeaker master of a 10-minute WAV (real-time factor, and the cost over the bare ffmpeg
 * command lines doing the same two passes); (2) 500 concurrent resumed (Range) downloads of a 5 MB MP3 from the
 * app versus express.static serving the same file; (3) an emergency bulletin to 1,000 communes that each hold a
 * week of their own schedule: time until it is first in every commune's receiver feed, and the escalation job
 * for all of them. `npm run bench broadcasts` runs all three; BENCH_ONLY=emergency only the third.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import express from 'express';
import http from 'node:http';
import type { BenchRow } from './run';
import { loadConfig } from '../src/config';
import { createDb, migrate } from '../src/db';
import { createLogger } from '../src/logger';
import { createApp } from '../src/app';
import type { Deps } from '../src/deps';
import { analysisArgs, masterArgs, parseEbur128, audibleSpan, resolveFfmpeg } from '../src/broadcasts/ffmpeg';
import { makeMaster } from '../src/broadcasts/audio';
import type { AudioRow } from '../src/broadcasts/repo';
import { createBroadcast, createEmergency } from '../src/broadcasts/schedule';
import { createFeedToken } from '../src/broadcasts/broadcaster';
import { escalateEmergencies } from '../src/broadcasts/emergency';
import { provisionUser } from '../src/auth/service';
import { addDays, localDate } from '../src/shared/time';

const FFMPEG = resolveFfmpeg(process.env).path;

function ffmpeg(args: string[]): string {
  const r = spawnSync(FFMPEG, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.slice(-500)}`);
  return r.stderr;
}

async function transcode(dir: string, deps: Deps): Promise<BenchRow[]> {
  const seconds = 600;
  const wav = path.join(deps.config.MEDIA_DIR, 'audio-original', 'bench.wav');
  fs.mkdirSync(path.dirname(wav), { recursive: true });
  // a voice-like warble with silence at both ends, mono 48 kHz 16-bit (what a recorder exports)
  ffmpeg(['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='if(between(t,2,${seconds - 2}),0.2*sin(2*PI*(300+150*sin(3*t))*t)*(0.6+0.4*sin(0.7*t)),0)':s=48000:d=${seconds}`, '-c:a', 'pcm_s16le', wav]);
  const row = { id: 1, original_rel_path: 'audio-original/bench.wav', original_format: 'wav' } as AudioRow;

  // CPU seconds of finished child processes (ffmpeg): on a shared machine the wall time says more about the neighbours.
  const childCpu = () => {
    const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // cutime + cstime, clock ticks of 10 ms
  };
  const c0 = childCpu();
  const t0 = process.hrtime.bigint();
  const result = await makeMaster(deps, row, () => undefined);
  const appSec = Number(process.hrtime.bigint() - t0) / 1e9;
  const appCpu = childCpu() - c0;

  // Baseline, by hand: the same two passes typed as bare command lines (no probe, no progress, no job).
  const s = { bitrateKbps: 128, targetLufs: deps.config.AUDIO_TARGET_LUFS, truePeakDbtp: deps.config.AUDIO_TRUE_PEAK_DBTP };
  const c1 = childCpu();
  const t1 = process.hrtime.bigint();
  const pass1 = ffmpeg(analysisArgs(wav, 'wav', s).filter((a, i, all) => a !== '-progress' && all[i - 1] !== '-progress'));
  const measured = parseEbur128(pass1)!;
  const span = audibleSpan(pass1, seconds)!;
  ffmpeg(masterArgs(wav, 'wav', path.join(dir, 'raw.mp3'), s, span, measured).filter((a, i, all) => a !== '-progress' && all[i - 1] !== '-progress'));
  const rawSec = Number(process.hrtime.bigint() - t1) / 1e9;
  const rawCpu = childCpu() - c1;
  // What the master measures, by an independent ffmpeg run on the MP3 itself.
  const master = path.join(deps.config.MEDIA_DIR, result.relPath);
  const check = parseEbur128(ffmpeg(['-hide_banner', '-nostats', '-i', master, '-af', 'ebur128=peak=sample:framelog=verbose', '-f', 'null', '-']))!;

  return [
    { scenario: 'transcode 10-min WAV → master', metric: 'wall time', value: appSec, unit: 's' },
    { scenario: 'transcode 10-min WAV → master', metric: 'real-time factor', value: seconds / appSec, unit: '×', target: '≥ 50×' },
    { scenario: 'transcode 10-min WAV → master', metric: 'ratio to raw ffmpeg (2 passes)', value: appSec / rawSec, unit: '×', target: '≤ 1.2×' },
    { scenario: 'transcode 10-min WAV → master', metric: 'baseline: the 2 passes by hand (wall time)', value: rawSec, unit: 's' },
    { scenario: 'transcode 10-min WAV → master', metric: 'ffmpeg CPU time, app (by hand)', value: `${appCpu.toFixed(2)} s (${rawCpu.toFixed(2)} s)` },
    { scenario: 'transcode 10-min WAV → master', metric: 'real-time factor on CPU time (one core free)', value: seconds / appCpu, unit: '×', target: '≥ 50×' },
    { scenario: 'transcode 10-min WAV → master', metric: 'master loudness (measured on the MP3)', value: check.integrated, unit: 'LUFS', target: `${deps.config.AUDIO_TARGET_LUFS} ± 0.5` },
  ];
}

async function listen(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => {
    // Drop kept-alive sockets so no request is still reading the file when the folder is removed.
    server.close(() => r());
    server.closeAllConnections();
  }) };
}

/**
 * `connections` clients, each downloading the file again as soon as it has it, for `seconds`: bytes received per
 * second (counted as they arrive, so a full 5 MB file still counts when 500 of them share the link), responses
 * completed, errors and unexpected statuses. Not autocannon: it only counts completed responses, and 500 full
 * files do not complete in 10 s on this machine, for express.static either.
 */
async function load(url: string, range?: string, connections = 500, seconds = 10): Promise<{ throughput: number; requests: number; errors: number; non2xx: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const expected = range ? 206 : 200;
  let bytes = 0;
  let requests = 0;
  let errors = 0;
  let non2xx = 0;
  const live = new Set<http.ClientRequest>();
  const deadline = Date.now() + seconds * 1000;
  const client = async () => {
    while (Date.now() < deadline) {
      await new Promise<void>((done) => {
        const req = http.get(url, { agent, headers: range ? { range } : {} }, (res) => {
          if (res.statusCode !== expected) non2xx += 1;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => {
            requests += 1;
            done();
          });
          res.on('error', () => done());
        });
        live.add(req);
        req.on('error', () => {
          if (Date.now() < deadline) errors += 1;
          done();
        });
        req.on('close', () => live.delete(req));
      });
    }
  };
  const timer = setTimeout(() => {
    for (const req of live) req.destroy();
  }, seconds * 1000);
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, client));
  clearTimeout(timer);
  agent.destroy();
  return { throughput: bytes / ((Date.now() - started) / 1000), requests, errors, non2xx };
}

/** The master is generated here (a 5 MB MP3 under MEDIA_DIR/audio), never read from a fixture. */
async function downloads(deps: Deps): Promise<BenchRow[]> {
  const tmp = path.join(deps.config.MEDIA_DIR, 'tmp-bench.mp3');
  ffmpeg(['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=330:r=44100', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '128k', tmp]);
  const sha = crypto.createHash('sha256').update(fs.readFileSync(tmp)).digest('hex');
  const dest = path.join(deps.config.MEDIA_DIR, 'audio', sha.slice(0, 2), `${sha}.mp3`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.renameSync(tmp, dest);
  const mb = fs.statSync(dest).size / 1e6;

  const app = await listen(createApp(deps));
  const staticApp = express();
  staticApp.use('/audio', express.static(path.dirname(dest)));
  const plain = await listen(staticApp);
  const rows: BenchRow[] = [];
  try {
    for (const [kind, range] of [['Range (1 MB resumed slice)', 'bytes=1048576-2097151'], ['full file', undefined]] as const) {
      // Interleaved, baseline first, twice each (the machine is shared: one run each would favour whichever ran
      // while the neighbours were quiet); the figures are the means.
      const runs: Awaited<ReturnType<typeof load>>[][] = [[], []];
      for (let i = 0; i < 2; i++) {
        runs[1].push(await load(`${plain.url}/audio/${sha}.mp3`, range, 500, 8));
        runs[0].push(await load(`${app.url}/audio/${sha}.mp3`, range, 500, 8));
      }
      const mean = (xs: Awaited<ReturnType<typeof load>>[]) => ({
        throughput: xs.reduce((s, x) => s + x.throughput, 0) / xs.length,
        requests: xs.reduce((s, x) => s + x.requests, 0),
        errors: xs.reduce((s, x) => s + x.errors, 0),
        non2xx: xs.reduce((s, x) => s + x.non2xx, 0),
      });
      const [ours, theirs] = [mean(runs[0]), mean(runs[1])];
      const name = `500 concurrent downloads, ${kind}, ${mb.toFixed(1)} MB MP3`;
      rows.push(
        { scenario: name, metric: 'app throughput', value: ours.throughput / 1e6, unit: 'MB/s' },
        { scenario: name, metric: 'app requests (errors, non-2xx)', value: `${ours.requests} (${ours.errors}, ${ours.non2xx})` },
        { scenario: name, metric: 'baseline: express.static throughput', value: theirs.throughput / 1e6, unit: 'MB/s' },
        { scenario: name, metric: 'express.static requests (errors, non-2xx)', value: `${theirs.requests} (${theirs.errors}, ${theirs.non2xx})` },
        { scenario: name, metric: 'app / express.static', value: (100 * ours.throughput) / theirs.throughput, unit: '%', target: '≥ 80%' },
      );
    }
    return rows;
  } finally {
    await app.close();
    await plain.close();
  }
}

async function emergencyFanout(deps: Deps): Promise<BenchRow[]> {
  const communes = 1000;
  const now = () => new Date().toISOString();
  const insert = async (table: string, row: Record<string, unknown>) => {
    const [r] = await deps.db(table).insert(row).returning('id');
    return Number(typeof r === 'object' ? (r as { id: number }).id : r);
  };
  const province = await insert('orgs', { kind: 'province', name: 'Ủy ban nhân dân tỉnh Bench', short_name: 'UBND', created_at: now(), updated_at: now() });
  const dept = await insert('orgs', { kind: 'department', name: 'Sở TTTT', short_name: 'STTTT', parent_id: province, email: 'so@bench.vn', created_at: now(), updated_at: now() });
  const ids: number[] = [];
  for (let i = 0; i < communes; i++) ids.push(await insert('orgs', { kind: 'commune', name: `Xã ${i}`, short_name: 'UBND', parent_id: province, email: `xa${i}@bench.vn`, created_at: now(), updated_at: now() }));
  const actor = await provisionUser(deps, { email: 'drafter@bench.vn', name: 'Bench', password: 'password-123', roles: ['drafter'], orgId: dept });
  const ctx = { ...deps, actor };
  const audioId = await insert('audio_assets', {
    owner_org_id: dept, title: 'bench', status: 'ready', progress: 100, original_sha256: 'e'.repeat(64), original_rel_path: 'x', original_mime: 'audio/mpeg', original_format: 'mp3', original_size: 1,
    master_sha256: 'f'.repeat(64), master_rel_path: 'x', master_size: 1, duration_sec: 60, created_at: now(), updated_at: now(),
  });
  const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
  const week = new Date(Date.parse(today) + 6 * 86_400_000).toISOString().slice(0, 10);
  await createBroadcast(ctx, { audioId, title: 'Lịch của xã', communeIds: ids, startDate: today, endDate: week, times: ['23:58', '23:59'] });
  const tokens: string[] = [];
  for (const orgId of ids) tokens.push((await createFeedToken(ctx, { orgId })).token);

  const app = await listen(createApp(deps));
  try {
    const t0 = process.hrtime.bigint();
    const { broadcast } = await createEmergency(ctx, { audioId, title: 'Khẩn cấp', class: 'emergency', communeIds: ids, confirmWithinMinutes: 1 });
    const created = Number(process.hrtime.bigint() - t0) / 1e6;
    let wrong = 0;
    for (let i = 0; i < tokens.length; i += 50) {
      await Promise.all(
        tokens.slice(i, i + 50).map(async (t) => {
          const body = (await (await fetch(`${app.url}/feed/${t}/schedule.json`)).json()) as { items: { broadcastId: number }[] };
          if (body.items[0]?.broadcastId !== broadcast.id) wrong += 1;
        }),
      );
    }
    const allFeeds = Number(process.hrtime.bigint() - t0) / 1e6;
    const later = { ...deps, clock: () => new Date(Date.now() + 2 * 60_000) };
    const t1 = process.hrtime.bigint();
    const escalated = await escalateEmergencies(later);
    const escalation = Number(process.hrtime.bigint() - t1) / 1e6;
    const name = `emergency to ${communes} communes (each with 14 own slots)`;
    return [
      { scenario: name, metric: 'create (occurrences written)', value: created, unit: 'ms' },
      { scenario: name, metric: 'first in all 1000 JSON feeds (50 concurrent)', value: allFeeds, unit: 'ms', target: '≤ 1000 ms for a commune; all within a few s' },
      { scenario: name, metric: 'feeds without it first', value: wrong, target: '0' },
      { scenario: name, metric: `escalation job (${escalated} communes, mails queued)`, value: escalation, unit: 'ms' },
    ];
  } finally {
    await app.close();
  }
}

/**
 * Schedule creation at a province's real size, stored as a rule: a year (2 slots a day) for 150 communes on SQLite,
 * and on PostgreSQL (when TEST_DATABASE_URL is set) every province of the country, 34 × ~98 communes, each its own
 * year schedule. Baseline, same run and database: the bare batch INSERT of the same window rows (what the app
 * must write), and for reference the full expansion the rule replaces (every slot of the year as a row).
 */
async function scheduleRows(deps: Deps, lane: string, provinces: number, communesEach: number): Promise<BenchRow[]> {
  const ts = () => new Date().toISOString();
  const insert = async (table: string, row: Record<string, unknown>) => {
    const [r] = await deps.db(table).insert(row).returning('id');
    return Number(typeof r === 'object' ? (r as { id: number }).id : r);
  };
  const today = localDate(new Date());
  const startDate = addDays(today, 1);
  const endDate = addDays(startDate, 364);
  const plans: { ctx: Deps & { actor: Awaited<ReturnType<typeof provisionUser>> }; audioId: number; communes: number[] }[] = [];
  for (let p = 0; p < provinces; p++) {
    const province = await insert('orgs', { kind: 'province', name: `UBND tỉnh ${p}`, short_name: 'UBND', created_at: ts(), updated_at: ts() });
    const dept = await insert('orgs', { kind: 'department', name: `Sở ${p}`, short_name: 'S', parent_id: province, created_at: ts(), updated_at: ts() });
    const communes: number[] = [];
    for (let i = 0; i < communesEach; i += 500) {
      const batch = Array.from({ length: Math.min(500, communesEach - i) }, (_, k) => ({ kind: 'commune', name: `Xã ${p}-${i + k}`, short_name: 'UBND', parent_id: province, created_at: ts(), updated_at: ts() }));
      const ids = await deps.db('orgs').insert(batch).returning('id');
      communes.push(...ids.map((r: unknown) => Number(typeof r === 'object' ? (r as { id: number }).id : r)));
    }
    const actor = await provisionUser(deps, { email: `sched-${lane}-${p}@bench.vn`, name: 'Bench', password: 'password-123', roles: ['drafter'], orgId: dept });
    const audioId = await insert('audio_assets', {
      owner_org_id: dept, title: 'bench', status: 'ready', progress: 100, original_sha256: 'e'.repeat(64), original_rel_path: 'x', original_mime: 'audio/mpeg', original_format: 'mp3', original_size: 1,
      master_sha256: 'f'.repeat(64), master_rel_path: 'x', master_size: 1, duration_sec: 60, created_at: ts(), updated_at: ts(),
    });
    plans.push({ ctx: { ...deps, actor }, audioId, communes });
  }
  const t0 = process.hrtime.bigint();
  let slots = 0;
  const ids: number[] = [];
  for (const p of plans) {
    const made = await createBroadcast(p.ctx, { audioId: p.audioId, title: 'Cả năm', communeIds: p.communes, startDate, endDate, times: ['06:00', '17:30'] });
    slots += made.occurrences;
    ids.push(made.broadcast.id);
  }
  const appMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const written = Number((await deps.db('occurrences').whereIn('broadcast_id', ids).count({ n: '*' }))[0].n);

  // Baseline: the same number of occurrence rows, bare batch INSERT in one transaction (into a copy of the table).
  const row = (i: number) => ({ broadcast_id: ids[0], org_id: plans[0].communes[0], scheduled_at: new Date(Date.UTC(2030, 0, 1) + i * 60_000).toISOString(), status: 'pending', updated_at: ts() });
  const bare = async (n: number) => {
    await deps.db.schema.dropTableIfExists('bench_occurrences');
    await deps.db.schema.createTable('bench_occurrences', (t) => {
      t.increments('id');
      t.integer('broadcast_id').notNullable();
      t.integer('org_id').notNullable();
      t.string('scheduled_at', 30).notNullable();
      t.string('status', 20).notNullable();
      t.string('updated_at', 30).notNullable();
      t.unique(['broadcast_id', 'org_id', 'scheduled_at']);
    });
    const t1 = process.hrtime.bigint();
    await deps.db.transaction(async (tx) => {
      for (let i = 0; i < n; i += 300) await tx.batchInsert('bench_occurrences', Array.from({ length: Math.min(300, n - i) }, (_, k) => row(i + k)), 300);
    });
    return Number(process.hrtime.bigint() - t1) / 1e6;
  };
  const bareMs = await bare(written);
  // The reference costs minutes on this shared machine beyond a province: measured up to 300,000 rows.
  const fullMs = slots <= 300_000 ? await bare(slots) : null;
  await deps.db.schema.dropTableIfExists('bench_occurrences');
  const name = `schedule of a year, 2 slots a day, ${provinces > 1 ? `${provinces} provinces × ${communesEach}` : communesEach} communes (${lane})`;
  return [
    { scenario: name, metric: `app: create (${slots} slots in the rule, ${written} rows written)`, value: appMs, unit: 'ms' },
    { scenario: name, metric: 'baseline: bare INSERT of the same rows', value: bareMs, unit: 'ms' },
    { scenario: name, metric: 'app / baseline', value: appMs / bareMs, unit: '×' },
    { scenario: name, metric: `for reference: every slot as a row (${slots} rows, bare INSERT)`, value: fullMs ?? 'not run (over 300,000 rows)', unit: fullMs == null ? undefined : 'ms' },
  ];
}

async function schedules(deps: Deps): Promise<BenchRow[]> {
  const rows = await scheduleRows(deps, 'sqlite', 1, 150);
  if (!process.env.TEST_DATABASE_URL) return [...rows, { scenario: 'schedule nationwide (postgres)', metric: 'skipped', value: 'TEST_DATABASE_URL not set' }];
  const schema = `b_${crypto.randomBytes(6).toString('hex')}`;
  const db = createDb({ url: process.env.TEST_DATABASE_URL, schema });
  try {
    await migrate(db);
    // 3,321 communes after the 2025 reform: 34 provinces of ~98 each
    return [...rows, ...(await scheduleRows({ ...deps, db }, 'postgres', 34, 98))];
  } finally {
    await db.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
  }
}

export async function run(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-bench-broadcasts-'));
  const mediaDir = path.join(dir, 'media');
  fs.mkdirSync(mediaDir);
  const config = loadConfig({ DATABASE_URL: `sqlite://${path.join(dir, 'bench.sqlite')}`, MEDIA_DIR: mediaDir, LOG_LEVEL: 'silent', AUDIO_JOB_TIMEOUT_SECONDS: '300' });
  const db = createDb({ url: config.DATABASE_URL });
  await migrate(db);
  const deps: Deps = { db, config, log: createLogger('silent'), clock: () => new Date() };
  try {
    const parts: Record<string, () => Promise<BenchRow[]>> = {
      transcode: () => transcode(dir, deps),
      downloads: () => downloads(deps),
      emergency: () => emergencyFanout(deps),
      schedule: () => schedules(deps),
    };
    // BENCH_ONLY=transcode,downloads runs only those parts
    const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
    const rows: BenchRow[] = [];
    for (const [name, part] of Object.entries(parts)) if (!only || only.includes(name)) rows.push(...(await part()));
    return rows;
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
