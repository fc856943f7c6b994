import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { startJourney, signInAs, type Journey } from './browser';
import { installShippedTemplates } from '../../src/letters/template-service';
import { outboxIdle } from '../../src/dispatch/worker';
import type { TestUser } from '../helpers/context';

/**
 * The department's letter, end to end in the browser: a secretary who also drafts writes the directive from the
 * app-installation template, the director approves it, the secretary issues it (number and symbol from the
 * register), e-mails it to every recipient and watches the deliveries; a recipient clicks the link in the mail.
 * The app runs on the file outbox (SMTP_URL unset), so every mail is an .eml under MEDIA_DIR/outbox.
 */
describe('a secretary drafts, gets approval for, issues and dispatches a directive', () => {
  let j: Journey;
  let secretary: TestUser;
  let approver: TestUser;
  const recipients = [
    { name: 'Sở Y tế', email: 'syt@hatinh.e2e.vn' },
    { name: 'UBND huyện Kỳ Anh', email: 'kyanh@hatinh.e2e.vn' },
  ];

  beforeAll(async () => {
    j = await startJourney();
    await installShippedTemplates(j.ctx.deps);
    const stttt = await j.ctx.createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', email: 'stttt@hatinh.e2e.vn' });
    await j.ctx.createOrg({ name: recipients[0].name, shortName: 'SYT', kind: 'department', email: recipients[0].email });
    const district = await j.ctx.createOrg({ name: recipients[1].name, shortName: 'UBND', kind: 'district', email: recipients[1].email });
    await j.ctx.createOrg({ name: 'UBND xã Kỳ Tân', shortName: 'UBND', kind: 'commune', parentId: district, email: 'kytan@hatinh.e2e.vn' });
    secretary = await j.ctx.createUser(['secretary', 'drafter'], stttt, 'Nguyễn Thị Hoa');
    approver = await j.ctx.createUser(['approver'], stttt, 'Đậu Tùng Lâm');
  });
  afterAll(async () => {
    await j?.close();
  });

  it('from the template to an acknowledged delivery, through the pages only', async () => {
    const { page } = await j.newPage();
    await signInAs(page, j.baseUrl, secretary.email, secretary.password);

    // Draft from the shipped template.
    await page.getByRole('navigation').getByRole('link', { name: 'Công văn', exact: true }).click();
    await page.getByRole('link', { name: 'Soạn công văn' }).click();
    await page.getByLabel('Chọn mẫu').selectOption({ label: 'Đề nghị tuyên truyền, cài đặt ứng dụng' });
    await page.getByRole('button', { name: 'Dùng mẫu này' }).click();
    await page.getByLabel(/Văn bản căn cứ/).fill('Công văn số 1234/UBND-VX ngày 05/10/2021 của UBND tỉnh về đẩy mạnh cài đặt ứng dụng');
    await page.getByLabel(/Tên ứng dụng/).fill('Sổ sức khỏe điện tử');
    await page.getByLabel(/Nền tảng đăng ký/).fill('Nền tảng quản lý tiêm chủng COVID-19');
    await page.getByLabel(/Kết quả đến nay/).fill('đến ngày 11/10/2021 toàn tỉnh có 84.941 lượt cài đặt, đạt 9,52% dân số từ 18 tuổi trở lên');
    await page.getByLabel(/Nơi gửi báo cáo hằng tuần/).fill('Sở Thông tin và Truyền thông');
    await page.getByLabel(/Hạn báo cáo hằng tuần/).fill('17 giờ 00 thứ Sáu hằng tuần');
    // The recipients picker: a name filter (accents optional) over the checkboxes, in the văn thư's order.
    const picker = page.getByRole('group', { name: 'Cơ quan, đơn vị', exact: true });
    const filter = page.getByRole('searchbox', { name: 'Lọc theo tên: Cơ quan, đơn vị' });
    for (const r of recipients.slice(0, 2)) {
      await filter.fill(r.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd'));
      await picker.getByRole('checkbox', { name: r.name, exact: true }).check();
    }
    await filter.fill('');
    await page.getByLabel('Địa danh').fill('Hà Tĩnh');
    await page.getByLabel('Ký hiệu đơn vị soạn thảo').fill('TTBCXB');
    await page.getByLabel('Độ khẩn').selectOption({ label: 'KHẨN' });
    await page.getByLabel('Thẩm quyền ký').selectOption('KT.');
    await page.getByLabel(/Chức vụ của thủ trưởng/).fill('GIÁM ĐỐC');
    await page.getByLabel('Chức vụ người ký').fill('PHÓ GIÁM ĐỐC');
    await page.getByLabel('Họ và tên người ký').fill('Đậu Tùng Lâm');
    await page.getByRole('button', { name: 'Lưu dự thảo' }).click();

    await page.getByRole('heading', { level: 1, name: /tiếp tục tuyên truyền, cài đặt và sử dụng ứng dụng Sổ sức khỏe điện tử/ }).waitFor();
    const letterUrl = page.url();
    expect(letterUrl).toMatch(/\/letters\/\d+$/);
    await expect(page.locator('main').innerText()).resolves.toContain('Dự thảo');
    const preview = await page.getByRole('region', { name: 'Xem trước' }).innerText();
    // The header name breaks balanced, never leaving "THÔNG" alone on its line.
    expect(preview).toMatch(/SỞ THÔNG TIN VÀ\s+TRUYỀN THÔNG/);
    expect(preview).toContain('84.941 lượt cài đặt');
    await page.getByRole('button', { name: 'Trình duyệt' }).click();
    await page.getByText('Đã trình lãnh đạo duyệt.').waitFor();

    // The director approves it from the home page.
    const director = await j.newPage();
    await signInAs(director.page, j.baseUrl, approver.email, approver.password);
    await director.page.getByRole('region', { name: 'Công văn chờ duyệt' }).getByRole('link', { name: /Sổ sức khỏe điện tử/ }).click();
    // Approving, issuing and dispatching each ask for a tick first (no JavaScript needed).
    await director.page.getByLabel('Tôi đã đọc dự thảo và đồng ý duyệt').check();
    await director.page.getByRole('button', { name: 'Duyệt', exact: true }).click();
    await director.page.getByText('Đã duyệt.').waitFor();
    expect(await director.page.getByRole('button', { name: 'Cấp số, ban hành' }).count()).toBe(0);

    // The secretary issues it: the register gives number 01 of the year.
    await page.goto(`${j.baseUrl}/`);
    await page.getByRole('region', { name: 'Công văn chờ cấp số' }).getByRole('link', { name: /Sổ sức khỏe điện tử/ }).click();
    await page.getByLabel(/xác nhận cấp số, ban hành/).check();
    await page.getByRole('button', { name: 'Cấp số, ban hành' }).click();
    await page.getByText('Đã cấp số và ban hành.').waitFor();
    await page.getByText('Số, ký hiệu: 01/STTTT-TTBCXB').waitFor();
    await j.screenshot(page, 'secretary-issued');

    await page.getByRole('navigation').getByRole('link', { name: 'Sổ văn bản đi' }).click();
    await page.getByRole('row', { name: /01\/STTTT-TTBCXB/ }).waitFor();

    // ... and dispatches it by e-mail.
    await page.getByRole('navigation').getByRole('link', { name: 'Trang chủ' }).click();
    await page.getByRole('region', { name: 'Công văn đã cấp số, chưa gửi' }).getByRole('link', { name: /01\/STTTT-TTBCXB/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Gửi văn bản 01/STTTT-TTBCXB' }).waitFor();
    await page.getByLabel('Tôi xác nhận gửi văn bản này đến tất cả nơi nhận').check();
    await page.getByRole('button', { name: 'Gửi văn bản', exact: true }).click();
    await page.getByText(/^Đã gửi văn bản: /).waitFor();
    await outboxIdle(j.ctx.deps);
    await page.reload();
    for (const r of recipients) {
      await page.getByRole('row', { name: new RegExp(`${r.name}.*${r.email}.*Đã gửi`) }).waitFor();
    }
    await expect(page.getByText('Đã xử lý 2/2 nơi nhận (100%).').count()).resolves.toBe(1);
    await j.screenshot(page, 'secretary-deliveries');

    // Sở Y tế opens the link in its mail; no sign-in.
    const outbox = path.join(j.ctx.mediaDir, 'outbox');
    const all = await Promise.all(fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')).map((f) => simpleParser(fs.readFileSync(path.join(outbox, f)))));
    // The letter's two e-mails; the rest are the workflow's notices to the approver and the drafter.
    const mails = all.filter((m) => recipients.some((r) => JSON.stringify(m.to).includes(r.email)));
    expect(mails).toHaveLength(2);
    const toSyt = mails.find((m) => JSON.stringify(m.to).includes(recipients[0].email))!;
    expect(toSyt.subject).toContain('01/STTTT-TTBCXB');
    const link = new RegExp(`${j.baseUrl.replace(/[.:/]/g, '\\$&')}/ack/[A-Za-z0-9_-]+`).exec(toSyt.text ?? '')?.[0];
    expect(link).toBeTruthy();
    const recipient = await j.newPage({ phone: true });
    await recipient.page.goto(link!);
    // Opening the link records nothing (mail scanners follow links); the button does.
    await recipient.page.getByRole('heading', { name: 'Xác nhận đã nhận văn bản' }).waitFor();
    await recipient.page.getByRole('button', { name: 'Xác nhận đã nhận văn bản' }).click();
    await recipient.page.getByRole('status').getByText('Đã xác nhận nhận văn bản', { exact: true }).waitFor();
    await expect(recipient.page.locator('main').innerText()).resolves.toContain('01/STTTT-TTBCXB');
    await j.screenshot(recipient.page, 'secretary-ack-phone');

    await page.reload();
    await page.getByRole('row', { name: new RegExp(`${recipients[0].name}.*[Đđ]ã xác nhận`) }).waitFor();
    await page.getByRole('row', { name: new RegExp(`${recipients[1].name}.*Đã gửi`) }).waitFor();
  });
});
