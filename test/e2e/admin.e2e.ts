import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startJourney, signInAs, type Journey } from './browser';

describe('an administrator sets up the province', () => {
  let j: Journey;
  beforeAll(async () => {
    j = await startJourney();
  });
  afterAll(async () => {
    await j?.close();
  });

  it('imports organisations from an XLSX, creates a reporter, and the reporter sees only its agency', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Đơn vị');
    ws.addRow(['Mã', 'Tên', 'Viết tắt', 'Loại', 'Email', 'Số cán bộ']);
    ws.addRow(['E-SYT', 'Sở Y tế', 'SYT', 'department', 'syt@e2e.vn', 118]);
    ws.addRow(['E-SNV', 'Sở Nội vụ', 'SNV', 'department', 'snv@e2e.vn', 74]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-')), 'don-vi.xlsx');
    await wb.xlsx.writeFile(file);

    const { page } = await j.newPage();
    await signInAs(page, j.baseUrl, j.ctx.admin.email, j.ctx.admin.password);
    await page.getByRole('link', { name: 'Cơ quan, đơn vị' }).click();
    await page.getByLabel('Tệp XLSX hoặc CSV').setInputFiles(file);
    await page.getByRole('button', { name: 'Nhập', exact: true }).click();
    await page.getByText('Đã nhập: 2 mới').waitFor();
    await j.screenshot(page, 'admin-import');

    await page.getByRole('link', { name: 'Người dùng' }).click();
    await page.getByLabel('Họ và tên').fill('Phạm Minh Đức');
    await page.getByLabel('Thư điện tử').fill('duc@syt.e2e.vn');
    await page.getByLabel('Mật khẩu').fill('reporter-pass');
    await page.getByLabel('Cơ quan, đơn vị').selectOption({ label: 'Sở Y tế' });
    await page.getByLabel('Cán bộ đầu mối').check();
    await page.getByRole('button', { name: 'Tạo mới' }).click();
    await page.getByRole('cell', { name: 'duc@syt.e2e.vn' }).waitFor();

    const reporter = await j.newPage({ phone: true });
    await signInAs(reporter.page, j.baseUrl, 'duc@syt.e2e.vn', 'reporter-pass');
    await reporter.page.goto(`${j.baseUrl}/orgs`);
    const text = await reporter.page.locator('main').innerText();
    expect(text).toContain('Sở Y tế');
    expect(text).not.toContain('Sở Nội vụ');
    await j.screenshot(reporter.page, 'reporter-orgs-phone');
  });
});
