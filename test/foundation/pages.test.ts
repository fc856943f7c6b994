import ExcelJS from 'exceljs';
import { describeEachDb } from '../helpers/context';
import { csrfFrom, signIn } from '../helpers/browser-session';
import request from 'supertest';

describeEachDb('pages for the administrator', (ctx) => {
  it('signs in through the form, in Vietnamese by default and English on request', async () => {
    const page = await request(ctx().app).get('/login');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Đăng nhập');
    expect((await request(ctx().app).get('/login?lang=en')).text).toContain('Sign in');
    const s = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    const home = await s.agent.get('/');
    expect(home.text).toContain('Xin chào');
    expect(home.headers['set-cookie'] ?? []).not.toContainEqual(expect.stringContaining('vd_sid=;'));
  });

  it('sets the session cookie HttpOnly and SameSite=Lax', async () => {
    const agent = request.agent(ctx().app);
    const loginPage = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ email: ctx().admin.email, password: ctx().admin.password, _csrf: csrfFrom(loginPage.text) });
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('vd_sid='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('refuses a form post without the CSRF token and changes nothing', async () => {
    const s = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    const before = await ctx().db('orgs').count({ n: '*' });
    const res = await s.agent.post('/orgs').type('form').send({ name: 'Sở Xây dựng', shortName: 'SXD', kind: 'department' });
    expect(res.status).toBe(403);
    expect(await ctx().db('orgs').count({ n: '*' })).toEqual(before);
  });

  it('imports organisations from an XLSX, creates a reporter, and that reporter sees only its agency', async () => {
    const s = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['code', 'name', 'shortName', 'kind', 'email', 'headcount']);
    ws.addRow(['P-SYT', 'Sở Y tế', 'SYT', 'department', 'syt@test.vn', 118]);
    ws.addRow(['P-SNV', 'Sở Nội vụ', 'SNV', 'department', 'snv@test.vn', 74]);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    await s.refresh('/orgs');
    const imported = await s.agent.post('/orgs/import').field('_csrf', s.csrf).attach('file', file, 'orgs.xlsx');
    if (imported.status !== 200) throw new Error(imported.text.slice(imported.text.indexOf('<main'), imported.text.indexOf('<main') + 600));
    expect(imported.text).toMatch(/Đã nhập: 2 mới/);
    const syt = await ctx().db('orgs').where({ code: 'P-SYT' }).first();
    const snv = await ctx().db('orgs').where({ code: 'P-SNV' }).first();

    await s.refresh('/users');
    const created = await s.agent.post('/users').type('form').send({ _csrf: s.csrf, name: 'Phạm Minh Đức', email: 'duc@syt.test.vn', password: 'reporter-pass', orgId: String(syt.id), roles: 'reporter' });
    expect(created.status).toBe(303);

    const reporter = await signIn(ctx().app, 'duc@syt.test.vn', 'reporter-pass');
    const orgsPage = await reporter.agent.get('/orgs');
    expect(orgsPage.text).toContain('Sở Y tế');
    expect(orgsPage.text).not.toContain('Sở Nội vụ');
    await reporter.refresh('/');
    const change = await reporter.agent.post(`/orgs/${snv.id}`).type('form').send({ _csrf: reporter.csrf, headcount: '1' });
    expect(change.status).toBe(403);
    expect((await ctx().db('orgs').where({ id: snv.id }).first()).headcount).toBe(74);
  });

  it('lets an admin change a user’s roles and disable them, which signs them out at once', async () => {
    const drafter = await ctx().createUser(['drafter'], ctx().rootOrgId, 'Người sẽ nghỉ');
    expect((await ctx().as(drafter).get('/api/v1/orgs')).status).toBe(200);
    const s = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    const form = await s.agent.get(`/users/${drafter.id}/edit`);
    expect(form.text).toContain('Người sẽ nghỉ');
    const saved = await s.agent.post(`/users/${drafter.id}`).type('form').send({ _csrf: csrfFrom(form.text), name: 'Người sẽ nghỉ', orgId: String(ctx().rootOrgId), roles: ['drafter', 'approver'] });
    expect(saved.status).toBe(303);
    expect((await ctx().db('user_roles').where({ user_id: drafter.id }).orderBy('role')).map((r: { role: string }) => r.role)).toEqual(['approver', 'drafter']);
    expect((await ctx().as(drafter).get('/api/v1/orgs')).status).toBe(401);
    const self = await s.agent.post(`/users/${ctx().admin.id}`).type('form').send({ _csrf: csrfFrom(form.text), name: 'Quản trị', orgId: String(ctx().rootOrgId), roles: 'admin' });
    expect(self.status).toBe(409);
  });

  it('shows the audit log to admins only', async () => {
    const admin = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    expect((await admin.agent.get('/audit')).status).toBe(200);
    const drafter = await ctx().createUser(['drafter'], ctx().rootOrgId);
    const d = await signIn(ctx().app, drafter.email, drafter.password);
    expect((await d.agent.get('/audit')).status).toBe(403);
  });
});
