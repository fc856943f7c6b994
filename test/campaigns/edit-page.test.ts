import { describeEachDb } from '../helpers/context';
import { signIn } from '../helpers/browser-session';

/** Issue 15 item 1 (campaigns): the edit and close forms on the campaign page, as a drafter uses them. */
describeEachDb('editing and closing a campaign on its page', (ctx) => {
  it('saves an edit, shows a field message in Vietnamese for a bad week, and closes the campaign', async () => {
    const dept = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    const a = await ctx().createOrg({ name: 'Sở Tư pháp', shortName: 'STP', kind: 'department', headcount: 40 });
    const b = await ctx().createOrg({ name: 'Sở Nội vụ', shortName: 'SNV', kind: 'department', headcount: 30 });
    const d = await ctx().createUser(['drafter'], dept);
    ctx().setNow('2021-10-12T03:00:00Z');
    const c = await ctx().as(d).post('/api/v1/campaigns').send({ name: 'Sổ sức khỏe', metricLabel: 'Đã cài đặt', startDate: '2021-10-04', endDate: '2021-12-31', deadline: { weekday: 5, time: '17:00' }, orgIds: [a] });
    expect(c.status).toBe(201);
    const page = await signIn(ctx().app, d.email, d.password);
    const csrf = await page.refresh(`/campaigns/${c.body.id}`);
    const shown = await page.agent.get(`/campaigns/${c.body.id}`);
    expect(shown.text).toContain('Sửa chiến dịch');
    const form = { _csrf: csrf, name: 'Sổ sức khỏe điện tử', endDate: '2021-12-31', targetPercent: '90', deadlineWeekday: '4', deadlineTime: '16:00', addOrgIds: String(b) };

    const bad = await page.agent.post(`/campaigns/${c.body.id}/edit`).type('form').send({ ...form, fromWeek: 'tuần sau' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="e-from-error"[^>]*>[^<]*tuần/i);
    expect((await ctx().as(d).get(`/api/v1/campaigns/${c.body.id}`)).body).toMatchObject({ name: 'Sổ sức khỏe', orgIds: [a] });

    const noCsrf = await page.agent.post(`/campaigns/${c.body.id}/edit`).type('form').send({ ...form, _csrf: 'x', fromWeek: '2021-W42' });
    expect(noCsrf.status).toBe(403);

    const ok = await page.agent.post(`/campaigns/${c.body.id}/edit`).type('form').send({ ...form, fromWeek: '2021-W42' });
    expect(ok.status).toBe(303);
    expect((await ctx().as(d).get(`/api/v1/campaigns/${c.body.id}`)).body).toMatchObject({ name: 'Sổ sức khỏe điện tử', targetPercent: 90, deadline: { weekday: 4, time: '16:00' }, orgIds: expect.arrayContaining([a, b]) });
    // Week 41 (before the edit) still expects one organisation, week 42 two.
    expect((await ctx().as(d).get(`/api/v1/campaigns/${c.body.id}/dashboard?week=2021-W41`)).body.expected).toBe(1);
    expect((await ctx().as(d).get(`/api/v1/campaigns/${c.body.id}/dashboard?week=2021-W42`)).body.expected).toBe(2);

    const closed = await page.agent.post(`/campaigns/${c.body.id}/close`).type('form').send({ _csrf: csrf });
    expect(closed.status).toBe(303);
    const after = await page.agent.get(`/campaigns/${c.body.id}`);
    expect(after.text).toContain('Đã kết thúc');
    expect(after.text).not.toContain('Sửa chiến dịch');
  });
});
