/**
 * Uploads from outside: nobody fills MEDIA_DIR/tmp without being signed in with the right role, the CSRF token
 * of a page upload travels in the form (never in the URL), and no exit path leaves a temp file behind.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { describeEachDb, type TestUser } from '../helpers/context';
import { csrfFrom, signIn, type PageSession } from '../helpers/browser-session';
import { PDF, PNG, plainLetter, setUpDepartment, type Department } from '../letters/helpers';
import { sweepTmp } from '../../src/shared/media';
import { startup } from '../../src/startup';

const FIVE_MB = Buffer.alloc(5 * 1024 * 1024, 0x41);

async function orgsXlsx(code: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Đơn vị');
  ws.addRow(['code', 'name', 'shortName', 'kind']);
  ws.addRow([code, `Đơn vị ${code}`, 'DV', 'department']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * Starts a multipart POST that announces 100 MB, sends the first 64 KB and waits: the status of an answer that
 * comes while the body is still arriving, or null when the server waits for the body (it is reading it).
 */
async function answerBeforeBody(app: http.RequestListener, urlPath: string, headers: Record<string, string> = {}): Promise<number | null> {
  const server = http.createServer(app).listen(0);
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  const boundary = 'x-boundary-x';
  try {
    return await new Promise<number | null>((resolve) => {
      const req = http.request({
        port,
        method: 'POST',
        path: urlPath,
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(100 * 1024 * 1024), ...headers },
      });
      const timer = setTimeout(() => resolve(null), 1500);
      req.on('response', (res) => {
        clearTimeout(timer);
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => undefined);
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
      req.write(Buffer.alloc(64 * 1024, 0x41));
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describeEachDb('security: uploads', (ctx) => {
  let dep: Department;
  let reporter: TestUser;
  let letterId: number;
  const tmp = () => path.join(ctx().mediaDir, 'tmp');
  const tmpFiles = () => (fs.existsSync(tmp()) ? fs.readdirSync(tmp()) : []);
  /** Every upload route: API (bearer) and page (session) forms. */
  const apiRoutes = () => [`/api/v1/letters/${letterId}/attachments`, '/api/v1/audio', '/api/v1/orgs/import'];
  const pageRoutes = () => [`/letters/${letterId}/attachments`, '/broadcasts/audio', '/orgs/import'];

  beforeAll(async () => {
    dep = await setUpDepartment(ctx());
    reporter = await ctx().createUser(['reporter'], dep.recipients.syt, 'Cán bộ đầu mối');
    const created = await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep));
    expect(created.status).toBe(201);
    letterId = created.body.id;
  });

  afterEach(() => {
    expect(tmpFiles()).toEqual([]);
  });

  it('answers an anonymous 5 MB upload to every route with 401 (API) or the sign-in page, and keeps nothing', async () => {
    for (const url of apiRoutes()) {
      const res = await request(ctx().app).post(url).field('title', 'x').attach('file', FIVE_MB, 'big.pdf');
      expect([url, res.status, res.body.error?.code]).toEqual([url, 401, 'UNAUTHENTICATED']);
      expect(tmpFiles()).toEqual([]);
    }
    for (const url of pageRoutes()) {
      const res = await request(ctx().app).post(url).field('title', 'x').attach('file', FIVE_MB, 'big.pdf');
      expect([url, res.status]).toEqual([url, 302]);
      expect(res.headers.location).toMatch(/^\/login\?next=/);
      expect(tmpFiles()).toEqual([]);
    }
  });

  it('refuses an anonymous upload before reading its body', async () => {
    for (const url of apiRoutes()) expect([url, await answerBeforeBody(ctx().app, url)]).toEqual([url, 401]);
    for (const url of pageRoutes()) expect([url, await answerBeforeBody(ctx().app, url)]).toEqual([url, 302]);
  });

  it('refuses a signed-in user without the role with 403, before reading the body, and keeps nothing', async () => {
    for (const url of apiRoutes()) {
      const res = await ctx().as(reporter).post(url).field('title', 'x').attach('file', FIVE_MB, 'big.pdf');
      expect([url, res.status, res.body.error?.code]).toEqual([url, 403, 'FORBIDDEN']);
      expect(tmpFiles()).toEqual([]);
      expect([url, await answerBeforeBody(ctx().app, url, { Authorization: `Bearer ${reporter.token}` })]).toEqual([url, 403]);
    }
    // an approver may read letters but not attach files; a drafter may not import organisations
    expect((await ctx().as(dep.approver).post(`/api/v1/letters/${letterId}/attachments`).attach('file', PDF, 'a.pdf')).status).toBe(403);
    expect((await ctx().as(dep.drafter).post('/api/v1/orgs/import').attach('file', FIVE_MB, 'orgs.xlsx')).status).toBe(403);
    const s = await signIn(ctx().app, reporter.email, reporter.password);
    for (const url of pageRoutes()) {
      const res = await s.agent.post(url).field('_csrf', s.csrf).field('title', 'x').attach('file', FIVE_MB, 'big.pdf');
      expect([url, res.status]).toEqual([url, 403]);
      expect(tmpFiles()).toEqual([]);
    }
  });

  it('leaves no temp file when an upload is refused for its content, or stored', async () => {
    const text = Buffer.from('Kính gửi: UBND các xã\n'.repeat(100));
    const attach = await ctx().as(dep.drafter).post(`/api/v1/letters/${letterId}/attachments`).attach('file', text, 'guide.pdf');
    expect(attach.status).toBe(415);
    const audio = await ctx().as(dep.drafter).post('/api/v1/audio').field('title', 'Bản tin').attach('file', text, 'ban-tin.mp3');
    expect(audio.status).toBe(415);
    const orgs = await ctx().as(ctx().admin).post('/api/v1/orgs/import').attach('file', PNG, 'orgs.xlsx');
    expect(orgs.status).toBe(415);
    const unexpected = await ctx().as(dep.drafter).post(`/api/v1/letters/${letterId}/attachments`).attach('other', PDF, 'a.pdf');
    expect(unexpected.status).toBe(400);
    expect(tmpFiles()).toEqual([]);
    const stored = await ctx().as(dep.drafter).post(`/api/v1/letters/${letterId}/attachments`).attach('file', PDF, 'huong-dan.pdf');
    expect(stored.status).toBe(201);
    const imported = await ctx().as(ctx().admin).post('/api/v1/orgs/import').attach('file', await orgsXlsx('SEC-1'), 'orgs.xlsx');
    expect(imported.status).toBe(200);
    expect(tmpFiles()).toEqual([]);
  });

  it('removes the partial file of an upload the client abandons', async () => {
    const server = http.createServer(ctx().app).listen(0);
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const boundary = 'abort-boundary';
    const req = http.request({
      port,
      method: 'POST',
      path: `/api/v1/letters/${letterId}/attachments`,
      headers: { Authorization: `Bearer ${dep.drafter.token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(10 * 1024 * 1024) },
    });
    req.on('error', () => undefined);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
    req.write(Buffer.alloc(1024 * 1024, 0x41));
    for (let i = 0; i < 50 && tmpFiles().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tmpFiles().length).toBe(1); // the upload was being written
    req.destroy();
    for (let i = 0; i < 100 && tmpFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    server.closeAllConnections();
    server.close();
    expect(tmpFiles()).toEqual([]);
  });

  describe('page uploads carry the CSRF token in the form, not the URL', () => {
    let admin: PageSession;
    let drafter: PageSession;
    beforeAll(async () => {
      admin = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
      drafter = await signIn(ctx().app, dep.drafter.email, dep.drafter.password);
    });

    it('renders every upload form with the token as a field before the file input and no token in the action', async () => {
      const pages = [
        [admin, '/orgs'],
        [drafter, `/letters/${letterId}`],
        [drafter, '/broadcasts'],
      ] as const;
      for (const [s, url] of pages) {
        const html = (await s.agent.get(url)).text;
        const forms = [...html.matchAll(/<form[^>]*enctype="multipart\/form-data"[^>]*>([\s\S]*?)<\/form>/g)];
        expect([url, forms.length]).toEqual([url, 1]);
        const [tag, inner] = [forms[0][0].slice(0, forms[0][0].indexOf('>') + 1), forms[0][1]];
        expect(tag).not.toContain('_csrf');
        const token = inner.indexOf('name="_csrf"');
        expect(token).toBeGreaterThanOrEqual(0);
        expect(token).toBeLessThan(inner.indexOf('type="file"'));
      }
    });

    it('accepts a page upload whose token comes in the form field before the file', async () => {
      const imported = await admin.agent.post('/orgs/import').field('_csrf', admin.csrf).attach('file', await orgsXlsx('SEC-2'), 'orgs.xlsx');
      expect(imported.status).toBe(200);
      expect(imported.text).toMatch(/Đã nhập: 1 mới/);
      const attached = await drafter.agent.post(`/letters/${letterId}/attachments`).field('_csrf', drafter.csrf).attach('file', PDF, 'phu-luc.pdf');
      expect(attached.status).toBe(303);
      const refused = await drafter.agent.post('/broadcasts/audio').field('_csrf', drafter.csrf).field('title', 'x').attach('file', Buffer.from('not audio at all'), 'a.mp3');
      expect(refused.status).toBe(415); // past CSRF, refused for its content, on the form
      expect(refused.text).toContain('<form');
    });

    it('accepts the X-CSRF-Token header instead', async () => {
      const imported = await admin.agent.post('/orgs/import').set('X-CSRF-Token', admin.csrf).attach('file', await orgsXlsx('SEC-3'), 'orgs.xlsx');
      expect(imported.status).toBe(200);
    });

    it('refuses a page upload without the token, with it only in the URL, or after the file, and imports nothing', async () => {
      const count = async () => Number((await ctx().db('orgs').count({ n: '*' }))[0].n);
      const before = await count();
      const file = await orgsXlsx('SEC-4');
      const none = await admin.agent.post('/orgs/import').attach('file', file, 'orgs.xlsx');
      expect(none.status).toBe(403);
      const inUrl = await admin.agent.post(`/orgs/import?_csrf=${admin.csrf}`).attach('file', file, 'orgs.xlsx');
      expect(inUrl.status).toBe(403);
      const after = await admin.agent.post('/orgs/import').attach('file', file, 'orgs.xlsx').field('_csrf', admin.csrf);
      expect(after.status).toBe(403);
      const wrong = await admin.agent.post('/orgs/import').field('_csrf', 'x'.repeat(admin.csrf.length)).attach('file', file, 'orgs.xlsx');
      expect(wrong.status).toBe(403);
      expect(await count()).toBe(before);
    });

    it('refuses a multipart post to any other form without the header token', async () => {
      const res = await admin.agent.post('/logout').field('_csrf', admin.csrf);
      expect(res.status).toBe(403);
      expect((await admin.agent.get('/orgs')).status).toBe(200); // still signed in
      const org = await admin.agent.post('/orgs').field('_csrf', admin.csrf).field('name', 'Sở Tư pháp').field('shortName', 'STP').field('kind', 'department');
      expect(org.status).toBe(403);
      expect(csrfFrom((await admin.agent.get('/orgs')).text)).toBe(admin.csrf);
    });
  });

  it('sweeps temp files a crash left behind at start-up, keeping files still being written', async () => {
    fs.mkdirSync(tmp(), { recursive: true });
    const old = path.join(tmp(), 'left-by-a-crash');
    const fresh = path.join(tmp(), 'being-written');
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(fresh, 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(old, twoHoursAgo, twoHoursAgo);
    await startup(ctx().deps);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
    expect(await sweepTmp(ctx().mediaDir, 0)).toBe(1);
    expect(tmpFiles()).toEqual([]);
  });
});
