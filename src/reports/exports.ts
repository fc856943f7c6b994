import ExcelJS from 'exceljs';
import type { Q } from '../db';
import type { Actor } from '../auth';
import type { LetterDocument } from '../letters';
import { renderLetterDocx } from '../letters';
import { localDate, mondayOfIsoWeek, addDays, formatLegalDate } from '../shared/time';
import * as repo from './repo';
import { percentOf } from './model';
import { loadManagedCampaign } from './service';
import { campaignWeeks, defaultWeek } from './weeks';
import { dashboard } from './dashboard';

/** One line per organisation and week (weeks × organisations); a week without a report has empty figures. */
export interface ExportLine {
  week: string;
  orgId: number;
  orgName: string;
  headcount: number | null;
  installed: number | null;
  percent: number | null;
  submittedAt: string | null;
  onTime: boolean | null;
  revision: number | null;
}

export const EXPORT_HEADER = ['Tuần', 'Mã đơn vị', 'Đơn vị', 'Số cán bộ', 'Đã cài đặt', 'Tỷ lệ (%)', 'Thời điểm gửi', 'Đúng hạn', 'Lần sửa'];

export async function exportLines(db: Q, actor: Actor, campaignId: number, now: Date): Promise<{ campaign: repo.CampaignRow; weeks: string[]; orgs: repo.OrgBrief[]; lines: ExportLine[] }> {
  const c = await loadManagedCampaign(db, actor, campaignId);
  const weeks = campaignWeeks(c, defaultWeek(c, now));
  const orgs = await repo.expectedOrgs(db, c.id);
  const byKey = new Map((await repo.allSubmissions(db, c.id)).map((s) => [`${s.week}:${s.org_id}`, s]));
  const lines: ExportLine[] = [];
  for (const week of weeks) {
    for (const o of orgs) {
      const s = byKey.get(`${week}:${o.id}`);
      lines.push({
        week,
        orgId: o.id,
        orgName: o.name,
        headcount: s?.headcount ?? null,
        installed: s?.installed ?? null,
        percent: s ? percentOf(s.installed, s.headcount) : null,
        submittedAt: s?.submitted_at ?? null,
        onTime: s ? Boolean(s.on_time) : null,
        revision: s?.revision ?? null,
      });
    }
  }
  return { campaign: c, weeks, orgs, lines };
}

function csvCell(v: unknown): string {
  if (v == null) return '';
  const s = String(v);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function lineCells(l: ExportLine): (string | number | null)[] {
  return [l.week, l.orgId, l.orgName, l.headcount, l.installed, l.percent, l.submittedAt, l.onTime == null ? null : l.onTime ? 'có' : 'không', l.revision];
}

/** UTF-8 with a byte-order mark, so spreadsheet programs read the Vietnamese correctly. */
export function toCsv(lines: ExportLine[]): Buffer {
  const rows = [EXPORT_HEADER, ...lines.map(lineCells)].map((r) => r.map(csvCell).join(','));
  return Buffer.from('\ufeff' + rows.join('\r\n') + '\r\n', 'utf8');
}

/** Two sheets: the long table (as the CSV) and a matrix of percentages, organisations down, weeks across. */
export async function toXlsx(data: { campaign: repo.CampaignRow; weeks: string[]; orgs: repo.OrgBrief[]; lines: ExportLine[] }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Vận Động';
  const ws = wb.addWorksheet('Số liệu');
  ws.addRow(EXPORT_HEADER).font = { bold: true };
  for (const l of data.lines) ws.addRow(lineCells(l));
  ws.columns.forEach((col, i) => (col.width = [10, 10, 40, 12, 12, 10, 24, 10, 8][i] ?? 12));
  ws.views = [{ state: 'frozen', ySplit: 1 }];

  const matrix = wb.addWorksheet('Tỷ lệ theo tuần');
  matrix.addRow(['Đơn vị', ...data.weeks]).font = { bold: true };
  const byKey = new Map(data.lines.map((l) => [`${l.week}:${l.orgId}`, l]));
  for (const o of data.orgs) matrix.addRow([o.name, ...data.weeks.map((w) => byKey.get(`${w}:${o.id}`)?.percent ?? null)]);
  matrix.getColumn(1).width = 40;
  matrix.views = [{ state: 'frozen', xSplit: 1, ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const fmt = (n: number | null) => (n == null ? '' : new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(n));

/**
 * The weekly báo cáo to the province People's Committee (the owner organisation's parent), as a công văn:
 * a few paragraphs with the week's totals and completeness, then the table of each organisation's figures.
 */
export async function summaryDocument(db: Q, actor: Actor, campaignId: number, weekAsked: string | undefined, now: Date, opts: { symbol?: string; signerTitle?: string; signerName?: string } = {}): Promise<{ doc: LetterDocument; week: string }> {
  const c = await loadManagedCampaign(db, actor, campaignId);
  const d = await dashboard(db, actor, campaignId, weekAsked, now);
  const owner = (await repo.findOrg(db, c.owner_org_id))!;
  const parent = owner.parent_id ? await repo.findOrg(db, owner.parent_id) : undefined;
  const monday = mondayOfIsoWeek(d.week)!;
  const sunday = addDays(monday, 6);
  const metric = c.metric_label ?? c.name;
  const fromTo = `từ ${formatLegalDate(monday)} đến ${formatLegalDate(sunday)}`;
  const body: LetterDocument['body'] = [
    { type: 'paragraph', text: `Thực hiện chiến dịch "${c.name}", ${owner.name} báo cáo kết quả tuần ${d.week} (${fromTo}) như sau:` },
    {
      type: 'paragraph',
      text: `1. Tình hình báo cáo: ${d.expected} cơ quan, đơn vị phải báo cáo; ${d.received} đơn vị đã báo cáo (${d.onTime} đúng hạn, ${d.late} trễ hạn); ${d.missing.length} đơn vị chưa báo cáo${d.missing.length ? ': ' + d.missing.map((m) => m.name).join('; ') : ''}.`,
    },
    {
      type: 'paragraph',
      text: `2. Kết quả: ${metric}: ${fmt(d.totals.installed)}/${fmt(d.totals.headcount)}, đạt ${fmt(d.totals.percent)}% (chỉ tiêu ${fmt(Number(c.target_percent))}%)${d.population18 ? `; bằng ${fmt(d.percentOfPopulation18 ?? 0)}% dân số từ 18 tuổi trở lên (${fmt(d.population18)} người)` : ''}. Số liệu từng đơn vị tại bảng dưới đây.`,
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
    symbol: opts.symbol ?? `${owner.short_name}-VP`,
    place: owner.place ?? parent?.place ?? '',
    date: localDate(now),
    subject: `báo cáo kết quả ${lowerFirst(metric)} tuần ${d.week}`,
    urgency: null,
    recipients: [parent?.name ?? 'Ủy ban nhân dân tỉnh'],
    body,
    signer: { authority: null, authorityTitle: null, title: opts.signerTitle ?? 'GIÁM ĐỐC', name: opts.signerName ?? '' },
    distribution: ['Như trên', `Lưu: VT, ${owner.short_name}`],
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

export async function summaryDocx(db: Q, actor: Actor, campaignId: number, weekAsked: string | undefined, now: Date, opts: { symbol?: string; signerTitle?: string; signerName?: string } = {}): Promise<{ buffer: Buffer; week: string }> {
  const { doc, week } = await summaryDocument(db, actor, campaignId, weekAsked, now, opts);
  return { buffer: await renderLetterDocx(doc), week };
}
