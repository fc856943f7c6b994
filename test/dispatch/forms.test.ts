import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { signIn, type PageSession } from '../helpers/browser-session';
import { drainOutbox } from '../../src/dispatch/worker';
import { communes, draftLetter, issue, setUpIssuer, type Issuer } from './letter-flow';

/** The buttons of the deliveries page and the one-click acknowledgement link, answered in the user's language. */
describeEachDb('dispatch forms', (ctx) => {
  let issuer: Issuer;
  let secretary: PageSession;
  let recipients: { id: number; email: string }[];
  beforeAll(async () => {
    issuer = await setUpIssuer(ctx());
    secretary = await signIn(ctx().app, issuer.secretary.email, issuer.secretary.password);
    recipients = await communes(ctx(), 2, 'forms');
  });
  const letter = () => draftLetter(ctx(), issuer, recipients.map((r) => ({ orgId: r.id })));

  it('dispatching or resending a letter that is not issued answers 409 on the deliveries page in Vietnamese, and queues nothing', async () => {
    const id = await letter();
    await secretary.refresh(`/letters/${id}/deliveries`);
    for (const action of ['dispatch', 'deliveries/resend', 'deliveries/remind']) {
      const res = await secretary.agent.post(`/letters/${id}/${action}`).type('form').send({ confirm: 'on', _csrf: secretary.csrf });
      expect([action, res.status]).toEqual([action, 409]);
      expect(res.text).toContain('Chỉ gửi được văn bản đã ban hành.');
      expect(res.text).toContain(`<a href="/letters/${id}">← Về công văn</a>`); // the deliveries page itself
      expect(res.text).not.toContain('Only an issued letter');
      expect(res.headers.refresh).toBeUndefined();
    }
    expect(await ctx().db('deliveries').where({ letter_id: id })).toEqual([]);
    expect(await ctx().db('mail_outbox').where('dedupe_key', 'like', `letter:${id}:%`)).toEqual([]);
  });

  it('a letter that does not exist is the 404 page; an approver, who may follow but not send, gets the 403 page', async () => {
    const missing = await secretary.agent.post('/letters/999999/dispatch').type('form').send({ confirm: 'on', _csrf: secretary.csrf });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Không tìm thấy công văn.');
    const id = await letter();
    await issue(ctx(), issuer, id);
    const approver = await signIn(ctx().app, issuer.approver.email, issuer.approver.password);
    await approver.refresh(`/letters/${id}/deliveries`);
    expect(approver.csrf).toBeTruthy();
    const refused = await approver.agent.post(`/letters/${id}/dispatch`).type('form').send({ confirm: 'on', _csrf: approver.csrf });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Bạn không có quyền thực hiện thao tác này.');
  });

  it('dispatch, then remind: each goes back where it should (the reminder only to a path of this site)', async () => {
    const id = await letter();
    await issue(ctx(), issuer, id);
    await secretary.refresh(`/letters/${id}/deliveries`);
    const sent = await secretary.agent.post(`/letters/${id}/dispatch`).type('form').send({ confirm: 'on', _csrf: secretary.csrf });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/letters/${id}/deliveries?done=dispatched`);
    await drainOutbox(ctx().deps);
    const page = await secretary.agent.get(sent.headers.location);
    expect(page.text).toContain('Đã gửi văn bản: nơi nhận trong hệ thống nhận ngay vào Văn bản đến, nơi nhận khác qua thư điện tử.');
    const back = await secretary.agent.post(`/letters/${id}/deliveries/remind`).type('form').send({ _csrf: secretary.csrf, back: '/campaigns/7' });
    expect(back.headers.location).toBe('/campaigns/7?reminded=letter');
    const elsewhere = await secretary.agent.post(`/letters/${id}/deliveries/remind`).type('form').send({ _csrf: secretary.csrf, back: '//evil.example/x' });
    expect(elsewhere.headers.location).toBe(`/letters/${id}/deliveries?done=reminded`);
  });

  const linkOf = (text: string) => /http:\/\/vandong\.test(\/ack\/[A-Za-z0-9_-]+)/.exec(text)![1];
  const acknowledged = async (id: number) => ctx().db('deliveries').where({ letter_id: id }).whereNotNull('acknowledged_at');
  /** Opens an acknowledgement link as a browser would and presses its button (a link already used shows no button). */
  const pressButton = async (link: string) => {
    const browser = request.agent(ctx().app);
    const page = await browser.get(link);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    return token ? browser.post(link).type('form').send({ _csrf: token }) : page;
  };

  it('the acknowledgement link: opening it (GET, as a mail scanner does) records nothing; the button records once in Vietnamese; an unknown token is the 404 page, without sign-in', async () => {
    const id = await letter();
    await issue(ctx(), issuer, id);
    await secretary.refresh(`/letters/${id}/deliveries`);
    expect((await secretary.agent.post(`/letters/${id}/dispatch`).type('form').send({ confirm: 'on', _csrf: secretary.csrf })).status).toBe(303);
    const message = await ctx().db('mail_outbox').where('dedupe_key', 'like', `letter:${id}:%`).orderBy('id', 'desc').first();
    const link = linkOf(message.text);
    ctx().setNow('2026-03-02T02:00:00Z');
    for (let i = 0; i < 3; i++) {
      const opened = await request(ctx().app).get(link);
      expect(opened.status).toBe(200);
      expect(opened.text).toContain('Xác nhận đã nhận văn bản');
      expect(opened.text).toContain(`<form method="post" action="${link}">`);
    }
    expect(await acknowledged(id)).toEqual([]);
    const withoutToken = await request(ctx().app).post(link).type('form').send({});
    expect(withoutToken.status).toBe(403);
    expect(await acknowledged(id)).toEqual([]);
    const first = await pressButton(link);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Đã xác nhận nhận văn bản');
    const again = await pressButton(link);
    expect(again.text).toContain('Văn bản đã được xác nhận trước đó');
    const [row] = await acknowledged(id);
    expect(new Date(row.acknowledged_at).toISOString()).toBe('2026-03-02T02:00:00.000Z'); // the test clock, not the wall clock
    const unknown = await request(ctx().app).get(`/ack/${'x'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('Liên kết xác nhận không đúng hoặc đã hết hiệu lực.');
    expect(unknown.text).not.toContain('not found');
  });

  it('a reminder adds a new link and the first e-mail’s link keeps working', async () => {
    const [only] = await communes(ctx(), 1, 'remind');
    const id = await draftLetter(ctx(), issuer, [{ orgId: only.id }]);
    await issue(ctx(), issuer, id);
    expect((await ctx().as(issuer.secretary).post(`/api/v1/letters/${id}/dispatch`)).status).toBe(202);
    await drainOutbox(ctx().deps);
    const reminded = await ctx().as(issuer.secretary).post(`/api/v1/letters/${id}/dispatch/remind-unacknowledged`);
    expect(reminded.body).toMatchObject({ queued: 1 });
    const messages = await ctx().db('mail_outbox').where('dedupe_key', 'like', `letter:${id}:%`).orderBy('id');
    expect(messages).toHaveLength(2);
    const [original, reminder] = messages.map((m: { text: string }) => linkOf(m.text));
    expect(original).not.toBe(reminder);
    // Both links open the letter; the original one — the one people click days later — records the receipt.
    expect((await request(ctx().app).get(reminder)).text).toContain('Xác nhận đã nhận văn bản');
    const first = await pressButton(original);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Đã xác nhận nhận văn bản');
    expect(await acknowledged(id)).toHaveLength(1);
    expect((await pressButton(reminder)).text).toContain('Văn bản đã được xác nhận trước đó');
  });
});
