import { describeEachDb } from '../helpers/context';
import { campaignWorld, type CampaignWorld } from './fixtures';

/**
 * Issue 15 item 5, the reporter's side: /my-reports lists the campaign's past weeks with their figures and status,
 * and a past week opens in the form to be corrected; a correction after the deadline is a revision recorded as
 * late (the report keeps its first status) and flagged on the list. Deadline Friday 17:00 in Hà Tĩnh:
 * W40 2021-10-08T10:00Z, W42 2021-10-22T10:00Z. Agency 1 has headcount 15.
 */
describeEachDb('a reporter sees and corrects past weeks', (ctx) => {
  let w: CampaignWorld;
  const put = (week: string, body: Record<string, unknown>) => ctx().as(w.agencies[0].reporter).put(`/api/v1/campaigns/${w.campaignId}/reports/${week}`).send(body);

  beforeAll(async () => {
    w = await campaignWorld(ctx(), 1);
    ctx().setNow('2021-10-07T03:00:00Z'); // Thursday of W40: on time
    expect((await put('2021-W40', { installed: 4 })).status).toBe(201);
    ctx().setNow('2021-10-23T02:00:00Z'); // Saturday after the W42 deadline: late
    expect((await put('2021-W42', { installed: 9 })).body).toMatchObject({ onTime: false, lateRevision: false });
    ctx().setNow('2021-10-27T03:00:00Z'); // Wednesday of W43
  });

  it('lists the past weeks, newest first, with figures and status (W41 never reported)', async () => {
    const page = await ctx().as(w.agencies[0].reporter).get('/my-reports');
    expect(page.status).toBe(200);
    const rows = [...page.text.matchAll(/<tr data-week="(\d{4}-W\d{2})">([\s\S]*?)<\/tr>/g)].map((m) => [m[1], m[2].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()]);
    expect(rows).toEqual([
      ['2021-W42', 'Tuần 42 (18/10–24/10/2021) 15 9 Trễ hạn Sửa số liệu'],
      ['2021-W41', 'Tuần 41 (11/10–17/10/2021) Chưa báo cáo Báo cáo bổ sung'],
      ['2021-W40', 'Tuần 40 (04/10–10/10/2021) 15 4 Đúng hạn Sửa số liệu'],
    ]);
    // The ISO keys stay in links and form fields; the reader never sees one.
    expect(page.text.replace(/<[^>]+>/g, ' ')).not.toMatch(/\d{4}-W\d{2}/);
    expect(page.text).toContain('<strong>Tuần 43 (25/10–31/10/2021)</strong>');
    // This week's form is the default.
    expect(page.text).toContain('name="week" value="2021-W43"');
  });

  it('opens a past week, and a correction after the deadline is a late revision, flagged', async () => {
    const api = ctx().as(w.agencies[0].reporter);
    const open = await api.get(`/my-reports?campaign=${w.campaignId}&week=2021-W40`);
    expect(open.status).toBe(200);
    expect(open.text).toContain('name="week" value="2021-W40"');
    expect(open.text).toContain('Đang sửa số liệu Tuần 40 (04/10–10/10/2021)');
    expect(open.text).toMatch(/name="installed"[^>]*value="4"/);

    // A wrong figure keeps the past week open beside its message.
    const bad = await api.post(`/my-reports/${w.campaignId}`).type('form').send({ week: '2021-W40', headcount: '15', installed: '99' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('name="week" value="2021-W40"');

    const saved = await api.post(`/my-reports/${w.campaignId}`).type('form').send({ week: '2021-W40', headcount: '15', installed: '6' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/my-reports?saved=1&late=1');
    const revisions = await ctx().db('report_revisions').where({ campaign_id: w.campaignId, week: '2021-W40' }).orderBy('revision');
    expect(revisions.map((r: { revision: number; installed: number; on_time: unknown }) => [r.revision, r.installed, Boolean(r.on_time)])).toEqual([[1, 4, true], [2, 6, false]]);
    const report = await api.get(`/api/v1/campaigns/${w.campaignId}/reports/2021-W40`);
    expect(report.body).toMatchObject({ installed: 6, revision: 2, onTime: true }); // the report keeps its first status

    const list = await api.get('/my-reports?saved=1&late=1');
    expect(list.text).toContain('Lần sửa này sau hạn nên được ghi nhận là trễ hạn.');
    const w40 = /<tr data-week="2021-W40">([\s\S]*?)<\/tr>/.exec(list.text)![1];
    expect(w40).toContain('data-corrected-late');
    expect(w40).toContain('Đúng hạn');
    expect(/<tr data-week="2021-W42">([\s\S]*?)<\/tr>/.exec(list.text)![1]).not.toContain('data-corrected-late');

    // The API says so too; a late first report of a missed week is late, not a late revision.
    expect((await put('2021-W40', { installed: 7 })).body).toMatchObject({ revision: 3, onTime: true, lateRevision: true });
    expect((await put('2021-W41', { installed: 5 })).body).toMatchObject({ revision: 1, onTime: false, lateRevision: false });
  });

  it('a week that has not started or lies outside the campaign does not open', async () => {
    const api = ctx().as(w.agencies[0].reporter);
    expect((await api.get(`/my-reports?campaign=${w.campaignId}&week=2021-W45`)).status).toBe(400);
    expect((await api.get(`/my-reports?campaign=${w.campaignId}&week=2021-W30`)).status).toBe(400);
    expect((await api.get('/my-reports?campaign=999999&week=2021-W40')).status).toBe(404);
  });
});
