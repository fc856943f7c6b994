import ExcelJS from 'exceljs';
import { describeEachDb } from '../helpers/context';
import { signIn, type PageSession } from '../helpers/browser-session';

const xlsx = async (rows: (string | number | null)[][]) => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
};

/** Issue 15 items 4 and 8: the labels the screen shows, a red box for a failed import, the sample file, the statistics office's list. */
describeEachDb('organisation import as a person meets it', (ctx) => {
  let s: PageSession;
  const upload = async (file: Buffer, name: string) => {
    await s.refresh('/orgs');
    return s.agent.post('/orgs/import').field('_csrf', s.csrf).attach('file', file, name);
  };
  const org = (code: string) => ctx().db('orgs').where({ code }).first();

  beforeAll(async () => {
    s = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
  });

  it('accepts the Vietnamese type labels the screen shows, and says so in green', async () => {
    const res = await upload(await xlsx([
      ['Mã', 'Tên', 'Viết tắt', 'Loại', 'Mã cấp trên'],
      ['L-SNV', 'Sở Nội vụ', 'SNV', 'Sở, ban, ngành', ''],
      ['L-CL', 'Ủy ban nhân dân huyện Can Lộc', 'UBND', 'Huyện, thị xã, thành phố', ''],
      ['L-CL-TL', 'Ủy ban nhân dân xã Thiên Lộc', 'UBND', 'Xã, phường, thị trấn', 'L-CL'],
    ]), 'nhap.xlsx');
    expect(res.status).toBe(200);
    expect(res.text).toContain('class="alert alert-ok"');
    expect(res.text).toContain('Đã nhập: 3 mới, 0 cập nhật, 0 dòng lỗi.');
    expect((await org('L-SNV')).kind).toBe('department');
    expect((await org('L-CL')).kind).toBe('district');
    const commune = await org('L-CL-TL');
    expect(commune.kind).toBe('commune');
    expect(commune.parent_id).toBe((await org('L-CL')).id);
  });

  it('a failed import is red, with each row’s reason in Vietnamese, and writes nothing', async () => {
    const before = (await ctx().db('orgs').count<{ n: number }[]>({ n: '*' }))[0].n;
    const res = await upload(await xlsx([
      ['Mã', 'Tên', 'Viết tắt', 'Loại'],
      ['X-1', 'Trung tâm Văn hóa', 'TTVH', 'Trung tâm'],
      ['X-2', '', 'ABC', 'Sở, ban, ngành'],
    ]), 'loi.xlsx');
    expect(res.text).toContain('class="alert alert-error" role="alert"');
    expect(res.text).toContain('Không nhập được dòng nào.');
    expect(res.text).toContain('Dòng 2: loại &quot;Trung tâm&quot; không hợp lệ; dùng một trong: Tỉnh; Sở, ban, ngành; Huyện, thị xã, thành phố');
    expect(res.text).toMatch(/Dòng 3: [^<]*bắt buộc/);
    expect(res.text).not.toMatch(/Invalid enum|Required/);
    expect((await ctx().db('orgs').count<{ n: number }[]>({ n: '*' }))[0].n).toBe(before);
  });

  it('offers a sample file that imports as it is', async () => {
    const sample = await s.agent.get('/orgs/import/sample.xlsx').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(sample.status).toBe(200);
    expect(sample.headers['content-disposition']).toContain('mau-nhap-co-quan-don-vi.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sample.body);
    expect(wb.worksheets[0].getRow(1).values).toEqual(expect.arrayContaining(['Mã', 'Tên', 'Viết tắt', 'Loại', 'Mã cấp trên']));
    expect(wb.worksheets[0].getRow(3).getCell(4).value).toBe('Huyện, thị xã, thành phố');
    const res = await upload(sample.body as Buffer, 'mau.xlsx');
    expect(res.text).toContain('Đã nhập: 3 mới, 0 cập nhật, 0 dòng lỗi.');
    expect((await org('VD-TH-TK')).parent_id).toBe((await org('VD-TH')).id);
    const other = await ctx().createUser(['drafter'], ctx().rootOrgId);
    expect((await ctx().as(other).get('/orgs/import/sample.xlsx')).status).toBe(403);
  });

  it('loads a province’s communes from the statistics office’s list in one step, updating units it already has by code', async () => {
    // The province exists (under the installation's root) with its code, as its administrator set it.
    const provinceId = await ctx().createOrg({ name: 'Ủy ban nhân dân tỉnh Quảng Trị', shortName: 'UBND', kind: 'province' });
    await ctx().db('orgs').where({ id: provinceId }).update({ code: '45' });
    const csv = [
      'Mã,Tên,Cấp,Mã cấp trên',
      '45,Tỉnh Quảng Trị,Tỉnh,',
      '19189,Phường Đông Hà,Phường,45',
      '19198,Xã Cửa Việt,Xã,45',
      '19216,Đặc khu Cồn Cỏ,Đặc khu,45',
      '01,Thành phố Hà Nội,Thành phố Trung ương,',
      '00004,Phường Ba Đình,Phường,01',
    ].join('\n');
    const first = await upload(Buffer.from(csv, 'utf8'), 'danh-muc-dvhc.csv');
    expect(first.text).toContain('Đã nhập: 5 mới, 1 cập nhật, 0 dòng lỗi.');
    const province = await org('45');
    expect(province.id).toBe(provinceId);
    expect(province.parent_id).toBe(ctx().rootOrgId); // stays where it was
    expect(province.name).toBe('Tỉnh Quảng Trị');
    for (const code of ['19189', '19198', '19216']) expect(await org(code)).toMatchObject({ parent_id: provinceId, kind: 'commune', short_name: 'UBND' });
    const hanoi = await org('01');
    expect(hanoi).toMatchObject({ kind: 'province', parent_id: null });
    expect(await org('00004')).toMatchObject({ parent_id: hanoi.id, kind: 'commune' });

    const again = await upload(Buffer.from(csv, 'utf8'), 'danh-muc-dvhc.csv');
    expect(again.text).toContain('Đã nhập: 0 mới, 6 cập nhật, 0 dòng lỗi.');
    expect((await ctx().db('orgs').where({ code: '19198' })).length).toBe(1);
  });
});
