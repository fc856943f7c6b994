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
    await ctx().db('orgs').where({ id: w.departmentId }).update({ name: 'Sở Thông tin và Truyền thông' });
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
    const figures = rows.slice(1).map((r) => [r[0], r[2], r[3] ?? null, r[4] ?? null, r[5] ?? null]);
    expect(figures).toEqual([
      ['2021-W40', 'Đơn vị 01', 15, 4, 26.67],
      ['2021-W40', 'Đơn vị 02', 25, 10, 40],
      ['2021-W40', 'Đơn vị 03', 35, 35, 100],
      ['2021-W40', 'Đơn vị 04', null, null, null],
      ['2021-W41', 'Đơn vị 01', 15, 15, 100],
      ['2021-W41', 'Đơn vị 02', null, null, null],
      ['2021-W41', 'Đơn vị 03', null, null, null],
      ['2021-W41', 'Đơn vị 04', 45, 9, 20],
    ]);
    const matrix = wb.getWorksheet('Tỷ lệ theo tuần')!;
    expect((matrix.getRow(1).values as unknown[]).slice(1)).toEqual(['Đơn vị', '2021-W40', '2021-W41']);
    expect((matrix.getRow(2).values as unknown[]).slice(1)).toEqual(['Đơn vị 01', 26.67, 100]);
  });

  it('exports the same lines as CSV (UTF-8 with BOM)', async () => {
    const res = await get('export?format=csv');
    expect(res.status).toBe(200);
    const text = (res.body as Buffer).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(9);
    expect(lines[1]).toBe(`2021-W40,${w.agencies[0].id},Đơn vị 01,15,4,26.67,2021-10-07T03:00:00.000Z,có,1`);
    expect(lines[4]).toBe(`2021-W40,${w.agencies[3].id},Đơn vị 04,,,,,,`);
  });

  it('writes the week\'s báo cáo to the province People\'s Committee as a valid công văn with the same figures', async () => {
    const res = await get('summary.docx?week=2021-W41&signerName=Nguyễn Văn A');
    expect(res.status).toBe(200);
    const result = await validateLetterDocx(res.body as Buffer);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const { text, tables } = await docxContent(res.body as Buffer);
    expect(text).toContain('UBND TỈNH HÀ TĨNH');
    expect(text).toContain('SỞ THÔNG TIN VÀ TRUYỀN THÔNG');
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
    expect(lines.map((l) => l.split(',')[0])).toEqual(['Tuần', '2021-W40', '2021-W40', '2021-W40', '2021-W40']);
    const xlsx = await get('export?format=xlsx&week=2021-W40');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as ArrayBuffer);
    expect((wb.getWorksheet('Tỷ lệ theo tuần')!.getRow(1).values as unknown[]).slice(1)).toEqual(['Đơn vị', '2021-W40']);
    expect(wb.getWorksheet('Số liệu')!.rowCount).toBe(5);
  });

  it('refuses an unknown format', async () => {
    expect((await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/export?format=pdf`)).status).toBe(400);
  });
});
