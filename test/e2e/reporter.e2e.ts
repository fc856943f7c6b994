import { startJourney, signInAs, horizontalOverflow, type Journey } from './browser';
import { HEALTH_BOOK_CAMPAIGN } from '../reports/fixtures';
import type { TestUser } from '../helpers/context';

/**
 * An agency's reporter on a phone, with JavaScript turned off (the report form is a plain form): this week's
 * report and its deadline on the home page, a submission, a corrected second submission (revision 2), and the
 * department's dashboard is not theirs to see.
 * The clock is Wednesday 13/10/2021 10:00 in Hà Tĩnh: week 2021-W41, deadline Friday 15/10/2021 17:00.
 */
describe('an agency reporter submits the weekly figures from a phone', () => {
  let j: Journey;
  let reporter: TestUser;
  let campaignId: number;

  beforeAll(async () => {
    j = await startJourney();
    j.ctx.setNow('2021-10-13T03:00:00Z');
    const stttt = await j.ctx.createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', email: 'stttt@hatinh.e2e.vn' });
    const syt = await j.ctx.createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department', email: 'syt@hatinh.e2e.vn', headcount: 118 });
    const snv = await j.ctx.createOrg({ name: 'Sở Nội vụ', shortName: 'SNV', kind: 'department', email: 'snv@hatinh.e2e.vn', headcount: 74 });
    const manager = await j.ctx.createUser(['secretary'], stttt, 'Văn thư Sở TT&TT');
    reporter = await j.ctx.createUser(['reporter'], syt, 'Phạm Minh Đức');
    const res = await j.ctx
      .as(manager)
      .post('/api/v1/campaigns')
      .send({ ...HEALTH_BOOK_CAMPAIGN, orgIds: [syt, snv] });
    if (res.status !== 201) throw new Error(`campaign: ${res.status} ${JSON.stringify(res.body)}`);
    campaignId = res.body.id;
  });
  afterAll(async () => {
    await j?.close();
  });

  it("sees the week's deadline, reports, corrects the figure (revision 2) and cannot open the dashboard", async () => {
    const { page } = await j.newPage({ phone: true, javaScriptEnabled: false });
    await signInAs(page, j.baseUrl, reporter.email, reporter.password);

    const panel = page.getByRole('region', { name: 'Báo cáo tuần này' });
    await panel.getByRole('link', { name: 'Cài đặt Sổ sức khỏe điện tử' }).waitFor();
    await expect(panel.innerText()).resolves.toContain('Tuần 41 (11/10–17/10/2021): hạn 15/10/2021 17:00');
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Chiến dịch' }).count()).toBe(0);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await j.screenshot(page, 'reporter-home-phone');

    await page.getByRole('navigation').getByRole('link', { name: 'Báo cáo của đơn vị' }).click();
    await page.waitForURL(`${j.baseUrl}/my-reports`);
    const card = page.getByRole('region', { name: 'Cài đặt Sổ sức khỏe điện tử' });
    await expect(card.innerText()).resolves.toMatch(/Tuần 41 \(11\/10–17\/10\/2021\).*Hạn báo cáo: 15\/10\/2021 17:00/);
    expect(await card.getByLabel('Số cán bộ', { exact: true }).inputValue()).toBe('118');
    // The figure's field is labelled with what the campaign measures (its metric label).
    await card.getByLabel('Số cán bộ đã cài đặt Sổ sức khỏe điện tử').fill('97');
    await card.getByLabel('Ghi chú').fill('Còn 21 cán bộ đi công tác');
    await card.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await page.getByRole('status').getByText('Đã lưu báo cáo.').waitFor();
    await expect(card.innerText()).resolves.toMatch(/Đã gửi \(lần sửa 1\):.*Đúng hạn/);
    expect(await card.getByLabel('Số cán bộ đã cài đặt Sổ sức khỏe điện tử').inputValue()).toBe('97');

    // A second submission with a corrected figure is revision 2; the dashboard counts the new figure.
    await card.getByLabel('Số cán bộ', { exact: true }).fill('120');
    await card.getByLabel('Số cán bộ đã cài đặt Sổ sức khỏe điện tử').fill('105');
    await card.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await page.getByRole('status').getByText('Đã lưu báo cáo.').waitFor();
    await expect(card.innerText()).resolves.toContain('Đã gửi (lần sửa 2):');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await j.screenshot(page, 'reporter-my-reports-phone');

    const board = await j.ctx.as(j.ctx.admin).get(`/api/v1/campaigns/${campaignId}/dashboard?week=2021-W41`);
    expect(board.body.byOrg.find((o: { name: string }) => o.name === 'Sở Y tế')).toMatchObject({ headcount: 120, installed: 105, percent: 87.5, onTime: true });

    // The department's dashboard is not the reporter's.
    const denied = await page.goto(`${j.baseUrl}/campaigns/${campaignId}/reports`);
    expect(denied!.status()).toBe(403);
    await page.getByRole('heading', { level: 1, name: '403' }).waitFor();
    await page.getByRole('alert').waitFor();
    await j.screenshot(page, 'reporter-dashboard-403-phone');
  });
});
