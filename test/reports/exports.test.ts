import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { validateLetterDocx } from '../../src/letters/validate';
import { campaignWorld, type CampaignWorld } from './fixtures';

/** Binary bodies from supertest. */
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** The visible text of a DOCX, paragraph by paragraph, and its tables as rows of cell texts. */
async function docxContent(buf: Buffer): Promise<{ text: string; tables: string[][][] }> {
  const xml = await (await JSZip.loadAsync(buf)).file('word/document.xml')!.async('string');
  // A soft line break (a wrapped header name or V/v line) reads as a space.
  const paraText = (s: string) => [...s.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:br\/>/g)].map((m) => m[1] ?? ' ').join('');
  const text = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => paraText(m[0])).join('\n');
  const tables = [...xml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map((t) => [...t[0].matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((r) => [...r[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => paraText(c[0]))));
  return { text, tables };
}

describeEachDb('exports of a campaign', (ctx) => {
  let w: CampaignWorld;
  const get = (path: string) => ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/${path}`).buffer(true).parse(binary);

  beforeAll(async () => {
    w = await campaignWorld(ctx(), 4);
    await ctx().db('orgs').where({ id: w.departmentId }).update({ name: 'Sở Khoa học và Công nghệ' });
    // The statistics office's codes of three agencies; the fourth has none (its cell stays empty, never a database id).
    for (const i of [0, 1, 2]) await ctx().db('orgs').where({ id: w.agencies[i].id }).update({ code: `DV0${i + 1}` });
    ctx().setNow('2021-10-07T03:00:00Z');
    // Week 40: agencies 1–3 report (headcounts 15, 25, 35, 45), agency 4 does not.
    for (const [i, installed] of [[0, 4], [1, 10], [2, 35]] as const) {
      await ctx().as(w.agencies[i].reporter).put(`/api/v1/campaigns/${w.campaignId}/reports/2021-W40`).send({ installed });
    }
    ctx().setNow('2021-10-14T03:00:00Z');
    for (const [i, installed] of [[0, 15], [3, 9]] as const) {
      await ctx().as(w.agencies[i].reporter).put(`/api/v1/campaigns/${w.campaignId}/reports/2021-W41`).send({ installed });
    }
  });

  it('exports weeks × organisations as XLSX with the same figures', async () => {
    const res = await get('export?format=xlsx');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    const ws = wb.getWorksheet('Số liệu')!;
    const rows: unknown[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]).toEqual(['Tuần', 'Mã đơn vị', 'Đơn vị', 'Số cán bộ', 'Đã cài đặt', 'Tỷ lệ (%)', 'Thời điểm gửi', 'Đúng hạn', 'Lần sửa']);
    const figures = rows.slice(1).map((r) => [r[0], r[1] ?? null, r[2], r[3] ?? null, r[4] ?? null, r[5] ?? null]);
    const w40 = 'Tuần 40 (04/10–10/10/2021)';
    const w41 = 'Tuần 41 (11/10–17/10/2021)';
    expect(figures).toEqual([
      [w40, 'DV01', 'Đơn vị 01', 15, 4, 26.67],
      [w40, 'DV02', 'Đơn vị 02', 25, 10, 40],
      [w40, 'DV03', 'Đơn vị 03', 35, 35, 100],
      [w40, null, 'Đơn vị 04', null, null, null],
      [w41, 'DV01', 'Đơn vị 01', 15, 15, 100],
      [w41, 'DV02', 'Đơn vị 02', null, null, null],
      [w41, 'DV03', 'Đơn vị 03', null, null, null],
      [w41, null, 'Đơn vị 04', 45, 9, 20],
    ]);
    // The time of sending in Vietnam time (03:00 UTC is 10:00 in Hà Tĩnh), as a person writes it.
    expect(rows[1][6]).toBe('07/10/2021 10:00');
    expect(rows[8][6]).toBe('14/10/2021 10:00');
    const matrix = wb.getWorksheet('Tỷ lệ theo tuần')!;
    expect((matrix.getRow(1).values as unknown[]).slice(1)).toEqual(['Đơn vị', 'Tuần 40 (04/10–10/10/2021)', 'Tuần 41 (11/10–17/10/2021)']);
    expect((matrix.getRow(2).values as unknown[]).slice(1)).toEqual(['Đơn vị 01', 26.67, 100]);
  });

  it('exports the same lines as CSV (UTF-8 with BOM)', async () => {
    const res = await get('export?format=csv');
    expect(res.status).toBe(200);
    const text = (res.body as Buffer).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(9);
    expect(lines[1]).toBe('Tuần 40 (04/10–10/10/2021),DV01,Đơn vị 01,15,4,26.67,07/10/2021 10:00,có,1');
    expect(lines[4]).toBe('Tuần 40 (04/10–10/10/2021),,Đơn vị 04,,,,,,');
    expect(text).not.toContain('2021-W4');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('writes the week\'s báo cáo to the province People\'s Committee as a valid công văn with the same figures', async () => {
    const res = await get('summary.docx?week=2021-W41&signerName=Nguyễn Văn A');
    expect(res.status).toBe(200);
    const result = await validateLetterDocx(res.body as Buffer);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const { text, tables } = await docxContent(res.body as Buffer);
    expect(text).toContain('UBND TỈNH HÀ TĨNH');
    expect(text).toContain('SỞ KHOA HỌC VÀ CÔNG NGHỆ');
    // The week as a person reads it, in the V/v and in the body; never the ISO key.
    expect(text).toContain('V/v báo cáo kết quả');
    expect(text).toMatch(/V\/v báo cáo kết quả [^\n]* Tuần 41 \(11\/10–17\/10\/2021\)/);
    expect(text).toContain('báo cáo kết quả Tuần 41 (11/10–17/10/2021) như sau:');
    expect(text).not.toContain('2021-W41');
    expect(text).toContain('Kính gửi: Ủy ban nhân dân tỉnh Hà Tĩnh');
    expect(text).toContain('Hà Tĩnh, ngày 14 tháng 10 năm 2021');
    // Week 41 totals carry week 40 forward: 15 + 10 + 35 + 9 = 69 of 15 + 25 + 35 + 45 = 120 → 57,5 %.
    expect(text).toContain('69/120, đạt 57,5%');
    expect(text).toContain('4 cơ quan, đơn vị phải báo cáo; 2 đơn vị đã báo cáo (2 đúng hạn, 0 trễ hạn); 2 đơn vị chưa báo cáo');
    const figures = tables.find((t) => t[0]?.[1] === 'Cơ quan, đơn vị')!;
    expect(figures).toEqual([
      ['TT', 'Cơ quan, đơn vị', 'Số cán bộ', 'Đã cài đặt', 'Tỷ lệ (%)'],
      ['1', 'Đơn vị 03', '35', '35', '100'], // ranked: percent, then installed
      ['2', 'Đơn vị 01', '15', '15', '100'],
      ['3', 'Đơn vị 02', '25', '10', '40'],
      ['4', 'Đơn vị 04', '45', '9', '20'],
      ['', 'Tổng cộng', '120', '69', '57,5'],
    ]);
  });

  it('exports up to a chosen week of the campaign (week=), as CSV and XLSX', async () => {
    const csv = await get('export?format=csv&week=2021-W40');
    expect(csv.status).toBe(200);
    const lines = (csv.body as Buffer).toString('utf8').slice(1).trim().split('\r\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['Tuần', ...Array(4).fill('Tuần 40 (04/10–10/10/2021)')]);
    const xlsx = await get('export?format=xlsx&week=2021-W40');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as ArrayBuffer);
    expect((wb.getWorksheet('Tỷ lệ theo tuần')!.getRow(1).values as unknown[]).slice(1)).toEqual(['Đơn vị', 'Tuần 40 (04/10–10/10/2021)']);
    expect(wb.getWorksheet('Số liệu')!.rowCount).toBe(5);
  });

  it('refuses an unknown format', async () => {
    expect((await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/export?format=pdf`)).status).toBe(400);
  });
});
