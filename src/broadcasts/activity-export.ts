import { loadExcelJs } from '../shared/xlsx';
import type { Ctx } from '../deps';
import type { LetterDocument } from '../letters';
import { renderLetterDocx } from '../letters';
import { findOrgById } from '../orgs';
import { formatLegalDate, localDate } from '../shared/time';
import type { CommuneActivity } from './activity';

interface Report {
  from: string;
  to: string;
  byCommune: CommuneActivity[];
}

const HEADER = ['TT', 'Mã đơn vị', 'Xã, phường, đặc khu', 'Lượt phát theo lịch', 'Đã phát', 'Không phát', 'Bản tin khẩn cấp', 'Khẩn cấp đã xác nhận', 'Thời gian xác nhận (phút, trung vị)'];
const fmt = (n: number | null) => (n == null ? '' : new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }).format(n));

function totals(rows: CommuneActivity[]) {
  return rows.reduce(
    (s, r) => ({ scheduled: s.scheduled + r.scheduled, played: s.played + r.played, missed: s.missed + r.missed, emergencies: s.emergencies + r.emergencies, emergencyConfirmed: s.emergencyConfirmed + r.emergencyConfirmed }),
    { scheduled: 0, played: 0, missed: 0, emergencies: 0, emergencyConfirmed: 0 },
  );
}

/** One sheet: a row per commune, then the totals. */
export async function activityXlsx(report: Report): Promise<Buffer> {
  const wb = new (await loadExcelJs()).Workbook();
  wb.creator = 'Vận Động';
  const ws = wb.addWorksheet('Hoạt động truyền thanh', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [6, 10, 40, 16, 12, 12, 16, 18, 22].map((width) => ({ width }));
  ws.addRow(HEADER).font = { bold: true };
  report.byCommune.forEach((c, i) => ws.addRow([i + 1, c.code ?? '', c.name, c.scheduled, c.played, c.missed, c.emergencies, c.emergencyConfirmed, c.medianConfirmMinutes]));
  const t = totals(report.byCommune);
  ws.addRow(['', '', 'Tổng cộng', t.scheduled, t.played, t.missed, t.emergencies, t.emergencyConfirmed, null]).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The báo cáo as a công văn from the actor's organisation to its parent, rendered by the letters renderer. */
export async function activityDocument(ctx: Ctx, report: Report): Promise<LetterDocument> {
  const owner = await findOrgById(ctx.db, ctx.actor.orgId);
  const parent = owner?.parentId ? await findOrgById(ctx.db, owner.parentId) : undefined;
  const ownerName = owner?.name ?? '';
  const t = totals(report.byCommune);
  const late = report.byCommune.filter((c) => c.emergencies > c.emergencyConfirmed);
  const period = `từ ${formatLegalDate(report.from)} đến ${formatLegalDate(report.to)}`;
  const body: LetterDocument['body'] = [
    { type: 'paragraph', text: `Thực hiện Thông tư số 39/2020/TT-BTTTT quy định về quản lý đài truyền thanh cấp xã, ${ownerName} báo cáo hoạt động của hệ thống truyền thanh cơ sở ${period} như sau:` },
    { type: 'paragraph', text: `1. Lịch phát: ${report.byCommune.length} xã; ${t.scheduled} lượt phát theo lịch, ${t.played} lượt đã phát, ${t.missed} lượt không phát.` },
    {
      type: 'paragraph',
      text: `2. Bản tin khẩn cấp: ${t.emergencies} lượt, ${t.emergencyConfirmed} lượt được xác nhận đã phát${late.length ? `; chưa xác nhận: ${late.map((c) => c.name).join('; ')}` : ''}. Số liệu từng xã tại bảng dưới đây.`,
    },
    {
      type: 'table',
      header: ['TT', 'Xã', 'Theo lịch', 'Đã phát', 'Không phát', 'Khẩn cấp', 'Đã xác nhận', 'Phút (trung vị)'],
      rows: [
        ...report.byCommune.map((c, i) => [String(i + 1), c.name, fmt(c.scheduled), fmt(c.played), fmt(c.missed), fmt(c.emergencies), fmt(c.emergencyConfirmed), fmt(c.medianConfirmMinutes)]),
        ['', 'Tổng cộng', fmt(t.scheduled), fmt(t.played), fmt(t.missed), fmt(t.emergencies), fmt(t.emergencyConfirmed), ''],
      ],
      widths: [6, 30, 10, 10, 10, 10, 12, 12],
    },
    { type: 'paragraph', text: `${ownerName} kính báo cáo ${parent?.name ?? 'Ủy ban nhân dân tỉnh'} xem xét, chỉ đạo` },
  ];
  return {
    parentAgency: parent ? parent.name.replace(/^(Ủy|Uỷ) ban nhân dân/iu, 'UBND').toLocaleUpperCase('vi') : null,
    issuingAgency: ownerName,
    number: null,
    symbol: `${owner?.shortName ?? ''}-VP`,
    place: owner?.place ?? parent?.place ?? '',
    date: localDate(ctx.clock()),
    subject: `báo cáo hoạt động truyền thanh cơ sở ${period}`,
    urgency: null,
    recipients: [parent?.name ?? 'Ủy ban nhân dân tỉnh'],
    body,
    signer: { authority: null, authorityTitle: null, title: 'GIÁM ĐỐC', name: '' },
    distribution: ['Như trên', `Lưu: VT, ${owner?.shortName ?? ''}`],
  };
}

export async function activityDocx(ctx: Ctx, report: Report): Promise<Buffer> {
  return renderLetterDocx(await activityDocument(ctx, report));
}
