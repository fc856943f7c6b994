import { describeEachDb } from '../helpers/context';
import { campaignWorld, type CampaignWorld } from './fixtures';

/**
 * 20 agencies report over three weeks of a campaign whose deadline is Friday 17:00 (Vietnam time):
 * 2021-W40 deadline 2021-10-08T10:00Z, W41 2021-10-15T10:00Z, W42 2021-10-22T10:00Z.
 * Agency i has headcount 10·i + 5; in week k (1, 2, 3) it reports installed = i + 3·k.
 */
describeEachDb('compliance dashboard over three weeks', (ctx) => {
  let w: CampaignWorld;
  const put = (i: number, week: string, body: Record<string, unknown>) => ctx().as(w.agencies[i - 1].reporter).put(`/api/v1/campaigns/${w.campaignId}/reports/${week}`).send(body);
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);

  beforeAll(async () => {
    w = await campaignWorld(ctx(), 20);
  });

  it('week 40: 15 agencies report on time, 3 late, 2 not at all', async () => {
    ctx().setNow('2021-10-07T03:00:00Z'); // Thursday 10:00 in Hà Tĩnh
    for (const i of range(1, 15)) {
      const res = await put(i, '2021-W40', { installed: i + 3 }); // headcount comes from the organisation
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ revision: 1, onTime: true, headcount: 10 * i + 5 });
    }
    ctx().setNow('2021-10-08T10:00:00Z'); // exactly at the deadline is still on time
    expect((await put(16, '2021-W40', { installed: 19 })).body).toMatchObject({ onTime: true, revision: 1 });
    // Correct the figure a second later: still the same on-time report, now revision 2.
    ctx().setNow('2021-10-08T10:00:01Z');
    expect((await put(16, '2021-W40', { installed: 16 + 3 - 1 })).body).toMatchObject({ onTime: true, revision: 2 });
    expect((await put(16, '2021-W40', { installed: 16 + 3 })).body).toMatchObject({ onTime: true, revision: 3 });
    ctx().setNow('2021-10-09T02:00:00Z'); // Saturday morning: late
    for (const i of range(17, 18)) expect((await put(i, '2021-W40', { installed: i + 3 })).body).toMatchObject({ onTime: false, revision: 1 });
    // Agency 16 counted as on time: 16 on time (1–16), 2 late (17–18).

    const d = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/dashboard?week=2021-W40`);
    expect(d.status).toBe(200);
    // By hand: installed Σ(i+3) for i = 1..18 = 171 + 54 = 225; headcount Σ(10i+5) = 1710 + 90 = 1800; 225 / 1800 = 12.5 %.
    expect(d.body).toMatchObject({
      week: '2021-W40',
      expected: 20,
      received: 18,
      onTime: 16,
      late: 2,
      missing: [
        { orgId: w.agencies[18].id, name: 'Đơn vị 19' },
        { orgId: w.agencies[19].id, name: 'Đơn vị 20' },
      ],
      totals: { headcount: 1800, installed: 225, percent: 12.5 },
    });
    expect(Object.keys(d.body).sort()).toEqual(['byOrg', 'byOrgPage', 'expected', 'late', 'missing', 'onTime', 'received', 'totals', 'week']);
    expect(d.body.byOrg).toHaveLength(20);
    const one = d.body.byOrg.find((o: { orgId: number }) => o.orgId === w.agencies[0].id);
    // Agency 1: 4 of 15 = 26.666… → 26.67
    expect(one).toEqual({ orgId: w.agencies[0].id, name: 'Đơn vị 01', code: null, kind: 'department', headcount: 15, installed: 4, percent: 26.67, submittedAt: '2021-10-07T03:00:00.000Z', onTime: true });
    const late = d.body.byOrg.find((o: { orgId: number }) => o.orgId === w.agencies[17].id);
    expect(late).toMatchObject({ onTime: false, submittedAt: '2021-10-09T02:00:00.000Z' });
    // Ranking: highest percent first, agencies without figures last.
    expect(d.body.byOrg[0].name).toBe('Đơn vị 01');
    expect(d.body.byOrg.slice(-2).map((o: { name: string }) => o.name)).toEqual(['Đơn vị 19', 'Đơn vị 20']);
    expect(d.body.byOrg.slice(-1)[0]).toMatchObject({ headcount: null, installed: null, percent: null, submittedAt: null, onTime: null });
  });

  it('week 41: 10 on time, 2 late, 8 missing; the missing carry their week-40 figures into the totals', async () => {
    ctx().setNow('2021-10-14T01:00:00Z');
    for (const i of range(1, 10)) expect((await put(i, '2021-W41', { installed: i + 6 })).status).toBe(201);
    ctx().setNow('2021-10-17T16:59:00Z'); // Sunday 23:59 local, still week 41
    for (const i of range(11, 12)) expect((await put(i, '2021-W41', { installed: i + 6 })).body.onTime).toBe(false);

    const d = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/dashboard?week=2021-W41`);
    // By hand: Σ(i+6) for 1..12 = 78 + 72 = 150; agencies 13–18 keep Σ(i+3) = 93 + 18 = 111; total 261.
    // Headcount: agencies 1–18 = 1800. 261 / 1800 = 14.5 %.
    expect(d.body).toMatchObject({ week: '2021-W41', expected: 20, received: 12, onTime: 10, late: 2, totals: { headcount: 1800, installed: 261, percent: 14.5 } });
    expect(d.body.missing.map((m: { name: string }) => m.name)).toEqual(range(13, 20).map((i) => `Đơn vị ${String(i).padStart(2, '0')}`));
    const carried = d.body.byOrg.find((o: { orgId: number }) => o.orgId === w.agencies[12].id);
    // Agency 13: 16 of 135 = 11.851… → 11.85, from week 40, not reported this week.
    expect(carried).toEqual({ orgId: w.agencies[12].id, name: 'Đơn vị 13', code: null, kind: 'department', headcount: 135, installed: 16, percent: 11.85, submittedAt: null, onTime: null });
  });

  it('week 42: 18 on time, 1 late, 1 missing; a drop in installs is a warning, not an error', async () => {
    ctx().setNow('2021-10-21T01:00:00Z');
    for (const i of range(1, 18)) {
      const res = await put(i, '2021-W42', { installed: i === 5 ? 2 : i + 9 });
      expect(res.status).toBe(201);
      if (i === 5) expect(res.body.warnings).toEqual([expect.objectContaining({ code: 'INSTALLED_DECREASED', previousWeek: '2021-W41', previousInstalled: 11 })]);
      else expect(res.body.warnings).toEqual([]);
    }
    ctx().setNow('2021-10-22T11:00:00Z');
    expect((await put(19, '2021-W42', { installed: 28 })).body.onTime).toBe(false);

    const d = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/dashboard?week=2021-W42`);
    // By hand: Σ(i+9) for 1..19 = 190 + 171 = 361, minus agency 5's drop from 14 to 2 → 349.
    // Headcount Σ(10i+5) for 1..19 = 1900 + 95 = 1995. 349 / 1995 = 17.4937… → 17.49 %.
    expect(d.body).toMatchObject({ week: '2021-W42', expected: 20, received: 19, onTime: 18, late: 1, missing: [{ name: 'Đơn vị 20' }], totals: { headcount: 1995, installed: 349, percent: 17.49 } });
  });

  it('shows the trend of total percent and completeness week by week', async () => {
    const res = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/trend?week=2021-W42`);
    expect(res.status).toBe(200);
    expect(res.body.weeks).toEqual([
      { week: '2021-W40', expected: 20, received: 18, onTime: 16, late: 2, completeness: 90, headcount: 1800, installed: 225, percent: 12.5 },
      { week: '2021-W41', expected: 20, received: 12, onTime: 10, late: 2, completeness: 60, headcount: 1800, installed: 261, percent: 14.5 },
      { week: '2021-W42', expected: 20, received: 19, onTime: 18, late: 1, completeness: 95, headcount: 1995, installed: 349, percent: 17.49 },
    ]);
  });

  it('without ?week= shows the current week', async () => {
    ctx().setNow('2021-10-23T01:00:00Z');
    const d = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/dashboard`);
    expect(d.body.week).toBe('2021-W42');
  });

  it('keeps every revision with who and when', async () => {
    const res = await ctx().as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/reports/2021-W40?orgId=${w.agencies[15].id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revision: 3, installed: 19, onTime: true, submittedAt: '2021-10-08T10:00:00.000Z' });
    expect(res.body.revisions.map((r: { revision: number; installed: number; submittedAt: string; submittedBy: { name: string } }) => [r.revision, r.installed, r.submittedAt, r.submittedBy.name])).toEqual([
      [1, 19, '2021-10-08T10:00:00.000Z', 'Đầu mối 16'],
      [2, 18, '2021-10-08T10:00:01.000Z', 'Đầu mối 16'],
      [3, 19, '2021-10-08T10:00:01.000Z', 'Đầu mối 16'],
    ]);
  });
});

describeEachDb('a campaign that counts residents', (ctx) => {
  it('compares the installs with the population aged 18+', async () => {
    const dept = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    const drafter = await ctx().createUser(['drafter'], dept);
    const a = await ctx().createOrg({ name: 'UBND xã A', shortName: 'UBND', kind: 'commune', population18: 5000 });
    const b = await ctx().createOrg({ name: 'UBND xã B', shortName: 'UBND', kind: 'commune', population18: 3000 });
    const reporter = await ctx().createUser(['reporter'], a); // signed in before the clock moves back to 2021
    const c = await ctx().as(drafter).post('/api/v1/campaigns').send({ name: 'Sổ sức khỏe', metricLabel: 'Số người dân đã cài đặt', startDate: '2021-10-04', endDate: '2021-10-31', deadline: { weekday: 1, time: '09:00' }, orgIds: [a, b], countsResidents: true });
    expect(c.status).toBe(201);
    ctx().setNow('2021-10-05T01:00:00Z');
    const put = await ctx().as(reporter).put(`/api/v1/campaigns/${c.body.id}/reports/2021-W40`).send({ installed: 476 });
    expect(put.body).toMatchObject({ headcount: 5000, onTime: false });
    const d = await ctx().as(drafter).get(`/api/v1/campaigns/${c.body.id}/dashboard?week=2021-W40`);
    // 476 of the 8,000 adults of both communes = 5.95 %
    expect(d.body).toMatchObject({ population18: 8000, percentOfPopulation18: 5.95, totals: { headcount: 5000, installed: 476, percent: 9.52 } });
  });
});
