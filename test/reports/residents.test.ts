import { describeEachDb } from '../helpers/context';
import { signIn } from '../helpers/browser-session';

/**
 * Issue 15 item 6. A residents campaign expects district H (101,300 adults), commune X inside it (6,410) and
 * commune Y elsewhere (2,000, under another district that is not expected). By hand: the population is
 * 101,300 + 2,000 = 103,300 (X is inside H, counted once — not 101,300 + 6,410 = 107,710 + 2,000).
 */
describeEachDb('residents campaigns count each person once', (ctx) => {
  it('does not add a commune whose district is also expected; the headline is residents vs population 18+', async () => {
    const dept = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    const drafter = await ctx().createUser(['drafter'], dept);
    const province = await ctx().createOrg({ name: 'UBND tỉnh', shortName: 'UBND tỉnh', kind: 'province' });
    const h = await ctx().createOrg({ name: 'UBND huyện H', shortName: 'H', kind: 'district', parentId: province, population18: 101300 });
    const x = await ctx().createOrg({ name: 'UBND xã X', shortName: 'X', kind: 'commune', parentId: h, population18: 6410 });
    const other = await ctx().createOrg({ name: 'UBND huyện K', shortName: 'K', kind: 'district', parentId: province, population18: 50000 });
    const y = await ctx().createOrg({ name: 'UBND xã Y', shortName: 'Y', kind: 'commune', parentId: other, population18: 2000 });
    const rh = await ctx().createUser(['reporter'], h);
    const rx = await ctx().createUser(['reporter'], x);
    const ry = await ctx().createUser(['reporter'], y);
    const page = await signIn(ctx().app, drafter.email, drafter.password);
    const rxPage = await signIn(ctx().app, rx.email, rx.password);
    const c = await ctx().as(drafter).post('/api/v1/campaigns').send({ name: 'VNeID', metricLabel: 'Số người dân đã cài đặt VNeID', startDate: '2021-10-04', endDate: '2021-10-31', deadline: { weekday: 5, time: '17:00' }, orgIds: [h, x, y], countsResidents: true });
    expect(c.status).toBe(201);
    ctx().setNow('2021-10-05T01:00:00Z');
    const url = `/api/v1/campaigns/${c.body.id}/reports/2021-W40`;
    expect((await ctx().as(rh).put(url).send({ installed: 50650 })).body).toMatchObject({ headcount: 101300 });
    expect((await ctx().as(rx).put(url).send({ installed: 3205 })).body).toMatchObject({ headcount: 6410 });
    expect((await ctx().as(ry).put(url).send({ installed: 1000 })).body).toMatchObject({ headcount: 2000 });

    const d = await ctx().as(drafter).get(`/api/v1/campaigns/${c.body.id}/dashboard?week=2021-W40`);
    expect(d.status).toBe(200);
    // By hand: population 101,300 + 2,000 = 103,300; installed 50,650 + 1,000 = 51,650; 51,650 / 103,300 = 50 %.
    expect(d.body).toMatchObject({ expected: 3, received: 3, population18: 103300, percentOfPopulation18: 50, totals: { headcount: 103300, installed: 51650, percent: 50 } });
    const byId = new Map((d.body.byOrg as { orgId: number; inTotals: boolean; installed: number }[]).map((o) => [o.orgId, o]));
    expect(byId.get(x)).toMatchObject({ inTotals: false, installed: 3205 }); // still listed with its own figures
    expect(byId.get(h)).toMatchObject({ inTotals: true });
    expect(byId.get(y)).toMatchObject({ inTotals: true });

    const html = await page.agent.get(`/campaigns/${c.body.id}/reports?week=2021-W40`);
    expect(html.status).toBe(200);
    expect(html.text).toContain('data-headline="residents"');
    expect(html.text).toContain('51.650 người dân / 103.300 người từ 18 tuổi trở lên');

    // The reporter's form asks for the campaign's quantity: residents and the population aged 18+.
    const mine = await rxPage.agent.get('/my-reports');
    expect(mine.status).toBe(200);
    expect(mine.text).toMatch(/<label for="i-\d+">Số người dân đã cài đặt VNeID<\/label>/);
    expect(mine.text).toMatch(/<label for="h-\d+">Dân số từ 18 tuổi trở lên<\/label>/);
  });

  it('a staff campaign keeps counting every organisation and asks for staff', async () => {
    const dept = await ctx().createOrg({ name: 'Sở Nội vụ', shortName: 'SNV', kind: 'department' });
    const drafter = await ctx().createUser(['drafter'], dept);
    const parent = await ctx().createOrg({ name: 'Sở Tư pháp', shortName: 'STP', kind: 'department', headcount: 40 });
    const child = await ctx().createOrg({ name: 'Phòng Công chứng', shortName: 'PCC', kind: 'department', parentId: parent, headcount: 10 });
    const rp = await ctx().createUser(['reporter'], parent);
    const rc = await ctx().createUser(['reporter'], child);
    const rcPage = await signIn(ctx().app, rc.email, rc.password);
    const c = await ctx().as(drafter).post('/api/v1/campaigns').send({ name: 'Sổ sức khỏe', metricLabel: 'Số cán bộ đã cài đặt', startDate: '2021-10-04', endDate: '2021-10-31', deadline: { weekday: 5, time: '17:00' }, orgIds: [parent, child] });
    ctx().setNow('2021-10-05T01:00:00Z');
    const url = `/api/v1/campaigns/${c.body.id}/reports/2021-W40`;
    await ctx().as(rp).put(url).send({ installed: 20 });
    await ctx().as(rc).put(url).send({ installed: 5 });
    const d = await ctx().as(drafter).get(`/api/v1/campaigns/${c.body.id}/dashboard?week=2021-W40`);
    // Staff are people of each organisation: 40 + 10 = 50, 20 + 5 = 25 → 50 %.
    expect(d.body).toMatchObject({ totals: { headcount: 50, installed: 25, percent: 50 } });
    expect(d.body.population18).toBeUndefined();
    const mine = await rcPage.agent.get('/my-reports');
    expect(mine.text).toMatch(/<label for="i-\d+">Số cán bộ đã cài đặt<\/label>/);
    expect(mine.text).toMatch(/<label for="h-\d+">Số cán bộ<\/label>/);
  });
});
