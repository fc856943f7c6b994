import crypto from 'node:crypto';
import request from 'supertest';
import { describeEachDb, type TestUser } from '../helpers/context';
import { drainOutbox } from '../../src/dispatch/worker';
import { startSmtpSink, type SmtpSink } from '../dispatch/smtp-sink';
import { csrfFrom, signIn } from '../helpers/browser-session';

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** Issue 15 item 4: "Quên mật khẩu?" by a single-use, short-lived e-mail link. */
describeEachDb('password reset by e-mail', (ctx) => {
  let sink: SmtpSink;
  let user: TestUser;
  let seen = 0;
  /** The messages the SMTP server accepted since the last call. */
  const newMail = async () => {
    await drainOutbox(ctx().deps);
    const mails = (await sink.parsed()).slice(seen);
    seen += mails.length;
    return mails;
  };
  const linkIn = (text: string) => /http:\/\/vandong\.test\/password-reset\/([A-Za-z0-9_-]+)/.exec(text)?.[1];
  const ask = (email: string) => request(ctx().app).post('/api/v1/auth/password-reset').send({ email });

  beforeAll(async () => {
    sink = await startSmtpSink();
    ctx().config.SMTP_URL = sink.url;
    user = await ctx().createUser(['drafter'], ctx().rootOrgId, 'Nguyễn Thị Quên');
  });
  afterAll(async () => {
    await sink.close();
  });
  afterEach(() => ctx().setNow(new Date()));

  it('answers 202 for any address, and e-mails a link only to an active account', async () => {
    const unknown = await ask('khong-co-ai@test.vn');
    expect(unknown.status).toBe(202);
    const disabled = await ctx().createUser(['drafter'], ctx().rootOrgId, 'Đã nghỉ');
    await ctx().db('users').where({ id: disabled.id }).update({ active: false });
    expect((await ask(disabled.email)).status).toBe(202);
    expect(await newMail()).toEqual([]);

    const known = await ask(`  ${user.email.toUpperCase()} `);
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const mails = await newMail();
    expect(mails).toHaveLength(1);
    expect(mails[0].to && !Array.isArray(mails[0].to) ? mails[0].to.text : '').toBe(user.email);
    expect(mails[0].subject).toBe('[Vận Động] Đặt lại mật khẩu');
    const token = linkIn(mails[0].text ?? '')!;
    expect(token).toBeDefined();
    // Only a hash of the token is kept with the link.
    const links = await ctx().db('password_links').where({ user_id: user.id });
    expect(links).toHaveLength(1);
    expect(links[0].token_hash).toBe(sha(token));
    expect(JSON.stringify(links)).not.toContain(token);
  });

  it('sets the password once, ends every session, and refuses the link afterwards', async () => {
    expect((await ask(user.email)).status).toBe(202);
    const token = linkIn((await newMail())[0].text ?? '')!;
    const before = await request(ctx().app).post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(before.status).toBe(200);

    const short = await request(ctx().app).post(`/api/v1/auth/password-reset/${token}`).send({ password: 'ngan' });
    expect(short.status).toBe(400);
    expect(short.body.error.fields).toHaveProperty('password');
    const done = await request(ctx().app).post(`/api/v1/auth/password-reset/${token}`).send({ password: 'mat-khau-moi-2026' });
    expect(done.status).toBe(204);

    expect((await request(ctx().app).get('/api/v1/auth/me').set('Authorization', `Bearer ${before.body.token}`)).status).toBe(401);
    expect((await ctx().as(user).get('/api/v1/auth/me')).status).toBe(401);
    expect((await request(ctx().app).post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
    const after = await request(ctx().app).post('/api/v1/auth/login').send({ email: user.email, password: 'mat-khau-moi-2026' });
    expect(after.status).toBe(200);
    user.password = 'mat-khau-moi-2026';
    user.token = after.body.token;

    const again = await request(ctx().app).post(`/api/v1/auth/password-reset/${token}`).send({ password: 'mot-lan-nua-2026' });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('PASSWORD_LINK_INVALID');
  });

  it('a link expires after 30 minutes, and a newer one closes the older once used', async () => {
    const t0 = new Date('2026-12-02T08:00:00Z');
    ctx().setNow(t0);
    await ask(user.email);
    await ask(user.email);
    const [first, second] = (await newMail()).map((m) => linkIn(m.text ?? '')!);
    ctx().setNow(new Date(t0.getTime() + 31 * 60_000));
    expect((await request(ctx().app).post(`/api/v1/auth/password-reset/${first}`).send({ password: 'qua-han-2026' })).body.error.code).toBe('PASSWORD_LINK_INVALID');
    ctx().setNow(new Date(t0.getTime() + 29 * 60_000));
    expect((await request(ctx().app).post(`/api/v1/auth/password-reset/${second}`).send({ password: 'kip-gio-2026' })).status).toBe(204);
    expect((await request(ctx().app).post(`/api/v1/auth/password-reset/${first}`).send({ password: 'link-cu-2026' })).body.error.code).toBe('PASSWORD_LINK_INVALID');
    user.password = 'kip-gio-2026';
  });

  it('is throttled like sign-in, for known and unknown addresses alike', async () => {
    const fresh = await ctx().createUser(['reporter'], ctx().rootOrgId, 'Hay quên');
    const saved = ctx().config.LOGIN_MAX_FAILURES;
    ctx().config.LOGIN_MAX_FAILURES = 2;
    try {
      for (const email of [fresh.email, 'ai-do@test.vn']) {
        expect((await ask(email)).status).toBe(202);
        expect((await ask(email)).status).toBe(202);
        const refused = await ask(email);
        expect(refused.status).toBe(429);
        expect(refused.body.error.code).toBe('RESET_RATE_LIMITED');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      }
    } finally {
      ctx().config.LOGIN_MAX_FAILURES = saved;
      await newMail();
    }
  });

  it('the pages: "Quên mật khẩu?" on the sign-in page, the request form, and the link’s form with its errors in Vietnamese', async () => {
    const other = await ctx().createUser(['approver'], ctx().rootOrgId, 'Trần Văn Trang');
    const agent = request.agent(ctx().app);
    const login = await agent.get('/login');
    expect(login.text).toContain('<a href="/password-reset">Quên mật khẩu?</a>');
    const form = await agent.get('/password-reset');
    expect(form.status).toBe(200);
    const sent = await agent.post('/password-reset').type('form').send({ _csrf: csrfFrom(form.text), email: other.email });
    expect(sent.status).toBe(202);
    expect(sent.text).toContain('một thư có đường dẫn đặt lại mật khẩu vừa được gửi đến');
    const token = linkIn((await newMail())[0].text ?? '')!;

    const page = await agent.get(`/password-reset/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Tài khoản: ${other.email}`);
    const mismatch = await agent.post(`/password-reset/${token}`).type('form').send({ _csrf: csrfFrom(page.text), password: 'mat-khau-trang-1', confirm: 'mat-khau-trang-2' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('hai lần nhập mật khẩu không khớp');
    const saved = await agent.post(`/password-reset/${token}`).type('form').send({ _csrf: csrfFrom(page.text), password: 'mat-khau-trang-1', confirm: 'mat-khau-trang-1' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/login?password=set');
    expect((await agent.get('/login?password=set')).text).toContain('Đã lưu mật khẩu mới');
    await signIn(ctx().app, other.email, 'mat-khau-trang-1');

    const used = await agent.get(`/password-reset/${token}`);
    expect(used.status).toBe(400);
    expect(used.text).toContain('Đường dẫn không còn hiệu lực');
  });

  it('a signed-in person changes their own password; their other sessions end', async () => {
    const s = await signIn(ctx().app, user.email, user.password);
    const apiToken = (await request(ctx().app).post('/api/v1/auth/login').send({ email: user.email, password: user.password })).body.token;
    await s.refresh('/me/password');
    const wrong = await s.agent.post('/me/password').type('form').send({ _csrf: s.csrf, current: 'khong-dung', password: 'doi-mat-khau-9', confirm: 'doi-mat-khau-9' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Mật khẩu hiện tại không đúng');
    const ok = await s.agent.post('/me/password').type('form').send({ _csrf: s.csrf, current: user.password, password: 'doi-mat-khau-9', confirm: 'doi-mat-khau-9' });
    expect(ok.status).toBe(303);
    expect((await s.agent.get('/')).status).toBe(200); // this session stays
    expect((await request(ctx().app).get('/api/v1/auth/me').set('Authorization', `Bearer ${apiToken}`)).status).toBe(401);
  });
});
