/**
 * The signing feature's page forms and upload routes: a refusal shows in the user's language beside the field it
 * concerns; nobody uploads without being signed in with the right role (checked before the body is read); the
 * CSRF token of a page upload travels in the form, before the file; /verify stays public.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { describeEachDb, type TestUser } from '../helpers/context';
import { signIn, type PageSession } from '../helpers/browser-session';
import { setUpDepartment, type Department } from '../letters/helpers';
import { demoSealPng, demoSignaturePng } from '../../src/signing';
import { makePki, type Pki } from './helpers';

/** The field messages of a page, by the id of the input they stand beside. */
function fieldErrors(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<span class="field-error" id="([^"]+)-error">([^<]*)<\/span>/g)) out[m[1]] = m[2];
  return out;
}

const ENGLISH = /\b(required|invalid|expected|must|not valid|unknown|wrong|expired|not a)\b/i;

describeEachDb('signing page forms', (ctx) => {
  let dep: Department;
  let pki: Pki;
  let approver: PageSession;
  let admin: PageSession;
  const count = async (table: string) => Number((await ctx().db(table).count({ n: '*' }))[0].n);
  const tmpFiles = () => {
    const dir = path.join(ctx().mediaDir, 'tmp');
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  };

  beforeAll(async () => {
    dep = await setUpDepartment(ctx());
    ctx().setNow('2026-03-02T03:00:00Z');
    pki = makePki(ctx(), 'Lãnh đạo Sở', 'Sở Thông tin và Truyền thông');
    approver = await signIn(ctx().app, dep.approver.email, dep.approver.password);
    admin = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    await approver.refresh('/signing');
    await admin.refresh('/signing');
  });

  afterEach(() => {
    expect(tmpFiles()).toEqual([]);
  });

  it('every upload form of /signing submitted empty is a 400 marking its own inputs in Vietnamese, and stores nothing', async () => {
    const own = await approver.agent.post('/signing/user-certificate').field('_csrf', approver.csrf);
    expect(own.status).toBe(400);
    expect(fieldErrors(own.text)).toEqual({ 'uc-file': 'bắt buộc', 'uc-pw': 'bắt buộc' });
    const image = await approver.agent.post('/signing/signature-image').field('_csrf', approver.csrf);
    expect(image.status).toBe(400);
    expect(fieldErrors(image.text)).toEqual({ 'si-file': 'bắt buộc' });
    const org = await admin.agent.post('/signing/org-certificate').field('_csrf', admin.csrf);
    expect(org.status).toBe(400);
    expect(fieldErrors(org.text)).toEqual({ 'oc-file': 'bắt buộc', 'oc-pw': 'bắt buộc' });
    const seal = await admin.agent.post('/signing/seal').field('_csrf', admin.csrf);
    expect(seal.status).toBe(400);
    expect(fieldErrors(seal.text)).toEqual({ 'seal-file': 'bắt buộc' });
    for (const res of [own, image, org, seal]) {
      for (const message of Object.values(fieldErrors(res.text))) expect(message).not.toMatch(ENGLISH);
      expect(res.text).toContain('<form');
    }
    expect(await count('signing_certificates')).toBe(0);
    expect(await count('signing_images')).toBe(0);
  });

  it('a refused certificate or image is marked beside the input it concerns, in the user\'s language', async () => {
    const noPassword = await approver.agent.post('/signing/user-certificate').field('_csrf', approver.csrf).attach('file', pki.approverP12, 'a.p12');
    expect(noPassword.status).toBe(400);
    expect(fieldErrors(noPassword.text)).toEqual({ 'uc-pw': 'bắt buộc' });
    const wrong = await approver.agent.post('/signing/user-certificate').field('_csrf', approver.csrf).field('password', 'sai').attach('file', pki.approverP12, 'a.p12');
    expect(wrong.status).toBe(400);
    expect(fieldErrors(wrong.text)).toEqual({ 'uc-pw': 'mật khẩu không đúng' });
    expect(wrong.text).toContain('Mật khẩu của tệp chứng thư số (PKCS#12) không đúng.');
    const expired = pki.ca.pkcs12({ commonName: 'Lãnh đạo Sở', notBefore: new Date('2024-01-01'), notAfter: new Date('2025-12-31') }, 'pw').p12;
    const old = await approver.agent.post('/signing/user-certificate').field('_csrf', approver.csrf).field('password', 'pw').attach('file', expired, 'old.p12');
    expect(fieldErrors(old.text)).toEqual({ 'uc-file': 'đã hết hạn' });
    const red = await approver.agent.post('/signing/signature-image').field('_csrf', approver.csrf).attach('file', demoSealPng(), 'red.png');
    expect(red.status).toBe(400);
    expect(fieldErrors(red.text)).toEqual({ 'si-file': 'không có màu xanh' });
    const blue = await admin.agent.post('/signing/seal?lang=en').field('_csrf', admin.csrf).attach('file', demoSignaturePng(), 'blue.png');
    expect(fieldErrors(blue.text)).toEqual({ 'seal-file': 'not red' });
    expect(blue.text).toContain('A seal image must be red.');
    expect(await count('signing_certificates')).toBe(0);
  });

  it('/verify submitted empty is a 400 beside the file input, signed in or not', async () => {
    const anon = request.agent(ctx().app);
    const token = /name="_csrf" value="([^"]+)"/.exec((await anon.get('/verify')).text)![1];
    const empty = await anon.post('/verify').field('_csrf', token);
    expect(empty.status).toBe(400);
    expect(fieldErrors(empty.text)).toEqual({ 'v-file': 'bắt buộc' });
    const notPdf = await approver.agent.post('/verify').field('_csrf', approver.csrf).attach('file', Buffer.from('hello'), 'x.pdf');
    expect(notPdf.status).toBe(400);
    expect(fieldErrors(notPdf.text)).toEqual({ 'v-file': 'không phải tệp PDF' });
  });

  it('renders every upload form with the CSRF token as a field before the file input, none in the action', async () => {
    for (const [session, url, n] of [
      [admin, '/signing', 4],
      [approver, '/signing', 2],
      [approver, '/verify', 1],
    ] as const) {
      const html = (await session.agent.get(url)).text;
      const forms = [...html.matchAll(/<form[^>]*enctype="multipart\/form-data"[^>]*>([\s\S]*?)<\/form>/g)];
      expect([url, forms.length]).toEqual([url, n]);
      for (const form of forms) {
        expect(form[0].slice(0, form[0].indexOf('>') + 1)).not.toContain('_csrf');
        const token = form[1].indexOf('name="_csrf"');
        expect(token).toBeGreaterThanOrEqual(0);
        expect(token).toBeLessThan(form[1].indexOf('type="file"'));
      }
    }
    const noToken = await approver.agent.post('/signing/signature-image').attach('file', demoSignaturePng(), 'sig.png');
    expect(noToken.status).toBe(403);
    const inUrl = await approver.agent.post(`/signing/signature-image?_csrf=${encodeURIComponent(approver.csrf)}`).attach('file', demoSignaturePng(), 'sig.png');
    expect(inUrl.status).toBe(403);
    expect(await count('signing_images')).toBe(0);
  });
});

describeEachDb('signing upload routes: who may upload, checked before the body', (ctx) => {
  let dep: Department;
  let reporter: TestUser;
  const FIVE_MB = Buffer.alloc(5 * 1024 * 1024, 0x41);
  const tmpFiles = () => {
    const dir = path.join(ctx().mediaDir, 'tmp');
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  };
  const apiRoutes = () => [`/api/v1/orgs/${dep.orgId}/certificate`, `/api/v1/orgs/${dep.orgId}/seal`, `/api/v1/users/${dep.approver.id}/certificate`, `/api/v1/users/${dep.approver.id}/signature-image`];
  const pageRoutes = ['/signing/user-certificate', '/signing/signature-image', '/signing/org-certificate', '/signing/seal'];

  beforeAll(async () => {
    dep = await setUpDepartment(ctx());
    reporter = await ctx().createUser(['reporter'], dep.recipients.syt, 'Cán bộ đầu mối');
  });

  it('answers an anonymous upload with 401 (API) or the sign-in page, and keeps nothing', async () => {
    for (const url of apiRoutes()) {
      const res = await request(ctx().app).post(url).field('password', 'x').attach('file', FIVE_MB, 'big.p12');
      expect([url, res.status, res.body.error?.code]).toEqual([url, 401, 'UNAUTHENTICATED']);
    }
    for (const url of pageRoutes) {
      const res = await request(ctx().app).post(url).field('password', 'x').attach('file', FIVE_MB, 'big.p12');
      expect([url, res.status]).toEqual([url, 302]);
      expect(res.headers.location).toMatch(/^\/login\?next=/);
    }
    expect(tmpFiles()).toEqual([]);
  });

  it('refuses a signed-in user without the role with 403, and keeps nothing; an organisation\'s uploads need an admin', async () => {
    for (const url of apiRoutes()) {
      const res = await ctx().as(reporter).post(url).field('password', 'x').attach('file', FIVE_MB, 'big.p12');
      expect([url, res.status]).toEqual([url, 403]);
    }
    for (const url of apiRoutes().slice(0, 2)) {
      expect([url, (await ctx().as(dep.secretary).post(url).field('password', 'x').attach('file', FIVE_MB, 'big.p12')).status]).toEqual([url, 403]);
    }
    const s = await signIn(ctx().app, reporter.email, reporter.password);
    for (const url of pageRoutes) {
      const res = await s.agent.post(url).field('_csrf', s.csrf).field('password', 'x').attach('file', FIVE_MB, 'big.p12');
      expect([url, res.status]).toEqual([url, 403]);
    }
    expect(tmpFiles()).toEqual([]);
  });

  it('lets anyone verify a PDF through the API without signing in', async () => {
    const res = await request(ctx().app).post('/api/v1/verify').attach('file', Buffer.from('%PDF-1.7\n%%EOF\n'), 'x.pdf');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ signatures: [] });
    expect(tmpFiles()).toEqual([]);
  });
});
