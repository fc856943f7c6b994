import ExcelJS from 'exceljs';
import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { drainOutbox } from '../../src/dispatch/worker';
import { startSmtpSink, type SmtpSink } from '../dispatch/smtp-sink';
import { csrfFrom, signIn, type PageSession } from '../helpers/browser-session';

const xlsx = async (rows: string[][]) => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Người dùng');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
};
const HEAD = ['Thư điện tử', 'Họ và tên', 'Vai trò', 'Cơ quan, đơn vị'];

/** Issue 15 item 4: bulk import of users with an invitation e-mail each and a forced password change. */
describeEachDb('importing users', (ctx) => {
  let sink: SmtpSink;
  let admin: PageSession;
  let sytId: number;
  let seen = 0;
  const newMail = async () => {
    await drainOutbox(ctx().deps);
    const mails = (await sink.parsed()).slice(seen);
    seen += mails.length;
    return mails;
  };
  const upload = async (s: PageSession, file: Buffer) => {
    await s.refresh('/users');
    return s.agent.post('/users/import').field('_csrf', s.csrf).attach('file', file, 'nguoi-dung.xlsx');
  };
  const userCount = async () => Number((await ctx().db('users').count<{ n: number }[]>({ n: '*' }))[0].n);

  beforeAll(async () => {
    sink = await startSmtpSink();
    ctx().config.SMTP_URL = sink.url;
    sytId = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    await ctx().db('orgs').where({ id: sytId }).update({ code: 'HT-SYT' });
    await ctx().createOrg({ name: 'Ủy ban nhân dân xã Thạch Kênh', shortName: 'UBND', kind: 'commune' });
    admin = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
  });
  afterAll(async () => {
    await sink.close();
  });

  it('refuses the whole file when a row is wrong, naming every wrong row in Vietnamese, in red', async () => {
    const existing = await ctx().createUser(['drafter'], sytId, 'Đã có');
    const before = await userCount();
    const res = await upload(admin, await xlsx([
      HEAD,
      ['dung@syt.test.vn', 'Lê Văn Đúng', 'Chuyên viên', 'Sở Y tế'],
      ['sai-vai-tro@syt.test.vn', 'Phạm Sai', 'Giám đốc', 'HT-SYT'],
      ['khong-don-vi@syt.test.vn', 'Trần Lạc', 'Văn thư', 'Sở Du lịch'],
      ['dung@syt.test.vn', 'Lê Văn Đúng', 'Lãnh đạo', 'Sở Y tế'],
      [existing.email, 'Đã có', 'Chuyên viên', 'Sở Y tế'],
      ['khong-phai-email', '', '', ''],
    ]));
    expect(res.status).toBe(400);
    expect(res.text).toContain('class="alert alert-error" role="alert"');
    expect(res.text).toContain('Không tạo tài khoản nào: 5 dòng lỗi.');
    expect(res.text).toContain('Dòng 3: vai trò &quot;Giám đốc&quot; không có');
    expect(res.text).toContain('Dòng 4: không có cơ quan, đơn vị &quot;Sở Du lịch&quot; trong phạm vi bạn quản lý.');
    expect(res.text).toContain('Dòng 5: thư điện tử dung@syt.test.vn đã có ở dòng 2.');
    expect(res.text).toContain(`Dòng 6: đã có người dùng với thư điện tử ${existing.email}.`);
    expect(res.text).toContain('Dòng 7: thư điện tử &quot;khong-phai-email&quot; không hợp lệ.');
    expect(res.text).toContain('Dòng 7: thiếu họ và tên.');
    expect(await userCount()).toBe(before);
    expect(await newMail()).toEqual([]);
  });

  it('creates every user of a good file (roles by label or code, organisation by code or name) and e-mails each an invitation', async () => {
    const res = await upload(admin, await xlsx([
      HEAD,
      ['Nguyen.Van.A@syt.test.vn', 'Nguyễn Văn A', 'Văn thư, Chuyên viên', 'HT-SYT'],
      ['tranthib@thachkenh.test.vn', 'Trần Thị B', 'reporter', 'Ủy ban nhân dân xã Thạch Kênh'],
    ]));
    expect(res.status).toBe(200);
    expect(res.text).toContain('Đã tạo 2 tài khoản và gửi thư mời đặt mật khẩu.');
    const a = await ctx().db('users').where({ email: 'nguyen.van.a@syt.test.vn' }).first();
    expect(a).toMatchObject({ name: 'Nguyễn Văn A', org_id: sytId });
    expect(Boolean(a.must_change_password)).toBe(true);
    expect((await ctx().db('user_roles').where({ user_id: a.id }).orderBy('role')).map((r: { role: string }) => r.role)).toEqual(['drafter', 'secretary']);

    const mails = await newMail();
    expect(mails.map((m) => (m.to && !Array.isArray(m.to) ? m.to.text : '')).sort()).toEqual(['nguyen.van.a@syt.test.vn', 'tranthib@thachkenh.test.vn']);
    const invite = mails.find((m) => (m.text ?? '').includes('Nguyễn Văn A'))!;
    expect(invite.subject).toBe('[Vận Động] Mời tham gia hệ thống');
    const token = /\/password-reset\/([A-Za-z0-9_-]+)/.exec(invite.text ?? '')![1];

    // No password works before they choose one; the link lets them, and they are in.
    expect((await request(ctx().app).post('/api/v1/auth/login').send({ email: a.email, password: '!invited' })).status).toBe(401);
    const agent = request.agent(ctx().app);
    const page = await agent.get(`/password-reset/${token}`);
    expect(page.text).toContain('Đặt mật khẩu cho tài khoản mới');
    const set = await agent.post(`/password-reset/${token}`).type('form').send({ _csrf: csrfFrom(page.text), password: 'cua-toi-2026', confirm: 'cua-toi-2026' });
    expect(set.status).toBe(303);
    const s = await signIn(ctx().app, a.email, 'cua-toi-2026');
    expect((await s.agent.get('/')).status).toBe(200);
  });

  it('a user whose password an administrator set must choose their own at first sign-in', async () => {
    const b = await ctx().db('users').where({ email: 'tranthib@thachkenh.test.vn' }).first();
    expect((await ctx().as(ctx().admin).patch(`/api/v1/users/${b.id}`).send({ password: 'tam-thoi-123' })).status).toBe(200);
    const agent = request.agent(ctx().app);
    const login = await agent.get('/login');
    const signedIn = await agent.post('/login').type('form').send({ _csrf: csrfFrom(login.text), email: b.email, password: 'tam-thoi-123', next: '/my-reports' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/me/password');
    const elsewhere = await agent.get('/my-reports');
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.location).toBe('/me/password');
    const form = await agent.get('/me/password');
    expect(form.text).toContain('Hãy đặt mật khẩu của riêng bạn');
    const changed = await agent.post('/me/password').type('form').send({ _csrf: csrfFrom(form.text), current: 'tam-thoi-123', password: 'rieng-toi-2026', confirm: 'rieng-toi-2026' });
    expect(changed.status).toBe(303);
    expect((await agent.get('/my-reports')).status).toBe(200);
  });

  it('a provincial administrator imports only into their own tree; the API answers 400 with the rows', async () => {
    const other = await ctx().createOrg({ name: 'Ủy ban nhân dân tỉnh Nghệ An', shortName: 'UBND', kind: 'province', parentId: null });
    const provincial = await ctx().createUser(['admin'], other, 'Quản trị Nghệ An');
    const file = await xlsx([HEAD, ['x@na.test.vn', 'Người Nghệ An', 'Chuyên viên', 'HT-SYT']]);
    const res = await ctx().as(provincial).post('/api/v1/users/import').attach('file', file, 'u.xlsx');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ created: 0, errors: [{ row: 2, code: 'ORG_NOT_FOUND' }] });
    const drafter = await ctx().createUser(['drafter'], sytId);
    expect((await ctx().as(drafter).post('/api/v1/users/import').attach('file', file, 'u.xlsx')).status).toBe(403);
  });

  it('offers a sample file whose columns the import reads', async () => {
    const sample = await admin.agent.get('/users/import/sample.xlsx').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(sample.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sample.body);
    expect((wb.worksheets[0].getRow(1).values as unknown[]).slice(1)).toEqual(HEAD);
    expect(wb.worksheets[0].getRow(3).getCell(3).value).toBe('Văn thư, Chuyên viên');
  });
});
