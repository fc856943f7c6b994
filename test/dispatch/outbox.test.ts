import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { simpleParser } from 'mailparser';
import { describeEachDb } from '../helpers/context';
import { enqueueMail } from '../../src/dispatch/outbox';
import { drainOutbox } from '../../src/dispatch/worker';
import { emlRelPath } from '../../src/dispatch/transport';
import { storeBuffer } from '../../src/shared/media';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
let seq = 0;
const key = (label: string) => `test:${label}:${++seq}:${crypto.randomBytes(3).toString('hex')}`;

describeEachDb('mail outbox', (ctx) => {
  let sink: SmtpSink;
  beforeEach(async () => {
    sink = await startSmtpSink();
    ctx().config.SMTP_URL = sink.url;
  });
  afterEach(async () => {
    await sink.close();
  });
  const outboxRow = (id: number) => ctx().db('mail_outbox').where({ id }).first();

  it('delivers a queued message to the SMTP server with its attachments byte for byte and our Message-ID', async () => {
    const guide = crypto.randomBytes(300 * 1024);
    const stored = await storeBuffer(ctx().mediaDir, 'test', guide, '.pdf');
    const small = Buffer.from('Danh sách đơn vị,Số\nXã Cẩm Bình,12\n', 'utf8');
    const { id, created } = await enqueueMail(ctx().deps, ctx().db, {
      kind: 'letter',
      dedupeKey: key('deliver'),
      to: 'vanthu@camxuyen.hatinh.gov.vn',
      subject: 'Công văn số 12/STTTT-TTBCXB V/v tuyên truyền',
      text: 'Kính gửi: UBND huyện Cẩm Xuyên',
      attachments: [
        { filename: 'Hướng dẫn.pdf', path: stored.relPath, contentType: 'application/pdf' },
        { filename: 'danh-sach.csv', content: small, contentType: 'text/csv' },
      ],
    });
    expect(created).toBe(true);
    const result = await drainOutbox(ctx().deps);
    expect(result.sent).toBe(1);

    const [mail] = await sink.parsed();
    expect(sink.received[0].envelopeTo).toEqual(['vanthu@camxuyen.hatinh.gov.vn']);
    expect(mail.subject).toBe('Công văn số 12/STTTT-TTBCXB V/v tuyên truyền');
    expect(mail.text).toContain('Kính gửi: UBND huyện Cẩm Xuyên');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['Hướng dẫn.pdf', 'danh-sach.csv']);
    expect(sha(mail.attachments[0].content)).toBe(sha(guide));
    expect(sha(mail.attachments[1].content)).toBe(sha(small));
    const row = await outboxRow(id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(mail.messageId).toBe(row.message_id);
    expect(row.sent_at).toBeTruthy();
  });

  it('stores one message per dedupe key, also when enqueued inside a caller transaction, and sends it once', async () => {
    const k = key('dedupe');
    const req = { kind: 'reminder', dedupeKey: k, to: 'baocao@kyanh.gov.vn', subject: 'Nhắc báo cáo tuần 2021-W41', text: 'Hạn nộp: thứ Sáu 17:00' };
    const first = await enqueueMail(ctx().deps, ctx().db, req);
    const again = await ctx().db.transaction(async (trx) => {
      const inner = await enqueueMail(ctx().deps, trx, req);
      // the transaction is still usable after the duplicate (matters on PostgreSQL)
      await trx('mail_outbox').where({ id: inner.id }).first();
      return inner;
    });
    expect(again).toEqual({ id: first.id, created: false });
    expect(Number((await ctx().db('mail_outbox').where({ dedupe_key: k }).count({ n: '*' }))[0].n)).toBe(1);
    await drainOutbox(ctx().deps);
    await enqueueMail(ctx().deps, ctx().db, req);
    await drainOutbox(ctx().deps);
    expect(sink.received.filter((r) => r.envelopeTo.includes('baocao@kyanh.gov.vn'))).toHaveLength(1);
  });

  it('never runs two drains at once for one database, even when one is kicked with a request context', async () => {
    const to = Array.from({ length: 12 }, (_, i) => `vanthu${i}.${seq}@overlap.hatinh.gov.vn`);
    for (const address of to) await enqueueMail(ctx().deps, ctx().db, { kind: 'letter', dedupeKey: key('overlap'), to: address, subject: 'Công văn', text: 'Kính gửi' });
    // A service acting for a person holds `{ ...deps, actor }`, a different object over the same database: a
    // dispatch kicks the outbox with it while the job's drain (the app's deps) is in the middle of sending.
    const requestCtx = { ...ctx().deps, actor: { id: ctx().admin.id, orgId: ctx().rootOrgId, roles: ['admin' as const], name: 'Quản trị', email: ctx().admin.email, locale: 'vi' as const } };
    const kicked: Promise<unknown>[] = [];
    sink.setOptions({ onRcpt: () => (kicked.length ? null : (kicked.push(drainOutbox(requestCtx)), null)) });
    await drainOutbox(ctx().deps);
    await Promise.all(kicked);
    expect(kicked).toHaveLength(1);
    expect(sink.received.filter((r) => to.includes(r.envelopeTo[0])).map((r) => r.envelopeTo[0]).sort()).toEqual([...to].sort());
  });

  it('retries a message the server defers with 451 and delivers it once after the backoff', async () => {
    let refused = 0;
    sink.setOptions({ onRcpt: () => (refused++ === 0 ? { code: 451, message: '4.3.0 Mailbox temporarily unavailable' } : null) });
    const { id } = await enqueueMail(ctx().deps, ctx().db, { kind: 'letter', dedupeKey: key('451'), to: 'tamthoi@huongson.gov.vn', subject: 'Thử lại', text: 'x' });
    const first = await drainOutbox(ctx().deps);
    expect(first).toMatchObject({ sent: 0, retried: 1 });
    let row = await outboxRow(id);
    expect(row.status).toBe('queued');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/451/);
    expect(row.next_attempt_at > new Date().toISOString()).toBe(true);

    expect((await drainOutbox(ctx().deps)).sent).toBe(0); // not due yet
    expect(sink.received).toHaveLength(0);

    ctx().setNow(new Date(Date.parse(row.next_attempt_at) + 1000));
    expect((await drainOutbox(ctx().deps)).sent).toBe(1);
    row = await outboxRow(id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect(sink.received).toHaveLength(1);
    expect(refused).toBe(2);
  });

  it('marks a message the server refuses with 550 as failed with the server reply, and does not retry it', async () => {
    sink.setOptions({ onRcpt: () => ({ code: 550, message: '5.1.1 User unknown' }) });
    const { id } = await enqueueMail(ctx().deps, ctx().db, { kind: 'letter', dedupeKey: key('550'), to: 'khongco@hatinh.gov.vn', subject: 'Không tồn tại', text: 'x' });
    expect(await drainOutbox(ctx().deps)).toMatchObject({ failed: 1, sent: 0 });
    const row = await outboxRow(id);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/550.*User unknown/);
    ctx().setNow(new Date(Date.now() + 7 * 86400_000));
    expect(await drainOutbox(ctx().deps)).toMatchObject({ failed: 0, sent: 0, retried: 0 });
    expect((await outboxRow(id)).attempts).toBe(1);
  });

  it('treats a mail server that cannot be reached as temporary', async () => {
    await sink.close();
    const { id } = await enqueueMail(ctx().deps, ctx().db, { kind: 'letter', dedupeKey: key('down'), to: 'a@b.vn', subject: 'Máy chủ tắt', text: 'x' });
    expect((await drainOutbox(ctx().deps)).retried).toBe(1);
    const row = await outboxRow(id);
    expect(row.status).toBe('queued');
    expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
    sink = await startSmtpSink(); // afterEach closes this one
    ctx().config.SMTP_URL = sink.url;
    ctx().setNow(new Date(Date.parse(row.next_attempt_at) + 1000));
    expect((await drainOutbox(ctx().deps)).sent).toBeGreaterThanOrEqual(1);
    expect((await outboxRow(id)).status).toBe('sent');
  });

  it('without SMTP_URL writes a parseable .eml into MEDIA_DIR/outbox that the outbox page lists and opens', async () => {
    ctx().config.SMTP_URL = undefined;
    const secretary = await ctx().createUser(['secretary'], ctx().rootOrgId);
    const pdf = crypto.randomBytes(20_000);
    const { id } = await enqueueMail(ctx().deps, ctx().db, {
      kind: 'letter',
      dedupeKey: key('file'),
      orgId: ctx().rootOrgId,
      to: 'sotttt@hatinh.gov.vn',
      subject: 'Thư lưu thành tệp',
      text: 'Nội dung tiếng Việt có dấu',
      attachments: [{ filename: 'phu-luc.pdf', content: pdf, contentType: 'application/pdf' }],
    });
    await drainOutbox(ctx().deps);
    const row = await outboxRow(id);
    expect(row.status).toBe('sent');
    const file = path.join(ctx().mediaDir, emlRelPath(row.message_id));
    const mail = await simpleParser(fs.readFileSync(file));
    expect(mail.subject).toBe('Thư lưu thành tệp');
    expect(mail.text).toContain('Nội dung tiếng Việt có dấu');
    expect(mail.messageId).toBe(row.message_id);
    expect(sha(mail.attachments[0].content)).toBe(sha(pdf));
    expect(sink.received).toHaveLength(0);

    // pages use the session cookie: sign in like a person
    const agent = request.agent(ctx().app);
    const login = await agent.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1];
    await agent.post('/login').type('form').send({ email: secretary.email, password: secretary.password, _csrf: csrf });
    const list = await agent.get('/outbox');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Thư lưu thành tệp');
    expect(list.text).toContain(`/outbox/${id}/message.eml`);
    const detail = await agent.get(`/outbox/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('Nội dung tiếng Việt có dấu');
    expect(detail.text).toContain('phu-luc.pdf');
    const eml = await agent.get(`/outbox/${id}/message.eml`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(eml.status).toBe(200);
    expect(eml.headers['content-type']).toMatch(/message\/rfc822/);
    expect((await simpleParser(eml.body as Buffer)).messageId).toBe(row.message_id);
  });

  it('hides another organisation’s messages from a secretary', async () => {
    ctx().config.SMTP_URL = undefined;
    const otherOrg = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    const secretary = await ctx().createUser(['secretary'], otherOrg);
    const { id } = await enqueueMail(ctx().deps, ctx().db, { kind: 'letter', dedupeKey: key('private'), orgId: ctx().rootOrgId, to: 'x@y.vn', subject: 'Của tỉnh', text: 'x' });
    const list = await ctx().as(secretary).get('/api/v1/outbox');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { id: number }) => i.id)).not.toContain(id);
    const admin = await ctx().as(ctx().admin).get('/api/v1/outbox');
    expect(admin.body.items.map((i: { id: number }) => i.id)).toContain(id);
    const reporter = await ctx().createUser(['reporter'], ctx().rootOrgId);
    expect((await ctx().as(reporter).get('/api/v1/outbox')).status).toBe(403);
  });

  it('after a crash, a message left in "sending" by a dead process is reconciled by its Message-ID in the file outbox', async () => {
    ctx().config.SMTP_URL = undefined;
    const written = await enqueueMail(ctx().deps, ctx().db, { kind: 'letter', dedupeKey: key('crash-written'), to: 'a@x.vn', subject: 'Đã ghi trước khi sập', text: 'x' });
    const notWritten = await enqueueMail(ctx().deps, ctx().db, { kind: 'letter', dedupeKey: key('crash-unwritten'), to: 'b@x.vn', subject: 'Chưa ghi', text: 'x' });
    // the first was written, then the process died before recording it; the second was claimed but never written
    await drainOutbox(ctx().deps);
    const writtenRow = await outboxRow(written.id);
    const file = path.join(ctx().mediaDir, emlRelPath(writtenRow.message_id));
    const mtime = fs.statSync(file).mtimeMs;
    const deadClaim = { status: 'sending', claimed_by: 'somewhere-else:1:dead', claim_token: 'old', claimed_at: '2020-01-01T00:00:00.000Z' };
    await ctx().db('mail_outbox').whereIn('id', [written.id, notWritten.id]).update(deadClaim);
    const unwrittenRow = await outboxRow(notWritten.id);
    const unwrittenFile = path.join(ctx().mediaDir, emlRelPath(unwrittenRow.message_id));
    fs.rmSync(unwrittenFile, { force: true });

    const result = await drainOutbox(ctx().deps);
    expect(result.recovered).toBe(2);
    expect((await outboxRow(written.id)).status).toBe('sent');
    expect(fs.statSync(file).mtimeMs).toBe(mtime); // not written a second time
    expect((await outboxRow(notWritten.id)).status).toBe('sent');
    expect(fs.existsSync(unwrittenFile)).toBe(true);
  });
});
