import { describeEachDb, type TestUser } from '../helpers/context';

/**
 * Issue 17 item 1 and issue 15 item 1 (campaigns): the weekly roll-ups the trend reads equal a fresh computation (the
 * dashboard's, week by week) after random submissions, revisions and an edit of the expected organisations; the
 * edit changes the expected counts from its week on and leaves the weeks before it as they were; a closed campaign
 * takes no reports; the dashboard's table pages, searches, sorts and drills down.
 */
describeEachDb('weekly roll-ups, campaign edits and the paged dashboard', (ctx) => {
  const WEEKS = ['2021-W40', '2021-W41', '2021-W42', '2021-W43', '2021-W44'];
  let secretary: TestUser;
  let drafter: TestUser;
  let district: number;
  let communesInside: number[];
  let others: number[];
  let later: number;

  beforeAll(async () => {
    const dept = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    drafter = await ctx().createUser(['drafter'], dept);
    secretary = await ctx().createUser(['secretary'], dept);
    const province = await ctx().createOrg({ name: 'UBND tỉnh', shortName: 'Tỉnh', kind: 'province' });
    district = await ctx().createOrg({ name: 'UBND huyện Hương Sơn', shortName: 'HS', kind: 'district', parentId: province, population18: 1000, headcount: 1000 });
    communesInside = [
      await ctx().createOrg({ name: 'UBND xã Sơn Tây', shortName: 'ST', kind: 'commune', parentId: district, population18: 300, headcount: 300 }),
      await ctx().createOrg({ name: 'UBND xã Sơn Kim', shortName: 'SK', kind: 'commune', parentId: district, population18: 200, headcount: 200 }),
    ];
    const k = await ctx().createOrg({ name: 'UBND huyện Kỳ Anh', shortName: 'KA', kind: 'district', parentId: province, population18: 5000 });
    others = [
      await ctx().createOrg({ name: 'UBND xã Kỳ Đồng', shortName: 'KĐ', kind: 'commune', parentId: k, population18: 400, headcount: 400 }),
      await ctx().createOrg({ name: 'UBND xã Kỳ Lạc', shortName: 'KL', kind: 'commune', parentId: k, population18: 500, headcount: 500 }),
    ];
    later = await ctx().createOrg({ name: 'UBND xã Kỳ Hoa', shortName: 'KH', kind: 'commune', parentId: k, population18: 600, headcount: 600 });
  });

  /** A small deterministic random sequence (the same on every run and database). */
  function random(seed: number) {
    let x = seed;
    return (n: number) => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
  }

  async function newCampaign(countsResidents: boolean) {
    ctx().setNow('2021-10-04T01:00:00Z');
    const c = await ctx()
      .as(drafter)
      .post('/api/v1/campaigns')
      .send({ name: countsResidents ? 'VNeID' : 'Sổ sức khỏe', metricLabel: 'Đã cài đặt', startDate: '2021-10-04', endDate: '2021-11-07', deadline: { weekday: 5, time: '17:00' }, orgIds: [district, ...communesInside, ...others], countsResidents });
    expect(c.status).toBe(201);
    return c.body.id as number;
  }

  /** Per week: the trend's point (from the roll-ups) beside the dashboard's figures (a fresh computation). */
  async function bothWays(campaignId: number) {
    const tr = await ctx().as(drafter).get(`/api/v1/campaigns/${campaignId}/trend?week=2021-W44`);
    expect(tr.status).toBe(200);
    const out = [];
    for (const w of WEEKS) {
      const d = await ctx().as(drafter).get(`/api/v1/campaigns/${campaignId}/dashboard?week=${w}`);
      expect(d.status).toBe(200);
      const p = tr.body.weeks.find((x: { week: string }) => x.week === w);
      out.push({ week: w, trend: { expected: p.expected, received: p.received, onTime: p.onTime, headcount: p.headcount, installed: p.installed }, dashboard: { expected: d.body.expected, received: d.body.received, onTime: d.body.onTime, headcount: d.body.totals.headcount, installed: d.body.totals.installed } });
    }
    return out;
  }

  async function randomReports(campaignId: number, orgs: number[], weeks: string[], n: number, seed: number) {
    const next = random(seed);
    for (let i = 0; i < n; i++) {
      const week = weeks[next(weeks.length)];
      const orgId = orgs[next(orgs.length)];
      // Some on time (Monday of the week), some late (the next Monday); installed up to the smallest headcount.
      const monday = new Date(Date.UTC(2021, 9, 4 + 7 * WEEKS.indexOf(week), 1));
      ctx().setNow(new Date(monday.getTime() + (next(3) === 0 ? 7 * 86400_000 : 0)));
      const res = await ctx().as(secretary).put(`/api/v1/campaigns/${campaignId}/reports/${week}`).send({ orgId, installed: next(200) });
      expect([200, 201]).toContain(res.status);
    }
  }

  for (const countsResidents of [true, false]) {
    it(`${countsResidents ? 'residents' : 'staff'}: roll-ups equal a fresh scan after reports, revisions and an edit; weeks before the edit unchanged`, async () => {
      const id = await newCampaign(countsResidents);
      await randomReports(id, [district, ...communesInside, ...others], WEEKS.slice(0, 3), 18, countsResidents ? 7 : 11);
      const before = await bothWays(id);
      for (const row of before) expect(row.trend).toEqual(row.dashboard);
      if (countsResidents) {
        // The district and its communes are all expected: the communes add nothing to the totals (counted once).
        const d = await ctx().as(drafter).get(`/api/v1/campaigns/${id}/dashboard?week=2021-W42`);
        const counted = d.body.byOrg.filter((o: { inTotals: boolean; headcount: number | null }) => o.inTotals && o.headcount != null);
        expect(d.body.totals.headcount).toBe(counted.reduce((s: number, o: { headcount: number }) => s + o.headcount, 0));
        expect(counted.map((o: { orgId: number }) => o.orgId)).not.toContain(communesInside[0]);
      }

      // From week 43 on: the district and one commune leave, a new commune joins.
      ctx().setNow('2021-10-25T01:00:00Z');
      const edit = await ctx().as(drafter).patch(`/api/v1/campaigns/${id}`).send({ removeOrgIds: [district, others[0]], addOrgIds: [later], fromWeek: '2021-W43', targetPercent: 80 });
      expect(edit.status).toBe(200);
      expect(edit.body).toMatchObject({ targetPercent: 80 });
      expect([...edit.body.orgIds].sort()).toEqual([...communesInside, others[1], later].sort());
      const after = await bothWays(id);
      expect(after.slice(0, 3)).toEqual(before.slice(0, 3)); // weeks 40–42: as they were
      expect(after[3].trend.expected).toBe(5 - 2 + 1);
      await randomReports(id, [...communesInside, others[1], later], WEEKS.slice(2), 14, countsResidents ? 5 : 3);
      // The removed organisation cannot report from week 43 on.
      const refused = await ctx().as(secretary).put(`/api/v1/campaigns/${id}/reports/2021-W43`).send({ orgId: district, installed: 1 });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('ORG_NOT_EXPECTED');
      const final = await bothWays(id);
      for (const row of final) expect(row.trend).toEqual(row.dashboard);
      expect(final.slice(0, 2)).toEqual(before.slice(0, 2));
      if (countsResidents) {
        // Week 43: the district is gone, so its communes now count with their own people.
        const d = await ctx().as(drafter).get(`/api/v1/campaigns/${id}/dashboard?week=2021-W43`);
        expect(d.body.byOrg.every((o: { inTotals: boolean }) => o.inTotals)).toBe(true);
      }
    });
  }

  it('a closed campaign takes no reports (409, in Vietnamese) and shows as closed', async () => {
    const id = await newCampaign(false);
    ctx().setNow('2021-10-05T01:00:00Z');
    const close = await ctx().as(drafter).post(`/api/v1/campaigns/${id}/close`);
    expect(close.status).toBe(200);
    expect(close.body.closedAt).toBe('2021-10-05T01:00:00.000Z');
    const res = await ctx().as(secretary).put(`/api/v1/campaigns/${id}/reports/2021-W40`).send({ orgId: others[0], installed: 3 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CAMPAIGN_CLOSED');
    expect(res.body.error.message).toContain('đã kết thúc');
    expect((await ctx().db('report_submissions').where({ campaign_id: id })).length).toBe(0);
    expect((await ctx().as(drafter).patch(`/api/v1/campaigns/${id}`).send({ name: 'Khác' })).status).toBe(409);
  });

  it('an edit names the wrong field and changes nothing; other departments cannot edit', async () => {
    const id = await newCampaign(false);
    const bad = await ctx().as(drafter).patch(`/api/v1/campaigns/${id}`).send({ addOrgIds: [later] });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(['fromWeek']);
    const outside = await ctx().as(drafter).patch(`/api/v1/campaigns/${id}`).send({ addOrgIds: [later], fromWeek: '2022-W01' });
    expect(outside.status).toBe(400);
    expect(outside.body.error.code).toBe('WEEK_OUTSIDE_CAMPAIGN');
    const otherDept = await ctx().createOrg({ name: 'Sở Nội vụ', shortName: 'SNV', kind: 'department' });
    const stranger = await ctx().createUser(['drafter'], otherDept);
    expect((await ctx().as(stranger).patch(`/api/v1/campaigns/${id}`).send({ name: 'X' })).status).toBe(403);
    expect((await ctx().as(stranger).post(`/api/v1/campaigns/${id}/close`)).status).toBe(403);
    const c = await ctx().as(drafter).get(`/api/v1/campaigns/${id}`);
    expect(c.body).toMatchObject({ name: 'Sổ sức khỏe', closedAt: null });
    expect(c.body.orgIds).toHaveLength(5);
  });

  it('pages, searches, sorts and drills down the per-organisation table', async () => {
    const id = await newCampaign(false);
    ctx().setNow('2021-10-05T01:00:00Z');
    const put = (orgId: number, installed: number) => ctx().as(secretary).put(`/api/v1/campaigns/${id}/reports/2021-W40`).send({ orgId, installed });
    await put(district, 500); // 50 %
    await put(communesInside[0], 30); // 10 %
    ctx().setNow('2021-10-09T01:00:00Z'); // after Friday's deadline: late
    await put(others[1], 400); // 80 %
    const get = async (q: string) => (await ctx().as(drafter).get(`/api/v1/campaigns/${id}/dashboard?week=2021-W40&${q}`)).body;
    const names = (d: { byOrg: { name: string }[] }) => d.byOrg.map((o) => o.name);

    const p1 = await get('pageSize=2');
    expect(p1.byOrgPage).toEqual({ total: 5, page: 1, pageSize: 2, sort: 'progress' });
    expect(names(p1)).toEqual(['UBND xã Kỳ Lạc', 'UBND huyện Hương Sơn']);
    expect(p1).toMatchObject({ expected: 5, received: 3, totals: { headcount: 1800, installed: 930 } });
    const p3 = await get('pageSize=2&page=3');
    expect(names(p3)).toEqual(['UBND xã Sơn Kim']); // no figures: last (after Kỳ Đồng by name)
    expect(names(await get('sort=name&pageSize=3'))).toEqual(['UBND huyện Hương Sơn', 'UBND xã Kỳ Đồng', 'UBND xã Kỳ Lạc']);
    // Lateness: the missing first (by name), then the late, then on time.
    expect(names(await get('sort=lateness'))).toEqual(['UBND xã Kỳ Đồng', 'UBND xã Sơn Kim', 'UBND xã Kỳ Lạc', 'UBND huyện Hương Sơn', 'UBND xã Sơn Tây']);
    // Search ignores case and diacritics.
    expect(names(await get('q=son'))).toEqual(['UBND huyện Hương Sơn', 'UBND xã Sơn Tây', 'UBND xã Sơn Kim']);
    expect(names(await get('kind=district'))).toEqual(['UBND huyện Hương Sơn']);
    // Drill-down into the district: itself and its communes, with their own totals; the campaign's stay.
    const under = await get(`under=${district}`);
    expect(names(under)).toEqual(['UBND huyện Hương Sơn', 'UBND xã Sơn Tây', 'UBND xã Sơn Kim']);
    expect(under.scope).toMatchObject({ orgId: district, expected: 3, received: 2, totals: { headcount: 1300, installed: 530 } });
    expect(under.expected).toBe(5);
    const bad = await ctx().as(drafter).get(`/api/v1/campaigns/${id}/dashboard?sort=size&pageSize=1000`);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['pageSize', 'sort']);
  });

  it('small pages put equal figures in name order exactly as one page of everything does, in every order', async () => {
    // 23 communes whose figures and report times come in runs of equal ones: the pages of 4 cut through the runs,
    // which only the runs reaching into a page are put in name order for.
    const province = await ctx().createOrg({ name: 'UBND tỉnh Quảng Trị', shortName: 'QT', kind: 'province' });
    const names = ['Ái Tử', 'Ba Lòng', 'Bến Quan', 'Cam Lộ', 'Cửa Tùng', 'Đakrông', 'Gio Linh', 'Hải Lăng', 'Hướng Hóa', 'Khe Sanh', 'Lao Bảo', 'Lìa', 'Mỹ Thủy', 'Nam Cửa Việt', 'Phong Điền', 'Quảng Trị', 'Tà Rụt', 'Triệu Phong', 'Vĩnh Linh', 'Xuân Lộc', 'Ân Phú', 'Đông Hà', 'Ẳng Cang'];
    const orgs: number[] = [];
    for (const n of names) orgs.push(await ctx().createOrg({ name: `UBND xã ${n}`, shortName: n, kind: 'commune', parentId: province, headcount: 100 }));
    ctx().setNow('2021-10-04T01:00:00Z');
    const c = await ctx().as(drafter).post('/api/v1/campaigns').send({ name: 'Ties', metricLabel: 'Đã cài đặt', startDate: '2021-10-04', endDate: '2021-11-07', deadline: { weekday: 5, time: '17:00' }, orgIds: orgs });
    expect(c.status).toBe(201);
    for (const [i, orgId] of orgs.entries()) {
      if (i % 5 === 4) continue; // missing
      ctx().setNow(i % 3 === 0 ? '2021-10-09T01:00:00Z' : '2021-10-06T01:00:00Z'); // late or on time, two moments
      expect((await ctx().as(secretary).put(`/api/v1/campaigns/${c.body.id}/reports/2021-W40`).send({ orgId, installed: 10 * (i % 4) })).status).toBe(201);
    }
    const page = async (sort: string, p: number, size: number) =>
      ((await ctx().as(drafter).get(`/api/v1/campaigns/${c.body.id}/dashboard?week=2021-W40&sort=${sort}&page=${p}&pageSize=${size}`)).body.byOrg as { orgId: number }[]).map((o) => o.orgId);
    for (const sort of ['progress', 'lateness', 'name']) {
      const all = await page(sort, 1, 200);
      expect(all).toHaveLength(23);
      const paged: number[] = [];
      for (let p = 1; p <= 6; p++) paged.push(...(await page(sort, p, 4)));
      expect([sort, paged]).toEqual([sort, all]);
    }
    // and the full page is in the order's own keys, then Vietnamese name order
    const byName = new Intl.Collator('vi').compare;
    const rows = (await ctx().as(drafter).get(`/api/v1/campaigns/${c.body.id}/dashboard?week=2021-W40&sort=name&pageSize=200`)).body.byOrg as { name: string }[];
    expect(rows.map((r) => r.name)).toEqual([...rows.map((r) => r.name)].sort(byName));
  });
});
