import { describeEachDb } from '../helpers/context';
import { validateLetterDocx } from '../../src/letters/validate';
import { getDispatchPackage } from '../../src/letters/dispatch-package';
import { binary, docxParagraphs, docxXml, PDF, setUpDepartment, type Department } from './helpers';

describeEachDb('the Hà Tĩnh letter of 21 October 2021, recreated', (ctx) => {
  let dep: Department;
  let letterId: number;

  beforeAll(async () => {
    dep = await setUpDepartment(ctx());
  });

  it('a drafter writes it from the installation template, with recipients from organisations, a group and a free name', async () => {
    ctx().setNow('2021-10-20T02:00:00Z');
    const res = await ctx()
      .as(dep.drafter)
      .post('/api/v1/letters')
      .send({
        issuingOrgId: dep.orgId,
        templateId: dep.templateId,
        variables: {
          basis: 'Công văn số 5316/BYT-CNTT ngày 01/10/2021 của Bộ Y tế về việc sử dụng ứng dụng Sổ sức khỏe điện tử',
          appName: 'Sổ sức khỏe điện tử',
          platformName: 'Nền tảng quản lý tiêm chủng COVID-19',
          figures: 'đến ngày 11/10/2021 toàn tỉnh có 84.941 lượt cài đặt, đạt 9,52% dân số từ 18 tuổi trở lên',
          reportTo: 'Sở Thông tin và Truyền thông, Sở Y tế',
          reportDeadline: '16 giờ 00 thứ Sáu hằng tuần',
        },
        place: 'Hà Tĩnh',
        recipients: [{ orgId: dep.recipients.syt }, { orgId: dep.recipients.camXuyen }, { name: 'Các doanh nghiệp viễn thông trên địa bàn tỉnh', email: 'vienthong@example.vn' }],
        recipientGroupIds: [dep.groupId],
        legalBases: ['Căn cứ Kế hoạch số 335/KH-UBND ngày 20/9/2021 của UBND tỉnh về chuyển đổi số'],
        distribution: ['Giám đốc, các PGĐ Sở', 'Trung tâm CNTT&TT'],
        signer: { authority: 'KT.', authorityTitle: 'Giám đốc', title: 'Phó Giám đốc', name: 'Đậu Tùng Lâm' },
        unitCode: 'TTBCXB',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'draft', subject: 'tiếp tục tuyên truyền, cài đặt và sử dụng ứng dụng Sổ sức khỏe điện tử', symbol: '/STTTT-TTBCXB', number: null });
    expect(res.body.recipients.map((r: { name: string }) => r.name)).toEqual(['Sở Y tế', 'UBND huyện Cẩm Xuyên', 'Các doanh nghiệp viễn thông trên địa bàn tỉnh', 'Báo Hà Tĩnh']);
    expect(res.body.body).toContain('(Có hướng dẫn cài đặt kèm theo)');
    letterId = res.body.id;
  });

  it('attaches the installation guide as a PDF', async () => {
    const res = await ctx().as(dep.drafter).post(`/api/v1/letters/${letterId}/attachments`).attach('file', PDF, 'huong-dan-cai-dat.pdf');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'huong-dan-cai-dat.pdf', size: PDF.length });
    expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the draft renders unnumbered, with the date left blank, and still passes the validator', async () => {
    const res = await ctx().as(dep.drafter).get(`/api/v1/letters/${letterId}/docx`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const paras = await docxParagraphs(res.body);
    expect(paras).toContain('Số:       /STTTT-TTBCXB');
    expect(paras.some((p) => /^Hà Tĩnh, ngày\s+tháng\s+năm\s*$/.test(p))).toBe(true);
    const result = await validateLetterDocx(res.body);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.findings).toContainEqual(expect.objectContaining({ rule: 'so-ky-hieu', severity: 'info' }));
  });

  it('is submitted, approved by the Phó Giám đốc and issued by the văn thư on 21/10/2021 as number 01', async () => {
    expect((await ctx().as(dep.drafter).post(`/api/v1/letters/${letterId}/submit`)).status).toBe(200);
    expect((await ctx().as(dep.approver).post(`/api/v1/letters/${letterId}/approve`)).status).toBe(200);
    ctx().setNow('2021-10-21T02:30:00Z'); // 09:30 in Hà Tĩnh
    const issued = await ctx().as(dep.secretary).post(`/api/v1/letters/${letterId}/issue`);
    expect(issued.status).toBe(200);
    expect(issued.body).toEqual({ number: 1, symbol: '01/STTTT-TTBCXB', issuedAt: '2021-10-21T02:30:00.000Z' });
    const letter = await ctx().as(dep.secretary).get(`/api/v1/letters/${letterId}`);
    expect(letter.body).toMatchObject({ status: 'issued', number: 1, year: 2021, symbol: '01/STTTT-TTBCXB' });
  });

  it('the issued DOCX follows NĐ 30/2020 and reads like the original', async () => {
    const res = await ctx().as(dep.approver).get(`/api/v1/letters/${letterId}/docx`).buffer(true).parse(binary);
    expect(res.headers['content-type']).toContain('wordprocessingml');
    expect(res.headers['content-disposition']).toContain('01-STTTT-TTBCXB.docx');
    const result = await validateLetterDocx(res.body);
    expect(result).toEqual({ ok: true, findings: [] });
    const paras = await docxParagraphs(res.body);
    for (const line of [
      'UBND TỈNH HÀ TĨNH',
      'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Số: 01/STTTT-TTBCXB',
      'Hà Tĩnh, ngày 21 tháng 10 năm 2021',
      'V/v tiếp tục tuyên truyền, cài đặt và sử dụng ứng dụng Sổ sức khỏe điện tử',
      'Kính gửi:',
      '- Sở Y tế;',
      '- UBND huyện Cẩm Xuyên;',
      '- Báo Hà Tĩnh.',
      '(Có hướng dẫn cài đặt kèm theo)',
      'Nơi nhận:',
      '- Như trên;',
      '- Giám đốc, các PGĐ Sở;',
      '- Lưu: VT, TTBCXB.',
      'KT. GIÁM ĐỐC',
      'PHÓ GIÁM ĐỐC',
      'Đậu Tùng Lâm',
    ]) {
      expect(paras).toContain(line);
    }
    // "Số" and the date share one row of the header table; the legal basis opens the body.
    const xml = await docxXml(res.body);
    const row = xml.split('<w:tr>').find((r) => r.includes('Số: 01/STTTT-TTBCXB'))!;
    expect(row).toContain('Hà Tĩnh, ngày 21 tháng 10 năm 2021');
    expect(paras.indexOf('Căn cứ Kế hoạch số 335/KH-UBND ngày 20/9/2021 của UBND tỉnh về chuyển đổi số;')).toBeGreaterThan(paras.indexOf('- Báo Hà Tĩnh.'));
    expect(paras.some((p) => p.endsWith('./.'))).toBe(true);
  });

  it('the HTML preview shows the same lines', async () => {
    const res = await ctx().as(dep.drafter).get(`/api/v1/letters/${letterId}/preview`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    for (const s of ['Số: 01/STTTT-TTBCXB', 'Hà Tĩnh, ngày 21 tháng 10 năm 2021', 'KT. GIÁM ĐỐC', '- Lưu: VT, TTBCXB.', 'UBND TỈNH HÀ TĨNH']) expect(res.text).toContain(s);
  });

  it('is in the outgoing register, as JSON and as XLSX', async () => {
    const res = await ctx().as(dep.secretary).get(`/api/v1/register?orgId=${dep.orgId}&year=2021`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({ number: 1, symbol: '01/STTTT-TTBCXB', issuedAt: '2021-10-21T02:30:00.000Z', signer: 'Đậu Tùng Lâm', subject: 'tiếp tục tuyên truyền, cài đặt và sử dụng ứng dụng Sổ sức khỏe điện tử' }),
    ]);
    expect(res.body.items[0].recipients).toContain('Sở Y tế');
    const xlsx = await ctx().as(dep.secretary).get(`/api/v1/register?orgId=${dep.orgId}&year=2021&format=xlsx`).buffer(true).parse(binary);
    expect(xlsx.status).toBe(200);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body);
    const values = wb.worksheets[0].getSheetValues().flat().map(String);
    expect(values).toContain('01/STTTT-TTBCXB');
  });

  it('hands dispatch a package: org recipients with the org e-mail, free names with theirs, the DOCX and the guide', async () => {
    const pkg = await getDispatchPackage(ctx().deps, letterId);
    expect(pkg).toMatchObject({ letterId, issuingOrgId: dep.orgId, status: 'issued', numberSymbol: '01/STTTT-TTBCXB', issuedAt: '2021-10-21T02:30:00.000Z' });
    expect(pkg.recipients).toEqual([
      { orgId: dep.recipients.syt, name: 'Sở Y tế', email: expect.stringMatching(/^syt\d+@hatinh\.gov\.vn$/) },
      { orgId: dep.recipients.camXuyen, name: 'UBND huyện Cẩm Xuyên', email: expect.stringMatching(/^camxuyen\d+@/) },
      { orgId: null, name: 'Các doanh nghiệp viễn thông trên địa bàn tỉnh', email: 'vienthong@example.vn' },
      { orgId: dep.recipients.baoHaTinh, name: 'Báo Hà Tĩnh', email: expect.stringMatching(/^bht\d+@/) },
    ]);
    expect(pkg.docx.filename).toBe('01-STTTT-TTBCXB.docx');
    expect((await validateLetterDocx(pkg.docx.content)).ok).toBe(true);
    expect(pkg.attachments).toEqual([expect.objectContaining({ filename: 'huong-dan-cai-dat.pdf', contentType: 'application/pdf' })]);
    const fs = await import('node:fs');
    expect(fs.readFileSync(pkg.attachments[0].path)).toEqual(PDF);
  });

  it('every step is in the audit log', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const log = await ctx().as(ctx().admin).get(`/api/v1/audit?entity=letters&entityId=${letterId}`);
    const actions = log.body.items.map((i: { action: string }) => i.action);
    for (const a of ['POST letters/:id/submit', 'POST letters/:id/approve', 'POST letters/:id/issue', 'POST letters/:id/attachments']) expect(actions).toContain(a);
  });
});
