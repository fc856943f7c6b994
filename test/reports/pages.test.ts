import { describeEachDb } from '../helpers/context';
import { signIn, type PageSession } from '../helpers/browser-session';

describeEachDb('compliance pages, as people use them', (ctx) => {
  let drafter: PageSession;
  let reporter: PageSession;
  let agency: number;
  let campaignId: number;

  beforeAll(async () => {
    const dept = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department' });
    agency = await ctx().createOrg({ name: 'Sở Tư pháp', shortName: 'STP', kind: 'department', headcount: 48 });
    const d = await ctx().createUser(['drafter'], dept);
    const r = await ctx().createUser(['reporter'], agency);
    drafter = await signIn(ctx().app, d.email, d.password);
    reporter = await signIn(ctx().app, r.email, r.password);
  });

  it('a drafter creates a campaign with the form and lands on its dashboard', async () => {
    const list = await drafter.agent.get('/campaigns');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Tạo chiến dịch');
    const bad = await drafter.agent.post('/campaigns').type('form').send({ _csrf: drafter.csrf, name: 'X', metricLabel: 'Y', startDate: '2021-10-04', endDate: '2021-10-01', deadlineWeekday: '5', deadlineTime: '17:00', orgIds: String(agency) });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Dữ liệu chưa hợp lệ');
    const res = await drafter.agent
      .post('/campaigns')
      .type('form')
      .send({ _csrf: drafter.csrf, name: 'Cài đặt Sổ sức khỏe điện tử', metricLabel: 'Số cán bộ đã cài đặt', targetPercent: '100', startDate: '2021-10-04', endDate: '2021-12-31', deadlineWeekday: '5', deadlineTime: '17:00', reminderHoursBefore: '24', orgIds: String(agency) });
    expect(res.status).toBe(303);
    campaignId = Number(/\/campaigns\/(\d+)\/reports/.exec(res.headers.location)![1]);
    ctx().setNow('2021-10-07T03:00:00Z');
    const page = await drafter.agent.get(res.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Cài đặt Sổ sức khỏe điện tử');
    expect(page.text).toContain('<svg');
    expect(page.text).toContain('Sở Tư pháp');
    expect(page.text).toContain('Nhắc các đơn vị chưa báo cáo');
  });

  it('a reporter sees this week\'s form with the deadline and headcount filled in, and submits from a phone', async () => {
    const form = await reporter.agent.get('/my-reports');
    expect(form.status).toBe(200);
    expect(form.text).toContain('2021-W40');
    expect(form.text).toContain('08/10/2021 17:00');
    expect(form.text).toMatch(/name="headcount"[^>]*value="48"/);
    const tooMany = await reporter.agent.post(`/my-reports/${campaignId}`).type('form').send({ _csrf: reporter.csrf, week: '2021-W40', headcount: '48', installed: '49' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain('Dữ liệu chưa hợp lệ');
    const ok = await reporter.agent.post(`/my-reports/${campaignId}`).type('form').send({ _csrf: reporter.csrf, week: '2021-W40', headcount: '48', installed: '12', note: 'Đã phổ biến' });
    expect(ok.status).toBe(303);
    const after = await reporter.agent.get(ok.headers.location);
    expect(after.text).toContain('Đã lưu báo cáo.');
    expect(after.text).toMatch(/name="installed"[^>]*value="12"/);
    const dash = await drafter.agent.get(`/campaigns/${campaignId}/reports?week=2021-W40`);
    expect(dash.text).toContain('25%'); // 12 of 48
  });

  it('a reporter cannot open the dashboard page', async () => {
    expect((await reporter.agent.get(`/campaigns/${campaignId}/reports`)).status).toBe(403);
    expect((await reporter.agent.get('/campaigns')).status).toBe(403);
  });
});
