import { describeEachDb } from '../helpers/context';
import { drainOutbox } from '../../src/dispatch/worker';
import { startSmtpSink, type SmtpSink } from '../dispatch/smtp-sink';
import { draftLetter, setUpIssuer, type Issuer } from '../dispatch/letter-flow';
import { signIn } from '../helpers/browser-session';
import type { TestUser } from '../helpers/context';

/** Issue 15 item 3: submit, approve, reject (with its reason) and issue tell the people who act next, in the app and by e-mail. */
describeEachDb('notifications of the letter workflow', (ctx) => {
  let sink: SmtpSink;
  let issuer: Issuer;
  let secondApprover: TestUser;
  let outsider: TestUser;
  let letterId: number;

  /** What the sink received since the last call: each message's envelope recipient and its text. */
  let seen = 0;
  const newMail = async () => {
    await drainOutbox(ctx().deps);
    const mails = (await sink.parsed()).slice(seen);
    seen += mails.length;
    return mails.map((m) => ({ to: (m.to && !Array.isArray(m.to) ? m.to.text : ''), subject: m.subject ?? '', text: m.text ?? '' }));
  };
  const notices = async (u: TestUser) => (await ctx().as(u).get('/api/v1/notifications')).body as { items: { id: number; at: string; kind: string; text: string; link: string; read: boolean }[]; unread: number };

  beforeAll(async () => {
    sink = await startSmtpSink();
    ctx().config.SMTP_URL = sink.url;
    issuer = await setUpIssuer(ctx());
    secondApprover = await ctx().createUser(['approver'], issuer.orgId, 'Phó Giám đốc');
    const elsewhere = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    outsider = await ctx().createUser(['approver', 'secretary'], elsewhere, 'Người sở khác');
    const commune = await ctx().createOrg({ name: 'UBND xã Thạch Kênh', shortName: 'UBND', kind: 'commune', email: 'thachkenh@hatinh.gov.vn' });
    letterId = await draftLetter(ctx(), issuer, [{ orgId: commune }]);
    await newMail();
  });
  afterAll(async () => {
    await sink.close();
  });

  it('submitting tells every approver of the organisation (and nobody else), in the app and by e-mail', async () => {
    expect((await ctx().as(issuer.drafter).post(`/api/v1/letters/${letterId}/submit`)).status).toBe(200);
    for (const approver of [issuer.approver, secondApprover]) {
      const list = await notices(approver);
      expect(list.unread).toBe(1);
      expect(list.items).toHaveLength(1);
      expect(list.items[0]).toMatchObject({ kind: 'letter.submitted', link: `/letters/${letterId}`, read: false });
      expect(list.items[0].text).toBe('Chuyên viên trình duyệt công văn “tuyên truyền, cài đặt ứng dụng Sổ sức khỏe điện tử”');
      expect(Object.keys(list.items[0]).sort()).toEqual(['at', 'id', 'kind', 'link', 'read', 'text']);
    }
    expect((await notices(issuer.drafter)).items).toEqual([]);
    expect((await notices(issuer.secretary)).items).toEqual([]);
    expect((await notices(outsider)).items).toEqual([]);
    const mails = await newMail();
    expect(mails.map((m) => m.to).sort()).toEqual([issuer.approver.email, secondApprover.email].sort());
    expect(mails[0].subject).toContain('trình duyệt công văn');
    expect(mails[0].text).toContain(`http://vandong.test/letters/${letterId}`);
  });

  it('returning it with a reason tells the drafter, whose home page and letters list show the reason, and the e-mail is on the outbox', async () => {
    const reason = 'Bổ sung số liệu tuần 49';
    expect((await ctx().as(issuer.approver).post(`/api/v1/letters/${letterId}/reject`).send({ reason })).status).toBe(200);
    const list = await notices(issuer.drafter);
    expect(list.items[0]).toMatchObject({ kind: 'letter.rejected', text: `Lãnh đạo Sở trả lại công văn “tuyên truyền, cài đặt ứng dụng Sổ sức khỏe điện tử”. Lý do: ${reason}` });
    const mails = await newMail();
    expect(mails.map((m) => m.to)).toEqual([issuer.drafter.email]);
    expect(mails[0].text).toContain(`Lý do: ${reason}`);

    const page = await signIn(ctx().app, issuer.drafter.email, issuer.drafter.password);
    const home = await page.agent.get('/');
    expect(home.text).not.toContain('Chưa có việc cần làm');
    expect(home.text).toContain('Công văn bị trả lại');
    expect(home.text).toContain(`Bị trả lại: ${reason}`);
    expect(home.text).toContain(`href="/letters/${letterId}/edit"`);
    // The bell in the top bar counts the unread notice.
    expect(home.text).toMatch(/class="bell"[^>]*>🔔<span class="count">1<\/span>/);
    const letters = await page.agent.get('/letters');
    expect(letters.text).toContain(`Bị trả lại: ${reason}`);

    const outbox = await ctx().as(issuer.secretary).get('/api/v1/outbox');
    expect(outbox.status).toBe(200);
    expect(JSON.stringify(outbox.body)).toContain(issuer.drafter.email);
  });

  it('approving tells the secretaries who issue and the drafter; issuing tells the drafter with the number', async () => {
    expect((await ctx().as(issuer.drafter).post(`/api/v1/letters/${letterId}/submit`)).status).toBe(200);
    await newMail();
    expect((await ctx().as(secondApprover).post(`/api/v1/letters/${letterId}/approve`)).status).toBe(200);
    expect((await notices(issuer.secretary)).items[0]).toMatchObject({ kind: 'letter.approved' });
    expect((await notices(issuer.drafter)).items[0]).toMatchObject({ kind: 'letter.approved' });
    expect((await notices(outsider)).items).toEqual([]);
    expect((await newMail()).map((m) => m.to).sort()).toEqual([issuer.drafter.email, issuer.secretary.email].sort());

    const issued = await ctx().as(issuer.secretary).post(`/api/v1/letters/${letterId}/issue`);
    expect(issued.status).toBe(200);
    const latest = (await notices(issuer.drafter)).items[0];
    expect(latest).toMatchObject({ kind: 'letter.issued', text: `Công văn “tuyên truyền, cài đặt ứng dụng Sổ sức khỏe điện tử” đã ban hành, số ${issued.body.symbol}` });
    const mails = await newMail();
    expect(mails.map((m) => m.to)).toEqual([issuer.drafter.email]);
    expect(mails[0].text).toContain(issued.body.symbol);
  });

  it('a step that fails records no notice and sends nothing', async () => {
    const before = (await notices(issuer.drafter)).items.length;
    expect((await ctx().as(issuer.secretary).post(`/api/v1/letters/${letterId}/issue`)).status).toBe(409);
    expect((await notices(issuer.drafter)).items.length).toBe(before);
    expect(await newMail()).toEqual([]);
  });

  it('reads in the reader’s own language', async () => {
    await ctx().db('users').where({ id: issuer.drafter.id }).update({ locale: 'en' });
    const items = (await ctx().as(issuer.drafter).get('/api/v1/notifications?lang=en')).body.items;
    expect(items[0].text).toMatch(/^The letter “.+” was issued as /);
  });

  it('marks one read (only one’s own: another person’s is 404), then all', async () => {
    const mine = (await notices(issuer.drafter)).items;
    expect(mine.filter((n) => !n.read).length).toBeGreaterThan(1);
    expect((await ctx().as(issuer.secretary).post(`/api/v1/notifications/${mine[0].id}/read`)).status).toBe(404);
    expect((await notices(issuer.drafter)).items[0].read).toBe(false);
    expect((await ctx().as(issuer.drafter).post(`/api/v1/notifications/${mine[0].id}/read`)).status).toBe(204);
    const after = await notices(issuer.drafter);
    expect(after.items[0].read).toBe(true);
    expect(after.unread).toBe(mine.filter((n) => !n.read).length - 1);
    expect((await ctx().as(issuer.drafter).post('/api/v1/notifications/read-all')).status).toBe(204);
    expect((await notices(issuer.drafter)).unread).toBe(0);
    expect((await ctx().as(issuer.secretary).get('/api/v1/notifications')).body.unread).toBe(1);
  });

  it('the notifications page lists them; opening one marks it read and follows its link', async () => {
    const page = await signIn(ctx().app, issuer.secretary.email, issuer.secretary.password);
    const list = await page.agent.get('/notifications');
    expect(list.status).toBe(200);
    expect(list.text).toContain('đã duyệt công văn');
    const id = (await notices(issuer.secretary)).items[0].id;
    const open = await page.agent.post(`/notifications/${id}/read`).type('form').send({ _csrf: page.csrf });
    expect(open.status).toBe(303);
    expect(open.headers.location).toBe(`/letters/${letterId}`);
    expect((await notices(issuer.secretary)).unread).toBe(0);
    expect((await page.agent.get('/')).text).not.toContain('<span class="count">');
    expect((await ctx().as(issuer.secretary).get('/api/v1/notifications?pageSize=0')).status).toBe(400);
  });
});
