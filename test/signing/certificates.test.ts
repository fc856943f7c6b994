import crypto from 'node:crypto';
import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { pooledKeys } from '../helpers/keys';
import { DemoCa, demoSealPng, demoSignaturePng, encodePng, verifyPdf } from '../../src/signing';
import { decryptSecret, encryptSecret, signingKey } from '../../src/signing/secrets';
import { renderLetterPdf } from '../../src/letters/pdf';
import { twoPageLetter } from '../../bench/letters.bench';
import { approvedLetter, binary, setUpDepartment, type Department } from '../letters/helpers';
import { equip, filesUnder, makePki, type Pki } from './helpers';
import { pdftotext, tools } from './tools';
import { signIn } from '../helpers/browser-session';

const VALID = { notBefore: new Date('2025-06-01T00:00:00Z'), notAfter: new Date('2028-06-01T00:00:00Z') };

describeEachDb('certificates, signature images and seals: bad input is refused with the reason, nothing stored', (ctx) => {
  let dep: Department;
  let pki: Pki;
  const count = async (table: string) => Number((await ctx().db(table).count({ n: '*' }))[0].n);
  const orgCert = (p12: Buffer, password: string, lang = 'vi') =>
    ctx().as(ctx().admin).post(`/api/v1/orgs/${dep.orgId}/certificate?lang=${lang}`).field('password', password).attach('file', p12, 'org.p12');

  beforeAll(async () => {
    dep = await setUpDepartment(ctx());
    pki = makePki(ctx(), 'Lãnh đạo Sở', 'Sở Thông tin và Truyền thông');
    ctx().setNow('2026-03-02T03:00:00Z');
  });

  it('a wrong password, an expired or not-yet-valid certificate, one for another organisation: 400 with the reason (vi and en)', async () => {
    const before = await count('signing_certificates');
    const files = filesUnder(ctx(), 'signing');
    const wrong = await orgCert(pki.orgP12, 'not-the-password');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'CERTIFICATE_PASSWORD', message: 'Mật khẩu của tệp chứng thư số (PKCS#12) không đúng.', fields: { password: expect.any(String) } });
    expect((await orgCert(pki.orgP12, 'not-the-password', 'en')).body.error.message).toBe('The PKCS#12 password is wrong.');

    const expired = pki.ca.pkcs12({ commonName: 'Sở Thông tin và Truyền thông', notBefore: new Date('2024-01-01'), notAfter: new Date('2025-12-31') }, 'pw').p12;
    expect((await orgCert(expired, 'pw')).body.error.code).toBe('CERTIFICATE_EXPIRED');
    const future = pki.ca.pkcs12({ commonName: 'Sở Thông tin và Truyền thông', notBefore: new Date('2026-06-01'), notAfter: new Date('2028-01-01') }, 'pw').p12;
    const early = await orgCert(future, 'pw', 'en');
    expect(early.status).toBe(400);
    expect(early.body.error).toMatchObject({ code: 'CERTIFICATE_NOT_YET_VALID', message: 'The certificate is not valid yet.' });
    const other = pki.ca.pkcs12({ commonName: 'Sở Y tế', organisation: 'UBND tỉnh Hà Tĩnh', ...VALID }, 'pw').p12;
    const mismatch = await orgCert(other, 'pw');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe('CERTIFICATE_OWNER_MISMATCH');
    const approverForOrg = await orgCert(pki.approverP12, 'approver-pass'); // a person's certificate is not the organisation's
    expect(approverForOrg.body.error.code).toBe('CERTIFICATE_OWNER_MISMATCH');
    const notP12 = await orgCert(Buffer.from('just text'), 'pw');
    expect(notP12.body.error.code).toBe('CERTIFICATE_UNREADABLE');
    const noPassword = await ctx().as(ctx().admin).post(`/api/v1/orgs/${dep.orgId}/certificate`).attach('file', pki.orgP12, 'org.p12');
    expect(noPassword.body.error.code).toBe('PASSWORD_REQUIRED');

    expect(await count('signing_certificates')).toBe(before);
    expect(filesUnder(ctx(), 'signing')).toBe(files);
    expect(filesUnder(ctx(), 'tmp')).toBe(0);
  });

  it('only the organisation\'s admins upload its certificate; a signer uploads their own', async () => {
    expect((await ctx().as(dep.secretary).post(`/api/v1/orgs/${dep.orgId}/certificate`).field('password', 'org-pass').attach('file', pki.orgP12, 'o.p12')).status).toBe(403);
    expect((await ctx().as(dep.drafter).post(`/api/v1/users/${dep.approver.id}/certificate`).field('password', 'approver-pass').attach('file', pki.approverP12, 'a.p12')).status).toBe(403);
    const own = await ctx().as(dep.approver).post(`/api/v1/users/${dep.approver.id}/certificate`).field('password', 'approver-pass').attach('file', pki.approverP12, 'a.p12');
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ subject: 'Lãnh đạo Sở', organisation: 'Sở Thông tin và Truyền thông', issuer: expect.stringContaining('Test Root CA'), trusted: true, notAfter: '2028-06-01T00:00:00.000Z' });
    expect(own.body.serial).toMatch(/^[0-9A-F]+$/);
    const got = await ctx().as(dep.approver).get(`/api/v1/users/${dep.approver.id}/certificate`);
    expect(got.body.subject).toBe('Lãnh đạo Sở');
  });

  it('the password is stored encrypted, never in clear; another SIGNING_KEY cannot open it', async () => {
    const rows = await ctx().db('signing_certificates').select('secret_enc');
    for (const r of rows) {
      expect(r.secret_enc).toMatch(/^v1:[0-9a-f]{8}:/);
      expect(r.secret_enc).not.toContain('approver-pass');
      expect(Buffer.from(r.secret_enc.split(':')[2], 'base64').toString('latin1')).not.toContain('approver-pass');
    }
    const log = { warn: jest.fn() };
    const a = signingKey({ SIGNING_KEY: 'one key', MEDIA_DIR: ctx().mediaDir }, log);
    const b = signingKey({ SIGNING_KEY: 'another key', MEDIA_DIR: ctx().mediaDir }, log);
    const enc = encryptSecret(a, 'mật khẩu');
    expect(decryptSecret(a, enc)).toBe('mật khẩu');
    expect(() => decryptSecret(b, enc)).toThrow(/another SIGNING_KEY/);
    expect(log.warn).not.toHaveBeenCalled();
    signingKey({ MEDIA_DIR: `${ctx().mediaDir}/fresh` }, log); // the embedded default: a key file in MEDIA_DIR, with a warning
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ file: expect.stringContaining('secret.key') }), expect.stringContaining('SIGNING_KEY'));
  });

  it('a signature image must be a blue PNG with a transparent background, a seal a red one, neither huge', async () => {
    const before = await count('signing_images');
    const post = (png: Buffer, kind: 'signature-image' | 'seal') =>
      kind === 'seal'
        ? ctx().as(ctx().admin).post(`/api/v1/orgs/${dep.orgId}/seal`).attach('file', png, 'x.png')
        : ctx().as(dep.approver).post(`/api/v1/users/${dep.approver.id}/signature-image`).attach('file', png, 'x.png');
    expect((await post(Buffer.from('GIF89a not a png at all'), 'signature-image')).body.error.code).toBe('IMAGE_NOT_PNG');
    const wide = encodePng(3001, 1, Buffer.alloc(3001 * 4));
    const big = await post(wide, 'signature-image');
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('IMAGE_TOO_BIG');
    const noisy = encodePng(700, 700, crypto.randomBytes(700 * 700 * 4));
    expect(noisy.length).toBeGreaterThan(1024 * 1024);
    expect((await post(noisy, 'seal')).body.error.code).toBe('IMAGE_TOO_LARGE');
    const opaque = Buffer.from(demoSealPng());
    opaque[25] = 2; // colour type RGB: no alpha (CRC not checked by us; the image is refused first)
    expect((await post(opaque, 'seal')).body.error.code).toBe('IMAGE_NOT_TRANSPARENT');
    expect((await post(demoSealPng(), 'signature-image')).body.error.code).toBe('IMAGE_NOT_BLUE');
    const seal = await post(demoSignaturePng(), 'seal');
    expect(seal.status).toBe(400);
    expect(seal.body.error).toMatchObject({ code: 'IMAGE_NOT_RED', message: 'Ảnh con dấu phải có màu đỏ.' });
    expect(await count('signing_images')).toBe(before);
    const ok = await post(demoSealPng(), 'seal');
    expect(ok.status).toBe(201);
    expect(ok.body.widthMm).toBeCloseTo(36, 0);
  });

  it('a certificate that expired after upload stops the approval with 409 and the reason', async () => {
    const short = pki.ca.pkcs12({ commonName: 'Lãnh đạo Sở', notBefore: new Date('2026-01-01'), notAfter: new Date('2026-03-15') }, 'pw').p12;
    expect((await ctx().as(dep.approver).post(`/api/v1/users/${dep.approver.id}/certificate`).field('password', 'pw').attach('file', short, 'a.p12')).status).toBe(201);
    const id = await (async () => {
      const created = await ctx().as(dep.drafter).post('/api/v1/letters').send({ issuingOrgId: dep.orgId, subject: 'x', body: 'Nội dung.', place: 'Hà Tĩnh', recipients: [{ orgId: dep.recipients.syt }], signer: { title: 'GIÁM ĐỐC', name: 'Lãnh đạo Sở' }, unitCode: 'VP' });
      await ctx().as(dep.drafter).post(`/api/v1/letters/${created.body.id}/submit`);
      return created.body.id as number;
    })();
    ctx().setNow('2026-03-20T03:00:00Z');
    const res = await ctx().as(dep.approver).post(`/api/v1/letters/${id}/approve`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CERTIFICATE_EXPIRED');
    expect((await ctx().as(dep.approver).get(`/api/v1/letters/${id}`)).body.status).toBe('submitted');
    ctx().setNow('2026-03-02T03:00:00Z');
  });
});

describeEachDb('REQUIRE_DIGITAL_SIGNATURE=true: no approval or issue without certificates', (ctx) => {
  it('refuses with 409 and the reason, then signs once the certificates are there', async () => {
    const dep = await setUpDepartment(ctx());
    ctx().setNow('2026-03-02T03:00:00Z');
    const created = await ctx().as(dep.drafter).post('/api/v1/letters').send({ issuingOrgId: dep.orgId, subject: 'y', body: 'Nội dung.', place: 'Hà Tĩnh', recipients: [{ orgId: dep.recipients.syt }], signer: { title: 'GIÁM ĐỐC', name: 'Lãnh đạo Sở' }, unitCode: 'VP' });
    const id = created.body.id;
    await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`);
    const refused = await ctx().as(dep.approver).post(`/api/v1/letters/${id}/approve?lang=en`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'SIGNER_CERTIFICATE_MISSING', message: expect.stringContaining('requires a digital signature') });
    const pki = makePki(ctx(), 'Lãnh đạo Sở', 'Sở Thông tin và Truyền thông');
    expect((await ctx().as(dep.approver).post(`/api/v1/users/${dep.approver.id}/certificate`).field('password', 'approver-pass').attach('file', pki.approverP12, 'a.p12')).status).toBe(201);
    expect((await ctx().as(dep.approver).post(`/api/v1/letters/${id}/approve`)).status).toBe(200);
    const noOrg = await ctx().as(dep.secretary).post(`/api/v1/letters/${id}/issue`);
    expect(noOrg.status).toBe(409);
    expect(noOrg.body.error.code).toBe('ORG_CERTIFICATE_MISSING');
    expect(Number((await ctx().db('outgoing_register').count({ n: '*' }))[0].n)).toBe(0);
    await equip(ctx(), dep, pki);
    const issued = await ctx().as(dep.secretary).post(`/api/v1/letters/${id}/issue`);
    expect(issued.status).toBe(200);
    const pdf = await ctx().as(dep.secretary).get(`/api/v1/letters/${id}/pdf`).buffer(true).parse(binary);
    const report = verifyPdf(pdf.body, { anchors: [] }, new Date());
    expect(report.signatures.map((s) => [s.subject, s.intact])).toEqual([
      ['Lãnh đạo Sở', true],
      ['Sở Thông tin và Truyền thông', true],
    ]);
  });
}, { REQUIRE_DIGITAL_SIGNATURE: 'true' });

describeEachDb('a letter issued without certificates (allowed by default)', (ctx) => {
  it('is numbered and dated in its PDF, and its page says it is unsigned', async () => {
    const dep = await setUpDepartment(ctx());
    const id = await approvedLetter(ctx(), dep);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${id}/issue`)).status).toBe(200);
    const pdf = await ctx().as(dep.secretary).get(`/api/v1/letters/${id}/pdf`).buffer(true).parse(binary);
    expect(verifyPdf(pdf.body, { anchors: [] }, new Date()).signatures).toEqual([]);
    if (tools('pdftotext')) expect(pdftotext(pdf.body)).toContain('Số: 01/STTTT-TTBCXB');
    const letter = await ctx().as(dep.secretary).get(`/api/v1/letters/${id}`);
    expect(letter.body.signatures).toEqual([]);
    const session = await signIn(ctx().app, dep.secretary.email, dep.secretary.password);
    const html = await session.agent.get(`/letters/${id}`);
    expect(html.status).toBe(200);
    expect(html.text).toContain('được ban hành không có chữ ký số');
  });
});

describeEachDb('the public /verify page', (ctx) => {
  it('checks an uploaded PDF without sign-in and tells who signed, and a PDF without signatures', async () => {
    const ca = DemoCa.create({}, pooledKeys());
    const { p12 } = ca.pkcs12({ commonName: 'Sở Thông tin và Truyền thông' }, 'pw');
    const { readPkcs12, KeySigner, signPdf } = await import('../../src/signing');
    const { key, chain } = readPkcs12(p12, 'pw');
    const plain = (await renderLetterPdf(twoPageLetter())).bytes;
    const signed = await signPdf(plain, { signer: new KeySigner('pkcs12', key, chain), time: new Date('2026-03-02T03:00:00Z') });
    const agent = request.agent(ctx().app);
    const form = await agent.get('/verify');
    expect(form.status).toBe(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const res = await agent.post('/verify').field('_csrf', token).attach('file', signed, 'cong-van.pdf');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Sở Thông tin và Truyền thông');
    expect(res.text).toContain('Nội dung còn nguyên vẹn từ khi ký');
    expect(res.text).toContain('không thuộc danh sách tin cậy'); // this throwaway CA is not in the trust list
    const none = await agent.post('/verify').field('_csrf', token).attach('file', plain, 'ban-nhap.pdf');
    expect(none.text).toContain('Tệp này không có chữ ký số.');
    const notPdf = await agent.post('/verify').field('_csrf', token).attach('file', Buffer.from('hello'), 'x.pdf');
    expect(notPdf.status).toBe(400);
    expect(notPdf.text).toContain('Tệp không phải là PDF đọc được.');
  });
});

describeEachDb('the /signing page', (ctx) => {
  it('lets an approver upload their certificate and signature image, and shows the reason of a refusal', async () => {
    const dep = await setUpDepartment(ctx());
    ctx().setNow('2026-03-02T03:00:00Z');
    const pki = makePki(ctx(), 'Lãnh đạo Sở', 'Sở Thông tin và Truyền thông');
    const session = await signIn(ctx().app, dep.approver.email, dep.approver.password);
    const page = await session.agent.get('/signing');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Chưa có chứng thư số.');
    const wrong = await session.agent.post('/signing/user-certificate').field('_csrf', session.csrf).field('password', 'nope').attach('file', pki.approverP12, 'a.p12');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Mật khẩu của tệp chứng thư số (PKCS#12) không đúng.');
    const ok = await session.agent.post('/signing/user-certificate').field('_csrf', session.csrf).field('password', 'approver-pass').attach('file', pki.approverP12, 'a.p12');
    expect(ok.status).toBe(303);
    const img = await session.agent.post('/signing/signature-image').field('_csrf', session.csrf).attach('file', (await import('../../src/signing')).demoSignaturePng(), 'sig.png');
    expect(img.status).toBe(303);
    const after = await session.agent.get('/signing');
    expect(after.text).toContain('Lãnh đạo Sở');
    expect(after.text).not.toContain('Chữ ký số của cơ quan'); // not an admin
    expect((await session.agent.post('/signing/seal').field('_csrf', session.csrf).attach('file', Buffer.from('x'), 'x.png')).status).toBe(403); // not an admin
    expect((await session.agent.post('/signing/signature-image').attach('file', Buffer.from('x'), 'x.png')).status).toBe(403); // no CSRF token
  });
});

describeEachDb('sending an approved letter back', (ctx) => {
  it('drops its approval signature: a later unsigned approval never issues the old signed text', async () => {
    const dep = await setUpDepartment(ctx());
    ctx().setNow('2026-03-02T03:00:00Z');
    const pki = makePki(ctx(), 'Lãnh đạo Sở', 'Sở Thông tin và Truyền thông');
    expect((await ctx().as(dep.approver).post(`/api/v1/users/${dep.approver.id}/certificate`).field('password', 'approver-pass').attach('file', pki.approverP12, 'a.p12')).status).toBe(201);
    const id = await approvedLetter(ctx(), dep, { subject: 'nội dung cũ' });
    expect((await ctx().as(dep.approver).get(`/api/v1/letters/${id}`)).body.signatures).toHaveLength(1);
    expect((await ctx().as(dep.approver).post(`/api/v1/letters/${id}/reject`).send({ reason: 'Sửa trích yếu' })).status).toBe(200);
    expect((await ctx().as(dep.approver).get(`/api/v1/letters/${id}`)).body.signatures).toEqual([]);
    expect((await ctx().as(dep.drafter).patch(`/api/v1/letters/${id}`).send({ subject: 'nội dung mới' })).status).toBe(200);
    await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`);
    const deputy = await ctx().createUser(['approver'], dep.orgId, 'Phó Giám đốc khác'); // no certificate
    expect((await ctx().as(deputy).post(`/api/v1/letters/${id}/approve`)).status).toBe(200);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${id}/issue`)).status).toBe(200);
    const pdf = await ctx().as(dep.secretary).get(`/api/v1/letters/${id}/pdf`).buffer(true).parse(binary);
    expect(verifyPdf(pdf.body, { anchors: [] }, new Date()).signatures).toEqual([]);
    if (tools('pdftotext')) {
      const text = pdftotext(pdf.body);
      expect(text).toContain('V/v nội dung mới');
      expect(text).not.toContain('nội dung cũ');
    }
  });
});
