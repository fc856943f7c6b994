import crypto from 'node:crypto';
import JSZip from 'jszip';
import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { drainOutbox } from '../../src/dispatch/worker';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { binary, communes, draftLetter, issue, pdfGuide, setUpIssuer, type Issuer } from './letter-flow';
import { signIn } from '../helpers/browser-session';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const ackLink = (mail: ParsedMail) => /http:\/\/vandong\.test(\/ack\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];

describeEachDb('dispatching an issued letter by e-mail', (ctx) => {
  let sink: SmtpSink;
  let issuer: Issuer;
  beforeAll(async () => {
    sink = await startSmtpSink();
    ctx().config.SMTP_URL = sink.url;
    issuer = await setUpIssuer(ctx());
  });
  afterAll(async () => {
    await sink.close();
  });
  /** The workflow's own notices (submitted, approved, issued) are e-mailed too: sent and set aside, so the counts below are the letter's. */
  const forgetWorkflowNotices = async () => {
    await drainOutbox(ctx().deps);
    sink.received.length = 0;
  };

  describe('a letter to 30 communes, one without e-mail and one with a broken address', () => {
    let letterId: number;
    let symbol: string;
    let targets: { id: number; email: string; name: string }[];
    let guide: Buffer;
    let noEmailOrg: number;
    let brokenOrg: number;
    const deliveries = async () => (await ctx().as(issuer.secretary).get(`/api/v1/letters/${letterId}/deliveries`)).body.items as Record<string, unknown>[];

    beforeAll(async () => {
      targets = await communes(ctx(), 30);
      noEmailOrg = await ctx().createOrg({ name: 'UBND xã Thạch Bằng', shortName: 'UBND', kind: 'commune' });
      brokenOrg = await ctx().createOrg({ name: 'UBND xã Kỳ Lợi', shortName: 'UBND', kind: 'commune', email: 'vanthu@@kyloi' });
      letterId = await draftLetter(ctx(), issuer, [...targets.map((t) => ({ orgId: t.id })), { orgId: noEmailOrg }, { orgId: brokenOrg }]);
      guide = pdfGuide(300 * 1024);
      const up = await ctx().as(issuer.drafter).post(`/api/v1/letters/${letterId}/attachments`).attach('file', guide, 'huong-dan-cai-dat.pdf');
      expect(up.status).toBe(201);
    });

    it('refuses to dispatch a letter that is still a draft (409) and sends nothing', async () => {
      const res = await ctx().as(issuer.secretary).post(`/api/v1/letters/${letterId}/dispatch`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('LETTER_NOT_ISSUED');
      expect((await ctx().as(issuer.secretary).get(`/api/v1/letters/${letterId}/deliveries`)).body.items).toEqual([]);
    });

    it('lets only the issuing organisation’s drafters and secretaries dispatch it', async () => {
      symbol = (await issue(ctx(), issuer, letterId)).symbol;
      // A secretary of an organisation the letter is not addressed to (a recipient with users would get it in its inbox).
      const stranger = await ctx().createUser(['secretary'], await ctx().createOrg({ name: 'UBND xã Ngoài Danh Sách', shortName: 'UBND', kind: 'commune' }));
      await forgetWorkflowNotices();
      expect((await ctx().as(stranger).post(`/api/v1/letters/${letterId}/dispatch`)).status).toBe(403);
      expect((await ctx().as(stranger).get(`/api/v1/letters/${letterId}/deliveries`)).status).toBe(403);
      expect((await ctx().as(issuer.approver).post(`/api/v1/letters/${letterId}/dispatch`)).status).toBe(403);
      expect((await ctx().as(issuer.secretary).post(`/api/v1/letters/999999/dispatch`)).status).toBe(404);
    });

    it('queues one message per recipient with an e-mail, lists the one without, and reports the broken address', async () => {
      const res = await ctx().as(issuer.secretary).post(`/api/v1/letters/${letterId}/dispatch`);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ queued: 30, noEmail: 1, failed: 1 });
      await drainOutbox(ctx().deps);
      const items = await deliveries();
      expect(items).toHaveLength(32);
      for (const item of items) expect(Object.keys(item)).toEqual(expect.arrayContaining(['recipient', 'email', 'status', 'attempts', 'sentAt', 'acknowledgedAt', 'error']));
      expect(items.filter((i) => i.status === 'sent')).toHaveLength(30);
      expect(items.find((i) => i.recipient === 'UBND xã Thạch Bằng')).toMatchObject({ status: 'no_email', email: null, attempts: 0 });
      const broken = items.find((i) => i.recipient === 'UBND xã Kỳ Lợi')!;
      expect(broken).toMatchObject({ status: 'failed', email: 'vanthu@@kyloi', attempts: 0 });
      expect(broken.error).toContain('vanthu@@kyloi');
      const sent = items.find((i) => i.email === targets[0].email)!;
      expect(sent).toMatchObject({ status: 'sent', attempts: 1, acknowledgedAt: null, error: null });
      expect(Date.parse(sent.sentAt as string)).not.toBeNaN();
    });

    it('each commune receives the letter at its own address with the DOCX and the guide byte for byte', async () => {
      const mails = await sink.parsed();
      expect(mails).toHaveLength(30);
      expect(sink.received.map((r) => r.envelopeTo[0]).sort()).toEqual(targets.map((t) => t.email).sort());
      const docx = await ctx().as(issuer.secretary).get(`/api/v1/letters/${letterId}/docx`).buffer(true).parse(binary);
      const docxText = async (b: Buffer) => (await (await JSZip.loadAsync(b)).file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
      const expectedText = await docxText(docx.body as Buffer);
      for (const mail of mails) {
        expect(mail.subject).toBe(`Công văn số ${symbol} V/v tuyên truyền, cài đặt ứng dụng Sổ sức khỏe điện tử`);
        const to = (Array.isArray(mail.to) ? mail.to[0] : mail.to)!.value[0].address!;
        expect(mail.text).toContain(`Kính gửi: ${targets.find((t) => t.email === to)!.name}`);
        // The letter as PDF first (unsigned here: no certificates), the DOCX as an editable copy, then the attachment.
        expect(mail.attachments.map((a) => a.filename)).toEqual([`${symbol.replace('/', '-')}.pdf`, `${symbol.replace('/', '-')}.docx`, 'huong-dan-cai-dat.pdf']);
        expect(mail.attachments[0].contentType).toBe('application/pdf');
        expect(mail.text).toContain('không có chữ ký số');
        expect(await docxText(mail.attachments[1].content)).toBe(expectedText);
        expect(mail.attachments[1].contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
        expect(sha(mail.attachments[2].content)).toBe(sha(guide));
        expect(ackLink(mail)).toBeTruthy();
      }
      expect(new Set(mails.map(ackLink)).size).toBe(30);
      expect(new Set(mails.map((m) => sha(m.attachments[1].content))).size).toBe(1); // one DOCX for everyone
    });

    it('a recipient acknowledges with the link\'s button and no sign-in (opening the link records nothing); a second press changes nothing; a wrong token is 404', async () => {
      const mail = (await sink.parsed()).find((m) => (m.text ?? '').includes(targets[2].name))!;
      const link = ackLink(mail)!;
      const browser = request.agent(ctx().app);
      const opened = await browser.get(link);
      expect(opened.status).toBe(200);
      expect(opened.text).toContain('Xác nhận đã nhận văn bản');
      expect(opened.text).toContain(symbol);
      expect((await deliveries()).find((i) => i.email === targets[2].email)).toMatchObject({ status: 'sent', acknowledgedAt: null });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(opened.text)![1];
      const first = await browser.post(link).type('form').send({ _csrf: csrf });
      expect(first.status).toBe(200);
      expect(first.text).toContain('Đã xác nhận nhận văn bản');
      const recorded = (await deliveries()).find((i) => i.email === targets[2].email)!;
      expect(recorded.status).toBe('acknowledged');
      expect(recorded.acknowledgedAt).toBeTruthy();

      const again = await browser.post(link).type('form').send({ _csrf: csrf });
      expect(again.status).toBe(200);
      expect(again.text).toContain('đã được xác nhận trước đó');
      expect((await browser.get(link)).text).toContain('đã được xác nhận trước đó');
      expect((await deliveries()).find((i) => i.email === targets[2].email)!.acknowledgedAt).toBe(recorded.acknowledgedAt);

      const wrong = await request(ctx().app).get(`/ack/${crypto.randomBytes(32).toString('base64url')}`);
      expect(wrong.status).toBe(404);
      expect((await deliveries()).filter((i) => i.status === 'acknowledged')).toHaveLength(1);
    });

    it('dispatching again sends nothing twice', async () => {
      const res = await ctx().as(issuer.secretary).post(`/api/v1/letters/${letterId}/dispatch`);
      expect(res.status).toBe(202);
      expect(res.body.queued).toBe(0);
      await drainOutbox(ctx().deps);
      expect(sink.received).toHaveLength(30);
      expect(await deliveries()).toHaveLength(32);
    });

    it('after the broken address is corrected, "resend to failed" sends to it and to nobody else', async () => {
      const fixed = await ctx().as(ctx().admin).patch(`/api/v1/orgs/${brokenOrg}`).send({ email: 'vanthu@kyloi.hatinh.gov.vn' });
      expect(fixed.status).toBe(200);
      const res = await ctx().as(issuer.drafter).post(`/api/v1/letters/${letterId}/dispatch/resend-failed`);
      expect(res.status).toBe(202);
      expect(res.body.queued).toBe(1);
      await drainOutbox(ctx().deps);
      expect(sink.received).toHaveLength(31);
      expect(sink.received[30].envelopeTo).toEqual(['vanthu@kyloi.hatinh.gov.vn']);
      expect((await deliveries()).find((i) => i.recipient === 'UBND xã Kỳ Lợi')).toMatchObject({ status: 'sent', error: null });
    });

    it('the delivery page shows every recipient, the progress and the acknowledgement', async () => {
      const { agent } = await signIn(ctx().app, issuer.secretary.email, issuer.secretary.password);
      const page = await agent.get(`/letters/${letterId}/deliveries`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(symbol);
      expect(page.text).toContain('UBND xã Thạch Bằng');
      expect(page.text).toContain('Không có thư điện tử');
      expect(page.text).toContain('Đã nhận / đã xác nhận');
      expect(page.text).toMatch(/aria-valuenow="100"/);
      expect(page.headers.refresh).toBeUndefined(); // nothing left on its way
      expect(page.text).not.toContain('/deliveries/resend'); // nothing failed
    });
  });

  describe('a recipient whose server refuses the message', () => {
    it('is shown as failed with the server reply, and "resend to failed" from the page delivers it once the server accepts', async () => {
      const [good, refused] = await communes(ctx(), 2, 'tuchoi');
      sink.setOptions({ onRcpt: (address) => (address === refused.email ? { code: 550, message: '5.1.1 Mailbox does not exist' } : null) });
      const letterId = await draftLetter(ctx(), issuer, [{ orgId: good.id }, { orgId: refused.id }]);
      await issue(ctx(), issuer, letterId);
      await forgetWorkflowNotices();
      const before = sink.received.length;

      const session = await signIn(ctx().app, issuer.secretary.email, issuer.secretary.password);
      const { agent } = session;
      const csrf = () => session.refresh('/');
      const notYet = await agent.get(`/letters/${letterId}/deliveries`);
      expect(notYet.status).toBe(200);
      expect(notYet.text).toContain(`action="/letters/${letterId}/dispatch"`);
      const dispatched = await agent.post(`/letters/${letterId}/dispatch`).type('form').send({ confirm: 'on', _csrf: await csrf() });
      expect(dispatched.status).toBe(303);
      expect(dispatched.headers.location).toBe(`/letters/${letterId}/deliveries?done=dispatched`);
      await drainOutbox(ctx().deps);
      const items = (await ctx().as(issuer.secretary).get(`/api/v1/letters/${letterId}/deliveries`)).body.items;
      expect(items.find((i: { email: string }) => i.email === refused.email)).toMatchObject({ status: 'failed', attempts: 1, sentAt: null });
      expect(items.find((i: { email: string }) => i.email === refused.email).error).toMatch(/550.*Mailbox does not exist/);
      expect(sink.received.length - before).toBe(1);

      const page = await agent.get(`/letters/${letterId}/deliveries`);
      expect(page.text).toContain('5.1.1 Mailbox does not exist');
      expect(page.text).toContain(`/letters/${letterId}/deliveries/resend`);

      sink.setOptions({});
      const resent = await agent.post(`/letters/${letterId}/deliveries/resend`).type('form').send({ _csrf: await csrf() });
      expect(resent.status).toBe(303);
      await drainOutbox(ctx().deps);
      expect(sink.received.length - before).toBe(2);
      expect(sink.received[sink.received.length - 1].envelopeTo).toEqual([refused.email]);
      const after = (await ctx().as(issuer.secretary).get(`/api/v1/letters/${letterId}/deliveries`)).body.items;
      expect(after.map((i: { status: string }) => i.status)).toEqual(['sent', 'sent']);
    });
  });
});
