import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { createTestContext, describeEachDb, type TestContext, type TestUser } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { drainOutbox } from '../../src/dispatch/worker';
import { startSmtpSink, type SmtpSink } from '../dispatch/smtp-sink';
import { binary, communes, draftLetter, issue, pdfGuide, setUpIssuer, type Issuer } from '../dispatch/letter-flow';
import { buildEdxml, parseEdxml } from '../../src/inbox/edxml';

/**
 * Issue 14, done when: a directive from the Sở to five agencies, three of them with users, reaches the three inboxes;
 * each văn thư receives it (incoming numbers 1, 2… per agency), hands it on and a colleague closes it; the sender's
 * delivery page shows three received in the system and two by e-mail; its edXML imports into another installation's
 * agency and lands in that incoming register; opening an e-mail's acknowledgement link records nothing.
 */
const SO_CODE = '000.00.31.H42';
const fixture = fs.readFileSync(path.join(__dirname, 'fixtures', 'van-phong-ubnd-125.edxml'));

interface Agency {
  id: number;
  name: string;
  email: string;
  code: string;
  secretary?: TestUser;
  colleague?: TestUser;
}

describeEachDb('incoming letters', (ctx) => {
  let sink: SmtpSink;
  let issuer: Issuer;
  let agencies: Agency[];
  let letterId: number;
  let symbol: string;
  let guide: Buffer;
  let edxml: Buffer;
  const inSystem = () => agencies.slice(0, 3);
  const itemOf = async (a: Agency) => (await ctx().as(a.secretary!).get('/api/v1/inbox')).body.items.find((i: { letterId: number }) => i.letterId === letterId);
  const deliveries = async () => (await ctx().as(issuer.secretary).get(`/api/v1/letters/${letterId}/deliveries`)).body;

  beforeAll(async () => {
    ctx().setNow('2026-12-20T02:00:00Z'); // every token below is made on the test clock, which then moves 17 days
    sink = await startSmtpSink();
    ctx().config.SMTP_URL = sink.url;
    issuer = await setUpIssuer(ctx());
    await ctx().db('orgs').where({ id: issuer.orgId }).update({ code: SO_CODE });
    agencies = (await communes(ctx(), 5, 'coquan')).map((a, i) => ({ ...a, code: `000.00.${40 + i}.H42` }));
    for (const a of agencies) await ctx().db('orgs').where({ id: a.id }).update({ code: a.code });
    for (const a of inSystem()) {
      a.secretary = await ctx().createUser(['secretary'], a.id, `Văn thư ${a.name}`);
      a.colleague = await ctx().createUser(['drafter'], a.id, `Chuyên viên ${a.name}`);
    }
    letterId = await draftLetter(ctx(), issuer, agencies.map((a) => ({ orgId: a.id })));
    guide = pdfGuide(60 * 1024);
    expect((await ctx().as(issuer.drafter).post(`/api/v1/letters/${letterId}/attachments`).attach('file', guide, 'huong-dan.pdf')).status).toBe(201);
    symbol = (await issue(ctx(), issuer, letterId)).symbol;
  });
  afterAll(async () => {
    await sink.close();
  });

  it('dispatch puts the letter into the inbox of the three agencies with users at once, and e-mails the two others', async () => {
    const res = await ctx().as(issuer.secretary).post(`/api/v1/letters/${letterId}/dispatch`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ inSystem: 3, queued: 2, noEmail: 0, failed: 0, total: 5 });
    for (const a of inSystem()) {
      const item = await itemOf(a);
      expect(item).toMatchObject({ letterId, symbol, status: 'new', incomingNumber: null, receivedAt: null, assignee: null, from: { orgId: issuer.orgId, name: 'Sở Thông tin và Truyền thông' } });
      expect(Object.keys(item)).toEqual(expect.arrayContaining(['id', 'letterId', 'from', 'symbol', 'subject', 'issuedAt', 'receivedAt', 'incomingNumber', 'status', 'assignee', 'dueDate']));
    }
    await drainOutbox(ctx().deps);
    const to = sink.received.map((m) => m.envelopeTo[0]);
    expect(to.filter((x) => agencies.some((a) => a.email === x)).sort()).toEqual([agencies[3].email, agencies[4].email].sort());
    // Each văn thư in the system is told (bell and e-mail) that a letter waits to be received.
    const secretaries = inSystem().map((a) => a.secretary!.email);
    expect(to.filter((x) => secretaries.includes(x)).sort()).toEqual([...secretaries].sort());
    for (const a of inSystem()) {
      const notices = (await ctx().as(a.secretary!).get('/api/v1/notifications')).body.items;
      expect(notices).toEqual([expect.objectContaining({ kind: 'letter.received', link: `/inbox/${(await itemOf(a)).id}`, read: false, text: expect.stringContaining('Văn bản đến từ Sở Thông tin và Truyền thông') })]);
    }
    const { items } = await deliveries();
    expect(items.map((d: { channel: string; status: string }) => [d.channel, d.status])).toEqual([
      ['system', 'delivered'],
      ['system', 'delivered'],
      ['system', 'delivered'],
      ['email', 'sent'],
      ['email', 'sent'],
    ]);
  });

  it('the letter and its files are open to the recipient and the sender only', async () => {
    const [a, b] = inSystem();
    const item = await itemOf(a);
    expect((await ctx().as(b.secretary!).get(`/api/v1/inbox/${item.id}`)).status).toBe(403);
    expect((await ctx().as(b.secretary!).get(`/api/v1/inbox/${item.id}/files/1`)).status).toBe(403);
    expect((await ctx().as(b.secretary!).get(`/api/v1/inbox?orgId=${a.id}`)).status).toBe(403);
    expect((await ctx().as(b.secretary!).post(`/api/v1/inbox/${item.id}/receive`)).status).toBe(403);
    const pdf = await ctx().as(a.secretary!).get(`/api/v1/inbox/${item.id}/files/0`).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    const attachment = await ctx().as(issuer.approver).get(`/api/v1/inbox/${item.id}/files/1`).buffer(true).parse(binary);
    expect(attachment.status).toBe(200);
    expect((attachment.body as Buffer).equals(guide)).toBe(true);
    expect((await ctx().as(a.secretary!).get(`/api/v1/inbox/${item.id}/files/9`)).status).toBe(404);
  });

  it('the văn thư’s home lists the letter waiting to be received', async () => {
    const { agent } = await signIn(ctx().app, inSystem()[0].secretary!.email, inSystem()[0].secretary!.password);
    const home = await agent.get('/');
    expect(home.text).toContain('Văn bản đến chờ tiếp nhận');
    expect(home.text).toContain(`href="/inbox/${(await itemOf(inSystem()[0])).id}"`);
  });

  it('each văn thư receives it: number 1 of its own incoming register, and the sender sees it acknowledged in the system at once', async () => {
    ctx().setNow('2026-12-31T18:30:00Z'); // 01:30 on 1 January 2027 in Hà Tĩnh: the Vietnamese year decides
    const [a, b] = inSystem();
    for (const agency of [a, b]) {
      const item = await itemOf(agency);
      const res = await ctx().as(agency.secretary!).post(`/api/v1/inbox/${item.id}/receive`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ incomingNumber: 1, receivedAt: '2026-12-31T18:30:00.000Z' });
      const again = await ctx().as(agency.secretary!).post(`/api/v1/inbox/${item.id}/receive`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('INBOX_ALREADY_RECEIVED');
    }
    // The third through the pages, as the văn thư would.
    const c = inSystem()[2];
    const page = await signIn(ctx().app, c.secretary!.email, c.secretary!.password);
    const item = await itemOf(c);
    const detail = await page.agent.get(`/inbox/${item.id}`);
    expect(detail.text).toContain('Tiếp nhận văn bản (vào sổ văn bản đến)');
    expect(detail.text).toContain(`/inbox/${item.id}/files/1`);
    await page.refresh(`/inbox/${item.id}`);
    const received = await page.agent.post(`/inbox/${item.id}/receive`).type('form').send({ _csrf: page.csrf });
    expect(received.status).toBe(303);
    const after = await page.agent.get(received.headers.location);
    expect(after.text).toContain('Đã tiếp nhận văn bản và vào sổ văn bản đến.');
    expect(after.text).toMatch(/data-incoming-number>1</);

    const { items, summary } = await deliveries();
    expect(items.filter((d: { channel: string; status: string; acknowledgedAt: string }) => d.channel === 'system' && d.status === 'acknowledged' && d.acknowledgedAt === '2026-12-31T18:30:00.000Z')).toHaveLength(3);
    expect(summary.byChannel).toEqual({ system: { total: 3, acknowledged: 3 }, email: { total: 2, acknowledged: 0 }, hand: { total: 0, acknowledged: 0 } });
  });

  it('the sender’s delivery page shows three received in the system and two by e-mail', async () => {
    const { agent } = await signIn(ctx().app, issuer.secretary.email, issuer.secretary.password);
    const page = await agent.get(`/letters/${letterId}/deliveries`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Trong hệ thống: 3/3 đã nhận');
    expect(page.text).toContain('Thư điện tử: 0/2 đã nhận');
    expect(page.text.match(/<td data-channel="system">Trong hệ thống<\/td>/g)).toHaveLength(3);
    expect(page.text.match(/<td data-channel="email">Thư điện tử<\/td>/g)).toHaveLength(2);
  });

  it('opening an e-mail’s acknowledgement link records nothing', async () => {
    const mail = (await sink.parsed()).find((m) => (m.text ?? '').includes(agencies[3].name))!;
    const link = /http:\/\/vandong\.test(\/ack\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1];
    for (let i = 0; i < 2; i++) expect((await request(ctx().app).get(link)).status).toBe(200);
    const d = (await deliveries()).items.find((x: { email: string }) => x.email === agencies[3].email);
    expect(d).toMatchObject({ status: 'sent', acknowledgedAt: null, channel: 'email' });
  });

  it('a second letter is number 2 of the agency’s register; numbers are per agency', async () => {
    const a = inSystem()[0];
    const second = await draftLetter(ctx(), issuer, [{ orgId: a.id }]);
    await issue(ctx(), issuer, second);
    expect((await ctx().as(issuer.secretary).post(`/api/v1/letters/${second}/dispatch`)).body).toMatchObject({ inSystem: 1, queued: 0 });
    const item = (await ctx().as(a.secretary!).get('/api/v1/inbox?status=new')).body.items[0];
    expect(item.letterId).toBe(second);
    expect((await ctx().as(a.secretary!).post(`/api/v1/inbox/${item.id}/receive`)).body.incomingNumber).toBe(2);
  });

  it('the văn thư hands it to a colleague with a due date; only that colleague closes it, with a note', async () => {
    for (const a of inSystem()) {
      const item = await itemOf(a);
      const stranger = inSystem().find((x) => x !== a)!.colleague!;
      const wrong = await ctx().as(a.secretary!).post(`/api/v1/inbox/${item.id}/assign`).send({ userId: stranger.id });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.code).toBe('INBOX_NOT_A_COLLEAGUE');
      const assigned = await ctx().as(a.secretary!).post(`/api/v1/inbox/${item.id}/assign`).send({ userId: a.colleague!.id, dueDate: '2027-01-05', note: 'Đề nghị tham mưu triển khai.' });
      expect(assigned.status).toBe(200);
      expect(assigned.body).toMatchObject({ status: 'assigned', assignee: { id: a.colleague!.id }, dueDate: '2027-01-05' });
      expect((await ctx().as(a.colleague!).get('/api/v1/notifications')).body.items).toEqual([expect.objectContaining({ kind: 'inbox.assigned', link: `/inbox/${item.id}` })]);
      expect((await ctx().as(a.colleague!).post(`/api/v1/inbox/${item.id}/assign`).send({ userId: a.colleague!.id })).status).toBe(403);
      expect((await ctx().as(a.secretary!).post(`/api/v1/inbox/${item.id}/done`).send({})).status).toBe(403);
    }
    // Past the due date the colleague's home shows it overdue.
    ctx().setNow('2027-01-06T03:00:00Z');
    const a = inSystem()[0];
    const { agent } = await signIn(ctx().app, a.colleague!.email, a.colleague!.password);
    const home = await agent.get('/');
    expect(home.text).toContain('Văn bản đến giao cho tôi xử lý');
    expect(home.text).toContain('Quá hạn — hạn xử lý ngày 05 tháng 01 năm 2027');
    for (const agency of inSystem()) {
      const item = await itemOf(agency);
      const done = await ctx().as(agency.colleague!).post(`/api/v1/inbox/${item.id}/done`).send({ note: 'Đã triển khai tới các phòng.' });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ status: 'done', doneNote: 'Đã triển khai tới các phòng.' });
      expect((await ctx().as(agency.colleague!).post(`/api/v1/inbox/${item.id}/done`).send({})).status).toBe(409);
    }
  });

  it('the incoming register lists both letters in Phụ lục IV’s columns, as JSON, a page and an XLSX', async () => {
    const a = inSystem()[0];
    const reg = await ctx().as(a.secretary!).get(`/api/v1/incoming-register?year=2027`);
    expect(reg.status).toBe(200);
    expect(reg.body.items.map((e: { number: number }) => e.number)).toEqual([1, 2]);
    expect(reg.body.items[0]).toMatchObject({ from: 'Sở Thông tin và Truyền thông', symbol, recipient: `Chuyên viên ${a.name}` });
    expect((await ctx().as(inSystem()[1].secretary!).get(`/api/v1/incoming-register?orgId=${a.id}`)).status).toBe(403);
    const xlsx = await ctx().as(a.secretary!).get(`/api/v1/incoming-register?year=2027&format=xlsx`).buffer(true).parse(binary);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(4).values).toEqual([undefined, 'Số đến', 'Ngày đến', 'Nơi gửi', 'Số, ký hiệu', 'Ngày văn bản', 'Trích yếu', 'Người nhận', 'Ghi chú']);
    expect(ws.getRow(5).getCell(1).value).toBe(1);
    expect(ws.getRow(5).getCell(2).value).toBe('01/01/2027 01:30'); // Vietnam time
    expect(ws.getRow(5).getCell(4).value).toBe(symbol);
    const { agent } = await signIn(ctx().app, a.secretary!.email, a.secretary!.password);
    const page = await agent.get('/incoming-register?year=2027');
    expect(page.text).toContain('Sổ đăng ký văn bản đến 2027');
    expect(page.text).toContain(symbol);
  });

  it('exports the letter as an edXML envelope of QCVN 102:2016', async () => {
    const res = await ctx().as(issuer.drafter).get(`/api/v1/letters/${letterId}/edxml`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    edxml = res.body as Buffer;
    const m = parseEdxml(edxml);
    expect(m.from).toMatchObject({ organId: SO_CODE, organName: 'Sở Thông tin và Truyền thông' });
    expect(m.to.map((t) => t.organId)).toEqual(agencies.map((a) => a.code));
    expect(`${m.codeNumber}/${m.codeNotation}`).toBe(symbol);
    expect(m).toMatchObject({ place: 'Hà Tĩnh', subject: 'tuyên truyền, cài đặt ứng dụng Sổ sức khỏe điện tử', priority: 0 });
    expect(m.signer).toEqual({ competence: 'KT. GIÁM ĐỐC', position: 'PHÓ GIÁM ĐỐC', fullName: 'Đậu Tùng Lâm' });
    expect(m.files[0].contentType).toBe('application/pdf');
    expect(m.files[1].content.equals(guide)).toBe(true);
    expect((await ctx().as(inSystem()[0].secretary!).get(`/api/v1/letters/${letterId}/edxml`)).status).toBe(403);
  });

  describe('another installation', () => {
    let other: TestContext;
    let secretary: TestUser;
    let agencyId: number;
    const count = async () => Number(((await other.db('inbox_items').count({ n: '*' }).first()) as { n: number }).n);
    const storedFiles = () => (fs.existsSync(path.join(other.mediaDir, 'inbox')) ? fs.readdirSync(path.join(other.mediaDir, 'inbox'), { recursive: true }).length : 0);
    const importing = (body: Buffer, name = 'van-ban.edxml', lang = '') => other.as(secretary).post(`/api/v1/inbox/import${lang}`).attach('file', body, name);

    beforeAll(async () => {
      other = await createTestContext(ctx().lane);
      agencyId = await other.createOrg({ name: 'Sở Y tế (hệ thống khác)', shortName: 'SYT', kind: 'department' });
      await other.db('orgs').where({ id: agencyId }).update({ code: agencies[3].code });
      secretary = await other.createUser(['secretary'], agencyId, 'Văn thư Sở Y tế');
    });
    afterAll(async () => {
      await other.close();
    });

    it('refuses a malformed, oversized, entity-laden, unknown-recipient or incomplete file with a reason, storing nothing', async () => {
      const text = edxml.toString('utf8');
      const cases: [Buffer, number, string][] = [
        [Buffer.from('<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><a>'), 400, 'EDXML_MALFORMED'],
        [Buffer.from(text.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>')), 400, 'EDXML_DTD'],
        [Buffer.from(text.replaceAll(agencies[3].code, '000.00.77.H42')), 400, 'EDXML_UNKNOWN_RECIPIENT'],
        [Buffer.from(text.replace(/<edXML:Attachment edXML:ContentId="2"[\s\S]*?<\/edXML:Attachment>/, '')), 400, 'EDXML_ATTACHMENT_MISSING'],
        [Buffer.from(text.replace(/<edXML:Subject>.*<\/edXML:Subject>/, '')), 400, 'EDXML_MISSING_PART'],
        [Buffer.alloc(40 * 1024 * 1024 + 1, 0x20), 413, 'TOO_LARGE'],
      ];
      for (const [body, status, code] of cases) {
        const res = await importing(body);
        expect([code, res.status, res.body.error?.code]).toEqual([code, status, code]);
        expect(res.body.error.message).not.toBe('');
      }
      const en = await importing(Buffer.from(text.replaceAll(agencies[3].code, '000.00.77.H42')), 'x.edxml', '?lang=en');
      expect(en.body.error.message).toBe('No organisation in this system has the identifier code in To (000.00.40.H42, 000.00.41.H42, 000.00.42.H42, 000.00.77.H42, 000.00.44.H42).');
      const vi = await importing(Buffer.from(text.replace(/<edXML:Subject>.*<\/edXML:Subject>/, '')));
      expect(vi.body.error.message).toBe('Gói tin edXML thiếu phần Subject.');
      expect(await count()).toBe(0);
      expect(storedFiles()).toBe(0);
    });

    it('imports the envelope into the agency whose code is in To: its inbox, its register, the attachments byte for byte', async () => {
      const res = await importing(edxml);
      expect(res.status).toBe(201);
      const [item] = res.body.items;
      expect(item).toMatchObject({ symbol, status: 'new', source: 'edxml', letterId: null, from: { name: 'Sở Thông tin và Truyền thông', code: SO_CODE, orgId: null } });
      const file = await other.as(secretary).get(`/api/v1/inbox/${item.id}/files/1`).buffer(true).parse(binary);
      expect((file.body as Buffer).equals(guide)).toBe(true);
      const exported = parseEdxml(edxml);
      const pdf = await other.as(secretary).get(`/api/v1/inbox/${item.id}/files/0`).buffer(true).parse(binary);
      expect((pdf.body as Buffer).equals(exported.files[0].content)).toBe(true);
      expect((await other.as(secretary).post(`/api/v1/inbox/${item.id}/receive`)).body.incomingNumber).toBe(1);
      const reg = await other.as(secretary).get('/api/v1/incoming-register');
      expect(reg.body.items).toEqual([expect.objectContaining({ number: 1, symbol, from: 'Sở Thông tin và Truyền thông' })]);
      const again = await importing(edxml);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('INBOX_DUPLICATE');
      expect(await count()).toBe(1);
    });

    it('imports the hand-written envelope of the standard through the page', async () => {
      const so = await other.createOrg({ name: 'Sở Y tế tỉnh Hà Tĩnh', shortName: 'SYT', kind: 'department' });
      await other.db('orgs').where({ id: so }).update({ code: '000.00.31.H42' });
      const vt = await other.createUser(['secretary'], so, 'Văn thư');
      const page = await signIn(other.app, vt.email, vt.password);
      await page.refresh('/inbox');
      const res = await page.agent.post('/inbox/import').field('_csrf', page.csrf).attach('file', fixture, 'van-phong-ubnd-125.edxml');
      expect(res.status).toBe(303);
      const detail = await page.agent.get(res.headers.location);
      expect(detail.text).toContain('Đã nhập văn bản từ tệp edXML.');
      expect(detail.text).toContain('125/VP-KGVX');
      expect(detail.text).toContain('Văn phòng Ủy ban nhân dân tỉnh Hà Tĩnh');
      expect(detail.text).toContain('danh-sach-don-vi.txt');
      const list = (await other.as(vt).get('/api/v1/inbox?q=Sổ sức khỏe')).body;
      expect(list).toMatchObject({ total: 1, page: 1, pageSize: 50 });
      expect(list.items[0]).toMatchObject({ symbol: '125/VP-KGVX', issuedAt: '2026-11-20', urgency: 'KHAN', signer: { name: 'Nguyễn Thị Hoa' } });
    });

    it('twenty letters received at once take the numbers 2 to 21, each once', async () => {
      const base = parseEdxml(edxml);
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) {
        const envelope = buildEdxml({ ...base, codeNumber: String(100 + i), files: [{ name: 'thu.pdf', contentType: 'application/pdf', content: Buffer.from(`%PDF-1.4 thư ${i}`) }] });
        const res = await importing(Buffer.from(envelope));
        expect(res.status).toBe(201);
        ids.push(res.body.items[0].id);
      }
      const results = await Promise.all(ids.map((id) => other.as(secretary).post(`/api/v1/inbox/${id}/receive`)));
      expect(results.map((r) => r.status)).toEqual(ids.map(() => 200));
      expect(results.map((r) => r.body.incomingNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    });
  });
});
