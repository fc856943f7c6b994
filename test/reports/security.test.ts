import http from 'node:http';
import request from 'supertest';
import { describeEachDb, type TestContext } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { t } from '../../src/shared/i18n';
import { campaignWorld, HEALTH_BOOK_CAMPAIGN, type CampaignWorld } from './fixtures';

/**
 * Attacks found by probing from outside: unbounded ranges (a campaign from year 1000 to 9999, weeks like 2026-W99),
 * concurrent submissions answering 500 on PostgreSQL, reminders for weeks outside the campaign, and a page that
 * wrote before it authorised.
 */

const count = async (ctx: TestContext, table: string, where: Record<string, unknown> = {}) => Number((await ctx.db(table).where(where).count({ n: '*' }))[0].n);

describeEachDb('reports security: bounded campaign dates', (ctx) => {
  let w: CampaignWorld;
  beforeAll(async () => {
    w = await campaignWorld(ctx(), 2);
  });

  const body = (patch: Record<string, unknown>) => ({ ...HEALTH_BOOK_CAMPAIGN, orgIds: w.agencies.map((a) => a.id), ...patch });

  it('a campaign from year 1000 to 9999 is refused with 400 and nothing is stored', async () => {
    const before = [await count(ctx(), 'campaigns'), await count(ctx(), 'campaign_orgs')];
    const res = await ctx().as(w.drafter).post('/api/v1/campaigns').send(body({ startDate: '1000-01-01', endDate: '9999-12-31' }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields).toHaveProperty('startDate');
    expect(res.body.error.fields).toHaveProperty('endDate');
    expect([await count(ctx(), 'campaigns'), await count(ctx(), 'campaign_orgs')]).toEqual(before);
    // The campaign form goes through the same rule.
    const drafter = await signIn(ctx().app, w.drafter.email, w.drafter.password);
    const page = await drafter.agent
      .post('/campaigns')
      .type('form')
      .send({ _csrf: drafter.csrf, name: 'X', metricLabel: 'Y', startDate: '1000-01-01', endDate: '9999-12-31', deadlineWeekday: '5', deadlineTime: '17:00', orgIds: String(w.agencies[0].id) });
    expect(page.status).toBe(400);
    expect(page.text).toContain(t('vi', 'validation.a real date written YYYY-MM-DD, years 2000–2100'));
    expect([await count(ctx(), 'campaigns'), await count(ctx(), 'campaign_orgs')]).toEqual(before);
  });

  it('dates must lie in 2000–2100 and a campaign lasts at most three years', async () => {
    const before = await count(ctx(), 'campaigns');
    for (const [patch, code, field] of [
      [{ startDate: '1999-12-31', endDate: '2000-06-30' }, 'VALIDATION_FAILED', 'startDate'],
      [{ startDate: '2100-06-01', endDate: '2101-01-01' }, 'VALIDATION_FAILED', 'endDate'],
      [{ startDate: '2021-01-01', endDate: '2024-01-01' }, 'CAMPAIGN_TOO_LONG', 'endDate'],
      [{ startDate: '2000-01-01', endDate: '2100-12-31' }, 'CAMPAIGN_TOO_LONG', 'endDate'],
    ] as const) {
      const res = await ctx().as(w.drafter).post('/api/v1/campaigns').send(body(patch));
      expect([patch, res.status, res.body.error?.code]).toEqual([patch, 400, code]);
      expect(res.body.error.fields).toHaveProperty([field]);
    }
    expect(await count(ctx(), 'campaigns')).toBe(before);
    const threeYears = await ctx().as(w.drafter).post('/api/v1/campaigns').send(body({ startDate: '2021-01-01', endDate: '2023-12-31' }));
    expect(threeYears.status).toBe(201);
    const en = await ctx().as(w.drafter).post('/api/v1/campaigns?lang=en').send(body({ startDate: '2021-01-01', endDate: '2030-01-01' }));
    expect(en.body.error.message).toBe(t('en', 'errors.CAMPAIGN_TOO_LONG'));
    expect(en.body.error.message).not.toBe(t('vi', 'errors.CAMPAIGN_TOO_LONG'));
  });
});

describeEachDb('reports security: every week parameter is a real week of the campaign', (ctx) => {
  let w: CampaignWorld;
  let drafterPage: Awaited<ReturnType<typeof signIn>>;
  let reporterPage: Awaited<ReturnType<typeof signIn>>;
  beforeAll(async () => {
    w = await campaignWorld(ctx(), 2); // 2021-10-04 … 2021-12-31: weeks 2021-W40 … 2021-W52
    drafterPage = await signIn(ctx().app, w.drafter.email, w.drafter.password);
    reporterPage = await signIn(ctx().app, w.agencies[0].reporter.email, w.agencies[0].reporter.password);
    ctx().setNow('2021-10-13T02:00:00Z'); // 2021-W41
  });

  const BAD: [string, string][] = [
    ['2026-W99', 'WEEK_INVALID'],
    ['2021-W53', 'WEEK_INVALID'], // 2021 has 52 ISO weeks
    ['9999-W01', 'WEEK_INVALID'],
    ['0000-W01', 'WEEK_INVALID'],
    ['2021-W39', 'WEEK_OUTSIDE_CAMPAIGN'], // before the start
    ['2022-W01', 'WEEK_OUTSIDE_CAMPAIGN'], // after the end
    ['2030-W10', 'WEEK_OUTSIDE_CAMPAIGN'],
  ];

  it('the report, dashboard, trend, reminders, export, summary and overview API routes answer 400 with the week\'s code', async () => {
    const c = `/api/v1/campaigns/${w.campaignId}`;
    const stored = async () => [await count(ctx(), 'report_submissions'), await count(ctx(), 'report_revisions'), await count(ctx(), 'report_reminders'), await count(ctx(), 'mail_outbox')];
    const before = await stored();
    for (const [week, code] of BAD) {
      const calls: [string, () => request.Test][] = [
        ['PUT report', () => ctx().as(w.agencies[0].reporter).put(`${c}/reports/${week}`).send({ installed: 1 })],
        ['PUT report (secretary)', () => ctx().as(w.secretary).put(`${c}/reports/${week}`).send({ installed: 1, orgId: w.agencies[1].id })],
        ['GET report', () => ctx().as(w.agencies[0].reporter).get(`${c}/reports/${week}`)],
        ['GET report (manager)', () => ctx().as(w.drafter).get(`${c}/reports/${week}?orgId=${w.agencies[0].id}`)],
        ['dashboard', () => ctx().as(w.drafter).get(`${c}/dashboard?week=${week}`)],
        ['trend', () => ctx().as(w.drafter).get(`${c}/trend?week=${week}`)],
        ['GET reminders', () => ctx().as(w.drafter).get(`${c}/reminders?week=${week}`)],
        ['POST reminders', () => ctx().as(w.drafter).post(`${c}/reminders`).send({ week })],
        ['export csv', () => ctx().as(w.drafter).get(`${c}/export?format=csv&week=${week}`)],
        ['export xlsx', () => ctx().as(w.drafter).get(`${c}/export?format=xlsx&week=${week}`)],
        ['summary.docx', () => ctx().as(w.drafter).get(`${c}/summary.docx?week=${week}`)],
        ['overview', () => ctx().as(w.drafter).get(`${c}/overview?week=${week}`)],
      ];
      for (const [name, call] of calls) {
        const res = await call();
        expect([week, name, res.status, res.body?.error?.code]).toEqual([week, name, 400, code]);
        expect(res.body.error.message).toBe(t('vi', `errors.${code}`));
      }
    }
    expect(await stored()).toEqual(before);
  });

  it('the error is translated in Vietnamese and English', async () => {
    for (const code of ['WEEK_INVALID', 'WEEK_OUTSIDE_CAMPAIGN']) {
      expect(t('vi', `errors.${code}`)).not.toBe(`errors.${code}`);
      expect(t('en', `errors.${code}`)).not.toBe(t('vi', `errors.${code}`));
    }
    const res = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/dashboard?week=2026-W99&lang=en`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'WEEK_INVALID', message: t('en', 'errors.WEEK_INVALID'), fields: { week: expect.any(String) } });
  });

  it('the pages answer 400 too and store nothing', async () => {
    const before = [await count(ctx(), 'report_submissions'), await count(ctx(), 'report_reminders')];
    for (const [week] of BAD) {
      for (const path of [`/campaigns/${w.campaignId}/reports?week=${week}`, `/campaigns/${w.campaignId}?week=${week}`]) {
        expect([path, (await drafterPage.agent.get(path)).status]).toEqual([path, 400]);
      }
      const remind = await drafterPage.agent.post(`/campaigns/${w.campaignId}/remind`).type('form').send({ _csrf: drafterPage.csrf, week });
      expect([week, 'remind', remind.status]).toEqual([week, 'remind', 400]);
      const mine = await reporterPage.agent.post(`/my-reports/${w.campaignId}`).type('form').send({ _csrf: reporterPage.csrf, week, installed: '1' });
      expect([week, 'my-reports', mine.status]).toEqual([week, 'my-reports', 400]);
    }
    expect([await count(ctx(), 'report_submissions'), await count(ctx(), 'report_reminders')]).toEqual(before);
  });

  it('reminders for a week before the start or after the end are refused: nothing sent or stored', async () => {
    const before = [await count(ctx(), 'report_reminders'), await count(ctx(), 'mail_outbox')];
    for (const week of ['2021-W39', '2021-W30', '2022-W01', '2022-W40']) {
      const res = await ctx().as(w.drafter).post(`/api/v1/campaigns/${w.campaignId}/reminders`).send({ week });
      expect([week, res.status, res.body.error?.code]).toEqual([week, 400, 'WEEK_OUTSIDE_CAMPAIGN']);
    }
    expect([await count(ctx(), 'report_reminders'), await count(ctx(), 'mail_outbox')]).toEqual(before);
    // A week of the campaign still works.
    const ok = await ctx().as(w.drafter).post(`/api/v1/campaigns/${w.campaignId}/reminders`).send({ week: '2021-W41' });
    expect(ok.body).toEqual({ week: '2021-W41', reminded: 2, missing: 2 });
  });
});

describeEachDb('reports security: a campaign row stored before the bounds existed', (ctx) => {
  it('a 1000–9999 campaign already in the database cannot make the trend or the export loop over centuries', async () => {
    const w = await campaignWorld(ctx(), 1, {}, { reporters: false });
    // Written straight to the table, as an unbounded campaign created before this fix would be.
    await ctx().db('campaigns').where({ id: w.campaignId }).update({ start_date: '1000-01-01', end_date: '9999-12-31' });
    ctx().setNow('2026-03-04T03:00:00Z');
    const started = Date.now();
    const trend = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/trend`);
    expect(trend.status).toBe(200);
    expect(trend.body.weeks.length).toBeLessThanOrEqual(160);
    expect(trend.body.weeks[trend.body.weeks.length - 1].week).toBe('2026-W10');
    const csv = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/export?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.text.trim().split('\r\n').length).toBeLessThanOrEqual(161);
    const page = await signIn(ctx().app, w.drafter.email, w.drafter.password);
    expect((await page.agent.get(`/campaigns/${w.campaignId}/reports`)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describeEachDb('reports security: concurrent submissions all succeed, one revision per change', (ctx) => {
  let w: CampaignWorld;
  let server: http.Server;
  const url = (week: string) => `/api/v1/campaigns/${w.campaignId}/reports/${week}`;
  beforeAll(async () => {
    w = await campaignWorld(ctx(), 50);
    // One listening server for all requests (supertest would start one per request otherwise).
    server = http.createServer(ctx().app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    ctx().setNow('2021-10-13T02:00:00Z'); // 2021-W41
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('50 concurrent PUTs by the reporters of 50 organisations: all 201, one revision each', async () => {
    const results = await Promise.all(
      w.agencies.map((a, i) => request(server).put(url('2021-W41')).set('Authorization', `Bearer ${a.reporter.token}`).send({ installed: i % a.headcount })),
    );
    expect(results.map((r) => r.status)).toEqual(w.agencies.map(() => 201));
    expect(await count(ctx(), 'report_submissions', { campaign_id: w.campaignId, week: '2021-W41' })).toBe(50);
    expect(await count(ctx(), 'report_revisions', { campaign_id: w.campaignId, week: '2021-W41' })).toBe(50);
  });

  it('20 concurrent PUTs for one organisation with 20 different values: all 2xx, 20 revisions numbered 1…20', async () => {
    const a = w.agencies[49];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => request(server).put(url('2021-W40')).set('Authorization', `Bearer ${a.reporter.token}`).send({ headcount: 100, installed: i + 1 })),
    );
    expect(results.filter((r) => r.status !== 200 && r.status !== 201).map((r) => [r.status, r.body])).toEqual([]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.map((r) => r.body.revision).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const revisions = await ctx().db('report_revisions').where({ campaign_id: w.campaignId, org_id: a.id, week: '2021-W40' }).orderBy('revision');
    expect(revisions.map((r: { revision: number }) => r.revision)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(revisions.map((r: { installed: number }) => r.installed)).size).toBe(20);
    const current = await ctx().db('report_submissions').where({ campaign_id: w.campaignId, org_id: a.id, week: '2021-W40' }).first();
    expect(current).toMatchObject({ revision: 20, installed: revisions[19].installed });
    // Each answer tells the revision its own figures became.
    for (const r of results) expect(revisions[r.body.revision - 1].installed).toBe(r.body.installed);
  });

  it('20 concurrent PUTs mixing repeats of 5 values for one organisation: one revision per actual change', async () => {
    const a = w.agencies[48];
    const values = Array.from({ length: 20 }, (_, i) => (i % 5) + 1);
    const results = await Promise.all(values.map((v) => request(server).put(url('2021-W41')).set('Authorization', `Bearer ${a.reporter.token}`).send({ headcount: 100, installed: v })));
    expect(results.filter((r) => r.status !== 200 && r.status !== 201).map((r) => [r.status, r.body])).toEqual([]);
    const revisions = await ctx().db('report_revisions').where({ campaign_id: w.campaignId, org_id: a.id, week: '2021-W41' }).orderBy('revision');
    // The agency's earlier report (test 1) is revision 1; every later revision differs from the one before it.
    const installed = revisions.map((r: { installed: number }) => r.installed);
    for (let i = 1; i < installed.length; i++) expect(installed[i]).not.toBe(installed[i - 1]);
    expect(revisions.map((r: { revision: number }) => r.revision)).toEqual(installed.map((_: number, i: number) => i + 1));
    const current = await ctx().db('report_submissions').where({ campaign_id: w.campaignId, org_id: a.id, week: '2021-W41' }).first();
    expect(current.revision).toBe(revisions.length);
    // A repeat of the current figures answers the revision it already is: the answers name exactly the new revisions.
    expect([...new Set(results.map((r) => r.body.revision))].sort((x, y) => x - y)).toEqual(installed.slice(1).map((_: number, i: number) => i + 2));
  });
});

describeEachDb('reports security: /my-reports authorises before it writes', (ctx) => {
  let w: CampaignWorld;
  let campaignId: number;
  beforeAll(async () => {
    w = await campaignWorld(ctx(), 1);
    await ctx().db('orgs').where({ id: w.departmentId }).update({ headcount: 40 });
    // The department reports in its own campaign, so its secretary may enter its figures through the API.
    const res = await ctx().as(w.drafter).post('/api/v1/campaigns').send({ ...HEALTH_BOOK_CAMPAIGN, name: 'Tự báo cáo', orgIds: [w.departmentId, w.agencies[0].id] });
    campaignId = res.body.id;
    ctx().setNow('2021-10-07T03:00:00Z'); // 2021-W40
    expect((await ctx().as(w.secretary).put(`/api/v1/campaigns/${campaignId}/reports/2021-W40`).send({ installed: 20, orgId: w.departmentId })).status).toBe(201);
    ctx().setNow('2021-10-14T03:00:00Z'); // 2021-W41
  });

  it('a secretary\'s save with a "decreased" warning on /my-reports is 403 and stores nothing', async () => {
    const page = await signIn(ctx().app, w.secretary.email, w.secretary.password);
    const before = [await count(ctx(), 'report_submissions'), await count(ctx(), 'report_revisions')];
    const res = await page.agent.post(`/my-reports/${campaignId}`).type('form').send({ _csrf: page.csrf, week: '2021-W41', installed: '5' });
    expect(res.status).toBe(403);
    const plain = await page.agent.post(`/my-reports/${campaignId}`).type('form').send({ _csrf: page.csrf, week: '2021-W41', installed: '25' });
    expect(plain.status).toBe(403);
    expect([await count(ctx(), 'report_submissions'), await count(ctx(), 'report_revisions')]).toEqual(before);
    expect(await ctx().db('report_submissions').where({ campaign_id: campaignId, week: '2021-W41' }).first()).toBeUndefined();
  });

  it('a reporter\'s save with a "decreased" warning still saves and shows the warning', async () => {
    const a = w.agencies[0];
    ctx().setNow('2021-10-07T03:00:00Z');
    expect((await ctx().as(a.reporter).put(`/api/v1/campaigns/${campaignId}/reports/2021-W40`).send({ installed: 10 })).status).toBe(201);
    ctx().setNow('2021-10-14T03:00:00Z');
    const page = await signIn(ctx().app, a.reporter.email, a.reporter.password);
    const res = await page.agent.post(`/my-reports/${campaignId}`).type('form').send({ _csrf: page.csrf, week: '2021-W41', installed: '5' });
    expect(res.status).toBe(200);
    expect(res.text).toContain(t('vi', 'reports.saved'));
    expect(await ctx().db('report_submissions').where({ campaign_id: campaignId, org_id: a.id, week: '2021-W41' }).first()).toMatchObject({ installed: 5 });
  });
});

describeEachDb('reports security: exports stream their rows', (ctx) => {
  let w: CampaignWorld;
  beforeAll(async () => {
    w = await campaignWorld(ctx(), 3, {}, { reporters: false });
    ctx().setNow('2021-12-20T03:00:00Z');
  });

  it('CSV and XLSX are sent as a stream (chunked, no Content-Length computed from a whole buffer)', async () => {
    for (const format of ['csv', 'xlsx']) {
      const res = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/export?format=${format}`).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect([format, res.status]).toEqual([format, 200]);
      expect([format, res.headers['content-length']]).toEqual([format, undefined]);
      expect([format, res.headers['transfer-encoding']]).toEqual([format, 'chunked']);
      expect((res.body as Buffer).length).toBeGreaterThan(100);
    }
  });
});
