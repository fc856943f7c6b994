import { describeEachDb, type TestUser } from '../helpers/context';
import { campaignWorld, type CampaignWorld } from './fixtures';

const count = async (ctx: () => { db: import('../../src/db').Db }, table: string) => Number((await ctx().db(table).count({ n: '*' }))[0].n);

describeEachDb('campaigns', (ctx) => {
  it('a drafter creates a campaign for its own department, from organisations or a group', async () => {
    const w = await campaignWorld(ctx(), 2);
    const one = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}`);
    expect(one.body).toMatchObject({ ownerOrgId: w.departmentId, targetPercent: 100, deadline: { weekday: 5, time: '17:00' }, reminderHoursBefore: 24, orgIds: w.agencies.map((a) => a.id).sort((a, b) => a - b) });
    const group = await ctx().as(w.drafter).post('/api/v1/recipient-groups').send({ name: 'Hai đơn vị', orgIds: w.agencies.map((a) => a.id) });
    const fromGroup = await ctx().as(w.drafter).post('/api/v1/campaigns').send({ name: 'Tiêm chủng', metricLabel: 'Số mũi tiêm', startDate: '2021-10-01', endDate: '2021-10-31', deadline: { weekday: 1, time: '09:00' }, groupId: group.body.id });
    expect(fromGroup.status).toBe(201);
    expect(fromGroup.body.orgIds.sort()).toEqual(w.agencies.map((a) => a.id).sort());
    const list = await ctx().as(w.drafter).get('/api/v1/campaigns');
    expect(list.body.items.map((c: { id: number }) => c.id)).toEqual(expect.arrayContaining([w.campaignId, fromGroup.body.id]));
  });

  it('refuses bad campaigns and people who may not run one', async () => {
    const w = await campaignWorld(ctx(), 1);
    const good = { name: 'X', metricLabel: 'Y', startDate: '2021-10-01', endDate: '2021-10-31', deadline: { weekday: 5, time: '17:00' }, orgIds: [w.agencies[0].id] };
    const before = await count(ctx, 'campaigns');
    for (const [patch, field] of [
      [{ deadline: { weekday: 8, time: '17:00' } }, 'deadline.weekday'],
      [{ deadline: { weekday: 5, time: '25:00' } }, 'deadline.time'],
      [{ endDate: '2021-09-01' }, 'endDate'],
      [{ startDate: '2021-02-30' }, 'startDate'],
      [{ orgIds: [999999] }, 'orgIds'],
      [{ orgIds: undefined }, 'orgIds'],
      [{ targetPercent: 120 }, 'targetPercent'],
    ] as const) {
      const res = await ctx().as(w.drafter).post('/api/v1/campaigns').send({ ...good, ...patch });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toHaveProperty([field]);
    }
    expect((await ctx().as(w.agencies[0].reporter).post('/api/v1/campaigns').send(good)).status).toBe(403);
    expect(await count(ctx, 'campaigns')).toBe(before);
  });
});

describeEachDb('submitting weekly figures', (ctx) => {
  let w: CampaignWorld;
  let outsiderReporter: TestUser;
  let otherDrafter: TestUser;
  const url = (week: string) => `/api/v1/campaigns/${w.campaignId}/reports/${week}`;
  beforeAll(async () => {
    w = await campaignWorld(ctx(), 3);
    const outsider = await ctx().createOrg({ name: 'Báo Hà Tĩnh', shortName: 'BHT', kind: 'press', headcount: 50 });
    outsiderReporter = await ctx().createUser(['reporter'], outsider);
    const otherDept = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    otherDrafter = await ctx().createUser(['drafter'], otherDept);
    // Users sign in before the clock moves back to 2021 (their tokens are issued at the real time).
    ctx().setNow('2021-10-13T02:00:00Z'); // Wednesday of 2021-W41
  });

  it('the same figures twice make one revision; a change makes the next one', async () => {
    const api = ctx().as(w.agencies[0].reporter);
    const first = await api.put(url('2021-W41')).send({ headcount: 15, installed: 5, note: 'Đợt 1' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ revision: 1, onTime: true });
    const again = await api.put(url('2021-W41')).send({ headcount: 15, installed: 5, note: 'Đợt 1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ revision: 1, onTime: true });
    const changed = await api.put(url('2021-W41')).send({ headcount: 15, installed: 7, note: 'Đợt 1' });
    expect(changed.body).toMatchObject({ revision: 2 });
    const revisions = await ctx().db('report_revisions').where({ campaign_id: w.campaignId, org_id: w.agencies[0].id }).orderBy('revision');
    expect(revisions.map((r: { revision: number; installed: number; submitted_by: number }) => [r.revision, r.installed, r.submitted_by])).toEqual([
      [1, 5, w.agencies[0].reporter.id],
      [2, 7, w.agencies[0].reporter.id],
    ]);
  });

  it('concurrent identical submissions still record one report', async () => {
    const api = ctx().as(w.agencies[1].reporter);
    const results = await Promise.all(Array.from({ length: 6 }, () => api.put(url('2021-W41')).send({ installed: 9 })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(await ctx().db('report_revisions').where({ campaign_id: w.campaignId, org_id: w.agencies[1].id })).toHaveLength(1);
  });

  it('bad input is a 400 and changes nothing', async () => {
    const api = ctx().as(w.agencies[2].reporter);
    const before = [await count(ctx, 'report_submissions'), await count(ctx, 'report_revisions')];
    const cases: [string, Record<string, unknown>, string][] = [
      ['2021-W41', { headcount: 10, installed: 11 }, 'INSTALLED_OVER_HEADCOUNT|VALIDATION_FAILED'],
      ['2021-W41', { installed: 36 }, 'INSTALLED_OVER_HEADCOUNT'], // the organisation's headcount is 35
      ['2021-W41', { installed: -1 }, 'VALIDATION_FAILED'],
      ['2021-W41', { installed: 2.5 }, 'VALIDATION_FAILED'],
      ['2021-W41', { headcount: -3, installed: 0 }, 'VALIDATION_FAILED'],
      ['2021-W41', { installed: 'many' }, 'VALIDATION_FAILED'],
      ['2021-W41', {}, 'VALIDATION_FAILED'],
      ['2021-W41', { installed: 1, extra: true }, 'VALIDATION_FAILED'],
      ['2021-41', { installed: 1 }, 'WEEK_INVALID'],
      ['2021-W54', { installed: 1 }, 'WEEK_INVALID'],
      ['2021-W53', { installed: 1 }, 'WEEK_INVALID'], // 2021 has 52 ISO weeks
      ['2021-W39', { installed: 1 }, 'WEEK_OUTSIDE_CAMPAIGN'], // before the start (2021-10-04)
      ['2022-W01', { installed: 1 }, 'WEEK_OUTSIDE_CAMPAIGN'], // after the end (2021-12-31)
      ['2021-W42', { installed: 1 }, 'WEEK_IN_FUTURE'],
    ];
    for (const [week, body, code] of cases) {
      const res = await api.put(url(week)).send(body);
      expect([week, body, res.status]).toEqual([week, body, 400]);
      expect(res.body.error.code).toMatch(new RegExp(`^(${code})$`));
    }
    expect([await count(ctx, 'report_submissions'), await count(ctx, 'report_revisions')]).toEqual(before);
  });

  it('a reporter reports only for its own agency and only in campaigns it is expected in (403)', async () => {
    const api = ctx().as(w.agencies[2].reporter);
    const other = await api.put(url('2021-W41')).send({ installed: 1, orgId: w.agencies[0].id });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('REPORT_OTHER_ORG');
    const notExpected = await ctx().as(outsiderReporter).put(url('2021-W41')).send({ installed: 1 });
    expect(notExpected.status).toBe(403);
    expect(notExpected.body.error.code).toBe('ORG_NOT_EXPECTED');
    expect(await ctx().db('report_submissions').where({ org_id: w.agencies[0].id, week: '2021-W41' }).first()).toMatchObject({ installed: 7 });
  });

  it('the department secretary may enter figures for an agency (orgId); a drafter may not', async () => {
    const sec = await ctx().as(w.secretary).put(url('2021-W41')).send({ installed: 30, orgId: w.agencies[2].id });
    expect(sec.status).toBe(201);
    expect(sec.body).toMatchObject({ orgId: w.agencies[2].id, headcount: 35 });
    expect((await ctx().as(w.drafter).put(url('2021-W41')).send({ installed: 30, orgId: w.agencies[2].id })).status).toBe(403);
  });

  it('a reporter cannot see another agency\'s figures, the dashboard, the exports or the reminders', async () => {
    const api = ctx().as(w.agencies[2].reporter);
    expect((await api.get(`${url('2021-W41')}?orgId=${w.agencies[0].id}`)).status).toBe(403);
    expect((await api.get(url('2021-W41'))).body).toMatchObject({ installed: 30 });
    for (const path of ['dashboard', 'trend', 'export?format=csv', 'export?format=xlsx', 'summary.docx', 'reminders']) {
      expect([path, (await api.get(`/api/v1/campaigns/${w.campaignId}/${path}`)).status]).toEqual([path, 403]);
    }
    expect((await api.post(`/api/v1/campaigns/${w.campaignId}/reminders`).send({})).status).toBe(403);
    const seen = await api.get(`/api/v1/campaigns/${w.campaignId}`);
    expect(seen.body.orgIds).toEqual([w.agencies[2].id]);
    // Another department's staff do not run this campaign either.
    expect((await ctx().as(otherDrafter).get(`/api/v1/campaigns/${w.campaignId}/dashboard`)).status).toBe(403);
    expect((await ctx().as(otherDrafter).get(`/api/v1/campaigns/${w.campaignId}`)).status).toBe(404);
  });
});
