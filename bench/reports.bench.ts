/**
 * Compliance reports:
 * - submissions: PUT /api/v1/campaigns/:id/reports/:week with a bearer token under autocannon, against a bare
 *   Express JSON endpoint on the same machine (ratio; target ≥ 40 % of its rate, p99 < 50 ms);
 * - submissions on PostgreSQL, 50 concurrent (when TEST_DATABASE_URL is set and answers): the same PUT from 50
 *   connections at once, once spread over 1,000 organisations and once over 10 (several writers of one organisation
 *   queue on its row lock), against the bare Express endpoint at 50 connections measured in the same run; every
 *   request must answer 2xx (target 0 errors) and each one is a distinct change, so revisions = requests;
 * - dashboard: 10,000 organisations × 52 weeks (468,000 reports, bulk-inserted), on SQLite and on PostgreSQL
 *   when TEST_DATABASE_URL is set (median, JSON included; target < 100 ms), against a raw SQL aggregate of the same
 *   week's totals in the same run. The trend (all 52 weeks, from the weekly roll-ups; target < 200 ms) against the
 *   LEAD() scan of every report it replaced; the one-off rebuild of the roll-ups from the reports; the CSV and XLSX
 *   exports into a sink with the process's memory high-water above its level before.
 */
import { Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import autocannon from 'autocannon';
import type { BenchRow } from './run';
import { createDb, migrate, type Db } from '../src/db';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createApp } from '../src/app';
import { login, provisionUser } from '../src/auth/service';
import type { Actor } from '../src/auth/roles';
import { dashboard, trend } from '../src/reports';
import { exportPlan, writeCsv, writeXlsx } from '../src/reports/exports';
import type { Ctx } from '../src/deps';
import { addDays, isoWeekOf, localDate, mondayOfIsoWeek } from '../src/shared/time';
import { campaignWeeks } from '../src/campaigns';

const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 10;

interface World {
  db: Db;
  dir: string;
  schema?: string;
  close(): Promise<void>;
}

async function openDb(lane: 'sqlite' | 'postgres'): Promise<World> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-bench-'));
  const schema = lane === 'postgres' ? `b_${crypto.randomBytes(6).toString('hex')}` : undefined;
  const url = lane === 'postgres' ? process.env.TEST_DATABASE_URL! : `sqlite://${path.join(dir, 'bench.sqlite')}`;
  const db = createDb({ url, schema });
  await migrate(db);
  return {
    db,
    dir,
    schema,
    close: async () => {
      if (schema) await db.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function insertOrgs(db: Db, n: number, parentId: number | null): Promise<number[]> {
  const now = new Date().toISOString();
  const rows = Array.from({ length: n }, (_, i) => ({ kind: 'commune', name: `Đơn vị ${String(i + 1).padStart(5, '0')}`, short_name: 'UBND', parent_id: parentId, headcount: 50 + (i % 200), population18: 1000 + i, email: `dv${i}@bench.vn`, created_at: now, updated_at: now }));
  await db.batchInsert('orgs', rows, 400);
  const ids = await db('orgs').where('kind', 'commune').orderBy('id').select('id');
  return ids.map((r: { id: number }) => Number(r.id));
}

async function listen(app: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res))));
}

/**
 * The submission scenario's world, the same on both databases: 1,000 agencies in a campaign, a secretary's token,
 * the app listening, and the bare-Express baseline (an endpoint that parses JSON and answers, nothing else).
 */
async function submissionFixture(w: Awaited<ReturnType<typeof openDb>>, databaseUrl: string) {
  const now = new Date();
  const config = loadConfig({ DATABASE_URL: databaseUrl, MEDIA_DIR: path.join(w.dir, 'media'), LOG_LEVEL: 'silent', JOBS_ENABLED: 'false' });
  const deps = { db: w.db, config, log: createLogger('silent'), clock: () => now };
  const t0 = now.toISOString();
  const [root] = await w.db('orgs').insert({ kind: 'province', name: 'UBND tỉnh', short_name: 'UBND', created_at: t0, updated_at: t0 }).returning('id');
  const rootId = Number(typeof root === 'object' ? root.id : root);
  const orgIds = await insertOrgs(w.db, 1000, rootId);
  await provisionUser(deps, { email: 'sec@bench.vn', name: 'Văn thư', password: 'bench-password', roles: ['secretary'], orgId: rootId });
  const { token } = await login(deps, { email: 'sec@bench.vn', password: 'bench-password', ip: '127.0.0.1', kind: 'api' });
  const [c] = await w.db('campaigns')
    .insert({ owner_org_id: rootId, name: 'Bench', metric_label: 'Cài đặt', target_percent: 100, start_date: addDays(localDate(now), -14), end_date: addDays(localDate(now), 365), deadline_weekday: 5, deadline_time: '17:00', reminder_hours_before: 24, counts_residents: false, created_at: t0 })
    .returning('id');
  const campaignId = Number(typeof c === 'object' ? c.id : c);
  await w.db.batchInsert('campaign_orgs', orgIds.map((org_id) => ({ campaign_id: campaignId, org_id })), 400);

  const app = await listen(createApp(deps));
  const bare = express();
  bare.use(express.json());
  bare.put('/x/:week', (req, res) => {
    res.status(200).json({ revision: 1, onTime: true, installed: req.body.installed });
  });
  const baseline = await listen(bare);
  return { now, orgIds, token, campaignId, app, baseline };
}

async function submissions(): Promise<BenchRow[]> {
  const w = await openDb('sqlite');
  try {
    const { now, orgIds, token, campaignId, app, baseline } = await submissionFixture(w, 'sqlite://unused');
    const week = isoWeekOf(now);
    let seq = 0;
    // Each request changes one organisation's figure, so every one writes a new revision (the expensive path).
    const body = () => {
      seq += 1;
      return JSON.stringify({ orgId: orgIds[seq % orgIds.length], installed: Math.floor(seq / orgIds.length) % 50 });
    };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const ours = await cannon({ url: `${app.url}/api/v1/campaigns/${campaignId}/reports/${week}`, method: 'PUT', connections: CONNECTIONS, duration: DURATION, headers, requests: [{ method: 'PUT', setupRequest: (r) => ({ ...r, body: body() }) }] });
    // The floor every authenticated request pays (bearer token lookup, no write): context for the ratio.
    const floor = await cannon({ url: `${app.url}/api/v1/auth/me`, connections: CONNECTIONS, duration: DURATION, headers });
    const base = await cannon({ url: `${baseline.url}/x/${week}`, method: 'PUT', connections: CONNECTIONS, duration: DURATION, headers, requests: [{ method: 'PUT', setupRequest: (r) => ({ ...r, body: body() }) }] });
    await app.close();
    await baseline.close();
    const revisions = Number((await w.db('report_revisions').count({ n: '*' }))[0].n);
    const errors = ours.non2xx + ours.errors;
    return [
      { scenario: 'reports.submit', metric: 'PUT report (sqlite, new revision each)', value: ours.requests.average, unit: 'req/s' },
      { scenario: 'reports.submit', metric: 'GET /auth/me (auth floor, no write)', value: floor.requests.average, unit: 'req/s' },
      { scenario: 'reports.submit', metric: 'bare Express JSON PUT', value: base.requests.average, unit: 'req/s' },
      { scenario: 'reports.submit', metric: 'ratio to bare Express', value: (100 * ours.requests.average) / base.requests.average, unit: '%', target: '≥ 40 %' },
      { scenario: 'reports.submit', metric: 'PUT report p99 latency', value: ours.latency.p99, unit: 'ms', target: '< 50 ms' },
      { scenario: 'reports.submit', metric: 'revisions written / non-2xx', value: `${revisions} / ${errors}` },
    ];
  } finally {
    await w.close();
  }
}

/** TEST_DATABASE_URL when set and answering; undefined otherwise (the PostgreSQL rows are then skipped). */
async function reachablePostgres(): Promise<string | undefined> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return undefined;
  const probe = createDb({ url });
  try {
    await probe.raw('SELECT 1');
    return url;
  } catch {
    return undefined;
  } finally {
    await probe.destroy();
  }
}

const PG_CONNECTIONS = 50;

async function submissionsPostgres(): Promise<BenchRow[]> {
  const w = await openDb('postgres');
  try {
    const { now, orgIds, token, campaignId, app, baseline } = await submissionFixture(w, process.env.TEST_DATABASE_URL!);
    const week = isoWeekOf(now);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    // Every request sets its organisation's figure to a value that organisation has not had just before it, so each
    // one is a distinct change (a new revision): installed counts up per organisation.
    const sent = new Map<number, number>();
    const bodies = (spread: number) => {
      let seq = 0;
      return () => {
        const orgId = orgIds[seq++ % spread];
        const n = (sent.get(orgId) ?? 0) + 1;
        sent.set(orgId, n);
        return JSON.stringify({ orgId, headcount: 1_000_000, installed: n });
      };
    };
    const put = (spread: number, duration = DURATION) => {
      const body = bodies(spread);
      return cannon({ url: `${app.url}/api/v1/campaigns/${campaignId}/reports/${week}`, method: 'PUT', connections: PG_CONNECTIONS, duration, headers, requests: [{ method: 'PUT', setupRequest: (r) => ({ ...r, body: body() }) }] });
    };
    const revisions = async () => Number((await w.db('report_revisions').count({ n: '*' }))[0].n);
    const settle = () => new Promise((r) => setTimeout(r, 500)); // requests still in flight when autocannon stops
    await put(1000, 2); // warm-up: the pool's connections, PostgreSQL's caches
    await settle();
    const before = await revisions();
    const spread = await put(1000);
    await settle();
    const afterSpread = await revisions();
    const contended = await put(10);
    await settle();
    const afterContended = await revisions();
    const baseBody = bodies(1000);
    const base = await cannon({ url: `${baseline.url}/x/${week}`, method: 'PUT', connections: PG_CONNECTIONS, duration: DURATION, headers, requests: [{ method: 'PUT', setupRequest: (r) => ({ ...r, body: baseBody() }) }] });
    await app.close();
    await baseline.close();
    const s = 'reports.submit.postgres';
    const errors = (r: autocannon.Result) => r.non2xx + r.errors + r.timeouts;
    return [
      { scenario: s, metric: `submissions on PostgreSQL, ${PG_CONNECTIONS} concurrent (1,000 orgs, new revision each)`, value: spread.requests.average, unit: 'req/s' },
      { scenario: s, metric: '  p99 latency', value: spread.latency.p99, unit: 'ms' },
      { scenario: s, metric: '  errors (non-2xx + failed) / requests', value: `${errors(spread)} / ${spread.requests.total}`, target: '0 errors' },
      { scenario: s, metric: '  revisions written / 2xx answers', value: `${afterSpread - before} / ${spread['2xx']}`, target: 'equal (± requests in flight at the end)' },
      { scenario: s, metric: `submissions on PostgreSQL, ${PG_CONNECTIONS} concurrent (10 orgs: writers of one org queue)`, value: contended.requests.average, unit: 'req/s' },
      { scenario: s, metric: '  p99 latency', value: contended.latency.p99, unit: 'ms' },
      { scenario: s, metric: '  errors (non-2xx + failed) / requests', value: `${errors(contended)} / ${contended.requests.total}`, target: '0 errors' },
      { scenario: s, metric: '  revisions written / 2xx answers', value: `${afterContended - afterSpread} / ${contended['2xx']}`, target: 'equal (± requests in flight at the end)' },
      { scenario: s, metric: `bare Express JSON PUT, ${PG_CONNECTIONS} connections (same run)`, value: base.requests.average, unit: 'req/s' },
      { scenario: s, metric: 'ratio to bare Express (1,000 orgs)', value: (100 * spread.requests.average) / base.requests.average, unit: '%' },
    ];
  } finally {
    await w.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timeIt(fn: () => Promise<unknown>, runs: number): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

async function dashboardAtScale(lane: 'sqlite' | 'postgres'): Promise<BenchRow[]> {
  const w = await openDb(lane);
  try {
    const ORGS = 10_000;
    const t0 = new Date().toISOString();
    const [root] = await w.db('orgs').insert({ kind: 'province', name: 'UBND tỉnh', short_name: 'UBND', created_at: t0, updated_at: t0 }).returning('id');
    const rootId = Number(typeof root === 'object' ? root.id : root);
    const orgIds = await insertOrgs(w.db, ORGS, rootId);
    const start = mondayOfIsoWeek('2021-W01')!;
    const [c] = await w.db('campaigns')
      .insert({ owner_org_id: rootId, name: 'Bench', metric_label: 'Cài đặt', target_percent: 100, start_date: start, end_date: addDays(start, 52 * 7 - 1), deadline_weekday: 5, deadline_time: '17:00', reminder_hours_before: 24, counts_residents: false, created_at: t0 })
      .returning('id');
    const campaignId = Number(typeof c === 'object' ? c.id : c);
    await w.db.batchInsert('campaign_orgs', orgIds.map((org_id) => ({ campaign_id: campaignId, org_id })), 400);
    const weeks = campaignWeeks({ startDate: start, endDate: addDays(start, 52 * 7 - 1) });
    const loadStart = Date.now();
    await w.db.transaction(async (tx) => {
      for (const [k, week] of weeks.entries()) {
        const rows = orgIds
          .filter((_, i) => (i + k) % 10 !== 0) // 90 % report each week: the rest carry their last figures forward
          .map((org_id, i) => {
            const headcount = 50 + (i % 200);
            return { campaign_id: campaignId, org_id, week, headcount, installed: Math.min(headcount, k + (i % 40)), note: null, revision: 1, submitted_at: t0, on_time: i % 7 !== 0, updated_at: t0, updated_by: null };
          });
        await tx.batchInsert('report_submissions', rows, 400);
      }
    });
    const loadSeconds = (Date.now() - loadStart) / 1000;
    if (lane === 'postgres') await w.db.raw('ANALYZE');
    const actor: Actor = { id: 1, email: 'a@b', name: 'Admin', roles: ['admin'], orgId: rootId, locale: 'vi' };
    const ctx: Ctx = { db: w.db, config: loadConfig({ DATABASE_URL: 'sqlite://unused', MEDIA_DIR: path.join(w.dir, 'media'), LOG_LEVEL: 'silent', JOBS_ENABLED: 'false' }), log: createLogger('silent'), clock: () => new Date(), actor };
    const last = weeks[weeks.length - 1];
    const mid = weeks[25];
    // The first trend rebuilds the roll-ups (the reports were bulk-inserted, not submitted): measured once.
    const rebuildStart = process.hrtime.bigint();
    await trend(ctx, campaignId, last);
    const rebuildMs = Number(process.hrtime.bigint() - rebuildStart) / 1e6;
    let check = 0;
    let bytes = 0;
    const dashLast = await timeIt(async () => {
      const d = await dashboard(ctx, campaignId, last);
      check = d.expected;
      bytes = JSON.stringify(d).length;
    }, 15);
    const dashMid = await timeIt(async () => JSON.stringify(await dashboard(ctx, campaignId, { week: mid, sort: 'lateness', page: 3 })), 15);
    const rawAggregate = await timeIt(() => rawWeekTotals(w.db, campaignId, last), 15);
    const trendAll = await timeIt(async () => JSON.stringify(await trend(ctx, campaignId, last)), 15);
    const oldScan = await timeIt(() => leadScan(w.db, campaignId), 5);
    const csv = await exportMemory(ctx, campaignId, last, 'csv');
    const xlsx = await exportMemory(ctx, campaignId, weeks[12], 'xlsx');
    const s = `reports.dashboard.${lane}`;
    return [
      { scenario: s, metric: `bulk load ${ORGS} orgs × 52 weeks (${(ORGS * 52 * 0.9).toLocaleString('en')} reports)`, value: loadSeconds, unit: 's' },
      { scenario: s, metric: `dashboard API, last week (${check} orgs, page of 50, ${Math.round(bytes / 1024)} KB JSON) median`, value: dashLast, unit: 'ms', target: '< 100 ms' },
      { scenario: s, metric: '  baseline: raw SQL aggregate of the week (same run)', value: rawAggregate, unit: 'ms' },
      { scenario: s, metric: '  ratio app / raw SQL', value: dashLast / rawAggregate, unit: '×' },
      { scenario: s, metric: 'dashboard API, week 26, by lateness, page 3 median', value: dashMid, unit: 'ms', target: '< 100 ms' },
      { scenario: s, metric: 'trend over 52 weeks (roll-ups) median', value: trendAll, unit: 'ms', target: '< 200 ms' },
      { scenario: s, metric: '  baseline: LEAD() scan of every report (the query it replaced, same run)', value: oldScan, unit: 'ms' },
      { scenario: s, metric: '  ratio trend / scan', value: trendAll / oldScan, unit: '×' },
      { scenario: s, metric: 'roll-ups rebuilt from the reports (once, after a change of expected orgs)', value: rebuildMs, unit: 'ms' },
      { scenario: s, metric: `CSV export, 52 weeks × ${ORGS} orgs (${Math.round(csv.bytes / 1e6)} MB): time / memory high-water above start`, value: `${(csv.ms / 1000).toFixed(1)} s / ${csv.peakMb} MB`, target: 'flat memory' },
      { scenario: s, metric: `XLSX export, 13 weeks × ${ORGS} orgs (${Math.round(xlsx.bytes / 1e6)} MB): time / memory high-water above start`, value: `${(xlsx.ms / 1000).toFixed(1)} s / ${xlsx.peakMb} MB`, target: 'flat memory' },
    ];
  } finally {
    await w.close();
  }
}

/** The baseline: the week's totals over each organisation's latest report up to it, in one SQL statement. */
async function rawWeekTotals(db: Db, campaignId: number, week: string): Promise<unknown> {
  return db.raw(
    `SELECT COUNT(s.org_id) AS n, SUM(s.headcount) AS h, SUM(s.installed) AS i, SUM(CASE WHEN s.week = ? THEN 1 ELSE 0 END) AS received
     FROM campaign_orgs co JOIN report_submissions s ON s.campaign_id = co.campaign_id AND s.org_id = co.org_id
       AND s.week = (SELECT MAX(s1.week) FROM report_submissions s1 WHERE s1.campaign_id = co.campaign_id AND s1.org_id = co.org_id AND s1.week <= ?)
     WHERE co.campaign_id = ?`,
    [week, week, campaignId],
  );
}

/** What the trend ran before the roll-ups: a LEAD() over every report of the campaign, turned into weekly deltas. */
async function leadScan(db: Db, campaignId: number): Promise<unknown> {
  return db.raw(
    `WITH x AS (SELECT week, headcount, installed, LEAD(week) OVER (PARTITION BY org_id ORDER BY week) AS next_week FROM report_submissions WHERE campaign_id = ?),
     d AS (SELECT week AS w, headcount AS dh, installed AS di FROM x UNION ALL SELECT next_week AS w, -headcount AS dh, -installed AS di FROM x WHERE next_week IS NOT NULL)
     SELECT w AS week, SUM(dh) AS headcount, SUM(di) AS installed FROM d GROUP BY w ORDER BY w`,
    [campaignId],
  );
}

/** Writes an export into a sink that throws the bytes away, sampling the process's memory (RSS) as it goes. */
async function exportMemory(ctx: Ctx, campaignId: number, week: string, format: 'csv' | 'xlsx'): Promise<{ ms: number; bytes: number; peakMb: number }> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  let bytes = 0;
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      setImmediate(done);
    },
  });
  const t = process.hrtime.bigint();
  const plan = await exportPlan(ctx, campaignId, week);
  await (format === 'csv' ? writeCsv(ctx.db, plan, sink) : writeXlsx(ctx.db, plan, sink));
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, bytes, peakMb: Math.round((peak - start) / 1e6) };
}

/** BENCH_ONLY=submit,dashboard runs only those parts (both by default). */
export async function run(): Promise<BenchRow[]> {
  const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
  const wanted = (part: string) => !only || only.includes(part);
  const rows: BenchRow[] = [];
  const pg = await reachablePostgres();
  if (wanted('submit')) {
    rows.push(...(await submissions()));
    if (pg) rows.push(...(await submissionsPostgres()));
    else rows.push({ scenario: 'reports.submit.postgres', metric: `submissions on PostgreSQL, ${PG_CONNECTIONS} concurrent`, value: 'skipped', target: process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL does not answer' : 'set TEST_DATABASE_URL' });
  }
  if (wanted('dashboard')) {
    rows.push(...(await dashboardAtScale('sqlite')));
    if (pg) rows.push(...(await dashboardAtScale('postgres')));
  }
  return rows;
}
