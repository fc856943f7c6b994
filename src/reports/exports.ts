import type { Writable } from 'node:stream';
import { loadExcelJs } from '../shared/xlsx';
import type { Q } from '../db';
import type { Ctx } from '../deps';
import { campaignWeek, campaignWeeks, expectedOrgs, isExpectedInWeek, loadManagedCampaign, type CampaignInfo, type ExpectedOrg } from '../campaigns';
import type { LetterDocument } from '../letters';
import { renderLetterDocx } from '../letters';
import { findOrgById } from '../orgs';
import { localDate, exportDateTime, formatWeek } from '../shared/time';
import * as repo from './repo';
import { percentOf } from './model';
import { dashboard } from './dashboard';

/** One line per organisation and week (weeks × organisations); a week without a report has empty figures. */
export interface ExportLine {
  week: string;
  orgId: number;
  orgCode: string | null;
  orgName: string;
  headcount: number | null;
  installed: number | null;
  percent: number | null;
  submittedAt: string | null;
  onTime: boolean | null;
  revision: number | null;
}

export const EXPORT_HEADER = ['Tuần', 'Mã đơn vị', 'Đơn vị', 'Số cán bộ', 'Đã cài đặt', 'Tỷ lệ (%)', 'Thời điểm gửi', 'Đúng hạn', 'Lần sửa'];

/** What an export covers: the campaign's weeks from the first up to the one asked for (default: this week) × its expected organisations. */
export interface ExportPlan {
  campaign: CampaignInfo;
  weeks: string[];
  orgs: ExpectedOrg[];
}

/** Authorises and checks everything an export needs before its first byte is written (400 / 403 / 404 still possible here). */
export async function exportPlan(ctx: Ctx, campaignId: number, weekAsked: string | undefined): Promise<ExportPlan> {
  const c = await loadManagedCampaign(ctx, campaignId);
  const weeks = campaignWeeks(c, campaignWeek(c, weekAsked, ctx.clock()));
  const orgs = await expectedOrgs(ctx.db, c.id);
  return { campaign: c, weeks, orgs };
}

/** The lines of an export, one week at a time: only one week's reports are held in memory. */
export async function* exportLines(db: Q, plan: ExportPlan): AsyncGenerator<ExportLine[]> {
  for (const week of plan.weeks) {
    const byOrg = new Map((await repo.submissionsOfWeek(db, plan.campaign.id, week)).map((s) => [Number(s.org_id), s]));
    // Each week lists the organisations expected in it (an edit adds or removes them from a week on).
    yield plan.orgs.filter((o) => isExpectedInWeek(o, week)).map((o) => {
      const s = byOrg.get(o.id);
      return {
        week,
        orgId: o.id,
        orgCode: o.code,
        orgName: o.name,
        headcount: s?.headcount ?? null,
        installed: s?.installed ?? null,
        percent: s ? percentOf(s.installed, s.headcount) : null,
        submittedAt: s?.submitted_at ?? null,
        onTime: s ? Boolean(s.on_time) : null,
        revision: s?.revision ?? null,
      };
    });
  }
}

/** Organisations per read of the percentage matrix. */
const MATRIX_SLICE = 500;

/** The percentage matrix, organisations down (by name), weeks across, a slice of organisations at a time. */
async function* matrixRows(db: Q, plan: ExportPlan): AsyncGenerator<(string | number | null)[][]> {
  const until = plan.weeks[plan.weeks.length - 1];
  for (let i = 0; i < plan.orgs.length; i += MATRIX_SLICE) {
    const slice = plan.orgs.slice(i, i + MATRIX_SLICE);
    const percent = new Map((await repo.submissionsOfOrgs(db, plan.campaign.id, slice.map((o) => o.id), until)).map((s) => [`${s.week}:${s.org_id}`, percentOf(s.installed, s.headcount)]));
    yield slice.map((o) => [o.name, ...plan.weeks.map((w) => percent.get(`${w}:${o.id}`) ?? null)]);
  }
}

function csvCell(v: string | number | null): string {
  if (v == null) return '';
  const s = String(v);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function lineCells(l: ExportLine): (string | number | null)[] {
  // What a person reads: the week as "Tuần 41 (11/10–17/10/2021)", the unit's code (not a database id), Vietnam time.
  return [formatWeek(l.week), l.orgCode, l.orgName, l.headcount, l.installed, l.percent, exportDateTime(l.submittedAt), l.onTime == null ? null : l.onTime ? 'có' : 'không', l.revision];
}

/** The reader went away (the response was closed): stop producing. */
export class ExportAborted extends Error {}

/** Waits while the output's buffer is full, so a slow reader slows the export instead of filling memory. */
async function drained(out: Writable): Promise<void> {
  if (out.destroyed) throw new ExportAborted('the export was closed by its reader');
  if (!out.writableNeedDrain) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      out.off('close', closed);
      resolve();
    };
    const closed = () => {
      out.off('drain', done);
      reject(new ExportAborted('the export was closed by its reader'));
    };
    out.once('drain', done);
    out.once('close', closed);
  });
}

const CSV_CHUNK = 64 * 1024;

/** CSV, UTF-8 with a byte-order mark (so spreadsheet programs read the Vietnamese correctly), written as the rows are read. Ends `out`. */
export async function writeCsv(db: Q, plan: ExportPlan, out: Writable): Promise<void> {
  const row = (cells: (string | number | null)[]) => cells.map(csvCell).join(',') + '\r\n';
  let buf = '\ufeff' + row(EXPORT_HEADER);
  const flush = async () => {
    if (out.destroyed) throw new ExportAborted('the export was closed by its reader');
    out.write(buf, 'utf8');
    buf = '';
    await drained(out);
  };
  for await (const lines of exportLines(db, plan)) {
    for (const l of lines) {
      buf += row(lineCells(l));
      if (buf.length >= CSV_CHUNK) await flush();
    }
  }
  await flush();
  out.end();
}

const LONG_WIDTHS = [26, 10, 40, 12, 12, 10, 18, 10, 8];

/**
 * XLSX through exceljs's streaming writer, straight into `out`: two sheets, the long table (as the CSV) and a matrix
 * of percentages, organisations down, weeks across. Each row is committed (written to the zip) as it is made. Ends `out`.
 */
export async function writeXlsx(db: Q, plan: ExportPlan, out: Writable): Promise<void> {
  const wb = new (await loadExcelJs()).stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Vận Động';
  const ws = wb.addWorksheet('Số liệu', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = LONG_WIDTHS.map((width) => ({ width }));
  const head = ws.addRow(EXPORT_HEADER);
  head.font = { bold: true };
  head.commit();
  for await (const lines of exportLines(db, plan)) {
    for (const l of lines) ws.addRow(lineCells(l)).commit();
    await drained(out);
  }
  ws.commit();

  const matrix = wb.addWorksheet('Tỷ lệ theo tuần', { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  matrix.columns = [{ width: 40 }];
  const top = matrix.addRow(['Đơn vị', ...plan.weeks.map((w) => formatWeek(w))]);
  top.font = { bold: true };
  top.commit();
  for await (const rows of matrixRows(db, plan)) {
    for (const r of rows) matrix.addRow(r).commit();
    await drained(out);
  }
  matrix.commit();
  await wb.commit();
}

/** Who signs the summary and under which symbol (defaults: the owner's short name, GIÁM ĐỐC). */
export interface SummaryOptions {
  symbol?: string;
  signerTitle?: string;
  signerName?: string;
}

const fmt = (n: number | null) => (n == null ? '' : new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(n));

/**
 * The weekly báo cáo to the province People's Committee (the owner organisation's parent), as a công văn:
 * a few paragraphs with the week's totals and completeness, then the table of each organisation's figures.
 */
export async function summaryDocument(ctx: Ctx, campaignId: number, weekAsked: string | undefined, opts: SummaryOptions = {}): Promise<{ doc: LetterDocument; week: string }> {
  const c = await loadManagedCampaign(ctx, campaignId);
  const d = await dashboard(ctx, campaignId, weekAsked);
  const owner = (await findOrgById(ctx.db, c.ownerOrgId))!;
  const parent = owner.parentId ? await findOrgById(ctx.db, owner.parentId) : undefined;
  const metric = c.metricLabel ?? c.name;
  const body: LetterDocument['body'] = [
    { type: 'paragraph', text: `Thực hiện chiến dịch "${c.name}", ${owner.name} báo cáo kết quả ${formatWeek(d.week)} như sau:` },
    {
      type: 'paragraph',
      text: `1. Tình hình báo cáo: ${d.expected} cơ quan, đơn vị phải báo cáo; ${d.received} đơn vị đã báo cáo (${d.onTime} đúng hạn, ${d.late} trễ hạn); ${d.missing.length} đơn vị chưa báo cáo${d.missing.length ? ': ' + d.missing.map((m) => m.name).join('; ') : ''}.`,
    },
    {
      type: 'paragraph',
      text: `2. Kết quả: ${metric}: ${fmt(d.totals.installed)}/${fmt(d.totals.headcount)}, đạt ${fmt(d.totals.percent)}% (chỉ tiêu ${fmt(c.targetPercent)}%)${d.population18 ? `; bằng ${fmt(d.percentOfPopulation18 ?? 0)}% dân số từ 18 tuổi trở lên (${fmt(d.population18)} người)` : ''}. Số liệu từng đơn vị tại bảng dưới đây.`,
    },
    {
      type: 'table',
      header: ['TT', 'Cơ quan, đơn vị', 'Số cán bộ', 'Đã cài đặt', 'Tỷ lệ (%)'],
      rows: [
        ...d.byOrg.map((o, i) => [String(i + 1), o.name, fmt(o.headcount), fmt(o.installed), fmt(o.percent)]),
        ['', 'Tổng cộng', fmt(d.totals.headcount), fmt(d.totals.installed), fmt(d.totals.percent)],
      ],
      widths: [6, 46, 16, 16, 16],
    },
    { type: 'paragraph', text: `${owner.name} kính báo cáo ${parent?.name ?? 'Ủy ban nhân dân tỉnh'} xem xét, chỉ đạo` },
  ];
  const doc: LetterDocument = {
    parentAgency: parent ? abbreviateParent(parent.name) : null,
    issuingAgency: owner.name,
    number: null,
    symbol: opts.symbol ?? `${owner.shortName}-VP`,
    place: owner.place ?? parent?.place ?? '',
    date: localDate(ctx.clock()),
    subject: `báo cáo kết quả ${lowerFirst(metric)} ${formatWeek(d.week)}`,
    urgency: null,
    recipients: [parent?.name ?? 'Ủy ban nhân dân tỉnh'],
    body,
    signer: { authority: null, authorityTitle: null, title: opts.signerTitle ?? 'GIÁM ĐỐC', name: opts.signerName ?? '' },
    distribution: ['Như trên', `Lưu: VT, ${owner.shortName}`],
  };
  return { doc, week: d.week };
}

/** "Ủy ban nhân dân tỉnh Hà Tĩnh" → "UBND TỈNH HÀ TĨNH", as the parent-agency line abbreviates it. */
function abbreviateParent(name: string): string {
  return name.replace(/^Ủy ban nhân dân/iu, 'UBND').replace(/^Uỷ ban nhân dân/iu, 'UBND').toLocaleUpperCase('vi');
}

function lowerFirst(s: string): string {
  return s ? s.charAt(0).toLocaleLowerCase('vi') + s.slice(1) : s;
}

export async function summaryDocx(ctx: Ctx, campaignId: number, weekAsked: string | undefined, opts: SummaryOptions = {}): Promise<{ buffer: Buffer; week: string }> {
  const { doc, week } = await summaryDocument(ctx, campaignId, weekAsked, opts);
  return { buffer: await renderLetterDocx(doc), week };
}
